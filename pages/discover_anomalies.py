"""Anomalies: score every row, rank the most unusual with the reasons, map them, download the scores."""

import streamlit as st

from core.errors import DataError
from ui.discover_anomalies import choose_detector, render_result, run_detector
from ui.discover_projections import SCALING_NOTE, choose_features, prepared_frame_and_encodings
from ui.plain_text import md_escape
from ui.shell import ensure_app_navigation

ensure_app_navigation()
st.title("Anomalies")
st.caption(SCALING_NOTE)
prepared = prepared_frame_and_encodings()
if prepared is None:
    st.info("No dataset loaded yet.")
    st.page_link("pages/data.py", label="Load data", icon=":material/upload_file:")
    st.stop()
frame, encodings = prepared
chosen = choose_features(encodings, "anomaly_features")
algorithm, params, seed = choose_detector()
try:
    result = run_detector(frame, chosen, algorithm, params, seed)
except DataError as exc:
    st.error(md_escape(exc))
    st.stop()
render_result(result, frame)
