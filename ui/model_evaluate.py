"""Evaluate and explain one finished run: metrics, curves, residuals, importances, a small tree."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from core import curves, explain, metrics
from core import model_plots as figures
from core.errors import DataError
from core.train import RunResult
from ui.plain_text import md_escape

CLASSIFICATION_VIEWS = ["Confusion matrix", "ROC", "Precision-recall", "Calibration", "Threshold", "Report"]
REGRESSION_VIEWS = ["Predicted vs actual", "Residuals", "Residual histogram"]
EXPLAIN_VIEWS = ["Permutation importance", "Built-in importance", "Partial dependence", "Learning curve", "Tree"]
_CACHE_KEY, _CACHE_ENTRIES = "evaluation_cache", 32


def metrics_table(run: RunResult) -> pd.DataFrame:
    """One row per metric key (as in the JSON), with the name a person reads and what it was measured on."""
    record = run.record
    names = list(record.test) or list(record.cv)
    return pd.DataFrame({
        "metric": [metrics.metric_label(n, record.positive_class) for n in names],
        "cross-validation mean": [record.cv.get(n) for n in names],
        "± std": [record.cv_std.get(n) for n in names],
        "test set": [record.test.get(n) for n in names],
    }, index=names)


def _explanation(kind: str, run: RunResult, argument: str = "",
                 progress: Callable[[float, str], None] | None = None) -> Any:
    """Explanations cost fits or many predictions; compute each once per run (kept in the session).

    Not ``st.cache_data``: a cached function may not update a progress bar drawn outside it.
    """
    cache: dict[tuple[str, str, str], Any] = st.session_state.setdefault(_CACHE_KEY, {})
    key = (kind, run.record.run_id, argument)
    if key not in cache:
        if kind == "permutation":
            cache[key] = explain.permutation_importance_frame(run, progress=progress)
        elif kind == "learning":
            cache[key] = curves.learning_curve_data(run)
        elif kind == "partial":
            cache[key] = explain.partial_dependence_data(run, argument)
        elif kind == "tree":
            cache[key] = explain.tree_drawing(run, max_depth=int(argument))
        else:
            raise ValueError(kind)
        while len(cache) > _CACHE_ENTRIES:
            cache.pop(next(iter(cache)))
    return cache[key]


def render_evaluation(run: RunResult, key: str) -> None:
    st.dataframe(metrics_table(run), column_config={c: st.column_config.NumberColumn(format="%.4f")
                                                    for c in ("cross-validation mean", "± std", "test set")})
    record = run.record
    st.caption(f"{md_escape(record.caption())} · data {record.data_fingerprint}")
    st.caption("Cross-validation: mean and spread over the folds of the training rows. Test set: the model "
               "refitted on all training rows, scored once on the hold-out rows.")
    for note in record.notes:  # rows dropped, columns left out, a sample used: what shaped this run
        st.caption(md_escape(note))
    performance = CLASSIFICATION_VIEWS if run.task == "classification" else REGRESSION_VIEWS
    views = performance + EXPLAIN_VIEWS
    # A select box, not a row of buttons: a row of eleven views is clipped on a laptop screen.
    view = st.selectbox("View", views, key=f"{key}_view",
                        help="Performance views first, then explanations of what the model learnt.")
    try:
        _render_view(run, view or views[0], key)
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
        st.plotly_chart(figures.confusion_figure(curves.confusion(pred), normalized=normalised))
    elif view == "ROC":
        st.plotly_chart(figures.roc_figure(curves.roc_curves(pred)))
    elif view == "Precision-recall":
        st.plotly_chart(figures.precision_recall_figure(curves.precision_recall_curves(pred)))
    elif view == "Calibration":
        st.plotly_chart(figures.calibration_figure(curves.calibration(pred)))
    elif view == "Threshold":
        if not pred.is_binary:
            st.info("The threshold applies to two-class targets only.")
            return
        sweep = curves.threshold_sweep(pred)
        threshold = st.slider(f"Predict '{md_escape(pred.positive_class)}' when its score is at least", 0.0, 1.0,
                              0.5, 0.01, key=f"{key}_threshold")
        nearest = sweep.iloc[(sweep["threshold"] - threshold).abs().argsort()[:1]]
        st.dataframe(nearest, hide_index=True)
        st.plotly_chart(figures.threshold_figure(sweep, threshold))
    elif view == "Report":
        st.caption("Each class's own precision, recall and F1 on the test rows, then their averages.")
        st.dataframe(curves.classification_report_frame(pred), hide_index=True)
    elif view == "Predicted vs actual":
        st.plotly_chart(figures.predicted_actual_figure(curves.residuals(pred)))
    elif view == "Residuals":
        st.plotly_chart(figures.residuals_figure(curves.residuals(pred)))
    elif view == "Residual histogram":
        st.plotly_chart(figures.residual_histogram(curves.residuals(pred)))
    else:
        _render_explanation(run, view, key)


def _render_explanation(run: RunResult, view: str, key: str) -> None:
    if view == "Permutation importance":
        st.caption("How much the test score gets worse when one column's values are shuffled.")
        bar = st.progress(0.0, text="Shuffling each column in turn...")
        importances = _explanation("permutation", run,
                                   progress=lambda done, message: bar.progress(done, text=message))
        bar.empty()
        _note(importances.attrs.get("note"))
        st.plotly_chart(figures.importance_figure(importances, "Permutation importance (test rows)"))
    elif view == "Built-in importance":
        importances = explain.builtin_importance_frame(run)
        if importances is None:
            st.info(f"{run.record.label} has no built-in importances or coefficients; use permutation importance.")
        else:
            st.plotly_chart(figures.importance_figure(importances, "Built-in importance / coefficients"))
    elif view == "Partial dependence":
        features = run.prepared.input_columns
        feature = st.selectbox("Feature", features, key=f"{key}_pd_feature")
        if feature:
            with st.spinner("Predicting with the feature set to each of its values..."):
                data = _explanation("partial", run, feature)
            _note(data.note)
            st.plotly_chart(figures.partial_dependence_figure(data))
    elif view == "Learning curve":
        st.caption("Scores as the training part grows: a wide gap means over-fitting, two low lines under-fitting.")
        rows = min(len(run.prepared.y_train), curves.LEARNING_CURVE_MAX_ROWS)
        seconds = min(curves.learning_curve_seconds(run, rows), curves.LEARNING_CURVE_TIME_BUDGET_S)
        fits = min(len(run.prepared.splits), curves.LEARNING_CURVE_MAX_FOLDS) * len(curves.LEARNING_CURVE_SIZES)
        label = f"Compute learning curve ({fits} fits, about {max(seconds, 1):.0f} s)"
        if st.button(label, key=f"{key}_learning"):
            st.session_state[f"{key}_learning_done"] = run.record.run_id
        if st.session_state.get(f"{key}_learning_done") == run.record.run_id:
            with st.spinner("Fitting the model on growing shares of each fold..."):
                curve = _explanation("learning", run)
            _note(curve.note)
            st.plotly_chart(figures.learning_curve_figure(curve))
    elif view == "Tree":
        if run.record.model != "decision_tree":
            st.info("Train a decision tree to see it drawn here (keep its depth small to read it).")
            return
        depth = st.slider("Levels to draw", 1, 6, 3, key=f"{key}_tree_depth")
        st.plotly_chart(figures.tree_figure(_explanation("tree", run, str(depth))))


def _note(text: str | None) -> None:
    if text:
        st.caption(text)
