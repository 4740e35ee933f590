"""The shape of a table in two dimensions: PCA (variance per component, loadings, a biplot) and t-SNE.

Both work on the same encoded, scaled features as the anomaly detectors (``core.anomaly_features``).
t-SNE costs far more than linear time, so above ``TSNE_MAX_ROWS`` it runs on a seeded sample and says
so. UMAP is left out: ``umap-learn`` pulls numba and llvmlite, a heavy install for one view.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from core.anomaly_features import build_feature_matrix
from core.errors import DataError
from core.preprocess import ColumnEncoding

TSNE_MAX_ROWS = 2_000  # 50 s with 500 iterations on two cores at load average 10 (measured)
MAX_COMPONENTS = 10
BIPLOT_ARROWS = 8  # the features with the longest loading arrows; more would hide the points


@dataclass
class PcaResult:
    """Explained variance per component, loadings (feature x component) and each row's coordinates."""

    explained_variance_ratio: np.ndarray
    loadings: pd.DataFrame
    coordinates: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    def scree(self) -> pd.DataFrame:
        ratio = self.explained_variance_ratio
        return pd.DataFrame({"component": [f"PC{i + 1}" for i in range(len(ratio))],
                             "explained_variance": ratio, "cumulative": np.cumsum(ratio)})

    def biplot_arrows(self, count: int = BIPLOT_ARROWS) -> pd.DataFrame:
        """The ``count`` features with the longest (PC1, PC2) loading, scaled to the points' spread."""
        two = self.loadings[["PC1", "PC2"]] if "PC2" in self.loadings else self.loadings[["PC1"]].assign(PC2=0.0)
        length = np.hypot(two["PC1"], two["PC2"])
        chosen = two.loc[length.sort_values(ascending=False).index[:count]]
        spread = float(np.abs(self.coordinates[["PC1", "PC2"]].to_numpy()).max()) if "PC2" in self.coordinates else 1.0
        scale = spread / max(float(length.max()), 1e-12)
        return pd.DataFrame({"feature": chosen.index, "x": chosen["PC1"] * scale, "y": chosen["PC2"] * scale})

    def to_dict(self) -> dict[str, Any]:
        return {"explained_variance_ratio": [float(v) for v in self.explained_variance_ratio],
                "notes": self.notes}


@dataclass
class TsneResult:
    """Two t-SNE coordinates for each row used (``rows``: positions in the table, file order)."""

    coordinates: pd.DataFrame
    rows: np.ndarray
    notes: list[str] = field(default_factory=list)


def pca_projection(frame: pd.DataFrame, columns: list[str] | None = None,
                   encodings: list[ColumnEncoding] | None = None, n_components: int = MAX_COMPONENTS,
                   seed: int = 0) -> PcaResult:
    """PCA on the encoded features; the ratios of all kept components sum to 1 when none is dropped."""
    from sklearn.decomposition import PCA

    features = build_feature_matrix(frame, columns, encodings, seed)
    values = features.values
    limit = min(values.shape)
    keep = max(1, min(n_components, limit))
    notes = []
    if keep < limit:
        notes.append(f"The first {keep} of {limit} components are shown.")
    full = PCA(n_components=limit, random_state=seed).fit(values)
    ratio = full.explained_variance_ratio_
    names = [f"PC{i + 1}" for i in range(limit)]
    loadings = pd.DataFrame(full.components_.T, index=features.names, columns=names)
    coordinates = pd.DataFrame(full.transform(values)[:, :max(keep, min(2, limit))],
                               columns=names[:max(keep, min(2, limit))], index=frame.index)
    return PcaResult(ratio[:keep], loadings.iloc[:, :keep], coordinates, notes)


def tsne_projection(frame: pd.DataFrame, columns: list[str] | None = None,
                    encodings: list[ColumnEncoding] | None = None, perplexity: float = 30.0,
                    seed: int = 0, max_rows: int = TSNE_MAX_ROWS) -> TsneResult:
    """t-SNE of the encoded features, on a seeded sample of ``max_rows`` rows of a larger table."""
    from sklearn.manifold import TSNE

    notes = []
    rows = np.arange(len(frame))
    if len(frame) > max_rows:
        rows = np.sort(np.random.default_rng(seed).choice(len(frame), size=max_rows, replace=False))
        notes.append(f"t-SNE ran on a random sample of {max_rows:,} of the {len(frame):,} rows (seed {seed}): "
                     "its time grows faster than the number of rows.")
    sample = frame.iloc[rows]
    features = build_feature_matrix(sample, columns, encodings, seed)
    if not 1 <= perplexity:
        raise DataError(f"Perplexity must be at least 1, not {perplexity:g}.")
    # t-SNE needs perplexity < rows; a small table gets the largest perplexity it can take.
    used_perplexity = min(perplexity, max(1.0, (len(sample) - 1) / 3))
    if used_perplexity < perplexity:
        notes.append(f"Perplexity lowered to {used_perplexity:.0f} for a table of {len(sample)} rows.")
    values = features.values
    if values.shape[1] > 50:  # the usual practice: PCA to 50 dimensions first, for speed and less noise
        from sklearn.decomposition import PCA

        values = PCA(n_components=50, random_state=seed).fit_transform(values)
    embedded = TSNE(n_components=2, perplexity=used_perplexity, random_state=seed, init="pca", max_iter=500,
                    n_jobs=-1).fit_transform(values)
    coordinates = pd.DataFrame(embedded, columns=["tSNE1", "tSNE2"], index=sample.index)
    return TsneResult(coordinates, rows, notes)
