"""The Anomalies page's views: settings from the catalogue's specs, the ranked rows, the map, the download."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from core.anomaly import AnomalyResult, anomaly_code, anomaly_map, detect_anomalies
from core.anomaly_models import anomaly_models
from core.preprocess import ColumnEncoding
from ui.discover_projections import encodings_key, recipe_key
from ui.plain_text import md_escape
from ui.spec_widgets import render_specs
from ui.state import content_key


def choose_detector() -> tuple[str, dict, int]:
    """The algorithm, its parameters (widgets generated from its specs) and the seed."""
    specs = {spec.name: spec for spec in anomaly_models()}
    name = st.selectbox("Algorithm", list(specs), format_func=lambda key: specs[key].label, key="anomaly_algorithm")
    st.caption(specs[name].help)
    params = render_specs(specs[name].params, [], key_prefix=f"anomaly_{name}")
    seed = int(st.number_input("Seed", 0, 2**31 - 1, 0, key="anomaly_seed"))
    return name, params, seed


@st.cache_resource(max_entries=4, show_spinner="Scoring every row...")
def cached_anomalies(content: str, recipe_json: str, encodings_json: str, algorithm: str, params_json: str,
                     seed: int, _frame: pd.DataFrame, _encodings: list[ColumnEncoding], _params: dict) -> AnomalyResult:
    return detect_anomalies(_frame, algorithm, _params, encodings=_encodings, seed=seed)


def run_detector(frame: pd.DataFrame, encodings: list[ColumnEncoding], algorithm: str, params: dict,
                 seed: int) -> AnomalyResult:
    import json

    return cached_anomalies(content_key(), recipe_key(), encodings_key(encodings), algorithm,
                            json.dumps(params, sort_keys=True, default=str), seed, frame, encodings, params)


def map_figure(points: pd.DataFrame) -> go.Figure:
    return px.scatter(points, x="PC1", y="PC2", color="status", hover_data=["row", "anomaly_score"],
                      color_discrete_map={"usual": "#9aa5b1", "anomaly": "#d62728"}, opacity=0.7,
                      title="Rows on the first two principal components, anomalies in red")


def render_result(result: AnomalyResult, frame: pd.DataFrame) -> None:
    from core.export import to_safe_csv

    for note in result.notes:
        st.info(md_escape(note))
    left, right = st.columns(2)
    left.metric("Rows flagged", f"{result.n_flagged:,}")
    right.metric("Rows scored", f"{len(result.scores):,}")
    st.subheader("Most anomalous rows")
    st.caption("Row numbers count from 0 in the prepared table (the file order unless the recipe drops rows); "
               "the reasons compare each value with the median (robust standard deviations) or say a label is rare.")
    st.dataframe(result.top, key="anomaly_top", hide_index=True)
    st.plotly_chart(map_figure(anomaly_map(result)), key="anomaly_map")
    st.download_button("Download the scored table (CSV)", to_safe_csv(result.scored_frame(frame)),
                       file_name="scored.csv", mime="text/csv", key="anomaly_download")
    with st.expander("scikit-learn code"):
        st.code(anomaly_code(result), language="python")
