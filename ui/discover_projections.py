"""The Discover pages' shared inputs (prepared table, encodings, feature choice) and the Projections views."""

from __future__ import annotations

import copy
import json

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from core.plot_text import plot_frame, plot_text
from core.preprocess import ColumnEncoding
from core.projection import PcaResult, TsneResult, pca_projection, tsne_projection
from ui.plain_text import md_escape
from ui.state import content_key, current_prepared, current_prepared_profile, get_workspace

SCALING_NOTE = ("Numbers are scaled (standardised by default, as set on the Prepare page): distance- and "
                "density-based methods would otherwise be ruled by the column with the largest units.")
COLOR_MAX_LABELS = 30
PLOT_MAX_POINTS = 5_000
CACHE_ENTRIES = 4


def open_discover_page(title: str):
    """The start every Discover page shares: title, the scaling note, and the prepared table with its
    encodings (the page stops with a link to Load data when nothing is loaded)."""
    st.title(title)
    st.caption(SCALING_NOTE)
    prepared = prepared_frame_and_encodings()
    if prepared is None:
        st.info("No dataset loaded yet.")
        st.page_link("pages/data.py", label="Load data", icon=":material/upload_file:")
        st.stop()
    return prepared


def prepared_frame_and_encodings() -> tuple[pd.DataFrame, list[ColumnEncoding]] | None:
    """The table after the Prepare page's recipe and its per-column encodings (no target left out)."""
    from ui.state import prepared_default_encodings

    prepared = current_prepared()
    profile = current_prepared_profile()
    if prepared is None or profile is None:
        return None
    workspace = get_workspace()
    encodings = copy.deepcopy(prepared_default_encodings(prepared.frame, profile.kinds(), None))
    for encoding in encodings:
        for name, value in workspace.encoding_overrides.get(encoding.column, {}).items():
            setattr(encoding, name, value)
    return prepared.frame, encodings


def choose_features(encodings: list[ColumnEncoding], key: str) -> list[ColumnEncoding]:
    """A multiselect of the columns, preset to those the Prepare page keeps; the rest are dropped."""
    from dataclasses import replace

    names = [encoding.column for encoding in encodings]
    kept = [encoding.column for encoding in encodings if encoding.role != "drop"]
    chosen = st.multiselect("Feature columns", names, default=kept, key=key,
                            help="Encoded as on the Prepare page. Identifiers and free text are left out by default.")
    result = []
    for encoding in encodings:
        if encoding.column not in chosen:
            encoding = replace(encoding, role="drop")
        elif encoding.role == "drop":
            encoding = replace(encoding, role="categorical", imputer="most_frequent", scaler="none",
                               encoder="onehot", rare_min_frequency=0.01)
        result.append(encoding)
    return result


def encodings_key(encodings: list[ColumnEncoding]) -> str:
    return json.dumps([encoding.to_dict() for encoding in encodings], sort_keys=True)


@st.cache_resource(max_entries=CACHE_ENTRIES, show_spinner="Projecting (PCA)...")
def cached_pca(content: str, recipe_json: str, encodings_json: str, _frame: pd.DataFrame,
               _encodings: list[ColumnEncoding]) -> PcaResult:
    return pca_projection(_frame, encodings=_encodings)


@st.cache_resource(max_entries=CACHE_ENTRIES, show_spinner="Running t-SNE (up to a minute on 2,000 rows)...")
def cached_tsne(content: str, recipe_json: str, encodings_json: str, perplexity: float, seed: int,
                _frame: pd.DataFrame, _encodings: list[ColumnEncoding]) -> TsneResult:
    return tsne_projection(_frame, encodings=_encodings, perplexity=perplexity, seed=seed)


def recipe_key() -> str:
    from core.recipe import recipe_to_json
    from ui.state import recipe_steps

    return recipe_to_json(recipe_steps())


