"""Explore: profile of every column, data-quality warnings, and plots of distributions and relations."""

import json

import pandas as pd
import streamlit as st

from core import plots
from core.explore import (
    CORRELATION_MAX_COLUMNS,
    association_features,
    columns_of_kind,
    correlated_columns,
    missing_matrix,
)
from core.schema import ColumnKind
from ui.plain_text import md_escape
from ui.shell import ensure_app_navigation
from ui.state import (
    cached_association,
    cached_correlations,
    content_key,
    current_frame,
    current_plot_sample,
    current_profile,
    get_workspace,
)

SEVERITY_ICONS = {"critical": ":material/error:", "warning": ":material/warning:", "info": ":material/info:"}
VIEWS = ["Column", "Correlations", "Scatter", "Scatter matrix", "Missing values", "Target"]
COLOR_MAX_LABELS = 20
# Wide tables: rows of the profile table and warnings written out, bars in the association chart.
PROFILE_TABLE_MAX_ROWS = 2_000
WARNINGS_SHOWN = 30
ASSOCIATION_BARS = 40

ensure_app_navigation()
st.title("Explore")
workspace = get_workspace()
frame = current_frame()
if frame is None:
    st.info("No dataset loaded yet.")
    st.page_link("pages/data.py", label="Load data", icon=":material/upload_file:")
    st.stop()

columns = [str(name) for name in frame.columns]
target_options = [None, *columns]
chosen_target = st.selectbox(
    "Target column (optional): what you want to predict", target_options,
    index=target_options.index(workspace.target) if workspace.target in columns else 0,
    format_func=lambda name: "(none)" if name is None else name, key="explore_target",
)
workspace.target = chosen_target

profile = current_profile()
kinds = profile.kinds()
kinds_json = json.dumps(kinds)  # table order: plots and tables follow it
sample = current_plot_sample()

st.subheader("Profile")
summary = profile.summary_frame()
st.dataframe(
    summary.head(PROFILE_TABLE_MAX_ROWS), hide_index=True,
    column_config={
        "distribution": st.column_config.BarChartColumn("distribution", help="Histogram or top values", y_min=0),
    },
)
if len(summary) > PROFILE_TABLE_MAX_ROWS:
    st.caption(f"The table shows the first {PROFILE_TABLE_MAX_ROWS:,} of {len(summary):,} columns; "
               "the download below holds every column's profile.")
    st.download_button("Download the whole profile (CSV)", summary.to_csv(index=False), "profile.csv",
                       "text/csv", icon=":material/download:")
for limit in profile.limits:
    st.caption(limit)

st.subheader("Data-quality warnings")
if not profile.warnings:
    st.success("No data-quality problems found.", icon=":material/check_circle:")
for warning in profile.warnings[:WARNINGS_SHOWN]:
    st.markdown(f"{SEVERITY_ICONS.get(warning.severity, '')} **{warning.kind.replace('_', ' ')}**: "
                f"{md_escape(warning.message)}")
if len(profile.warnings) > WARNINGS_SHOWN:
    st.caption(f"{WARNINGS_SHOWN} of {len(profile.warnings):,} warnings are listed above; the table holds all of them.")
    st.dataframe(pd.DataFrame([{"severity": w.severity, "kind": w.kind, "column": w.column, "message": w.message}
                               for w in profile.warnings]), hide_index=True)

numeric = columns_of_kind(kinds, ColumnKind.NUMERIC)
unique_counts = {column.name: column.unique for column in profile.columns}
labelled = [name for name in columns
            if kinds[name] in {"categorical", "boolean"} and unique_counts[name] <= COLOR_MAX_LABELS]
color_choices = [None, *labelled, *numeric]


def color_label(name):
    return "(none)" if name is None else name


st.subheader("Plots")
view = st.segmented_control("View", VIEWS, default="Column", key="explore_view") or "Column"
st.caption(sample.caption())


@st.fragment
def column_view():
    column = st.selectbox("Column", columns, key="explore_column")
    kind = kinds[column]
    left, right = st.columns(2)
    left.plotly_chart(plots.distribution_figure(sample.frame, column, kind))
    if kind == "numeric":
        by_choices = [None] + [c for c in color_choices if c is not None and kinds[c] != "numeric"]
        by = right.selectbox("Split box plot by", by_choices, format_func=color_label, key="explore_box_by")
        right.plotly_chart(plots.box_figure(sample.frame, column, by))
    else:
        right.info(f"'{md_escape(column)}' is {kind}; box plots are for numeric columns.")


