"""Streamlit-only helpers shared by the pages: session state and cached loaders."""