def scree_figure(result: PcaResult) -> go.Figure:
    scree = result.scree()
    figure = px.bar(scree, x="component", y="explained_variance", title="Explained variance per component")
    figure.add_scatter(x=scree["component"], y=scree["cumulative"], mode="lines+markers", name="cumulative")
    figure.update_layout(yaxis_tickformat=".0%", yaxis_title="share of variance")
    return figure


def biplot_figure(result: PcaResult, frame: pd.DataFrame, color: str | None) -> go.Figure:
    points = result.coordinates[["PC1", "PC2"]].copy() if "PC2" in result.coordinates else \
        result.coordinates[["PC1"]].assign(PC2=0.0)
    if len(points) > PLOT_MAX_POINTS:  # a browser draws a few thousand points quickly, not 300,000
        points = points.sample(PLOT_MAX_POINTS, random_state=0)
    shown, names = plot_frame(frame.loc[points.index], [color]) if color else (None, [None])
    if shown is not None:
        points[names[0]] = shown[names[0]].to_numpy()
    sampled = f" ({PLOT_MAX_POINTS:,} rows sampled)" if len(frame) > PLOT_MAX_POINTS else ""
    title = "Biplot: rows and loadings" + sampled
    figure = px.scatter(points, x="PC1", y="PC2", color=names[0], opacity=0.6, title=title)
    for arrow in result.biplot_arrows().itertuples(index=False):
        figure.add_annotation(x=arrow.x, y=arrow.y, ax=0, ay=0, xref="x", yref="y", axref="x", ayref="y",
                              showarrow=True, arrowhead=2, text=plot_text(arrow.feature))
    return figure


def tsne_figure(result: TsneResult, frame: pd.DataFrame, color: str | None) -> go.Figure:
    points = result.coordinates.copy()
    if color:
        shown, names = plot_frame(frame.iloc[result.rows], [color])
        points[names[0]] = shown[names[0]].to_numpy()
        color = names[0]
    return px.scatter(points, x="tSNE1", y="tSNE2", color=color, opacity=0.7, title="t-SNE")


def color_choice(frame: pd.DataFrame, key: str) -> str | None:
    """Any column can colour the points; a label column with many values would only make noise."""
    options = [None, *[str(name) for name in frame.columns
                       if pd.api.types.is_numeric_dtype(frame[name]) or frame[name].nunique() <= COLOR_MAX_LABELS]]
    return st.selectbox("Colour by", options, key=key, format_func=lambda name: "(none)" if name is None else name)


def render_pca(frame: pd.DataFrame, encodings: list[ColumnEncoding]) -> None:
    result = cached_pca(content_key(), recipe_key(), encodings_key(encodings), frame, encodings)
    for note in result.notes:
        st.caption(md_escape(note))
    st.plotly_chart(scree_figure(result), key="scree")
    st.subheader("Loadings")
    st.caption("How much each encoded feature weighs in each component (sign gives the direction).")
    st.dataframe(result.loadings.round(3), key="loadings")
    st.plotly_chart(biplot_figure(result, frame, color_choice(frame, "pca_color")), key="biplot")


def render_tsne(frame: pd.DataFrame, encodings: list[ColumnEncoding]) -> None:
    st.subheader("t-SNE")
    st.caption("A non-linear map that keeps neighbours close; distances between far groups mean little. "
               "Tables over 2,000 rows are sampled.")
    perplexity = st.slider("Perplexity", 5, 50, 30, key="tsne_perplexity")
    seed = int(st.number_input("Seed", 0, 2**31 - 1, 0, key="tsne_seed"))
    color = color_choice(frame, "tsne_color")
    if st.button("Run t-SNE", key="tsne_run"):
        st.session_state["tsne_settings"] = (content_key(), encodings_key(encodings), perplexity, seed)
    if st.session_state.get("tsne_settings") != (content_key(), encodings_key(encodings), perplexity, seed):
        return
    result = cached_tsne(content_key(), recipe_key(), encodings_key(encodings), float(perplexity), seed,
                         frame, encodings)
    for note in result.notes:
        st.caption(md_escape(note))
    st.plotly_chart(tsne_figure(result, frame, color), key="tsne")
