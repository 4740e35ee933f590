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


# --- real files: huge values, text dates, wide tables (issue 11, items 6 and 7) ----------------------------


def _huge_values_table(rows: int = 60) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame({
        "near_max": np.tile([1e308, 1.7e308, -1.7e308, 5.0, 1e-300, np.inf], rows // 6),
        "with_inf": np.tile([np.inf, -np.inf, 1.79e308, -1e308, 0.0, 3.0], rows // 6),
        "plain": rng.normal(size=rows),
        "label": rng.choice(["x", "y"], rows),
        "huge_target": rng.normal(size=rows) * 1e307,
    })


def test_every_explore_figure_of_values_near_the_float_limit_is_built():
    from core import plots
    from core.explore import feature_target_association, missing_matrix
    from core.profile import profile_table

    frame = _huge_values_table()
    kinds = profile_table(frame).kinds()
    assert kinds["near_max"] == kinds["with_inf"] == "numeric"
    figures = [plots.scatter_figure(frame, "near_max", "with_inf", "label"),
               plots.scatter_matrix_figure(frame, ["near_max", "with_inf", "plain"], "label"),
               plots.correlation_heatmap(strongest_columns(correlation_matrix(frame, kinds))),
               plots.missing_map_figure(missing_matrix(frame).frame)]
    for column, kind in kinds.items():
        figures.append(plots.distribution_figure(frame, column, kind))
        if kind == "numeric":
            figures.append(plots.box_figure(frame, column, "label"))
    for target, task in [("label", "classification"), ("huge_target", "regression"), ("near_max", "regression")]:
        scores = feature_target_association(frame, target, kinds, task)
        assert len(scores) == len(kinds) - 1 and np.isfinite(scores).all()
        figures.append(plots.association_figure(scores, target))
        figures += [plots.feature_target_figure(frame, feature, target, kinds[feature], task)
                    for feature in scores.index]
    for figure in figures:
        figure.to_json()


def test_the_histogram_of_values_near_the_float_limit_is_binned_before_the_browser_sees_it():
    from core import plots

    figure = plots.distribution_figure(_huge_values_table(), "near_max", "numeric")
    bars = figure.data[0]
    assert bars.type == "bar" and sum(bars.y) == 50  # every finite value, in 20 finite bins
    assert all(np.isfinite(float(label.split(" to ")[0])) for label in bars.x)


def test_a_datetime_kind_on_text_dates_draws_a_time_histogram():
    from core import plots

    days = pd.Series(pd.date_range("2013-01-01", periods=1_461).strftime("%m/%d/%Y"), dtype="str")
    figure = plots.distribution_figure(pd.DataFrame({"day": days}), "day", "datetime")
    assert figure.data[0].type == "histogram"
    assert pd.api.types.is_datetime64_any_dtype(pd.Series(figure.data[0].x))  # time on the axis, not 1,461 labels


def test_wide_tables_are_cut_to_what_a_view_can_show():
    from core.explore import (
        ASSOCIATION_MAX_FEATURES,
        CORRELATION_MAX_COLUMNS,
        MISSING_MAP_MAX_COLUMNS,
        feature_target_association,
        missing_matrix,
    )

    rng = np.random.default_rng(1)
    rows, columns = 40, 3_000
    frame = pd.DataFrame(rng.normal(size=(rows, columns)), columns=[f"p{i}" for i in range(columns)])
    frame.iloc[::3, 5:200] = np.nan
    frame["signal"] = np.repeat([0.0, 1.0], rows // 2) + rng.normal(0, 0.01, rows)
    frame["label"] = np.repeat(["a", "b"], rows // 2)
    kinds = {name: "numeric" for name in frame.columns} | {"label": "categorical"}
    assert correlation_matrix(frame, kinds).shape == (CORRELATION_MAX_COLUMNS, CORRELATION_MAX_COLUMNS)
    missing = missing_matrix(frame).frame
    assert missing.shape[1] == MISSING_MAP_MAX_COLUMNS and missing.to_numpy().all(axis=0).sum() == 0
    assert missing.to_numpy().any(axis=0).all()  # the columns kept are ones with gaps
    scores = feature_target_association(frame, "label", kinds, "classification")
    assert len(scores) == ASSOCIATION_MAX_FEATURES
    assert scores.index[0] == "signal"  # the screen keeps the feature that follows the target


def test_plots_say_when_values_near_the_float_limit_cannot_be_drawn():
    from core import plots

    frame = _huge_values_table()
    box = plots.box_figure(frame, "near_max")
    assert not box.data and "too far apart" in box.layout.title.text  # no box drawn from overflowing numbers
    scatter = plots.scatter_figure(frame, "near_max", "plain")
    assert any("cannot be placed on this axis" in note.text for note in scatter.layout.annotations)
    assert not plots.scatter_figure(frame, "plain", "plain").layout.annotations
    by_class = plots.feature_target_figure(frame, "near_max", "label", "numeric", "classification")
    assert any("cannot be placed on this axis" in note.text for note in by_class.layout.annotations)
