"""Per-column statistics and data-quality warnings, computed once and rendered anywhere.

``profile_table`` returns a ``TableProfile``: the Explore page shows it as a table, the command
line prints it as JSON (``python -m core profile``), and later steps read its warnings.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from core.profile_leakage import (  # noqa: F401  re-exported: core.explore and core.train import them from here
    LEAKAGE_MAX_FEATURES,
    LEAKAGE_SCORE,
    find_leakage_suspects,
    leakage_candidates,
)
from core.profile_numeric import NumericStats, numeric_block_stats, numeric_columns
from core.schema import ColumnKind, apply_overrides, detect_task, infer_column_kind, parse_dates

HIGH_MISSING_SHARE = 0.5
HIGH_CARDINALITY = 50
SKEW_THRESHOLD = 2.0
# A class is "rare" below half its fair share (25% for two classes, 16.7% for three...).
IMBALANCE_FAIR_SHARE_FRACTION = 0.5
_STATS_SAMPLE = 100_000
_HISTOGRAM_BINS = 20
_DATE_PARSE_SAMPLE = 20_000
WIDE_TABLE_COLUMNS = 200  # above this, numeric columns are profiled as one block (core.profile_numeric)


@dataclass
class ColumnProfile:
    """What a user wants to know about one column at a glance."""

    name: str
    kind: str
    dtype: str
    missing: int
    missing_share: float
    unique: int
    minimum: float | str | None = None
    maximum: float | str | None = None
    mean: float | None = None
    std: float | None = None
    top_values: list[tuple[str, int]] = field(default_factory=list)
    distribution: list[int] = field(default_factory=list)


@dataclass
class DataWarning:
    """One data-quality finding. ``kind`` is one of DESIGN.md's warning kinds."""

    kind: str
    column: str | None
    message: str
    severity: str = "warning"  # "info", "warning" or "critical"


@dataclass
class TableProfile:
    rows: int
    memory_bytes: int
    columns: list[ColumnProfile]
    warnings: list[DataWarning]
    duplicate_rows: int
    target: str | None = None
    task: str | None = None
    limits: list[str] = field(default_factory=list)  # where a wide table's checks were cut short

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``python -m core profile`` (extra keys beyond DESIGN.md's are fine)."""
        return {
            "rows": self.rows,
            "memory_bytes": self.memory_bytes,
            "duplicate_rows": self.duplicate_rows,
            "target": self.target,
            "task": self.task,
            "columns": [asdict(column) for column in self.columns],
            "warnings": [asdict(warning) for warning in self.warnings],
            "limits": self.limits,
        }

    def kinds(self) -> dict[str, str]:
        return {column.name: column.kind for column in self.columns}

    def summary_frame(self) -> pd.DataFrame:
        """One row per column, for display."""
        rows = []
        for column in self.columns:
            rows.append({
                "column": column.name,
                "kind": column.kind,
                "type": column.dtype,
                "missing %": round(100 * column.missing_share, 1),
                "unique": column.unique,
                "min": _display(column.minimum),
                "max": _display(column.maximum),
                "mean": _display(column.mean),
                "std": _display(column.std),
                "top values": ", ".join(f"{label} ({count})" for label, count in column.top_values[:3]),
                "distribution": column.distribution,
            })
        return pd.DataFrame(rows)


def profile_table(
    frame: pd.DataFrame,
    kind_overrides: dict[str, str] | None = None,
    target: str | None = None,
) -> TableProfile:
    """Profile every column and list data-quality warnings.

    Parameters
    ----------
    kind_overrides
        The user's corrections to the inferred column kinds.
    target
        When given, also check class imbalance and features that leak the target.
    """
    if target is not None and target not in frame.columns:
        from core.errors import DataError

        raise DataError(
            f"Target column '{target}' is not in the table. Columns are: "
            f"{', '.join(map(str, frame.columns[:20]))}."
        )
    # Wide tables: numeric columns profiled as one numpy block (pandas costs milliseconds a column).
    block = numeric_block_stats(frame, numeric_columns(frame)) if frame.shape[1] > WIDE_TABLE_COLUMNS else {}
    inferred = {str(name): block[name].kind if name in block else infer_column_kind(frame[name])
                for name in frame.columns}
    kinds = apply_overrides(inferred, kind_overrides)
    dtypes = frame.dtypes.to_dict()
    columns = [_profile_from_block(str(name), str(dtypes[name]), block[name], len(frame))
               if name in block and kinds[str(name)] == ColumnKind.NUMERIC
               else _profile_column(frame[name], kinds[str(name)]) for name in frame.columns]
    duplicate_rows = _count_duplicate_rows(frame, list(block))
    warnings = _column_warnings(frame, columns, {name: stats.skewness for name, stats in block.items()})
    if duplicate_rows:
        warnings.insert(0, DataWarning(
            "duplicate_rows", None,
            f"{duplicate_rows} row(s) ({duplicate_rows / len(frame):.1%}) are exact copies of "
            "another row. Duplicates inflate scores when copies land in both training and test data.",
        ))
    task, limits = None, []
    if target is not None:
        task = detect_task(frame[target])
        warnings += target_warnings(frame, target, task, kinds, limits)
    return TableProfile(
        rows=len(frame),
        memory_bytes=_memory_bytes(frame, list(block)),
        columns=columns,
        warnings=warnings,
        duplicate_rows=duplicate_rows,
        target=target,
        task=task,
        limits=limits,
    )


def _profile_column(column: pd.Series, kind: ColumnKind) -> ColumnProfile:
    missing = int(column.isna().sum())
    values = column.dropna()
    profile = ColumnProfile(
        name=str(column.name),
        kind=str(kind),
        dtype=str(column.dtype),
        missing=missing,
        missing_share=missing / len(column) if len(column) else 0.0,
        unique=int(values.nunique()),
    )
    if values.empty:
        return profile
    if kind == ColumnKind.DATETIME and not pd.api.types.is_datetime64_any_dtype(values):
        # A kind set on text; value-by-value parsing is slow, so a long column is judged on a sample.
        sample = values.sample(_DATE_PARSE_SAMPLE, random_state=0) if len(values) > _DATE_PARSE_SAMPLE else values
        dates = parse_dates(sample.astype(str)).dropna()
        values = dates if len(dates) else values
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        numbers = values.astype(float)
        finite = numbers[np.isfinite(numbers)]
        profile.minimum, profile.maximum = _finite(numbers.min()), _finite(numbers.max())
        with np.errstate(over="ignore", invalid="ignore"):  # sums of values near 1e308 overflow
            profile.mean, profile.std = _finite(numbers.mean()), _finite(numbers.std())
        if kind == ColumnKind.NUMERIC and len(finite):
            profile.distribution = histogram_counts(finite.to_numpy())
    elif pd.api.types.is_datetime64_any_dtype(values):
        profile.minimum, profile.maximum = str(values.min()), str(values.max())
        # A time histogram: equal spans of time, however many distinct days or years there are.
        profile.distribution = histogram_counts(values.astype("int64").to_numpy())
    if kind in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN, ColumnKind.CONSTANT, ColumnKind.TEXT,
                ColumnKind.IDENTIFIER) or not profile.distribution:
        counts = values.astype(str).value_counts().head(10)
        profile.top_values = [(str(label), int(count)) for label, count in counts.items()]
        if not profile.distribution:
            profile.distribution = counts.tolist()
    return profile