@st.fragment
def correlation_view():
    method = st.radio("Method", ["pearson", "spearman"], horizontal=True, key="explore_corr_method",
                      help="Pearson measures straight-line relations; Spearman any steady rise or fall.")
    shown, pairs, total = cached_correlations(content_key(), kinds_json, method, frame)
    if total < 2:
        st.info("Correlations need at least two numeric columns.")
        return
    st.plotly_chart(plots.correlation_heatmap(shown, method))
    correlated = len(correlated_columns(kinds))
    if correlated > CORRELATION_MAX_COLUMNS:
        st.caption(f"The table has {correlated:,} numeric columns; correlations are computed between the first "
                   f"{CORRELATION_MAX_COLUMNS:,} of them, in table order.")
    if len(shown) < total:
        st.caption(f"Computed on all rows. The heatmap shows the {len(shown)} of {total} numeric "
                   "columns with the strongest correlations; every pair is ranked below.")
    else:
        st.caption("Computed on all rows.")
    st.markdown("**Strongest pairs**")
    st.dataframe(pairs, hide_index=True,
                 column_config={"correlation": st.column_config.NumberColumn(format="%.3f")})


@st.fragment
def scatter_view():
    if len(numeric) < 2:
        st.info("A scatter plot needs two numeric columns.")
        return
    left, middle, right = st.columns(3)
    x = left.selectbox("X axis", numeric, index=0, key="explore_x")
    y = middle.selectbox("Y axis", numeric, index=1, key="explore_y")
    color = right.selectbox("Colour by", color_choices, format_func=color_label, key="explore_color")
    st.plotly_chart(plots.scatter_figure(sample.frame, x, y, color))


@st.fragment
def scatter_matrix_view():
    if len(numeric) < 2:
        st.info("A scatter matrix needs two numeric columns.")
        return
    chosen = st.multiselect("Columns (2 to 6)", numeric, default=numeric[:4], max_selections=6,
                            key="explore_matrix_columns")
    color = st.selectbox("Colour by", color_choices, format_func=color_label, key="explore_matrix_color")
    if len(chosen) < 2:
        st.info("Pick at least two columns.")
        return
    st.plotly_chart(plots.scatter_matrix_figure(sample.frame, chosen, color))


@st.fragment
def missing_view():
    missing = missing_matrix(frame)
    if not missing.frame.to_numpy().any():
        st.success("No missing values in this table.")
        return
    st.plotly_chart(plots.missing_map_figure(missing.frame))
    st.caption(f"{len(missing.frame):,} evenly spaced rows of {missing.total_rows:,}, in file order.")
    if missing.frame.shape[1] < frame.shape[1]:
        st.caption(f"The map shows the {missing.frame.shape[1]} columns with the most missing values, of "
                   f"{frame.shape[1]:,}; the table below lists every column with a gap.")
    shares = frame.isna().mean().sort_values(ascending=False)
    st.dataframe(pd.DataFrame({"missing %": (100 * shares).round(1)}).query("`missing %` > 0"))


@st.fragment
def target_view():
    target = workspace.target
    if target is None:
        st.info("Choose a target column above to see how each feature relates to it.")
        return
    task = profile.task
    st.caption(f"Task detected from '{md_escape(target)}': **{task}**.")
    scores = cached_association(content_key(), kinds_json, target, task, frame)
    if scores.empty:
        st.info("No usable features to relate to the target.")
        return
    st.plotly_chart(plots.association_figure(scores.head(ASSOCIATION_BARS), target))
    candidates = len(association_features(kinds, target))
    if candidates > len(scores):
        st.caption(f"Of {candidates:,} features, the {len(scores)} whose ranks follow '{target}' most closely "
                   "were scored.")
    if len(scores) > ASSOCIATION_BARS:
        st.caption(f"The chart shows the {ASSOCIATION_BARS} highest of {len(scores)} scores.")
    feature = st.selectbox("Feature", list(scores.index), key="explore_target_feature")
    st.plotly_chart(plots.feature_target_figure(sample.frame, feature, target, kinds[feature], task))


{"Column": column_view, "Correlations": correlation_view, "Scatter": scatter_view,
 "Scatter matrix": scatter_matrix_view, "Missing values": missing_view, "Target": target_view}[view]()
