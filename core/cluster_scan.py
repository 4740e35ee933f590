"""Choosing k: a scan over k with elbow, silhouette, Calinski-Harabasz, Davies-Bouldin (and BIC for
Gaussian mixtures), the suggested k with its reason, and the k-distance curve for DBSCAN's eps.

The scan is a job on ``core.engine`` (progress, cancel, time budget): one task per k. On tables above
``SCAN_SAMPLE_ROWS`` rows every k is fitted on the same seeded sample of rows, which keeps the shape
of every curve and the suggestion while bounding the time; the result says so.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from core.cluster import SILHOUETTE_SAMPLE, check_k
from core.cluster_features import ClusterFeatures, prepare_features
from core.cluster_models import SAMPLE_ROWS, get_cluster_model, k_parameter
from core.engine import Cancelled, RunContext, run_tasks, running_job
from core.errors import DataError
from core.preprocess import ColumnEncoding

SCAN_SAMPLE_ROWS = 10_000  # rows each k is fitted on in a scan of a larger table
KDISTANCE_SAMPLE_ROWS = 10_000
NO_STRUCTURE_SILHOUETTE = 0.25  # below this at every k the groups are hardly separated (Kaufman & Rousseeuw)
WEAK_SILHOUETTE = 0.5  # below this the structure is weak


@dataclass
class KScan:
    """One row per k tried, the suggested k and why, and how the rows were used."""

    algorithm: str
    rows: list[dict[str, Any]]
    suggested_k: int | None
    reason: str
    notes: list[str] = field(default_factory=list)

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows)


@dataclass
class KDistance:
    """Each row's distance to its ``min_samples``-th neighbour, sorted: eps sits at the bend."""

    distances: np.ndarray
    min_samples: int
    suggested_eps: float
    reason: str


def scan_k(frame: pd.DataFrame | None = None, algorithm: str = "kmeans", k_max: int = 10, k_min: int = 2,
           seed: int = 0, columns: list[str] | None = None, encodings: list[ColumnEncoding] | None = None,
           recipe: list[Any] | None = None, scale: bool = True, context: RunContext | None = None,
           features: ClusterFeatures | None = None, params: dict[str, Any] | None = None) -> KScan:
    """Fit ``algorithm`` for every k in ``k_min..k_max`` and suggest one; ``Cancelled`` on a cancel."""
    spec = get_cluster_model(algorithm)
    k_name = k_parameter(spec)
    if k_name is None:
        raise DataError(f"{algorithm} finds the number of clusters itself; a k scan needs an algorithm that "
                        "takes k (k-means, mini-batch k-means, agglomerative, Gaussian mixture, BIRCH, spectral).")
    if not 2 <= k_min < k_max <= 50:
        raise DataError(f"The k range {k_min}..{k_max} is not valid: use 2 <= from < to <= 50.")
    features = features or prepare_features(frame, columns, encodings, recipe, seed, scale)
    matrix, notes = features.matrix, list(features.notes)
    limit = min(SCAN_SAMPLE_ROWS, SAMPLE_ROWS.get(spec.name, SCAN_SAMPLE_ROWS))
    if len(matrix) > limit:
        chosen = np.sort(np.random.default_rng(seed).choice(len(matrix), limit, replace=False))
        matrix = matrix[chosen]
        notes.append(f"To stay fast, every k was fitted on the same random {limit:,} of the "
                     f"{len(features.matrix):,} rows; the curves keep their shape on such a sample.")
    k_max = min(k_max, len(matrix) - 1)
    check_k(k_min, matrix)
    base = {**(params or {})}
    base.pop(k_name, None)
    values = spec.resolve_params(base)
    tasks = [(k, _fit_one_k, spec.name, {**values, k_name: k}, matrix, seed) for k in range(k_min, k_max + 1)]
    context = context or RunContext(n_jobs=1)
    rows: list[dict[str, Any]] = []
    with running_job(context) as job:
        job.report(0.0, f"Fitting k = {k_min}..{k_max}")
        for k, row in run_tasks(tasks, job, deadline=job.deadline):
            rows.append(row)
            job.report(len(rows) / len(tasks), f"k = {k} done ({len(rows)} of {len(tasks)})")
    if context.cancelled():
        raise Cancelled("The k scan was cancelled; nothing was changed.")
    if len(rows) < len(tasks):
        notes.append(f"The time budget ran out after {len(rows)} of {len(tasks)} values of k.")
    rows.sort(key=lambda row: row["k"])
    suggested, reason = suggest_k(rows)
    return KScan(spec.name, rows, suggested, reason, notes)


