"""Writing tables for people to open in spreadsheets, safely (OWASP's CSV-injection advice).

Every field is quoted, so an embedded CR or LF stays inside its cell and cannot start a row, and
text that a spreadsheet would run as a formula gets a leading quote: in the header as in the cells,
and also after an embedded line break (some readers split cells into lines before they look).
"""

from __future__ import annotations

import csv
import re

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# A formula start at the beginning of the text or right after a line break.
_FORMULA_START = re.compile(r"(^|[\r\n])(?=[=+\-@\t\r])")


def neutralise_text(text: str) -> str:
    """``text`` with a quote before every formula start; harmless text comes back unchanged."""
    return _FORMULA_START.sub(lambda match: match.group(1) + "'", text)


def _is_text(column: pd.Series) -> bool:
    dtype = column.dtype
    return not (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)
                or pd.api.types.is_datetime64_any_dtype(dtype) or isinstance(dtype, pd.PeriodDtype))


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with formula-like header names and text cells prefixed with a quote.

    Only text changes; numbers (including negative ones) are written as numbers.
    """
    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if _is_text(column):
            text = column.astype("string")
            out[name] = text.map(neutralise_text, na_action="ignore").astype("string")
    out.columns = [neutralise_text(str(name)) for name in out.columns]
    return out


def to_safe_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV bytes: every field quoted, formula-like header names and cells neutralised."""
    return neutralise_formulas(frame).to_csv(index=False, quoting=csv.QUOTE_ALL).encode("utf-8")
