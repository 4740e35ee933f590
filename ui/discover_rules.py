"""The Rules page's views: the basket structure, the thresholds, and the sortable, filterable rules table."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.rules import (
    DEFAULT_MIN_CONFIDENCE,
    DEFAULT_MIN_SUPPORT,
    RulesResult,
    basket_from_item_columns,
    basket_from_pairs,
    item_columns,
    mine_rules,
    sample_basket,
)
from ui.discover_projections import recipe_key
from ui.state import content_key

STRUCTURES = ("Each row a transaction, yes/no item columns", "A transaction id column and an item column",
              "A generated sample basket (to try the page)")


def choose_basket(frame: pd.DataFrame) -> tuple[str, pd.DataFrame]:
    """The basket (transactions x items, booleans) and a key naming its source for the cache."""
    found = item_columns(frame)
    default = 0 if len(found) >= 2 else 1
    structure = st.radio("Basket structure", STRUCTURES, index=default, key="rules_structure")
    if structure == STRUCTURES[2]:
        return "sample", basket_from_item_columns(sample_basket())
    if structure == STRUCTURES[0]:
        st.caption(f"{len(found)} yes/no column(s) found; each is an item.")
        return f"columns:{content_key()}:{recipe_key()}", basket_from_item_columns(frame)
    columns = [str(name) for name in frame.columns]
    left, right = st.columns(2)
    transaction = left.selectbox("Transaction id column", columns, key="rules_transaction")
    item = right.selectbox("Item column", columns, index=min(1, len(columns) - 1), key="rules_item")
    return f"pairs:{content_key()}:{recipe_key()}:{transaction}:{item}", basket_from_pairs(frame, transaction, item)


def choose_thresholds() -> tuple[float, float]:
    left, right = st.columns(2)
    support = left.number_input("Minimum support", 0.001, 1.0, DEFAULT_MIN_SUPPORT, format="%.3f",
                                key="rules_support", help="Share of transactions an itemset must appear in.")
    confidence = right.number_input("Minimum confidence", 0.01, 1.0, DEFAULT_MIN_CONFIDENCE, format="%.2f",
                                    key="rules_confidence",
                                    help="Share of the transactions with the left side that also hold the right side.")
    return float(support), float(confidence)


@st.cache_resource(max_entries=4, show_spinner="Mining frequent itemsets (FP-growth)...")
def cached_rules(source: str, support: float, confidence: float, _basket: pd.DataFrame) -> RulesResult:
    return mine_rules(_basket, support, confidence)


def filter_rules(table: pd.DataFrame) -> pd.DataFrame:
    """Rules mentioning a typed item (plain substring, not a pattern) and reaching a minimum lift."""
    left, right = st.columns(2)
    text = left.text_input("Only rules that mention", key="rules_filter", help="Part of an item name.")
    lift = right.number_input("Minimum lift", 0.0, value=1.0, key="rules_min_lift")
    keep = table["lift"] >= lift
    if text:
        needle = text.lower()
        keep &= (table["antecedents"].str.lower().str.contains(needle, regex=False)
                 | table["consequents"].str.lower().str.contains(needle, regex=False))
    return table[keep]


def render_rules(result: RulesResult) -> None:
    from core.export import to_safe_csv
    from ui.plain_text import md_escape

    for note in result.notes:
        st.info(md_escape(note))
    first, second, third = st.columns(3)
    first.metric("Transactions", f"{result.transactions:,}")
    second.metric("Frequent itemsets", f"{len(result.itemsets):,}")
    third.metric("Rules", f"{len(result.rules):,}")
    if result.rules.empty:
        return
    shown = filter_rules(result.rules_table())
    st.caption("Highest lift first; click a column header to sort. Lift above 1: the items go together "
               "more often than chance.")
    st.dataframe(shown.round(4), key="rules_table", hide_index=True)
    st.download_button("Download the rules (CSV)", to_safe_csv(shown), file_name="rules.csv", mime="text/csv",
                       key="rules_download")
