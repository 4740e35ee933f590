"""What role each column plays, judged from its values (never from its name alone).

The kind decides how a column is profiled, plotted and later encoded. Every guess can be
overridden by the user, one column at a time (``apply_overrides``).
"""

from __future__ import annotations

import re
import warnings
from enum import StrEnum

import numpy as np
import pandas as pd


class ColumnKind(StrEnum):
    NUMERIC = "numeric"
    CATEGORICAL = "categorical"
    BOOLEAN = "boolean"
    DATETIME = "datetime"
    TEXT = "text"
    IDENTIFIER = "identifier"
    CONSTANT = "constant"


KIND_HELP = {
    ColumnKind.NUMERIC: "numbers to measure or compute with",
    ColumnKind.CATEGORICAL: "a limited set of labels",
    ColumnKind.BOOLEAN: "two values such as yes/no",
    ColumnKind.DATETIME: "dates or times",
    ColumnKind.TEXT: "free text, mostly unique",
    ColumnKind.IDENTIFIER: "a unique key per row; carries no pattern to learn",
    ColumnKind.CONSTANT: "one value (or none) in every row",
}

_BOOLEAN_PAIRS = [
    {"true", "false"}, {"yes", "no"}, {"y", "n"}, {"t", "f"}, {"0", "1"}, {"1.0", "0.0"},
    {"on", "off"},
]
_INFERENCE_SAMPLE = 5000
_DATE_SAMPLE = 500
_MIN_ROWS_FOR_IDENTIFIER = 20
_MAX_CATEGORIES = 50


def infer_column_kinds(frame: pd.DataFrame) -> dict[str, ColumnKind]:
    """Guess the kind of every column from a sample of its values."""
    return {str(name): infer_column_kind(frame[name]) for name in frame.columns}


def infer_column_kind(column: pd.Series) -> ColumnKind:
    """Guess one column's kind; see ``KIND_HELP`` for what each kind means."""
    values = column.dropna()
    n_rows = len(values)
    if n_rows == 0:
        return ColumnKind.CONSTANT
    n_unique = values.nunique()
    if n_unique <= 1:
        return ColumnKind.CONSTANT
    if pd.api.types.is_bool_dtype(column) or (n_unique == 2 and _is_boolean_pair(values)):
        return ColumnKind.BOOLEAN
    if pd.api.types.is_datetime64_any_dtype(column):
        return ColumnKind.DATETIME
    if pd.api.types.is_numeric_dtype(column):
        if _is_integer_key(values, n_unique):
            return ColumnKind.IDENTIFIER
        return ColumnKind.NUMERIC
    text = values.astype(str)
    if _mostly_dates(text):
        return ColumnKind.DATETIME
    if n_rows >= _MIN_ROWS_FOR_IDENTIFIER and n_unique / n_rows > 0.95:
        return ColumnKind.TEXT if _looks_like_prose(text) else ColumnKind.IDENTIFIER
    if n_unique > _MAX_CATEGORIES and _looks_like_prose(text):
        return ColumnKind.TEXT
    return ColumnKind.CATEGORICAL


