"""Plotly figures of model results. Pure functions: a result from ``core.curves`` or ``core.explain`` in, a figure out.

No figure function takes a model: pages compute results once (they may be cached) and draw them
here, so the same result can be shown, exported or tested without refitting anything.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from core.curves import ConfusionData, Curve, LearningCurveData
from core.explain import PartialDependenceData, TreeDrawing
from core.metrics import higher_is_better, metric_label
from core.plot_text import plot_text, plot_texts
from core.runs import Leaderboard

WEBGL_ABOVE_POINTS = 10_000
MAX_BARS = 25
_LAYOUT = {"margin": {"l": 10, "r": 10, "t": 50, "b": 10}}


def _scatter(x: np.ndarray, **kwargs: object) -> go.Scatter | go.Scattergl:
    return (go.Scattergl if len(x) > WEBGL_ABOVE_POINTS else go.Scatter)(x=x, **kwargs)


def confusion_figure(data: ConfusionData, normalized: bool = False) -> go.Figure:
    """Heatmap of true (rows) against predicted (columns) classes, counts or shares of each true class."""
    values = data.normalized if normalized else data.counts
    text = [[f"{v:.0%}" if normalized else f"{int(v)}" for v in row] for row in values]
    labels = plot_texts(data.labels)
    figure = go.Figure(go.Heatmap(z=values, x=labels, y=labels, text=text, texttemplate="%{text}",
                                  colorscale="Blues", showscale=False,
                                  hovertemplate="true %{y}<br>predicted %{x}<br>%{text}<extra></extra>"))
    figure.update_xaxes(title="Predicted class", type="category", side="bottom")
    figure.update_yaxes(title="True class", type="category", autorange="reversed")
    title = "Confusion matrix (share of each true class)" if normalized else "Confusion matrix (counts)"
    return figure.update_layout(title=title, **_LAYOUT)


def roc_figure(curves: list[Curve]) -> go.Figure:
    figure = go.Figure()
    for curve in curves:
        figure.add_trace(_scatter(curve.x, y=curve.y, mode="lines",
                                  name=f"{plot_text(curve.label)} (AUC {curve.area:.3f})"))
    figure.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="chance", line={"dash": "dash",
                                                                                       "color": "gray"}))
    figure.update_xaxes(title="False positive rate", range=[0, 1])
    figure.update_yaxes(title="True positive rate", range=[0, 1.02])
    return figure.update_layout(title="ROC curve", **_LAYOUT)


def precision_recall_figure(curves: list[Curve]) -> go.Figure:
    figure = go.Figure()
    for curve in curves:
        figure.add_trace(_scatter(curve.x, y=curve.y, mode="lines",
                                  name=f"{plot_text(curve.label)} (AP {curve.area:.3f})"))
    figure.update_xaxes(title="Recall", range=[0, 1])
    figure.update_yaxes(title="Precision", range=[0, 1.02])
    return figure.update_layout(title="Precision-recall curve", **_LAYOUT)


def calibration_figure(curves: list[Curve]) -> go.Figure:
    """Observed share against predicted probability; points on the diagonal are well calibrated."""
    figure = go.Figure()
    for curve in curves:
        figure.add_trace(go.Scatter(x=curve.x, y=curve.y, mode="lines+markers", name=plot_text(curve.label)))
    figure.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="perfectly calibrated",
                                line={"dash": "dash", "color": "gray"}))
    figure.update_xaxes(title="Mean predicted probability", range=[0, 1])
    figure.update_yaxes(title="Observed share of the class", range=[0, 1])
    return figure.update_layout(title="Calibration curve", **_LAYOUT)


def threshold_figure(sweep: pd.DataFrame, threshold: float | None = None) -> go.Figure:
    """Precision, recall and F1 of the positive class as the decision threshold moves."""
    figure = go.Figure()
    for column in ("precision", "recall", "f1"):
        figure.add_trace(go.Scatter(x=sweep["threshold"], y=sweep[column], mode="lines", name=column))
    if threshold is not None:
        figure.add_vline(x=threshold, line_dash="dot", line_color="black")
    figure.update_xaxes(title="Threshold")
    figure.update_yaxes(title="Score", range=[0, 1.02])
    return figure.update_layout(title="Precision and recall by threshold", **_LAYOUT)


def predicted_actual_figure(residuals: pd.DataFrame) -> go.Figure:
    """Each test row's prediction against its true value; the diagonal is a perfect prediction."""
    low = float(min(residuals["actual"].min(), residuals["predicted"].min()))
    high = float(max(residuals["actual"].max(), residuals["predicted"].max()))
    figure = go.Figure(_scatter(residuals["actual"].to_numpy(), y=residuals["predicted"], mode="markers",
                                marker={"opacity": 0.6}, name="test rows"))
    figure.add_trace(go.Scatter(x=[low, high], y=[low, high], mode="lines", name="perfect",
                                line={"dash": "dash", "color": "gray"}))
    figure.update_xaxes(title="Actual")
    figure.update_yaxes(title="Predicted")
    return figure.update_layout(title="Predicted against actual", **_LAYOUT)


