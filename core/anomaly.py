"""Find the unusual rows of a table and say, in words, what makes each one odd.

A detector from the "anomaly" catalogue family learns on the encoded, scaled features
(``core.anomaly_features``); every row gets a score (higher = more anomalous) and the top
``contamination`` share is flagged. The reasons come from robust z-scores of the raw columns
(distance from the median in units of the median absolute deviation), so they read in the
data's own units, and from labels that are rare in the table.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from core.anomaly_features import FeatureMatrix, build_feature_matrix
from core.anomaly_models import FAMILY
from core.errors import DataError
from core.models import get_model
from core.preprocess import ColumnEncoding

TOP_ROWS = 20
REASONS_PER_ROW = 3
RARE_LABEL_SHARE = 0.01  # a label held by fewer rows than this share counts as a reason
MAD_TO_SIGMA = 1.4826  # makes the median absolute deviation comparable to a standard deviation


@dataclass
class AnomalyResult:
    """Scores per row (file order), the flags, and the top rows with their reasons."""

    algorithm: str
    scores: np.ndarray
    flagged: np.ndarray
    top: pd.DataFrame
    params: dict[str, Any]
    features: FeatureMatrix = field(repr=False)
    notes: list[str] = field(default_factory=list)

    @property
    def n_flagged(self) -> int:
        return int(self.flagged.sum())

    def scored_frame(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The input plus ``anomaly_score`` and ``is_anomaly`` (the download and the CLI's SCORED.csv)."""
        scored = frame.copy()
        scored["anomaly_score"] = self.scores
        scored["is_anomaly"] = self.flagged
        return scored

    def to_dict(self) -> dict[str, Any]:
        return {"algorithm": self.algorithm, "n_flagged": self.n_flagged,
                "top": [int(row) for row in self.top["row"]], "params": self.params,
                "reasons": {int(row): reason for row, reason in zip(self.top["row"], self.top["why"], strict=True)},
                "features": self.features.columns, "notes": self.notes}


