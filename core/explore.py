"""Numbers behind the Explore page's plots: samples, correlations, missingness, target relations.

Plots of large tables use a seeded sample so they stay fast in the browser; every function says
how many rows it used so the page can tell the user.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.schema import ColumnKind

PLOT_SAMPLE_ROWS = 10_000
MISSING_MAP_ROWS = 400
HEATMAP_MAX_COLUMNS = 40
# Views of wide tables: beyond these the computation or the figure grows too large for a page.
CORRELATION_MAX_COLUMNS = 500  # a 500 x 500 matrix; 20,000 columns would make 400 million cells
MISSING_MAP_MAX_COLUMNS = 60  # one 22-pixel row per column in the figure
ASSOCIATION_MAX_FEATURES = 300  # mutual information costs a k-nearest-neighbour search per feature
_ASSOCIATION_SAMPLE = 5_000


@dataclass
class PlotSample:
    frame: pd.DataFrame
    total_rows: int

    @property
    def is_sampled(self) -> bool:
        return len(self.frame) < self.total_rows

    def caption(self) -> str:
        if not self.is_sampled:
            return f"All {self.total_rows:,} rows shown."
        return (f"Showing a random sample of {len(self.frame):,} of {self.total_rows:,} rows "
                "to keep the plot fast.")


def sample_for_plot(frame: pd.DataFrame, max_rows: int = PLOT_SAMPLE_ROWS, seed: int = 0) -> PlotSample:
    """At most ``max_rows`` rows, drawn with a fixed seed so the picture does not jump."""
    if len(frame) <= max_rows:
        return PlotSample(frame, len(frame))
    return PlotSample(frame.sample(max_rows, random_state=seed).sort_index(), len(frame))


def columns_of_kind(kinds: dict[str, str], *wanted: ColumnKind) -> list[str]:
    return [name for name, kind in kinds.items() if kind in {str(w) for w in wanted}]


def correlated_columns(kinds: dict[str, str]) -> list[str]:
    """Numeric and boolean columns, the ones a correlation matrix covers."""
    return columns_of_kind(kinds, ColumnKind.NUMERIC, ColumnKind.BOOLEAN)


def correlation_matrix(
    frame: pd.DataFrame, kinds: dict[str, str], method: str = "pearson", max_columns: int = CORRELATION_MAX_COLUMNS
) -> pd.DataFrame:
    """Pairwise correlation of numeric and boolean columns (booleans as 0/1), the first ``max_columns``
    in table order (the page says so when a table has more)."""
    names = correlated_columns(kinds)[:max_columns]
    numbers = pd.DataFrame({name: _as_number(frame[name]) for name in names})
    numbers = numbers.loc[:, numbers.nunique() > 1]
    return numbers.corr(method=method)


def strongest_columns(correlations: pd.DataFrame, max_columns: int = HEATMAP_MAX_COLUMNS) -> pd.DataFrame:
    """The correlation matrix cut to the columns most correlated with another one.

    A heatmap of hundreds of columns is unreadable and heavy for the browser (1,500 columns make a
    27 MB figure), so wide tables show the columns whose strongest relation is strongest, in table order.
    """
    if len(correlations) <= max_columns:
        return correlations
    strength = correlations.abs().where(~np.eye(len(correlations), dtype=bool)).max()
    keep = set(strength.sort_values(ascending=False, kind="stable").index[:max_columns])
    chosen = [name for name in correlations.index if name in keep]
    return correlations.loc[chosen, chosen]


def strongest_pairs(correlations: pd.DataFrame, top: int = 15) -> pd.DataFrame:
    """The most correlated pairs of different columns, strongest first (each pair once)."""
    upper = correlations.where(np.triu(np.ones(correlations.shape, dtype=bool), k=1))
    pairs = upper.stack().rename("correlation").rename_axis(["column", "other column"]).reset_index()
    order = pairs["correlation"].abs().sort_values(ascending=False, kind="stable").index
    return pairs.loc[order].head(top).reset_index(drop=True)


def missing_matrix(
    frame: pd.DataFrame, max_rows: int = MISSING_MAP_ROWS, max_columns: int = MISSING_MAP_MAX_COLUMNS
) -> PlotSample:
    """Rows x columns of 1 where a value is missing, on evenly spaced rows, keeping row order.

    A wide table keeps the ``max_columns`` columns with the most missing values, in table order.
    """
    step = max(1, int(np.ceil(len(frame) / max_rows)))
    missing = frame.iloc[::step].isna()
    if missing.shape[1] > max_columns:
        counts = pd.Series(missing.to_numpy().sum(axis=0), index=range(missing.shape[1]))
        keep = sorted(counts.sort_values(ascending=False, kind="stable").index[:max_columns])
        missing = missing.iloc[:, keep]
    return PlotSample(missing.astype(int), len(frame))


def feature_target_association(
    frame: pd.DataFrame, target: str, kinds: dict[str, str], task: str,
    max_features: int = ASSOCIATION_MAX_FEATURES,
) -> pd.Series:
    """Mutual information of each usable feature with the target, highest first.

    Mutual information catches non-linear and categorical relations that a correlation misses. On a
    wide table only the ``max_features`` whose ranks follow the target most closely are scored.
    """
    from sklearn.feature_selection import mutual_info_classif, mutual_info_regression

    usable = association_features(kinds, target)
    data = frame[frame[target].notna()]
    if task == "classification":
        counts = data[target].astype(str).value_counts()
        data = data[data[target].astype(str).isin(counts[counts >= 2].index)]
    else:
        numbers = pd.to_numeric(data[target], errors="coerce")
        data = data[np.isfinite(numbers.astype(float)).fillna(False).to_numpy()]
    data = data.sample(min(len(data), _ASSOCIATION_SAMPLE), random_state=0)
    if not usable or len(data) < 10 or (task == "classification" and data[target].nunique() < 2):
        return pd.Series(dtype=float)
    if len(usable) > max_features:
        from core.profile import leakage_candidates

        target_values = data[target].astype(str) if task == "classification" else pd.to_numeric(data[target])
        usable = leakage_candidates(data, usable, target_values, task, limit=max_features)
    matrix = pd.DataFrame({name: _as_code(data[name], kinds[name]) for name in usable})
    discrete = [kinds[name] != "numeric" for name in usable]
    if task == "classification":
        scores = mutual_info_classif(matrix, data[target].astype(str), discrete_features=discrete,
                                     random_state=0)
    else:
        target_numbers = pd.to_numeric(data[target], errors="coerce").astype(float)
        scores = mutual_info_regression(matrix, _within_float_range(target_numbers.fillna(0)),
                                        discrete_features=discrete, random_state=0)
    return pd.Series(scores, index=usable).sort_values(ascending=False)


def association_features(kinds: dict[str, str], target: str) -> list[str]:
    """The features the target view can score: every column but text, keys and constants."""
    return [name for name, kind in kinds.items()
            if name != target and kind in {"numeric", "boolean", "categorical", "datetime"}]


def _as_number(column: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(column) or not pd.api.types.is_numeric_dtype(column):
        codes, _ = pd.factorize(column, sort=True)
        return pd.Series(np.where(codes < 0, np.nan, codes), index=column.index, dtype=float)
    return column.astype(float)


def _within_float_range(numbers: pd.Series) -> pd.Series:
    """Ranks in place of values near +-1e308, whose scaling overflows to nan in scikit-learn.

    Mutual information depends only on the order of the values, which ranks keep.
    """
    if numbers.abs().max() > 1e30:
        return numbers.rank(method="average")
    return numbers


def _as_code(column: pd.Series, kind: str) -> np.ndarray:
    """Numbers for mutual information: medians for gaps, codes for labels and dates."""
    if kind == "numeric":
        numbers = pd.to_numeric(column, errors="coerce").astype(float).replace([np.inf, -np.inf], np.nan)
        return _within_float_range(numbers.fillna(numbers.median() if numbers.notna().any() else 0)).to_numpy()
    if kind == "datetime":
        return pd.factorize(pd.to_datetime(column, errors="coerce").dt.year, sort=True)[0]
    return pd.factorize(column.astype(str), sort=True)[0]