def residuals_figure(residuals: pd.DataFrame) -> go.Figure:
    """Residuals against predictions: a pattern or a funnel means the model misses something."""
    figure = go.Figure(_scatter(residuals["predicted"].to_numpy(), y=residuals["residual"], mode="markers",
                                marker={"opacity": 0.6}, name="test rows"))
    figure.add_hline(y=0, line_dash="dash", line_color="gray")
    figure.update_xaxes(title="Predicted")
    figure.update_yaxes(title="Residual (actual - predicted)")
    return figure.update_layout(title="Residuals against predicted", **_LAYOUT)


def residual_histogram(residuals: pd.DataFrame) -> go.Figure:
    figure = go.Figure(go.Histogram(x=residuals["residual"], nbinsx=40, name="residuals"))
    figure.update_xaxes(title="Residual (actual - predicted)")
    figure.update_yaxes(title="Rows")
    return figure.update_layout(title="Residual distribution", **_LAYOUT)


def learning_curve_figure(data: LearningCurveData) -> go.Figure:
    """Training and validation score (mean and one standard deviation) by training rows."""
    figure = go.Figure()
    for name, mean, std in (("training", data.train_mean, data.train_std),
                            ("validation", data.validation_mean, data.validation_std)):
        sizes = list(data.train_sizes)
        figure.add_trace(go.Scatter(x=sizes + sizes[::-1], y=list(mean + std) + list(mean - std)[::-1],
                                    fill="toself", opacity=0.2, line={"width": 0}, showlegend=False,
                                    hoverinfo="skip", name=f"{name} spread"))
        figure.add_trace(go.Scatter(x=sizes, y=mean, mode="lines+markers", name=name))
    figure.update_xaxes(title="Training rows")
    figure.update_yaxes(title=metric_label(data.metric))
    return figure.update_layout(title="Learning curve", **_LAYOUT)


def importance_figure(importances: pd.DataFrame, title: str = "Feature importance") -> go.Figure:
    """Horizontal bars, largest on top; error bars when the frame has a ``std`` column."""
    order = importances["importance"].abs().sort_values(ascending=False).index
    top = importances.reindex(order).head(MAX_BARS).iloc[::-1]
    error = {"type": "data", "array": top["std"]} if "std" in top else None
    figure = go.Figure(go.Bar(x=top["importance"], y=plot_texts(top["feature"]), orientation="h",
                              error_x=error))
    kind = importances.attrs.get("kind")
    axis = "Coefficient" if kind == "coefficient" else (
        f"How much worse {metric_label(importances.attrs['metric'])} gets when shuffled"
        if "metric" in importances.attrs else "Importance")
    figure.update_xaxes(title=axis)
    figure.update_yaxes(type="category")
    return figure.update_layout(title=title, height=max(300, 24 * len(top) + 100), **_LAYOUT)


