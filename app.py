"""Entry point: page config, navigation over pages/, and the sidebar's dataset status.

Run with ``streamlit run app.py``. With nothing uploaded, the workbench opens on a bundled
sample so every page has something to show.
"""

import streamlit as st

from core.samples import list_samples
from ui.state import current_table, get_workspace, load_sample

st.set_page_config(page_title="Data-mining workbench", page_icon=":material/query_stats:", layout="wide")

workspace = get_workspace()
if not workspace.has_data and not st.session_state.get("default_sample_tried"):
    st.session_state["default_sample_tried"] = True
    load_sample(list_samples()[0])

navigation = st.navigation({
    "Data": [
        st.Page("pages/data.py", title="Load data", icon=":material/upload_file:", default=True),
        st.Page("pages/explore.py", title="Explore", icon=":material/insights:"),
    ],
    "Prepare": [
        st.Page("pages/prepare.py", title="Clean and encode", icon=":material/cleaning_services:"),
    ],
})

with st.sidebar:
    table = current_table()
    if table is None:
        st.info("No dataset loaded. Open **Load data** to upload a CSV or pick a sample.")
    else:
        rows, columns = table.frame.shape
        st.markdown("**Dataset**")
        st.caption(workspace.dataset_name)
        st.caption(f"{rows:,} rows x {columns} columns")
        if workspace.target:
            st.caption(f"Target: {workspace.target}")

navigation.run()