def histogram_counts(numbers: np.ndarray, bins: int = _HISTOGRAM_BINS) -> list[int]:
    """Counts of equal-width bins over finite numbers, even when the range overflows a float.

    Values near +-1e308 make ``max - min`` infinite and numpy refuses the bins; scaling every value
    by the largest magnitude keeps the same bins relative to the data (tiny values merge into one).
    """
    numbers = np.asarray(numbers, dtype=float)
    scale = float(np.max(np.abs(numbers))) if len(numbers) else 0.0
    if scale > 1e300:
        numbers = numbers / scale
    return np.histogram(numbers, bins=bins)[0].tolist()


def _count_duplicate_rows(frame: pd.DataFrame, numeric: list[str]) -> int:
    """Rows that copy another; on a wide table, only when the numeric part already has copies."""
    if numeric and not _has_duplicate_rows(frame[numeric].to_numpy(dtype=float, na_value=np.nan)):
        return 0
    return int(frame.duplicated().sum())


def _has_duplicate_rows(values: np.ndarray) -> bool:
    # One bit pattern for nan, and -0.0 as 0.0, so equal rows compare equal byte for byte.
    rows = np.ascontiguousarray(np.where(np.isnan(values), np.nan, values + 0.0))
    return len(np.unique(rows.view(np.dtype((np.void, rows.dtype.itemsize * rows.shape[1]))))) < len(rows)


def _memory_bytes(frame: pd.DataFrame, numeric: list[str]) -> int:
    """In-memory size; numeric columns of a wide table are counted from their dtypes (no per-column call)."""
    if not numeric:
        return int(frame.memory_usage(deep=True).sum())
    numeric_set = set(numeric)
    rest = [name for name in frame.columns if name not in numeric_set]
    dtypes = frame.dtypes
    numbers = int(sum(dtype.itemsize for name, dtype in dtypes.items() if name in numeric_set)) * len(frame)
    rest_bytes = frame[rest].memory_usage(deep=True, index=False).sum() if rest else 0
    return int(numbers + rest_bytes + frame.index.memory_usage(deep=True))


def _profile_from_block(name: str, dtype: str, stats: NumericStats, rows: int) -> ColumnProfile:
    """A numeric column's profile from the block statistics (same fields as ``_profile_column``)."""
    return ColumnProfile(
        name=name, kind=str(stats.kind), dtype=dtype, missing=stats.missing,
        missing_share=stats.missing / rows if rows else 0.0, unique=stats.unique,
        minimum=stats.minimum, maximum=stats.maximum, mean=stats.mean, std=stats.std,
        distribution=stats.distribution,
    )


