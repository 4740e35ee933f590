"""Plotly figures from tables and results. Pure functions: data in, figure out, no streamlit.

Callers pass already-sampled frames (see ``core.explore.sample_for_plot``) so figures stay light.
"""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from core.plot_text import plot_frame, plot_text, plot_texts

WEBGL_ABOVE_POINTS = 5_000
MAX_BARS = 30
_LAYOUT = {"margin": {"l": 10, "r": 10, "t": 40, "b": 10}}


def distribution_figure(frame: pd.DataFrame, column: str, kind: str) -> go.Figure:
    """Histogram for numbers and dates, bar chart of the most frequent labels otherwise."""
    name = plot_text(column)
    if kind in {"numeric", "datetime"}:
        data, (x,) = plot_frame(frame, [column])
        figure = px.histogram(data, x=x, nbins=40, title=f"Distribution of {name}")
    else:
        counts = frame[column].astype("string").fillna("(missing)").value_counts().head(MAX_BARS)
        # Arrays, not a frame: a column may itself be called "rows" (or anything else).
        title = f"Most frequent values of {name}" if len(counts) == MAX_BARS else f"Values of {name}"
        figure = px.bar(x=plot_texts(counts.index), y=counts.to_numpy(), labels={"x": name, "y": "rows"},
                        title=title)
        figure.update_xaxes(type="category")
    return figure.update_layout(**_LAYOUT)


def box_figure(frame: pd.DataFrame, column: str, by: str | None = None) -> go.Figure:
    """Box plot of a numeric column, split by a categorical one when given."""
    data, (y, x) = plot_frame(frame, [column, by])
    figure = px.box(data, x=x, y=y, points="outliers", title=f"Box plot of {y}" + (f" by {x}" if x else ""))
    if by:
        figure.update_xaxes(type="category")
    return figure.update_layout(**_LAYOUT)


def correlation_heatmap(correlations: pd.DataFrame, method: str = "pearson") -> go.Figure:
    shown = correlations.round(2)
    shown.index, shown.columns = plot_texts(shown.index), plot_texts(shown.columns)
    figure = px.imshow(
        shown, text_auto=len(correlations) <= 15, zmin=-1, zmax=1,
        color_continuous_scale="RdBu_r", aspect="auto", title=f"{method.title()} correlation",
    )
    return figure.update_layout(**_LAYOUT)


def scatter_figure(frame: pd.DataFrame, x: str, y: str, color: str | None = None) -> go.Figure:
    data, (x, y, color) = plot_frame(frame, [x, y, color])
    figure = px.scatter(
        data, x=x, y=y, color=color, opacity=0.7, title=f"{y} against {x}",
        render_mode="webgl" if len(frame) > WEBGL_ABOVE_POINTS else "auto",
    )
    return figure.update_layout(**_LAYOUT)


def scatter_matrix_figure(frame: pd.DataFrame, columns: list[str], color: str | None = None) -> go.Figure:
    """Every pair of the chosen columns (plotly's splom is drawn with WebGL)."""
    data, names = plot_frame(frame, [*columns, color])
    figure = px.scatter_matrix(data, dimensions=names[:-1], color=names[-1], opacity=0.6,
                               title="Scatter matrix")
    figure.update_traces(diagonal_visible=False, marker={"size": 4})
    return figure.update_layout(height=max(450, 170 * len(columns)), **_LAYOUT)


def missing_map_figure(missing: pd.DataFrame) -> go.Figure:
    """Dark cells are missing values; rows keep the file's order so blocks of gaps stand out."""
    shown = missing.T
    shown.index = plot_texts(shown.index)
    figure = px.imshow(
        shown, color_continuous_scale=[[0, "#f0f2f6"], [1, "#1f3b73"]], zmin=0, zmax=1,
        aspect="auto", labels={"x": "row", "y": "column", "color": "missing"},
        title="Missing values (dark = missing)",
    )
    figure.update_coloraxes(showscale=False)
    figure.update_xaxes(showticklabels=False)
    return figure.update_layout(height=max(300, 22 * missing.shape[1]), **_LAYOUT)


def association_figure(scores: pd.Series, target: str) -> go.Figure:
    frame = scores.rename_axis("feature").reset_index(name="mutual information")
    frame["feature"] = plot_texts(frame["feature"])
    figure = px.bar(frame, x="mutual information", y="feature", orientation="h",
                    title=f"How much each feature tells about {plot_text(target)}")
    figure.update_yaxes(autorange="reversed", type="category")
    return figure.update_layout(height=max(300, 26 * len(frame)), **_LAYOUT)


def feature_target_figure(
    frame: pd.DataFrame, feature: str, target: str, feature_kind: str, task: str
) -> go.Figure:
    """The plot that best shows one feature against the target, chosen by their kinds."""
    feature_is_number = feature_kind in {"numeric", "datetime"}
    data = frame.loc[frame[target].notna(), list(dict.fromkeys([feature, target]))].copy()
    if task == "classification":
        data[target] = data[target].astype("string")
    if not feature_is_number:
        data[feature] = data[feature].astype("string").fillna("(missing)")
    data, (feature, target) = plot_frame(data, [feature, target])
    if task == "classification":
        if feature_is_number:
            figure = px.box(data, x=target, y=feature, color=target, title=f"{feature} by {target}")
        else:
            figure = px.histogram(data, x=feature, color=target, barmode="group", barnorm="percent",
                                  title=f"Share of each {target} class per {feature}")
            figure.update_xaxes(type="category")
    elif feature_is_number:
        figure = px.scatter(data, x=feature, y=target, opacity=0.6, title=f"{target} against {feature}",
                            render_mode="webgl" if len(data) > WEBGL_ABOVE_POINTS else "auto")
    else:
        figure = px.box(data, x=feature, y=target, title=f"{target} by {feature}")
        figure.update_xaxes(type="category")
    return figure.update_layout(**_LAYOUT)
