"""Explore's numbers: correlations, the columns a wide heatmap keeps, and the strongest pairs."""

import numpy as np
import pandas as pd

from core.explore import correlation_matrix, strongest_columns, strongest_pairs


def _table(columns: int = 60, rows: int = 300) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(rows, columns)), columns=[f"n{i}" for i in range(columns)])
    frame["twin_a"] = frame["n3"] * 2 + rng.normal(scale=0.01, size=rows)  # nearly a copy of n3
    frame["anti"] = -frame["n7"]
    return frame


def test_correlations_cover_numbers_and_booleans_but_not_constants():
    frame = pd.DataFrame({"x": [1.0, 2, 3, 4], "flag": [True, False, True, True], "same": [5, 5, 5, 5],
                          "label": list("abcd")})
    kinds = {"x": "numeric", "flag": "boolean", "same": "numeric", "label": "categorical"}
    assert list(correlation_matrix(frame, kinds).columns) == ["x", "flag"]


def test_a_wide_heatmap_keeps_the_strongly_correlated_columns_in_table_order():
    frame = _table()
    correlations = correlation_matrix(frame, dict.fromkeys(frame.columns, "numeric"))
    shown = strongest_columns(correlations, max_columns=4)
    assert list(shown.columns) == ["n3", "n7", "twin_a", "anti"]
    assert list(shown.index) == list(shown.columns)
    small = correlations.iloc[:5, :5]
    assert strongest_columns(small, max_columns=10).equals(small), "a narrow table is shown whole"


def test_strongest_pairs_are_ranked_by_size_either_sign_and_listed_once():
    frame = _table(columns=10)
    pairs = strongest_pairs(correlation_matrix(frame, dict.fromkeys(frame.columns, "numeric")), top=3)
    first_two = {frozenset(pair) for pair in pairs[["column", "other column"]].head(2).itertuples(index=False)}
    assert first_two == {frozenset({"n3", "twin_a"}), frozenset({"n7", "anti"})}
    assert pairs["correlation"].abs().is_monotonic_decreasing
    assert not (pairs["column"] == pairs["other column"]).any()