def detect_task(target: pd.Series) -> str:
    """``classification`` for labels and small sets of whole numbers, else ``regression``."""
    values = target.dropna()
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return "classification"
    n_unique = values.nunique()
    whole = bool(np.all(np.mod(values.to_numpy(dtype=float), 1) == 0))
    if whole and n_unique <= max(2, min(20, len(values) // 20)):
        return "classification"
    return "regression"


def check_kind_fits(column: pd.Series, kind: str) -> None:
    """Refuse a kind the values cannot carry (text as numbers, non-dates as dates)."""
    from core.errors import DataError

    values = column.dropna()
    if values.empty:
        return
    if kind == ColumnKind.NUMERIC and not pd.api.types.is_numeric_dtype(values):
        parsed = pd.to_numeric(values.astype(str).str.replace(",", ".", regex=False), errors="coerce")
        if parsed.notna().mean() < 1.0:
            examples = ", ".join(repr(v) for v in values[parsed.isna()].astype(str).unique()[:3])
            raise DataError(f"'{column.name}' holds values that are not numbers ({examples}). Keep it as "
                            "categorical, or convert it with a 'Change type' step on the Prepare page, "
                            "which turns those cells into missing values.")
    if kind == ColumnKind.DATETIME and not pd.api.types.is_datetime64_any_dtype(values):
        parsed = parse_dates(values.astype(str).head(_DATE_SAMPLE))
        if parsed.notna().mean() < 0.9:
            raise DataError(f"Most values of '{column.name}' are not dates. Pick another kind.")


def apply_overrides(
    kinds: dict[str, ColumnKind], overrides: dict[str, str] | None
) -> dict[str, ColumnKind]:
    """Return inferred kinds with the user's choices laid over them (unknown columns ignored)."""
    result = dict(kinds)
    for name, kind in (overrides or {}).items():
        if name in result:
            result[name] = ColumnKind(kind)
    return result


def _is_boolean_pair(values: pd.Series) -> bool:
    labels = {str(v).strip().lower() for v in values.unique()}
    return any(labels == pair for pair in _BOOLEAN_PAIRS)


def _is_integer_key(values: pd.Series, n_unique: int) -> bool:
    """(Almost) all distinct whole numbers packed into a near-consecutive range: a row number or key.

    "Almost": a few duplicated rows must not hide an ID column.
    """
    if len(values) < _MIN_ROWS_FOR_IDENTIFIER or n_unique < 0.95 * len(values):
        return False
    if not pd.api.types.is_integer_dtype(values):
        if not np.all(np.mod(values.to_numpy(dtype=float), 1) == 0):
            return False
    span = float(values.max()) - float(values.min()) + 1
    return span <= 1.5 * n_unique


def _mostly_dates(text: pd.Series) -> bool:
    sample = text.head(_DATE_SAMPLE)
    if not sample.str.contains(r"\d", regex=True).mean() > 0.9:
        return False
    if not sample.str.contains(r"[-/:.]", regex=True).mean() > 0.9:
        return False
    if sample.str.fullmatch(r"[-+]?\d+([.,]\d+)?").mean() > 0.5:
        return False  # numbers written with a decimal comma, not dates
    parsed = parse_dates(sample)
    return bool(parsed.notna().mean() >= 0.9)


_DATE_START = re.compile(r"^\s*\d{1,4}[-/.]\d{1,2}")  # a time alone ("12:30") is not a date
_MIXED_FORMAT_MAX_ROWS = 50_000  # format="mixed" parses value by value: about 20 s a million


def as_dates(column: pd.Series) -> pd.Series | None:
    """The column as datetimes when it is text whose every value is a date, else ``None``.

    The reader types ISO dates itself; this catches the rest (``01/02/2013``, ``2013-01-01 5:00``,
    offsets that differ), so a column that is a date is stored as one, not as a string.
    """
    if pd.api.types.is_datetime64_any_dtype(column) or pd.api.types.is_numeric_dtype(column):
        return None
    values = column.dropna()
    if values.empty or not isinstance(values.iloc[0], str) or not _DATE_START.match(values.iloc[0]):
        return None
    if not _mostly_dates(values.head(_DATE_SAMPLE).astype(str)):
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "could not infer format": handled below
            parsed = pd.to_datetime(values, errors="raise")  # one format guessed from the first value: fast
    except (ValueError, TypeError, OverflowError):
        if len(values) > _MIXED_FORMAT_MAX_ROWS:
            return None
        parsed = parse_dates(values)
    if parsed.isna().any():
        return None  # some values are not dates: keep the text rather than lose them
    return parsed.reindex(column.index)


def parse_dates(text: pd.Series) -> pd.Series:
    """Parse date strings (or datetimes), missing where they are not dates.

    Times with different UTC offsets (``...Z``, ``...+03:00``) make pandas refuse the whole column;
    converting them to UTC keeps them dates.
    """
    try:
        return pd.to_datetime(text, errors="coerce", format="mixed")
    except ValueError:
        return pd.to_datetime(text, errors="coerce", format="mixed", utc=True)


def _looks_like_prose(text: pd.Series) -> bool:
    sample = text.head(_INFERENCE_SAMPLE)
    return bool(sample.str.count(" ").mean() >= 2 or sample.str.len().mean() > 40)