def _fit_one_k(name: str, values: dict[str, Any], matrix: np.ndarray, seed: int) -> dict[str, Any]:
    """One k: its labels' inertia and quality scores (a task for ``run_tasks``; plain data back)."""
    from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score

    started = time.perf_counter()
    estimator = get_cluster_model(name).build(values, seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        labels = np.asarray(estimator.fit_predict(matrix))
    k = values.get("n_clusters", values.get("n_components"))
    row: dict[str, Any] = {"k": int(k), "inertia": _inertia(matrix, labels), "silhouette": None,
                           "calinski_harabasz": None, "davies_bouldin": None}
    if len(np.unique(labels)) > 1:
        row["silhouette"] = float(silhouette_score(matrix, labels, sample_size=min(SILHOUETTE_SAMPLE, len(matrix)),
                                                   random_state=seed))
        row["calinski_harabasz"] = float(calinski_harabasz_score(matrix, labels))
        row["davies_bouldin"] = float(davies_bouldin_score(matrix, labels))
    if hasattr(estimator, "bic"):
        row["bic"] = float(estimator.bic(matrix))
    row["seconds"] = round(time.perf_counter() - started, 3)
    return row


def _inertia(matrix: np.ndarray, labels: np.ndarray) -> float:
    """Sum of squared distances of rows to their cluster's mean (k-means' own objective)."""
    total = 0.0
    for label in np.unique(labels):
        members = matrix[labels == label]
        total += float(((members - members.mean(axis=0)) ** 2).sum())
    return total


def elbow(values: list[float]) -> int | None:
    """Index of the bend of a falling curve: the point farthest from the line joining its ends."""
    if len(values) < 3:
        return None
    y = np.asarray(values, dtype=float)
    span = y.max() - y.min()
    if span <= 0:
        return None
    x = np.linspace(0, 1, len(y))
    y = (y - y.min()) / span
    line = y[0] + (y[-1] - y[0]) * x
    gaps = np.abs(line - y)
    return int(np.argmax(gaps)) if gaps.max() > 0 else None


def suggest_k(rows: list[dict[str, Any]]) -> tuple[int | None, str]:
    """The k to suggest and its reason in words: lowest BIC for mixtures, else the best silhouette."""
    scored = [row for row in rows if row.get("silhouette") is not None]
    if not scored:
        return None, "No k gave two or more clusters, so none can be suggested."
    bend = elbow([row["inertia"] for row in rows])
    elbow_text = f" The elbow of the inertia curve is at k = {rows[bend]['k']}." if bend is not None else ""
    if all("bic" in row for row in rows):
        best = min(rows, key=lambda row: row["bic"])
        reason = (f"k = {best['k']} has the lowest BIC ({best['bic']:,.0f}): the mixture that explains the "
                  f"rows best without too many clusters.{elbow_text}")
    else:
        best = max(scored, key=lambda row: row["silhouette"])
        reason = (f"k = {best['k']} has the highest silhouette ({best['silhouette']:.2f}): its clusters are the "
                  f"tightest and best separated of those tried.{elbow_text}")
    top = max(row["silhouette"] for row in scored)
    if top < NO_STRUCTURE_SILHOUETTE:
        reason += (f" The silhouette stays below {NO_STRUCTURE_SILHOUETTE} at every k: the rows hardly form "
                   "separate groups, so any segments are arbitrary cuts.")
    elif top < WEAK_SILHOUETTE:
        reason += (f" The silhouette stays below {WEAK_SILHOUETTE} at every k: the groups overlap, so treat the "
                   "segments with care and check their stability.")
    return int(best["k"]), reason


def k_distances(features: ClusterFeatures, min_samples: int = 5, seed: int = 0) -> KDistance:
    """The sorted k-distance curve (on a sample of large tables) and the eps at its bend."""
    from sklearn.neighbors import NearestNeighbors

    matrix = features.matrix
    if min_samples >= len(matrix):
        raise DataError(f"min_samples = {min_samples} needs more rows than the table's {len(matrix):,}. "
                        "Choose a smaller value.")
    if len(matrix) > KDISTANCE_SAMPLE_ROWS:
        matrix = matrix[np.random.default_rng(seed).choice(len(matrix), KDISTANCE_SAMPLE_ROWS, replace=False)]
    distances, _ = NearestNeighbors(n_neighbors=min_samples).fit(matrix).kneighbors(matrix)
    curve = np.sort(distances[:, -1])
    bend = elbow(list(curve[::-1]))
    eps = float(curve[::-1][bend]) if bend is not None else float(np.median(curve))
    reason = (f"eps = {eps:.3g}: the bend of the curve, where distances to the {min_samples}th neighbour start "
              "to climb; rows beyond it are in sparse regions and become noise.")
    return KDistance(curve, min_samples, eps, reason)
