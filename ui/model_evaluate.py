"""Evaluate and explain one finished run: metrics, curves, residuals, importances, a small tree."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core import evaluate
from core import model_plots as figures
from core.errors import DataError
from core.train import RunResult
from ui.plain_text import md_escape

CLASSIFICATION_VIEWS = ["Confusion matrix", "ROC", "Precision-recall", "Calibration", "Threshold", "Report"]
REGRESSION_VIEWS = ["Predicted vs actual", "Residuals", "Residual histogram"]
EXPLAIN_VIEWS = ["Permutation importance", "Built-in importance", "Partial dependence", "Learning curve", "Tree"]


def metrics_table(run: RunResult) -> pd.DataFrame:
    record = run.record
    names = list(record.test) or list(record.cv)
    return pd.DataFrame({
        "cross-validation mean": [record.cv.get(n) for n in names],
        "± std": [record.cv_std.get(n) for n in names],
        "test set": [record.test.get(n) for n in names],
    }, index=names)


@st.cache_data(max_entries=32, show_spinner="Computing...")
def _cached(kind: str, run_id: str, argument: str, _run: RunResult):
    """Explanations cost fits or many predictions; compute each once per run."""
    if kind == "permutation":
        return evaluate.permutation_importance_frame(_run)
    if kind == "learning":
        return evaluate.learning_curve_data(_run)
    if kind == "partial":
        return evaluate.partial_dependence_data(_run, argument)
    if kind == "tree":
        return evaluate.tree_drawing(_run, max_depth=int(argument))
    raise ValueError(kind)


def render_evaluation(run: RunResult, key: str) -> None:
    st.dataframe(metrics_table(run), column_config={c: st.column_config.NumberColumn(format="%.4f")
                                                    for c in ("cross-validation mean", "± std", "test set")})
    record = run.record
    st.caption(f"{md_escape(record.label)} · fit {record.fit_seconds:.2f} s · rows {record.rows} · "
               f"data {record.data_fingerprint}")
    views = (CLASSIFICATION_VIEWS if run.task == "classification" else REGRESSION_VIEWS) + EXPLAIN_VIEWS
    view = st.segmented_control("Show", views, default=views[0], key=f"{key}_view") or views[0]
    try:
        _render_view(run, view, key)
    except DataError as exc:
        st.info(md_escape(exc))


_POSITIVE_VIEWS = {"ROC", "Precision-recall", "Calibration", "Threshold"}


def _render_view(run: RunResult, view: str, key: str) -> None:
    pred = run.predictions
    if view in _POSITIVE_VIEWS and pred.is_binary:
        classes = list(pred.classes)
        positive = st.selectbox("Positive class (the event the curves are about)", classes,
                                index=classes.index(pred.minority_class()), format_func=str,
                                key=f"{key}_positive", help="By default the rarer class.")
        pred = pred.with_positive(positive)
    if view == "Confusion matrix":
        normalised = st.toggle("Normalise by true class", key=f"{key}_normalise")
        st.plotly_chart(figures.confusion_figure(evaluate.confusion(pred), normalized=normalised))
    elif view == "ROC":
        st.plotly_chart(figures.roc_figure(evaluate.roc_curves(pred)))
    elif view == "Precision-recall":
        st.plotly_chart(figures.precision_recall_figure(evaluate.precision_recall_curves(pred)))
    elif view == "Calibration":
        st.plotly_chart(figures.calibration_figure(evaluate.calibration(pred)))
    elif view == "Threshold":
        if not pred.is_binary:
            st.info("The threshold applies to two-class targets only.")
            return
        sweep = evaluate.threshold_sweep(pred)
        threshold = st.slider(f"Predict '{md_escape(pred.positive_class)}' when its score is at least", 0.0, 1.0,
                              0.5, 0.01, key=f"{key}_threshold")
        nearest = sweep.iloc[(sweep["threshold"] - threshold).abs().argsort()[:1]]
        st.dataframe(nearest, hide_index=True)
        st.plotly_chart(figures.threshold_figure(sweep, threshold))
    elif view == "Report":
        st.dataframe(evaluate.classification_report_frame(pred))
    elif view == "Predicted vs actual":
        st.plotly_chart(figures.predicted_actual_figure(evaluate.residuals(pred)))
    elif view == "Residuals":
        st.plotly_chart(figures.residuals_figure(evaluate.residuals(pred)))
    elif view == "Residual histogram":
        st.plotly_chart(figures.residual_histogram(evaluate.residuals(pred)))
    elif view == "Permutation importance":
        st.caption("How much the test score drops when one column's values are shuffled.")
        st.plotly_chart(figures.importance_figure(_cached("permutation", run.record.run_id, "", run),
                                                  "Permutation importance (test rows)"))
    elif view == "Built-in importance":
        importances = evaluate.builtin_importance_frame(run)
        if importances is None:
            st.info(f"{run.record.label} has no built-in importances or coefficients; use permutation importance.")
        else:
            st.plotly_chart(figures.importance_figure(importances, "Built-in importance / coefficients"))
    elif view == "Partial dependence":
        features = [e.column for e in run.prepared.encodings if e.role != "drop"]
        feature = st.selectbox("Feature", features, key=f"{key}_pd_feature")
        if feature:
            st.plotly_chart(figures.partial_dependence_figure(_cached("partial", run.record.run_id, feature, run)))
    elif view == "Learning curve":
        st.caption("Scores as the training part grows: a wide gap means over-fitting, two low lines under-fitting.")
        if st.button("Compute learning curve (fits the model several times)", key=f"{key}_learning"):
            st.session_state[f"{key}_learning_done"] = run.record.run_id
        if st.session_state.get(f"{key}_learning_done") == run.record.run_id:
            st.plotly_chart(figures.learning_curve_figure(_cached("learning", run.record.run_id, "", run)))
    elif view == "Tree":
        if run.record.model != "decision_tree":
            st.info("Train a decision tree to see it drawn here (keep its depth small to read it).")
            return
        depth = st.slider("Levels to draw", 1, 6, 3, key=f"{key}_tree_depth")
        st.plotly_chart(figures.tree_figure(_cached("tree", run.record.run_id, str(depth), run)))
