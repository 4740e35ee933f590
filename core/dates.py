"""One rule for reading timestamps, the same for one row, a batch or a whole table.

``schema.parse_dates`` reads a column of times that all share one UTC offset in that offset's
wall time, but a column of mixed offsets in UTC, so a row's hour depended on the rows read with
it. Here every time with an offset is converted to UTC and every time without one is taken as
written; nothing depends on the other rows.
"""

from __future__ import annotations

import pandas as pd

RULE = "times with a UTC offset are read in UTC, times without one as written"


def dates_in_utc(values: pd.Series) -> pd.Series:
    """Each cell as a UTC timestamp (``NaT`` where it is not a date), decided cell by cell."""
    return pd.to_datetime(values, errors="coerce", format="mixed", utc=True)


def dates_in_utc_code(source: str, target: str) -> str:
    """The pandas line that applies ``dates_in_utc`` to ``source`` (generated code)."""
    return f"{target} = pd.to_datetime({source}, errors='coerce', format='mixed', utc=True)"