def _column_warnings(
    frame: pd.DataFrame, columns: list[ColumnProfile], skews: dict[str, float | None] | None = None
) -> list[DataWarning]:
    """Warnings about single columns; ``skews`` holds skewness already computed for wide tables."""
    skews = skews or {}
    text_columns = {str(name) for name, dtype in frame.dtypes.items()
                    if pd.api.types.is_string_dtype(dtype) or pd.api.types.is_object_dtype(dtype)}
    warnings: list[DataWarning] = []
    for column in columns:
        name = column.name
        if column.kind == ColumnKind.CONSTANT:
            warnings.append(DataWarning(
                "constant", name,
                f"'{name}' has a single value (or none) in every row; it carries no information.",
                "info",
            ))
        if column.kind == ColumnKind.IDENTIFIER:
            warnings.append(DataWarning(
                "identifier", name,
                f"'{name}' is different in (almost) every row, like an ID; a model would memorise it.",
                "info",
            ))
        if column.missing_share > HIGH_MISSING_SHARE:
            warnings.append(DataWarning(
                "high_missing", name,
                f"'{name}' is {column.missing_share:.0%} missing; consider dropping it or "
                "adding a missing-value indicator.",
            ))
        if column.kind == ColumnKind.CATEGORICAL and column.unique > HIGH_CARDINALITY:
            warnings.append(DataWarning(
                "high_cardinality", name,
                f"'{name}' has {column.unique} distinct labels; one-hot encoding would add that "
                "many columns. Group rare labels or use target encoding.",
            ))
        mixed = _mixed_type_share(frame[name]) if name in text_columns else None
        if mixed is not None:
            warnings.append(DataWarning(
                "mixed_types", name,
                f"'{name}' is mostly numbers ({mixed:.0%}) but also holds text such as "
                f"{_non_numeric_examples(frame[name])}; fix those cells or convert the column to numbers.",
            ))
        # Few distinct values (a year, a count of children) are lumpy, not skewed in a way a log fixes.
        skew = None
        if column.kind == ColumnKind.NUMERIC and column.unique > 10:
            skew = skews[name] if name in skews else _skewness(frame[name])
        if skew is not None and abs(skew) > SKEW_THRESHOLD:
            warnings.append(DataWarning(
                "skewed", name,
                f"'{name}' is strongly skewed (skewness {skew:.1f}); a log transform may help "
                "linear models.",
                "info",
            ))
    return warnings


def target_warnings(
    frame: pd.DataFrame, target: str, task: str, kinds: dict[str, ColumnKind], limits: list[str] | None = None
) -> list[DataWarning]:
    """Class imbalance and features that give the target away (``limits`` collects where a check was cut)."""
    warnings: list[DataWarning] = []
    labels = frame[target].dropna()
    if task == "classification" and labels.nunique() >= 2:
        shares = labels.value_counts(normalize=True)
        if shares.iloc[-1] < IMBALANCE_FAIR_SHARE_FRACTION / len(shares):
            warnings.append(DataWarning(
                "imbalance", target,
                f"Class '{shares.index[-1]}' is only {shares.iloc[-1]:.1%} of '{target}'. Accuracy "
                "will flatter a model that ignores it: use a stratified split, balanced accuracy "
                "or F1, and class weights.",
                "critical" if shares.iloc[-1] < 0.05 else "warning",
            ))
    for name, score in find_leakage_suspects(frame, target, task, kinds, limits).items():
        warnings.append(DataWarning(
            "leakage", name,
            f"'{name}' alone predicts '{target}' almost perfectly (score {score:.2f}). It may be "
            "a copy of the target or only known after the fact; drop it unless you are sure.",
            "critical",
        ))
    return warnings


def _mixed_type_share(column: pd.Series) -> float | None:
    """Share of numeric-looking values in a text column, when it is mostly but not all numbers."""
    if not (pd.api.types.is_string_dtype(column) or column.dtype == object):
        return None
    values = column.dropna().head(_STATS_SAMPLE).astype(str)
    if values.empty:
        return None
    numeric = pd.to_numeric(values.str.replace(",", ".", regex=False), errors="coerce").notna()
    share = float(numeric.mean())
    return share if 0.5 <= share < 1.0 else None


def _non_numeric_examples(column: pd.Series) -> str:
    values = column.dropna().astype(str)
    odd = values[pd.to_numeric(values.str.replace(",", ".", regex=False), errors="coerce").isna()]
    return ", ".join(f"'{value}'" for value in odd.unique()[:3])


def _skewness(column: pd.Series) -> float | None:
    values = column.dropna()
    if len(values) < 10:
        return None
    values = pd.to_numeric(values.head(_STATS_SAMPLE), errors="coerce").astype(float)
    values = values[np.isfinite(values)]
    if len(values) < 10:
        return None
    skew = values.skew()
    return float(skew) if pd.notna(skew) else None


def _finite(value: Any) -> float | None:
    number = float(value)
    return number if np.isfinite(number) else None


def _display(value: Any) -> str:
    """Text for the profile table: an empty cell where a statistic does not apply, never 'None'."""
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
