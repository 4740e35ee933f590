"""PCA and t-SNE projections: variance adds up, loadings point at the right features, big tables are sampled."""

import numpy as np
import pandas as pd
import pytest

from core.errors import DataError
from core.projection import pca_projection, tsne_projection


def correlated_table(rows: int = 300) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    base = rng.normal(size=rows)
    return pd.DataFrame({"height": base + rng.normal(0, 0.05, rows), "weight": base + rng.normal(0, 0.05, rows),
                         "noise": rng.normal(size=rows), "group": rng.choice(["a", "b", "c"], rows)})


def test_explained_variance_sums_to_one_and_first_component_is_the_shared_one():
    result = pca_projection(correlated_table())
    assert result.explained_variance_ratio.sum() == pytest.approx(1.0)
    assert result.scree()["cumulative"].iloc[-1] == pytest.approx(1.0)
    first = result.loadings["PC1"].abs().sort_values(ascending=False)
    assert set(first.index[:2]) == {"height", "weight"}
    assert list(result.coordinates.columns[:2]) == ["PC1", "PC2"]


def test_biplot_arrows_are_the_longest_loadings():
    arrows = pca_projection(correlated_table()).biplot_arrows(count=2)
    assert set(arrows["feature"]) <= {"height", "weight", "noise"}
    assert len(arrows) == 2


def test_fewer_components_are_said():
    result = pca_projection(correlated_table(), n_components=2)
    assert len(result.explained_variance_ratio) == 2
    assert "first 2 of" in result.notes[0]


def test_tsne_samples_a_large_table_and_says_so():
    result = tsne_projection(correlated_table(400), max_rows=120, seed=1)
    assert len(result.coordinates) == 120 == len(result.rows)
    assert "sample of 120 of the 400 rows" in result.notes[0]


def test_tsne_on_a_tiny_table_lowers_perplexity():
    result = tsne_projection(correlated_table(12))
    assert result.coordinates.shape == (12, 2)
    assert "Perplexity lowered" in result.notes[0]


def test_no_usable_column_is_a_data_error():
    with pytest.raises(DataError, match="No usable feature"):
        pca_projection(pd.DataFrame({"id": [f"r{i}" for i in range(20)]}))
