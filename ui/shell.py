"""The app's frame: page config, navigation grouped Data / Prepare / ..., and the sidebar status."""

import streamlit as st

from core.samples import list_samples
from ui.plain_text import md_escape
from ui.state import current_table, get_workspace, load_sample

PAGES = {
    "Data": [
        ("pages/data.py", "Load data", ":material/upload_file:"),
        ("pages/explore.py", "Explore", ":material/insights:"),
    ],
    "Prepare": [
        ("pages/prepare.py", "Clean and encode", ":material/cleaning_services:"),
    ],
    "Model": [
        ("pages/model.py", "Train and compare", ":material/model_training:"),
    ],
    "Discover": [
        ("pages/discover_cluster.py", "Cluster", ":material/bubble_chart:"),
        ("pages/discover_anomalies.py", "Anomalies", ":material/crisis_alert:"),
        ("pages/discover_projections.py", "Projections", ":material/scatter_plot:"),
        ("pages/discover_rules.py", "Rules", ":material/shopping_basket:"),
    ],
}


def run_app() -> None:
    """Set up the page, open the default sample on a first visit, and run the chosen page."""
    st.set_page_config(page_title="Data-mining workbench", page_icon="📊", layout="wide")
    workspace = get_workspace()
    if not workspace.has_data and not st.session_state.get("default_sample_tried"):
        st.session_state["default_sample_tried"] = True
        load_sample(list_samples()[0])
    pages = {group: [st.Page(path, title=title, icon=icon, default=path == "pages/data.py")
                     for path, title, icon in entries]
             for group, entries in PAGES.items()}
    # The config hides Streamlit's own sidebar list (client.showSidebarNavigation = false): shown
    # before the first run, it listed the pages/ folder's lowercase file names for seconds. The
    # links are drawn here instead, so the first paint is the real navigation.
    navigation = st.navigation(pages, position="hidden")
    render_page_links(pages)
    try:
        navigation.run()
    finally:
        render_sidebar_status()  # after the page, so it shows what the page just changed


def render_page_links(pages: dict[str, list]) -> None:
    """The app's navigation in the sidebar, grouped Data / Prepare / Model."""
    with st.sidebar:
        for group, group_pages in pages.items():
            st.caption(group)
            for page in group_pages:
                st.page_link(page)


def render_sidebar_status() -> None:
    workspace = get_workspace()
    with st.sidebar:
        table = current_table()
        if table is None:
            st.info("No dataset loaded. Open **Load data** to upload a CSV or pick a sample.")
            return
        rows, columns = table.frame.shape
        st.markdown("**Dataset**")
        st.caption(md_escape(workspace.dataset_name))
        st.caption(f"{rows:,} rows x {columns} columns")
        if workspace.target:
            st.caption(f"Target: {md_escape(workspace.target)}")


def ensure_app_navigation() -> None:
    """Make a page opened outside app.py's navigation run inside it instead.

    Streamlit falls back to its legacy pages-folder mode when the first request after a server
    start is a page URL such as /explore (and AppTest does so on every run), and then runs the
    page alone: no sidebar, no sample data. Running the app's shell here, in the same run, hands
    the request to st.navigation without a rerun, so no click is lost. Every page calls this
    first; app.py must not.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        run_app()
        st.stop()
