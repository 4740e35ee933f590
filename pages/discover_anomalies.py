"""Anomalies: score every row, rank the most unusual with the reasons, map them, download the scores."""

import streamlit as st

from core.errors import DataError
from ui.discover_anomalies import choose_detector, render_result, run_detector
from ui.discover_projections import choose_features, open_discover_page
from ui.plain_text import md_escape
from ui.shell import ensure_app_navigation

ensure_app_navigation()
frame, encodings = open_discover_page("Anomalies")
chosen = choose_features(encodings, "anomaly_features")
algorithm, params, seed = choose_detector()
try:
    result = run_detector(frame, chosen, algorithm, params, seed)
except DataError as exc:
    st.error(md_escape(exc))
    st.stop()
render_result(result, frame)