def partial_dependence_figure(data: PartialDependenceData) -> go.Figure:
    """Average prediction as one feature changes: a line for numbers, bars for labels."""
    figure = go.Figure()
    for output, values in zip(data.outputs, data.average, strict=True):
        if data.categorical:
            figure.add_trace(go.Bar(x=plot_texts(data.grid), y=values, name=plot_text(output)))
        else:
            figure.add_trace(go.Scatter(x=data.grid, y=values, mode="lines+markers", name=plot_text(output)))
    figure.update_xaxes(title=plot_text(data.feature), type="category" if data.categorical else "-")
    figure.update_yaxes(title=plot_text(data.value_label))  # it may name a class from the data
    return figure.update_layout(title=f"Partial dependence on {plot_text(data.feature)}", barmode="group",
                                **_LAYOUT)


def leaderboard_figure(leaderboard: Leaderboard, metric: str | None = None) -> go.Figure:
    """Cross-validation score per finished model with its spread; best at the top."""
    metric = metric or leaderboard.sort_by
    rows = [row for row in leaderboard.sorted_by(metric).rows if row.ok and row.cv.get(metric) is not None]
    rows = rows[::-1]
    colors = ["lightgray" if row.model == "baseline" else "steelblue" for row in rows]
    spread = [row.cv_std.get(metric) or 0 for row in rows]
    figure = go.Figure(go.Bar(x=[row.cv[metric] for row in rows], y=plot_texts(row.label for row in rows),
                              orientation="h", error_x={"type": "data", "array": spread},
                              marker_color=colors))
    direction = "higher is better" if higher_is_better(metric) else "lower is better"
    figure.update_xaxes(title=f"{metric_label(metric)} ({direction})")
    figure.update_yaxes(type="category")
    return figure.update_layout(title="Leaderboard (cross-validation)", height=max(300, 30 * len(rows) + 100),
                                **_LAYOUT)


def tree_figure(drawing: TreeDrawing) -> go.Figure:
    """The tree as boxes and lines: each split's question, each leaf's prediction (for teaching)."""
    nodes = drawing.nodes
    positions = _tree_layout(nodes)
    figure = go.Figure()
    for _, node in nodes[nodes["parent"] >= 0].iterrows():
        (x0, y0), (x1, y1) = positions[node["parent"]], positions[node["node"]]
        figure.add_trace(go.Scatter(x=[x0, x1], y=[y0, y1], mode="lines", line={"color": "gray"},
                                    hoverinfo="skip", showlegend=False))
        figure.add_annotation(x=(x0 + x1) / 2, y=(y0 + y1) / 2, text=plot_text(node["edge"]), showarrow=False,
                              font={"size": 10, "color": "gray"})
    labels = []
    for _, node in nodes.iterrows():
        if node["leaf"]:
            labels.append(f"{plot_text(node['prediction'])} {plot_text(node['purity'])}<br>{node['samples']} rows")
        else:
            labels.append(f"{plot_text(node['feature'])} &lt;= {node['threshold']:.3g}<br>{node['samples']} rows")
    xs = [positions[n][0] for n in nodes["node"]]
    ys = [positions[n][1] for n in nodes["node"]]
    figure.add_trace(go.Scatter(x=xs, y=ys, mode="markers+text", text=labels, textposition="middle center",
                                marker={"size": 1, "color": "white"}, hoverinfo="text", showlegend=False))
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    depth = int(nodes["depth"].max()) if len(nodes) else 0
    return figure.update_layout(title="Decision tree", height=160 * (depth + 1) + 80, plot_bgcolor="white",
                                **_LAYOUT)


def _tree_layout(nodes: pd.DataFrame) -> dict[int, tuple[float, float]]:
    """Leaves evenly spaced left to right; each split centred over its children."""
    children: dict[int, list[int]] = {}
    for _, node in nodes.iterrows():
        children.setdefault(int(node["parent"]), []).append(int(node["node"]))
    depth = dict(zip(nodes["node"].astype(int), nodes["depth"].astype(int), strict=True))
    positions: dict[int, tuple[float, float]] = {}
    next_leaf = [0.0]

    def place(node: int) -> float:
        kids = children.get(node, [])
        if not kids:
            x = next_leaf[0]
            next_leaf[0] += 1.0
        else:
            x = float(np.mean([place(kid) for kid in kids]))
        positions[node] = (x, -float(depth[node]))
        return x

    for root in children.get(-1, []):
        place(root)
    return positions
