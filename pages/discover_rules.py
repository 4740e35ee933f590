"""Rules: items that go together in baskets (frequent itemsets and association rules)."""

import streamlit as st

from core.errors import DataError
from ui.discover_rules import cached_rules, choose_basket, choose_thresholds, render_rules
from ui.plain_text import md_escape
from ui.shell import ensure_app_navigation
from ui.state import current_prepared

ensure_app_navigation()
st.title("Association rules")
st.caption("For basket data: which items are bought together, with support, confidence and lift (FP-growth).")
prepared = current_prepared()
if prepared is None:
    st.info("No dataset loaded yet.")
    st.page_link("pages/data.py", label="Load data", icon=":material/upload_file:")
    st.stop()
try:
    source, basket = choose_basket(prepared.frame)
    support, confidence = choose_thresholds()
    result = cached_rules(source, support, confidence, basket)
except DataError as exc:
    st.error(md_escape(exc))
    st.stop()
render_rules(result)
