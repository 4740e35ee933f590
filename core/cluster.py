"""Cluster a table: labels, sizes, quality metrics, a 2-D projection and silhouettes, with notes.

``cluster_table`` prepares features as the models do (``core.cluster_features``), fits one
algorithm of the "clustering" catalogue family and measures the result. Algorithms whose cost grows
with the square of the rows are fitted on a seeded sample above their ``SAMPLE_ROWS`` limit; the
other rows join the cluster with the nearest centre, and a note says so. Metrics leave noise
(label -1) out; silhouettes are computed on a sample on large tables.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from core.cluster_features import ClusterFeatures, prepare_features
from core.cluster_models import SAMPLE_ROWS, get_cluster_model, k_parameter
from core.engine import RunContext, run_tasks, running_job
from core.errors import DataError
from core.preprocess import ColumnEncoding

SILHOUETTE_SAMPLE = 4_000  # rows the silhouette (mean and per-row) is computed on
PROJECTION_SAMPLE = 5_000  # rows drawn in the projection
TSNE_MAX_ROWS = 1_000  # t-SNE above this is too slow for a page; PCA instead
NOISE = -1


@dataclass
class ClusterResult:
    """Everything one clustering run shows; ``labels`` align with ``rows`` of the input table."""

    algorithm: str
    params: dict[str, Any]
    labels: np.ndarray
    rows: pd.Index
    sizes: dict[int, int]
    metrics: dict[str, float | None]
    projection: pd.DataFrame  # x, y, cluster, row (index label), for a sample of rows
    projection_method: str
    silhouettes: pd.DataFrame  # row, cluster, silhouette for a sample of rows
    notes: list[str] = field(default_factory=list)
    features: ClusterFeatures | None = field(default=None, repr=False)
    model: Any = field(default=None, repr=False)
    sampled: bool = False
    label_map: dict[int, int] = field(default_factory=dict)  # the estimator's own label -> the label shown

    @property
    def n_clusters(self) -> int:
        return len([label for label in self.sizes if label != NOISE])

    def to_dict(self) -> dict[str, Any]:
        """The JSON the command line prints (DESIGN.md's ``cluster`` keys and a few more)."""
        return {"algorithm": self.algorithm, "params": self.params, "n_clusters": self.n_clusters,
                "sizes": {str(label): count for label, count in self.sizes.items()},
                "metrics": self.metrics, "n_noise": self.sizes.get(NOISE, 0),
                "projection_method": self.projection_method, "sampled": self.sampled, "notes": self.notes}

    def labelled(self, frame: pd.DataFrame, column: str = "cluster") -> pd.DataFrame:
        """``frame`` plus a ``cluster`` column (empty for rows the recipe removed)."""
        out = frame.copy()
        name = column
        while name in out.columns:
            name = f"{name}_"
        out[name] = pd.Series(self.labels, index=self.rows).reindex(out.index).astype("Int64")
        return out


def cluster_table(frame: pd.DataFrame, algorithm: str, params: dict[str, Any] | None = None,
                  columns: list[str] | None = None, seed: int = 0,
                  encodings: list[ColumnEncoding] | None = None, recipe: list[Any] | None = None,
                  scale: bool = True, projection: str = "auto",
                  features: ClusterFeatures | None = None, context: RunContext | None = None) -> ClusterResult:
    """Fit ``algorithm`` on the prepared columns of ``frame`` and measure what it found.

    ``projection`` is "auto" (t-SNE up to ``TSNE_MAX_ROWS`` rows, else PCA), "pca" or "tsne".
    ``features`` reuses an earlier preparation (the k-scan and the stability check pass it).
    With a ``context`` the fit runs on the job's worker (``core.engine``): Cancel and the budget stop it.
    """
    spec = get_cluster_model(algorithm)
    values = spec.resolve_params(params)
    features = features or prepare_features(frame, columns, encodings, recipe, seed, scale)
    notes = list(features.notes)
    matrix = features.matrix
    n_rows = len(matrix)
    k_name = k_parameter(spec)
    if k_name is not None:
        check_k(values[k_name], matrix)
    raw, model, sampled = _fit_on_engine(spec.name, values, matrix, seed, context)
    if sampled:
        notes.append(_sample_note(spec.name, len(matrix)))
    labels, label_map = renumber(raw)
    sizes = {int(label): int(count) for label, count in zip(*np.unique(labels, return_counts=True), strict=True)}
    if sizes.get(NOISE):
        notes.append(f"{sizes[NOISE]:,} row(s) fit no cluster and are marked as noise (-1).")
    metrics, silhouettes = measure(matrix, labels, seed, notes)
    points, method = project(matrix, labels, seed, projection, features.rows)
    if method.startswith("PCA") and n_rows > PROJECTION_SAMPLE:
        notes.append(f"The projection shows a random {PROJECTION_SAMPLE:,} of the {n_rows:,} rows.")
    return ClusterResult(spec.name, values, labels, features.rows, sizes, metrics, points, method, silhouettes,
                         notes, features, model, sampled, label_map)


def check_k(k: int, matrix: np.ndarray) -> None:
    """k must be below the number of rows and of distinct rows, else a ``DataError`` with the fix."""
    if k >= len(matrix):
        raise DataError(f"k = {k} clusters needs more than {k} rows; the table has {len(matrix):,}. "
                        "Choose a smaller k.")
    distinct = len(np.unique(matrix[: min(len(matrix), 50_000)], axis=0))
    if distinct < k:
        raise DataError(f"Only {distinct} distinct rows in the chosen columns, fewer than k = {k}. "
                        f"Choose k of at most {distinct} or other columns.")


def fit_labels(name: str, values: dict[str, Any], matrix: np.ndarray, seed: int) -> tuple[np.ndarray, Any, bool]:
    """The estimator's labels for every row, the fitted estimator, and whether it saw only a sample:
    O(n²) algorithms fit a seeded sample on large tables (a task for ``core.engine.run_tasks``)."""
    estimator = get_cluster_model(name).build(values, seed)
    limit = SAMPLE_ROWS.get(name)
    sampled = limit is not None and len(matrix) > limit
    rows = np.sort(np.random.default_rng(seed).choice(len(matrix), limit, replace=False)) if sampled else None
    fitted_on = matrix[rows] if sampled else matrix
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter; the metrics say how good the result is
        try:
            raw = np.asarray(estimator.fit_predict(fitted_on))
        except (ValueError, MemoryError) as exc:
            raise DataError(f"{name} could not cluster this table: {exc}. Try other settings or another "
                            "algorithm.") from None
    if sampled:
        raw = nearest_centre(fitted_on, raw, matrix)
    return raw, estimator, sampled


def _sample_note(name: str, n_rows: int) -> str:
    return (f"{name} grows with the square of the rows: it was fitted on a random {SAMPLE_ROWS[name]:,} of the "
            f"{n_rows:,} rows, and every other row joined the cluster with the nearest centre.")


def _fit_on_engine(name: str, values: dict[str, Any], matrix: np.ndarray, seed: int,
                   context: RunContext | None) -> tuple[np.ndarray, Any, bool]:
    """``fit_labels`` here, or with a context on the job's own worker: a Cancel or the budget then
    stops the fit itself, not only the steps around it."""
    if context is None:
        return fit_labels(name, values, matrix, seed)
    with running_job(context) as job:
        done = dict(run_tasks([(0, fit_labels, name, values, matrix, seed)], job, deadline=job.deadline))
    if 0 not in done:
        context.check_cancel()
        raise DataError(f"{name} did not finish within the time budget. Allow more time, choose a faster "
                        "algorithm (mini-batch k-means, BIRCH) or fewer rows.")
    return done[0]


def nearest_centre(fitted: np.ndarray, labels: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """Each row of ``matrix`` labelled by the closest mean of ``fitted``'s clusters (noise left out)."""
    clusters = [label for label in np.unique(labels) if label != NOISE]
    if not clusters:
        return np.full(len(matrix), NOISE)
    centres = np.vstack([fitted[labels == label].mean(axis=0) for label in clusters])
    from sklearn.metrics import pairwise_distances_argmin

    return np.asarray(clusters)[pairwise_distances_argmin(matrix, centres)]


def renumber(labels: np.ndarray) -> tuple[np.ndarray, dict[int, int]]:
    """Clusters numbered 0, 1, ... from the largest down (so runs read alike), and the old -> new map;
    noise stays -1."""
    kept = [label for label in np.unique(labels) if label != NOISE]
    order = sorted(kept, key=lambda label: (-int((labels == label).sum()), label))
    mapping = {int(old): new for new, old in enumerate(order)}
    return np.array([mapping.get(int(label), NOISE) for label in labels], dtype=int), mapping


def measure(matrix: np.ndarray, labels: np.ndarray, seed: int,
            notes: list[str]) -> tuple[dict[str, float | None], pd.DataFrame]:
    """Silhouette (on a sample), Calinski-Harabasz and Davies-Bouldin over the rows not marked noise."""
    from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_samples

    metrics: dict[str, float | None] = {"silhouette": None, "calinski_harabasz": None, "davies_bouldin": None}
    kept = np.flatnonzero(labels != NOISE)
    empty = pd.DataFrame({"row": [], "cluster": [], "silhouette": []})
    if len(np.unique(labels[kept])) < 2 or len(np.unique(labels[kept])) >= len(kept):
        notes.append("Fewer than two clusters (or one row per cluster) were found, so there is no quality "
                     "score. Change the settings.")
        return metrics, empty
    sample = kept
    if len(kept) > SILHOUETTE_SAMPLE:
        sample = np.sort(np.random.default_rng(seed).choice(kept, SILHOUETTE_SAMPLE, replace=False))
        notes.append(f"The silhouette is measured on a random {SILHOUETTE_SAMPLE:,} of the {len(kept):,} rows.")
    values = silhouette_samples(matrix[sample], labels[sample]) if len(np.unique(labels[sample])) > 1 \
        else np.zeros(len(sample))
    metrics["silhouette"] = float(np.mean(values))
    metrics["calinski_harabasz"] = float(calinski_harabasz_score(matrix[kept], labels[kept]))
    metrics["davies_bouldin"] = float(davies_bouldin_score(matrix[kept], labels[kept]))
    return metrics, pd.DataFrame({"row": sample, "cluster": labels[sample], "silhouette": values})


def project(matrix: np.ndarray, labels: np.ndarray, seed: int, method: str,
            rows: pd.Index) -> tuple[pd.DataFrame, str]:
    """2-D coordinates of a sample of rows: t-SNE for small tables, else the first two principal components."""
    n_rows = len(matrix)
    sample = np.arange(n_rows)
    if n_rows > PROJECTION_SAMPLE:
        sample = np.sort(np.random.default_rng(seed).choice(n_rows, PROJECTION_SAMPLE, replace=False))
    use_tsne = method == "tsne" or (method == "auto" and n_rows <= TSNE_MAX_ROWS)
    data = matrix[sample]
    if data.shape[1] == 1:
        coords, name = np.column_stack([data[:, 0], np.zeros(len(data))]), "the one feature"
    elif use_tsne and len(data) > 5:
        from sklearn.manifold import TSNE

        perplexity = float(min(30, max(2, (len(data) - 1) // 3)))
        coords = TSNE(2, perplexity=perplexity, random_state=seed, init="pca").fit_transform(data)
        name = "t-SNE"
    else:
        from sklearn.decomposition import PCA

        pca = PCA(2, random_state=seed).fit(data)
        coords = pca.transform(data)
        name = f"PCA ({pca.explained_variance_ratio_.sum():.0%} of the variance)"
    return pd.DataFrame({"x": coords[:, 0], "y": coords[:, 1], "cluster": labels[sample].astype(str),
                         "row": np.asarray(rows)[sample]}), name
