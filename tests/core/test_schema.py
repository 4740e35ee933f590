"""Column kinds judged from values, the user's overrides, task detection and kind checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.errors import DataError
from core.schema import (
    ColumnKind,
    apply_overrides,
    check_kind_fits,
    detect_task,
    infer_column_kind,
    infer_column_kinds,
)

SENTENCES = [f"This is sentence number {i} about the weather today." for i in range(30)]


@pytest.mark.parametrize("values, kind", [
    # numeric
    ([1.5, 2.3, 0.1, 4.4, 5.0] * 5, ColumnKind.NUMERIC),
    ([1, 2, 3, 4, 5] * 6, ColumnKind.NUMERIC),
    ([1.5, np.nan, 2.5, 3.5], ColumnKind.NUMERIC),
    # categorical
    (["red", "green", "blue"] * 10, ColumnKind.CATEGORICAL),
    (["red", "green", None] * 10, ColumnKind.CATEGORICAL),
    # boolean
    (["yes", "no"] * 10, ColumnKind.BOOLEAN),
    (["true", "false", "true"], ColumnKind.BOOLEAN),
    (["True", "False"], ColumnKind.BOOLEAN),
    ([True, False] * 10, ColumnKind.BOOLEAN),
    ([0, 1] * 10, ColumnKind.BOOLEAN),
    ([0.0, 1.0, np.nan] * 5, ColumnKind.BOOLEAN),
    # text
    (SENTENCES, ColumnKind.TEXT),
    # identifier
    (list(range(100, 130)), ColumnKind.IDENTIFIER),
    ([f"A{i:04d}" for i in range(30)], ColumnKind.IDENTIFIER),
    # constant
    (["x"] * 10, ColumnKind.CONSTANT),
    ([7] * 10, ColumnKind.CONSTANT),
    ([np.nan] * 10, ColumnKind.CONSTANT),
    ([None, None, None], ColumnKind.CONSTANT),
])
def test_infer_column_kind(values, kind):
    assert infer_column_kind(pd.Series(values)) == kind


def test_datetime_dtype_is_datetime():
    column = pd.to_datetime(pd.Series(["2024-01-01", "2024-02-01", "2024-03-01"]))
    assert infer_column_kind(column) == ColumnKind.DATETIME


@pytest.mark.parametrize("values", [
    ["2024-01-01", "2024-02-15", "2024-03-31"] * 3,
    ["2024-01-01 10:00:00", "2024-02-01 11:30:00", "2024-03-01 00:00:00"],
    ["2024-01-01T10:00:00", "2024-02-01T11:30:00", None],
])
def test_iso_date_strings_are_datetime(values):
    assert infer_column_kind(pd.Series(values, dtype=object)) == ColumnKind.DATETIME


def test_short_integer_run_is_not_an_identifier():
    # Fewer than 20 values: too few to call a column a key.
    assert infer_column_kind(pd.Series(range(10))) == ColumnKind.NUMERIC


def test_sparse_unique_integers_are_numeric_not_identifier():
    # Unique but spread far apart (not a near-consecutive range): a measurement, not a row number.
    assert infer_column_kind(pd.Series([i * i for i in range(1, 31)])) == ColumnKind.NUMERIC


def test_decimal_comma_strings_are_not_dates():
    assert infer_column_kind(pd.Series(["1,5", "2,5", "3,5"] * 10)) != ColumnKind.DATETIME


def test_infer_column_kinds_maps_every_column():
    frame = pd.DataFrame({"n": [1.5, 2.5, 3.5], "c": ["a", "b", "a"], "k": [1, 1, 1]})
    assert infer_column_kinds(frame) == {
        "n": ColumnKind.NUMERIC, "c": ColumnKind.CATEGORICAL, "k": ColumnKind.CONSTANT,
    }


def test_apply_overrides_lays_user_choices_over_inferred_kinds():
    kinds = {"a": ColumnKind.NUMERIC, "b": ColumnKind.IDENTIFIER}
    result = apply_overrides(kinds, {"a": "categorical", "missing": "text"})
    assert result == {"a": ColumnKind.CATEGORICAL, "b": ColumnKind.IDENTIFIER}
    assert isinstance(result["a"], ColumnKind)
    assert kinds["a"] == ColumnKind.NUMERIC  # the input is not changed
    assert apply_overrides(kinds, None) == kinds
    assert apply_overrides(kinds, {}) == kinds


def test_apply_overrides_rejects_an_unknown_kind():
    with pytest.raises(ValueError):
        apply_overrides({"a": ColumnKind.NUMERIC}, {"a": "no-such-kind"})


@pytest.mark.parametrize("values, task", [
    (["a", "b"] * 20, "classification"),
    ([0, 1] * 20, "classification"),
    ([1, 2, 3] * 40, "classification"),
    ([True, False] * 5, "classification"),
    (list(np.linspace(0, 1, 100)), "regression"),
    (list(range(100)), "regression"),
    ([1.5, 2.5, np.nan] * 20, "regression"),
])
def test_detect_task(values, task):
    assert detect_task(pd.Series(values)) == task


def test_check_kind_fits_refuses_text_as_numeric_with_examples():
    column = pd.Series(["abc", "1.5", "hello", None], name="price")
    with pytest.raises(DataError) as excinfo:
        check_kind_fits(column, ColumnKind.NUMERIC)
    message = str(excinfo.value)
    assert "'price'" in message
    assert "'abc'" in message and "'hello'" in message
    assert "'1.5'" not in message  # only the offending values are named
    assert "categorical" in message  # and what to do instead


def test_check_kind_fits_accepts_number_strings_and_decimal_commas():
    check_kind_fits(pd.Series(["1,5", "2", None], name="c"), ColumnKind.NUMERIC)
    check_kind_fits(pd.Series([1.5, 2.0], name="n"), "numeric")
    check_kind_fits(pd.Series([None, None], name="empty"), ColumnKind.NUMERIC)


def test_check_kind_fits_datetime():
    check_kind_fits(pd.Series(["2024-01-01", "2024-02-01"], name="d"), ColumnKind.DATETIME)
    with pytest.raises(DataError, match="not dates"):
        check_kind_fits(pd.Series(["abc", "def"], name="d"), ColumnKind.DATETIME)


def test_check_kind_fits_allows_other_kinds():
    check_kind_fits(pd.Series(["abc", "def"], name="t"), ColumnKind.CATEGORICAL)
    check_kind_fits(pd.Series(["abc", "def"], name="t"), ColumnKind.TEXT)


def test_times_with_different_utc_offsets_are_datetime_not_a_crash():
    stamps = pd.Series(["2021-06-01T12:00:00", "2021-06-01T12:00:00Z", "2021-06-01T12:00:00+03:00",
                        "2021-06-02T07:30:00-04:00"])
    assert infer_column_kind(stamps) == ColumnKind.DATETIME
    check_kind_fits(stamps, ColumnKind.DATETIME)  # accepted, not refused