def detect_anomalies(frame: pd.DataFrame, algorithm: str = "isolation_forest",
                     params: dict[str, Any] | None = None, columns: list[str] | None = None,
                     encodings: list[ColumnEncoding] | None = None, seed: int = 0,
                     top_rows: int = TOP_ROWS) -> AnomalyResult:
    """Score every row of ``frame`` with ``algorithm``; bad input is a ``DataError`` saying what to do."""
    spec = get_model(algorithm, FAMILY)
    resolved = spec.resolve_params(params)
    features = build_feature_matrix(frame, columns, encodings, seed)
    values = features.values
    notes = []
    detector = spec.build(resolved, seed)
    fit_rows = values
    limit = spec.max_default_rows
    if limit is not None and len(values) > limit:
        sample = np.random.default_rng(seed).choice(len(values), size=limit, replace=False)
        fit_rows = values[np.sort(sample)]
        notes.append(f"{spec.label} learnt from a random sample of {limit:,} of the {len(values):,} rows "
                     f"(seed {seed}) and scored every row: on the whole table it would be too slow.")
    if algorithm == "local_outlier_factor" and resolved["n_neighbors"] >= len(fit_rows):
        raise DataError(f"Local outlier factor needs more rows than neighbours ({resolved['n_neighbors']}); "
                        f"the table has {len(fit_rows)}. Lower the number of neighbours.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # a flat cloud is said in words below
            detector.fit(fit_rows)
        if algorithm == "elliptic_envelope" and _is_flat(fit_rows):
            notes.append(f"{spec.label}: some features are linear combinations of others (one-hot labels, "
                         "copies of a column), so the fitted cloud is flat in some directions and its scores "
                         "less reliable. Choose numeric columns only, or use isolation forest.")
    except ValueError as exc:
        raise DataError(f"{spec.label} could not learn from these columns: {exc}. "
                        "Choose other columns or another algorithm.") from None
    from joblib import parallel_config

    # Isolation forest scores its trees in parallel only under a joblib backend set by the caller.
    with parallel_config(backend="threading", n_jobs=-1):
        scores = -np.asarray(detector.score_samples(values), dtype=float)
    # Threads add the trees' depths in any order; rounding off the last bits keeps a seed's run repeatable.
    scores = np.round(scores, 12)
    flagged = _flag_top_share(scores, resolved["contamination"])
    top = explain_top_rows(frame, features, scores, flagged, top_rows)
    return AnomalyResult(algorithm, scores, flagged, top, resolved, features, notes)


def _is_flat(values: np.ndarray) -> bool:
    """True when some features are linear combinations of others (one-hot labels sum to 1)."""
    return values.shape[1] > 1 and np.linalg.matrix_rank(np.cov(values, rowvar=False)) < values.shape[1]


def _flag_top_share(scores: np.ndarray, contamination: float) -> np.ndarray:
    """Flag the ``contamination`` share of rows with the highest scores (at least one)."""
    count = max(1, math.ceil(contamination * len(scores)))
    order = np.argsort(-scores, kind="stable")
    flagged = np.zeros(len(scores), dtype=bool)
    flagged[order[:count]] = True
    return flagged


def explain_top_rows(frame: pd.DataFrame, features: FeatureMatrix, scores: np.ndarray,
                     flagged: np.ndarray, top_rows: int = TOP_ROWS) -> pd.DataFrame:
    """The most anomalous rows, first the highest score, each with the features that make it odd."""
    order = np.argsort(-scores, kind="stable")[:top_rows]
    numeric = [e.column for e in features.encodings if e.role == "numeric"]
    labels = [e.column for e in features.encodings if e.role == "categorical"]
    z_scores = robust_z_scores(frame[numeric]) if numeric else pd.DataFrame(index=frame.index)
    shares = {name: frame[name].astype("string").map(frame[name].astype("string").value_counts(normalize=True))
              for name in labels}
    rows = []
    for position in order:
        reasons: list[tuple[float, str]] = []
        for name in numeric:
            z = z_scores[name].iloc[position]
            if pd.notna(z) and abs(z) >= 2:
                value = frame[name].iloc[position]
                direction = "high" if z > 0 else "low"
                reasons.append((abs(z), f"{name} = {value:g} is unusually {direction} "
                                        f"({abs(z):.1f} robust SDs from the median)"))
        for name in labels:
            share = shares[name].iloc[position]
            if pd.notna(share) and share < RARE_LABEL_SHARE:
                reasons.append((2.0 + (RARE_LABEL_SHARE - share) * 100,
                                f"{name} = {frame[name].iloc[position]} is rare ({share:.2%} of rows)"))
        reasons.sort(key=lambda item: -item[0])
        why = "; ".join(text for _, text in reasons[:REASONS_PER_ROW]) or "an unusual combination of values"
        rows.append({"row": int(position), "anomaly_score": float(scores[position]),
                     "is_anomaly": bool(flagged[position]), "why": why})
    return pd.DataFrame(rows, columns=["row", "anomaly_score", "is_anomaly", "why"])


def robust_z_scores(numbers: pd.DataFrame) -> pd.DataFrame:
    """(value - median) / (1.4826 x MAD) per column; a column with MAD 0 falls back to its standard deviation."""
    values = numbers.apply(pd.to_numeric, errors="coerce").astype(float)
    median = values.median()
    spread = (values - median).abs().median() * MAD_TO_SIGMA
    spread = spread.where(spread > 0, values.std())
    spread = spread.where(spread > 0)
    return (values - median) / spread


def anomaly_code(result: AnomalyResult) -> str:
    """The scikit-learn code of this run: the same encoding, then the detector (user text only inside repr())."""
    from core.preprocess_code import preprocessor_code

    estimator = get_model(result.algorithm, FAMILY).build(result.params, 0)
    preprocessor = result.features.preprocessor
    preprocessor = preprocessor.steps[-1][1] if hasattr(preprocessor, "steps") else preprocessor
    return "\n".join([
        preprocessor_code(preprocessor), "",
        f"from {_public_module(estimator)} import {type(estimator).__name__}", "",
        f"columns = {result.features.columns!r}",
        "frame = pd.read_csv('data.csv')",
        "features = preprocess.fit_transform(frame[columns])",
        f"detector = {estimator!r}.fit(features)",
        "scores = -detector.score_samples(features)  # higher = more anomalous",
        f"is_anomaly = scores >= np.sort(scores)[-{result.n_flagged}]",
    ])


def _public_module(estimator: Any) -> str:
    module = type(estimator).__module__
    return ".".join(part for part in module.split(".") if not part.startswith("_"))


def anomaly_map(result: AnomalyResult, max_points: int = 5_000, seed: int = 0) -> pd.DataFrame:
    """The rows on the first two principal components, every flagged row plus a sample of the rest."""
    from sklearn.decomposition import PCA

    values = result.features.values
    components = min(2, values.shape[1])
    coordinates = PCA(n_components=components, random_state=seed).fit_transform(values)
    if components == 1:
        coordinates = np.column_stack([coordinates[:, 0], np.zeros(len(coordinates))])
    rows = np.flatnonzero(result.flagged)
    others = np.flatnonzero(~result.flagged)
    if len(others) > max_points:
        others = np.random.default_rng(seed).choice(others, size=max_points, replace=False)
    rows = np.sort(np.concatenate([rows, others]))
    return pd.DataFrame({"PC1": coordinates[rows, 0], "PC2": coordinates[rows, 1], "row": rows,
                         "anomaly_score": result.scores[rows],
                         "status": np.where(result.flagged[rows], "anomaly", "usual")})
