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


def correlation_matrix(frame: pd.DataFrame, kinds: dict[str, str], method: str = "pearson") -> pd.DataFrame:
    """Pairwise correlation of numeric and boolean columns (booleans as 0/1)."""
    names = columns_of_kind(kinds, ColumnKind.NUMERIC, ColumnKind.BOOLEAN)
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


def missing_matrix(frame: pd.DataFrame, max_rows: int = MISSING_MAP_ROWS) -> PlotSample:
    """Rows x columns of 1 where a value is missing, on evenly spaced rows, keeping row order."""
    step = max(1, int(np.ceil(len(frame) / max_rows)))
    return PlotSample(frame.iloc[::step].isna().astype(int), len(frame))


def feature_target_association(
    frame: pd.DataFrame, target: str, kinds: dict[str, str], task: str
) -> pd.Series:
    """Mutual information of each usable feature with the target, highest first.

    Mutual information catches non-linear and categorical relations that a correlation misses.
    """
    from sklearn.feature_selection import mutual_info_classif, mutual_info_regression

    usable = [
        name for name, kind in kinds.items()
        if name != target and kind in {"numeric", "boolean", "categorical", "datetime"}
    ]
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
    matrix = pd.DataFrame({name: _as_code(data[name], kinds[name]) for name in usable})
    discrete = [kinds[name] != "numeric" for name in usable]
    if task == "classification":
        scores = mutual_info_classif(matrix, data[target].astype(str), discrete_features=discrete,
                                     random_state=0)
    else:
        scores = mutual_info_regression(matrix, pd.to_numeric(data[target], errors="coerce").fillna(0),
                                        discrete_features=discrete, random_state=0)
    return pd.Series(scores, index=usable).sort_values(ascending=False)


def _as_number(column: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(column) or not pd.api.types.is_numeric_dtype(column):
        codes, _ = pd.factorize(column, sort=True)
        return pd.Series(np.where(codes < 0, np.nan, codes), index=column.index, dtype=float)
    return column.astype(float)


def _as_code(column: pd.Series, kind: str) -> np.ndarray:
    """Numbers for mutual information: medians for gaps, codes for labels and dates."""
    if kind == "numeric":
        numbers = pd.to_numeric(column, errors="coerce").astype(float).replace([np.inf, -np.inf], np.nan)
        return numbers.fillna(numbers.median() if numbers.notna().any() else 0).to_numpy()
    if kind == "datetime":
        return pd.factorize(pd.to_datetime(column, errors="coerce").dt.year, sort=True)[0]
    return pd.factorize(column.astype(str), sort=True)[0]
