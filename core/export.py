"""Writing tables for people to open in spreadsheets, safely."""

from __future__ import annotations

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula with a quote (OWASP advice).

    Only text cells change; numbers (including negative ones) are written as numbers.
    """
    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if pd.api.types.is_string_dtype(column) or column.dtype == object:
            text = column.astype("string")
            risky = text.str.startswith(FORMULA_PREFIXES).fillna(False).astype(bool)
            if risky.any():
                out[name] = text.where(~risky, "'" + text)
    return out


def to_safe_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV bytes with formula-like cells neutralised."""
    return neutralise_formulas(frame).to_csv(index=False).encode("utf-8")
