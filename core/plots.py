"""Plotly figures from tables and results. Pure functions: data in, figure out, no streamlit.

Callers pass already-sampled frames (see ``core.explore.sample_for_plot``) so figures stay light.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from core.plot_text import plot_frame, plot_text, plot_texts

WEBGL_ABOVE_POINTS = 5_000
MAX_BARS = 30
SCATTER_MATRIX_MAX_COLUMNS = 6
HUGE_VALUE_BINS = 20
_LAYOUT = {"margin": {"l": 10, "r": 10, "t": 40, "b": 10}}


def distribution_figure(frame: pd.DataFrame, column: str, kind: str) -> go.Figure:
    """Histogram for numbers and dates, bar chart of the most frequent labels otherwise."""
    name = plot_text(column)
    if kind == "datetime" and not pd.api.types.is_datetime64_any_dtype(frame[column]):
        from core.schema import parse_dates  # a datetime kind the user set on text: a time histogram

        frame = pd.DataFrame({column: parse_dates(frame[column].astype("string"))})
    if kind == "numeric" and _overflows_bins(frame[column]):
        figure = _binned_histogram(frame[column], column)
    elif kind in {"numeric", "datetime"}:
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


def _overflows_bins(values: pd.Series) -> bool:
    """Values near +-1e308: the browser's bin width (max - min) / bins would be infinite."""
    numbers = pd.to_numeric(values, errors="coerce").astype(float)
    finite = numbers[np.isfinite(numbers)]
    return bool(len(finite)) and float(finite.abs().max()) > 1e300


def _binned_histogram(values: pd.Series, column: str) -> go.Figure:
    """Bars over bins computed here (scaled, so +-1e308 fit), labelled with their ranges."""
    numbers = pd.to_numeric(values, errors="coerce").astype(float)
    finite = numbers[np.isfinite(numbers)].to_numpy()
    scale = float(np.max(np.abs(finite)))
    counts, edges = np.histogram(finite / scale, bins=HUGE_VALUE_BINS)
    labels = [f"{low * scale:.3g} to {high * scale:.3g}" for low, high in zip(edges[:-1], edges[1:], strict=True)]
    figure = px.bar(x=labels, y=counts, labels={"x": plot_text(column), "y": "rows"},
                    title=f"Distribution of {plot_text(column)} (binned: values near the float limit)")
    return figure.update_xaxes(type="category")


def _axis_overflows(values: pd.Series) -> bool:
    """The span max - min is beyond a float: the browser cannot place such values on a linear axis."""
    numbers = pd.to_numeric(values, errors="coerce").astype(float)
    finite = numbers[np.isfinite(numbers)]
    with np.errstate(over="ignore"):
        return bool(len(finite)) and not np.isfinite(float(finite.max()) - float(finite.min()))


def _float_limit_notice(figure: go.Figure, frame: pd.DataFrame, columns: list[str | None]) -> go.Figure:
    """Say on the figure when an axis holds values the browser cannot draw (near +-1.8e308)."""
    if any(column is not None and pd.api.types.is_numeric_dtype(frame[column]) and _axis_overflows(frame[column])
           for column in columns):
        figure.add_annotation(text="Values near the float limit (+-1.8e308) cannot be placed on this axis; "
                                   "those points are not drawn. The column view's histogram bins them.",
                              xref="paper", yref="paper", x=0, y=1.08, showarrow=False, align="left")
    return figure


def box_figure(frame: pd.DataFrame, column: str, by: str | None = None) -> go.Figure:
    """Box plot of a numeric column, split by a categorical one when given."""
    if _axis_overflows(frame[column]):
        figure = go.Figure().update_layout(title="Box plot: values too far apart to draw")
        figure.add_annotation(text="The values span more than a float can hold (near +-1.8e308), so no box "
                                   "can be drawn. The histogram bins them.", showarrow=False)
        return figure.update_layout(**_LAYOUT)
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
    return _float_limit_notice(figure, data, [x, y]).update_layout(**_LAYOUT)


def scatter_matrix_figure(frame: pd.DataFrame, columns: list[str], color: str | None = None) -> go.Figure:
    """Every pair of the chosen columns (plotly's splom is drawn with WebGL)."""
    columns = columns[:SCATTER_MATRIX_MAX_COLUMNS]  # the figure grows with the square of the count
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
    return _float_limit_notice(figure, data, [feature if feature_is_number else None,
                                              target if task != "classification" else None]).update_layout(**_LAYOUT)
