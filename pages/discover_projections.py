"""Projections: the shape of the table in two dimensions (PCA scree, loadings, biplot; t-SNE)."""

import streamlit as st

from core.errors import DataError
from ui.discover_projections import choose_features, open_discover_page, render_pca, render_tsne
from ui.plain_text import md_escape
from ui.shell import ensure_app_navigation

ensure_app_navigation()
frame, encodings = open_discover_page("Projections")
chosen = choose_features(encodings, "projection_features")
st.caption("UMAP is not offered: its package (umap-learn) needs numba, a heavy install for one view.")
try:
    render_pca(frame, chosen)
    render_tsne(frame, chosen)
except DataError as exc:
    st.error(md_escape(exc))
