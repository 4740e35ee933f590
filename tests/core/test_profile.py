"""Profile statistics and data-quality warnings: each fires where planted, and nowhere on a clean table."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from core.errors import DataError
from core.profile import profile_table

N = 200


def clean_frame(n: int = N, seed: int = 0) -> pd.DataFrame:
    """Normal numbers, a three-label category and a balanced two-class target: nothing to warn about."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "x": rng.normal(size=n),
        "z": rng.uniform(0, 10, size=n),
        "colour": rng.choice(["red", "green", "blue"], n),
        "y": rng.choice(["p", "q"], n),
    })


def warning_kinds(profile) -> list[tuple[str, str | None]]:
    return [(warning.kind, warning.column) for warning in profile.warnings]


def test_clean_frame_has_no_warnings():
    profile = profile_table(clean_frame())
    assert profile.warnings == []
    assert profile.duplicate_rows == 0


def test_clean_frame_with_target_has_no_warnings():
    profile = profile_table(clean_frame(), target="y")
    assert profile.warnings == []
    assert profile.task == "classification"
    assert profile.target == "y"


def test_duplicate_rows():
    frame = clean_frame()
    frame = pd.concat([frame, frame.iloc[:5]], ignore_index=True)
    profile = profile_table(frame)
    assert profile.duplicate_rows == 5
    assert warning_kinds(profile) == [("duplicate_rows", None)]
    assert "5 row(s)" in profile.warnings[0].message


def test_constant_column():
    frame = clean_frame().assign(site="Oslo")
    assert warning_kinds(profile_table(frame)) == [("constant", "site")]


def test_all_missing_column_is_constant_and_high_missing():
    frame = clean_frame().assign(empty=np.nan)
    assert warning_kinds(profile_table(frame)) == [("constant", "empty"), ("high_missing", "empty")]


def test_identifier_column():
    frame = clean_frame().assign(row_id=range(1000, 1000 + N))
    assert warning_kinds(profile_table(frame)) == [("identifier", "row_id")]


def test_identifier_code_column():
    frame = clean_frame().assign(code=[f"A{i:04d}" for i in range(N)])
    assert warning_kinds(profile_table(frame)) == [("identifier", "code")]


def test_high_missing():
    frame = clean_frame()
    frame.loc[: int(N * 0.6), "x"] = np.nan
    profile = profile_table(frame)
    assert warning_kinds(profile) == [("high_missing", "x")]
    assert "missing" in profile.warnings[0].message


def test_high_cardinality():
    rng = np.random.default_rng(1)
    labels = [f"shop {i}" for i in range(80)]
    frame = clean_frame().assign(shop=rng.choice(labels, N))
    profile = profile_table(frame)
    assert ("high_cardinality", "shop") in warning_kinds(profile)
    column = next(c for c in profile.columns if c.name == "shop")
    assert column.kind == "categorical"
    assert column.unique > 50


def test_mixed_types():
    values = [str(v) for v in np.round(np.random.default_rng(2).normal(size=N), 3)]
    values[3], values[10] = "n.a.", "unknown"
    frame = clean_frame().assign(reading=pd.Series(values, dtype=object))
    profile = profile_table(frame)
    assert ("mixed_types", "reading") in warning_kinds(profile)
    message = next(w.message for w in profile.warnings if w.kind == "mixed_types")
    assert "'n.a.'" in message and "'unknown'" in message


def test_skewed():
    frame = clean_frame().assign(income=np.random.default_rng(3).lognormal(0, 1.5, N))
    profile = profile_table(frame)
    assert warning_kinds(profile) == [("skewed", "income")]


def test_imbalance_with_a_95_5_target():
    frame = clean_frame()
    frame["y"] = ["common"] * 190 + ["rare"] * 10
    frame = frame.sample(frac=1, random_state=0).reset_index(drop=True)
    profile = profile_table(frame, target="y")
    assert warning_kinds(profile) == [("imbalance", "y")]
    assert "'rare'" in profile.warnings[0].message
    assert "5.0%" in profile.warnings[0].message


def test_leakage_with_a_copy_of_the_target():
    frame = clean_frame()
    frame["y_copy"] = frame["y"].map({"p": "yes_p", "q": "yes_q"})
    profile = profile_table(frame, target="y")
    assert warning_kinds(profile) == [("leakage", "y_copy")]
    assert profile.warnings[0].severity == "critical"


def test_leakage_in_regression():
    frame = clean_frame()
    frame["price"] = frame["z"] * 3 + 1
    frame["price_again"] = frame["price"] * 2
    profile = profile_table(frame.drop(columns=["y"]), target="price")
    assert profile.task == "regression"
    kinds = warning_kinds(profile)
    assert ("leakage", "price_again") in kinds
    assert ("leakage", "x") not in kinds


def test_unknown_target_is_a_data_error():
    with pytest.raises(DataError, match="'nope'.*not in the table"):
        profile_table(clean_frame(), target="nope")


