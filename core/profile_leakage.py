"""The target-leakage probe, split out of ``core.profile``: which features alone predict the target."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.profile_numeric import numeric_columns
from core.schema import ColumnKind

LEAKAGE_SCORE = 0.98
LEAKAGE_MAX_FEATURES = 100  # a wide table's leakage probe keeps the features ranked closest to the target
_NOT_PROBED = (ColumnKind.IDENTIFIER, ColumnKind.CONSTANT, ColumnKind.TEXT)
_LEAKAGE_SAMPLE = 5_000


def find_leakage_suspects(
    frame: pd.DataFrame, target: str, task: str, kinds: dict[str, ColumnKind], limits: list[str] | None = None
) -> dict[str, float]:
    """Features that on their own score at least ``LEAKAGE_SCORE`` in 3-fold cross-validation.

    On a wide table only some features are probed; ``limits``, when given, receives a sentence saying so.
    """
    from sklearn.model_selection import cross_val_score
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

    data = frame[frame[target].notna()]
    if len(data) < 30:
        return {}
    data = data.sample(min(len(data), _LEAKAGE_SAMPLE), random_state=0)
    y = data[target]
    if task == "classification":
        y = y.astype(str)
        if y.value_counts().min() < 3:
            return {}
        model, scoring = DecisionTreeClassifier(max_depth=6, random_state=0), "balanced_accuracy"
    else:
        y = pd.to_numeric(y, errors="coerce").astype(float)
        finite = np.isfinite(y).to_numpy()
        data, y = data[finite], y[finite]
        if len(data) < 30:
            return {}
        model, scoring = DecisionTreeRegressor(max_depth=6, random_state=0), "r2"
    suspects: dict[str, float] = {}
    candidates = [name for name in data.columns if name != target and kinds.get(str(name)) not in _NOT_PROBED]
    probed = leakage_candidates(data, candidates, y, task)
    if len(probed) < len(candidates) and limits is not None:
        limits.append(f"The leakage check probed the {len(probed)} of {len(candidates):,} features whose ranks "
                      "follow the target most closely (each probe trains a small tree).")
    for name in probed:
        feature = _single_feature_matrix(data[name])
        if feature is None:
            continue
        score = float(np.mean(cross_val_score(model, feature, y, cv=3, scoring=scoring)))
        if score >= LEAKAGE_SCORE:
            suspects[str(name)] = score
    return suspects


def leakage_candidates(
    data: pd.DataFrame, names: list, y: pd.Series, task: str, limit: int = LEAKAGE_MAX_FEATURES
) -> list:
    """The features worth a cross-validated leakage probe: all of them, or on a wide table the
    ``limit`` whose ranks follow the target most closely (a probe costs ~10 ms each), in table order."""
    if len(names) <= limit:
        return names
    from scipy.stats import rankdata

    numeric = set(numeric_columns(data[names]))
    codes = pd.concat([data[[name for name in names if name in numeric]],
                       data[[name for name in names if name not in numeric]].apply(_single_feature_codes)], axis=1)
    values = codes[names].to_numpy(dtype=float, na_value=np.nan, copy=True)
    values[~np.isfinite(values)] = np.nan
    ranks = np.nan_to_num(rankdata(values, axis=0, nan_policy="omit"))
    ranks -= ranks.mean(axis=0)
    total = (ranks ** 2).sum(axis=0)
    if task == "classification":
        groups = pd.get_dummies(y.astype(str)).to_numpy(dtype=float)
        sums = groups.T @ ranks  # classes x features
        between = ((sums ** 2) / groups.sum(axis=0)[:, None]).sum(axis=0)  # share of rank variance per class
    else:
        target_ranks = y.rank().to_numpy(dtype=float, copy=True)  # pandas may hand out a read-only view
        target_ranks -= target_ranks.mean()
        between = (target_ranks @ ranks) ** 2 / max(float(target_ranks @ target_ranks), 1e-12)
    with np.errstate(invalid="ignore", divide="ignore"):
        strength = np.nan_to_num(between / total)
    keep = set(np.argsort(-strength, kind="stable")[:limit].tolist())
    return [name for position, name in enumerate(names) if position in keep]


def _single_feature_codes(column: pd.Series) -> pd.Series:
    matrix = _single_feature_matrix(column)
    return pd.Series(np.nan if matrix is None else matrix[:, 0], index=column.index)


def _single_feature_matrix(column: pd.Series) -> np.ndarray | None:
    """Codes a tree can split on; categories ordered by label (fine for a leakage probe)."""
    if pd.api.types.is_datetime64_any_dtype(column):
        numbers = column.astype("int64").where(column.notna(), np.nan).astype(float)
    elif pd.api.types.is_numeric_dtype(column):
        numbers = column.astype(float)
    else:
        if column.nunique() > 200:
            return None
        numbers = pd.Series(pd.factorize(column.astype(str))[0], index=column.index).astype(float)
        numbers[column.isna()] = np.nan
    numbers = numbers.replace([np.inf, -np.inf], np.nan)
    if numbers.abs().max() > 1e30:
        # Trees work in float32 and refuse a value such as 1e300 (a plain float64 to pandas); ranks
        # keep the order of the values, which is all a split needs.
        numbers = numbers.rank(method="dense")
    return numbers.fillna(-1e12).to_numpy().reshape(-1, 1)