def test_column_statistics():
    frame = pd.DataFrame({
        "n": [1.0, 2.0, np.nan, 4.0, 5.0, 2.0],
        "c": ["a", "b", "a", None, "a", "b"],
    })
    profile = profile_table(frame)
    assert profile.rows == 6
    n, c = profile.columns
    assert (n.name, n.missing, n.unique) == ("n", 1, 4)
    assert n.missing_share == pytest.approx(1 / 6)
    assert (n.minimum, n.maximum) == (1.0, 5.0)
    assert n.mean == pytest.approx(14 / 5)
    assert n.std == pytest.approx(pd.Series([1.0, 2.0, 4.0, 5.0, 2.0]).std())
    assert (c.name, c.kind, c.missing, c.unique) == ("c", "categorical", 1, 2)
    assert c.top_values[0] == ("a", 3)
    assert c.minimum is None and c.mean is None


def test_datetime_statistics():
    frame = pd.DataFrame({"d": pd.to_datetime(["2021-05-01", "2023-01-01", None, "2022-07-07"])})
    column = profile_table(frame).columns[0]
    assert column.kind == "datetime"
    assert column.missing == 1
    assert column.minimum.startswith("2021-05-01")
    assert column.maximum.startswith("2023-01-01")


def test_kind_overrides_are_applied():
    frame = clean_frame().assign(row_id=range(N))
    profile = profile_table(frame, kind_overrides={"row_id": "numeric"})
    assert profile.kinds()["row_id"] == "numeric"
    assert "identifier" not in [w.kind for w in profile.warnings]


def test_to_dict_has_the_documented_shape_and_is_json():
    frame = clean_frame()
    frame.loc[:3, "x"] = np.nan
    result = profile_table(frame, target="y").to_dict()
    assert result["rows"] == N
    assert result["target"] == "y" and result["task"] == "classification"
    assert isinstance(result["columns"], list) and len(result["columns"]) == 4
    for column in result["columns"]:
        assert {"name", "kind", "missing", "unique"} <= set(column)
        assert isinstance(column["name"], str) and isinstance(column["kind"], str)
        assert isinstance(column["missing"], int) and isinstance(column["unique"], int)
    x = next(c for c in result["columns"] if c["name"] == "x")
    assert x["missing"] == 4 and x["kind"] == "numeric"
    assert isinstance(result["warnings"], list)
    json.dumps(result, allow_nan=False)


def test_to_dict_warnings_have_kind_column_message():
    frame = clean_frame().assign(site="Oslo")
    frame = pd.concat([frame, frame.iloc[:2]], ignore_index=True)
    warnings = profile_table(frame).to_dict()["warnings"]
    assert [w["kind"] for w in warnings] == ["duplicate_rows", "constant"]
    for warning in warnings:
        assert {"kind", "column", "message"} <= set(warning)
        assert isinstance(warning["message"], str) and warning["message"]
    assert warnings[0]["column"] is None
    assert warnings[1]["column"] == "site"


def test_summary_frame_has_one_row_per_column():
    summary = profile_table(clean_frame()).summary_frame()
    assert summary["column"].tolist() == ["x", "z", "colour", "y"]
    assert {"kind", "missing %", "unique"} <= set(summary.columns)


def test_profile_of_a_file_with_mixed_utc_offsets():
    from core.io import read_csv_robust
    from tests.core.csv_corpus import GOOD

    profile = profile_table(read_csv_robust(GOOD["mixed_utc_offsets"]).frame)
    assert profile.kinds() == {"stamp": "datetime", "v": "numeric"}
    json.dumps(profile.to_dict(), default=str)


def test_a_copy_of_the_target_beyond_float32_range_is_still_found_as_leakage():
    # Trees work in float32; 1e300 is an ordinary float64 that pandas reads from a CSV.
    score = [float(i % 7) for i in range(90)]
    frame = pd.DataFrame({"score": score, "leak": [value * 1e300 for value in score],
                          "noise": [float((i * 37) % 11) for i in range(90)]})
    profile = profile_table(frame, target="score")
    leaking = [w.column for w in profile.warnings if w.kind == "leakage"]
    assert leaking == ["leak"]


# --- real files: huge numbers, dates, labels (issue 11, items 6 and 7, and "None" in item 8) ---------------


HUGE_VALUES = pd.DataFrame({
    "near_max": [1e308, 1.7e308, -1.7e308, 5.0, 1e-300],
    "with_inf": [np.inf, -np.inf, 1.79e308, -1e308, 0.0],
    "huge_and_tiny": [1e308, 2e-308, 3e-300, 1.0, -1e307],
})


def test_values_near_the_float_limit_get_a_histogram_instead_of_a_crash():
    profile = profile_table(HUGE_VALUES)
    for column in profile.columns:
        assert column.kind == "numeric"
        finite = int(np.isfinite(HUGE_VALUES[column.name]).sum())
        assert sum(column.distribution) == finite, column  # every finite value lands in a bar
        assert len(column.distribution) == 20
    json.dumps(profile.to_dict())  # no inf or nan leaks into the JSON


def test_a_date_column_gets_a_time_histogram_not_one_bar_per_day():
    days = pd.date_range("2013-01-01", periods=1_461, freq="D")
    profile = profile_table(pd.DataFrame({"day": days, "v": np.arange(1_461) % 7}))
    day = profile.columns[0]
    assert day.kind == "datetime"
    assert len(day.distribution) == 20 and sum(day.distribution) == 1_461
    assert max(day.distribution) < 100  # spread over the four years, not one bar of height 1,461


def test_a_date_column_kept_as_text_by_a_kind_override_is_profiled_as_dates():
    text = pd.Series([f"{month:02d}/01/2013" for month in range(1, 13)] * 10, dtype="str")
    profile = profile_table(pd.DataFrame({"when": text}), kind_overrides={"when": "datetime"})
    column = profile.columns[0]
    assert column.minimum.startswith("2013-01-01") and column.maximum.startswith("2013-12-01")
    assert len(column.distribution) == 20 and sum(column.distribution) == 120


def test_the_profile_table_never_shows_none_or_nan():
    frame = clean_frame().assign(empty=np.nan, when=pd.date_range("2020-01-01", periods=N))
    summary = profile_table(pd.concat([frame, HUGE_VALUES.reindex(range(N))], axis=1)).summary_frame()
    for name in ["min", "max", "mean", "std", "top values"]:
        cells = summary[name].tolist()
        assert all(isinstance(cell, str) for cell in cells), (name, cells)
        assert not any(cell in {"None", "nan", "NaN", "inf", "-inf", "NaT"} for cell in cells), (name, cells)
    labels = summary.set_index("column").loc[["colour", "y"]]
    assert (labels["mean"] == "").all() and (labels["std"] == "").all()
    assert summary.set_index("column").loc["x", "mean"] != ""


# --- wide tables (issue 11, item 7) ------------------------------------------------------------------------


def _wide_frame(n_columns: int = 260, rows: int = 40) -> pd.DataFrame:
    """Every kind of numeric column a wide export holds, repeated across many columns."""
    rng = np.random.default_rng(3)
    makers = [
        lambda: rng.normal(size=rows),
        lambda: rng.exponential(size=rows) ** 3,  # skewed
        lambda: rng.integers(0, 2, size=rows),  # 0/1: boolean
        lambda: np.arange(rows) + 1000,  # a key: identifier
        lambda: np.full(rows, 7.0),  # constant
        lambda: np.where(rng.random(rows) < 0.6, np.nan, rng.normal(size=rows)),  # mostly missing
        lambda: np.array([1e308, -1.7e308, np.inf, 2.0] * (rows // 4)),  # near the float limit
        lambda: np.full(rows, np.nan),  # empty
        lambda: rng.integers(0, 5, size=rows).astype(float),
    ]
    columns = {f"c{i}": makers[i % len(makers)]() for i in range(n_columns)}
    columns["label"] = rng.choice(["a", "b"], rows)
    return pd.DataFrame(columns)


def test_a_wide_table_is_profiled_as_a_block_with_the_same_numbers_as_column_by_column():
    import core.profile as profile_module

    frame = _wide_frame()
    wide = profile_table(frame)
    narrow_limit = profile_module.WIDE_TABLE_COLUMNS
    try:
        profile_module.WIDE_TABLE_COLUMNS = 10_000  # force the column-by-column path
        narrow = profile_table(frame)
    finally:
        profile_module.WIDE_TABLE_COLUMNS = narrow_limit
    assert wide.memory_bytes == narrow.memory_bytes and wide.duplicate_rows == narrow.duplicate_rows
    for fast, slow in zip(wide.columns, narrow.columns, strict=True):
        assert (fast.name, fast.kind, fast.missing, fast.unique) == (slow.name, slow.kind, slow.missing, slow.unique)
        for field in ("minimum", "maximum", "mean", "std"):
            expected = getattr(slow, field)
            assert getattr(fast, field) == (expected if expected is None else pytest.approx(expected, rel=1e-9)), \
                (fast, field)
        assert fast.distribution == slow.distribution, fast.name
    assert [(w.kind, w.column) for w in wide.warnings] == [(w.kind, w.column) for w in narrow.warnings]


def test_the_leakage_probe_of_a_wide_table_still_finds_a_copy_of_the_target():
    frame = _wide_frame(n_columns=400, rows=120)
    frame["copy_of_label"] = (frame["label"] == "a").astype(float) * 3 + np.random.default_rng(0).normal(0, 0.01, 120)
    profile = profile_table(frame, target="label")
    assert [w.column for w in profile.warnings if w.kind == "leakage"] == ["copy_of_label"]
    assert len(profile.limits) == 1 and "probed the 100 of 268 features" in profile.limits[0]  # no keys, constants
    assert profile.to_dict()["limits"] == profile.limits
    assert profile_table(frame.head(20), target="label").limits == []  # too few rows: no probe, nothing cut
