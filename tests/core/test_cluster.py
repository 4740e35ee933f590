"""Clustering: every catalogue algorithm on small data, the sampling of O(n²) ones, and bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score

from core.cluster import cluster_table
from core.cluster_models import SAMPLE_ROWS, cluster_models, k_parameter
from core.errors import DataError
from core.models import get_model


def blobs(n_rows: int = 240, centers: int = 4, seed: int = 1) -> tuple[pd.DataFrame, np.ndarray]:
    X, y = make_blobs(n_rows, centers=centers, n_features=3, cluster_std=0.6, random_state=seed)
    return pd.DataFrame(X, columns=["income", "age", "purchases"]), y


def _params_for(name: str, k: int) -> dict:
    spec = get_model(name, "clustering")
    if k_parameter(spec):
        return {k_parameter(spec): k}
    return {"dbscan": {"eps": 1.0}, "mean_shift": {"bandwidth": 0.8}}.get(name, {})


def test_the_catalogue_lists_every_clustering_algorithm_with_specs():
    names = {spec.name for spec in cluster_models()}
    assert names == {"kmeans", "minibatch_kmeans", "agglomerative", "dbscan", "hdbscan", "gaussian_mixture",
                     "mean_shift", "affinity_propagation", "birch", "spectral"}
    linkage = next(p for p in get_model("agglomerative", "clustering").params if p.name == "linkage")
    assert set(linkage.choices) == {"ward", "complete", "average", "single"}


@pytest.mark.parametrize("name", [spec.name for spec in cluster_models()])
def test_every_algorithm_finds_clear_blobs(name):
    frame, truth = blobs()
    result = cluster_table(frame, name, _params_for(name, 4), seed=0, projection="pca")
    assert len(result.labels) == len(frame)
    assert sum(result.sizes.values()) == len(frame)
    kept = result.labels != -1
    assert adjusted_rand_score(truth[kept], result.labels[kept]) > 0.6
    assert result.metrics["silhouette"] is not None and result.metrics["silhouette"] > 0.4
    assert list(result.projection.columns) == ["x", "y", "cluster", "row"]
    assert result.to_dict()["n_clusters"] == result.n_clusters


@pytest.mark.parametrize("linkage", ["ward", "complete", "average", "single"])
def test_every_linkage_runs(linkage):
    frame, truth = blobs()
    result = cluster_table(frame, "agglomerative", {"n_clusters": 4, "linkage": linkage}, projection="pca")
    assert adjusted_rand_score(truth, result.labels) > 0.9


def test_labels_are_numbered_by_size_and_repeat_with_the_seed():
    frame, _ = blobs(300)
    first = cluster_table(frame, "kmeans", {"n_clusters": 3}, seed=5, projection="pca")
    again = cluster_table(frame, "kmeans", {"n_clusters": 3}, seed=5, projection="pca")
    assert np.array_equal(first.labels, again.labels)
    sizes = [first.sizes[label] for label in sorted(first.sizes)]
    assert sizes == sorted(sizes, reverse=True)


def test_small_tables_get_tsne_and_large_ones_pca():
    frame, _ = blobs(120)
    assert cluster_table(frame, "kmeans", {"n_clusters": 4}).projection_method == "t-SNE"
    big, _ = blobs(1_500)
    assert cluster_table(big, "kmeans", {"n_clusters": 4}).projection_method.startswith("PCA")


def test_quadratic_algorithms_sample_large_tables_and_say_so(monkeypatch):
    monkeypatch.setitem(SAMPLE_ROWS, "agglomerative", 200)
    frame, truth = blobs(1_000)
    result = cluster_table(frame, "agglomerative", {"n_clusters": 4}, projection="pca")
    assert result.sampled
    assert any("random 200 of the 1,000 rows" in note for note in result.notes)
    assert adjusted_rand_score(truth, result.labels) > 0.9  # the rest joined the nearest centre


def test_silhouette_is_sampled_on_large_tables(monkeypatch):
    import core.cluster as cluster

    monkeypatch.setattr(cluster, "SILHOUETTE_SAMPLE", 100)
    frame, _ = blobs(400)
    result = cluster_table(frame, "kmeans", {"n_clusters": 4}, projection="pca")
    assert len(result.silhouettes) == 100
    assert any("silhouette is measured on a random 100" in note for note in result.notes)


def test_labelled_table_has_the_cluster_column_and_rows_a_recipe_dropped_are_empty():
    frame, _ = blobs(60)
    frame.loc[0:4, "income"] = 1000.0
    recipe = [{"op": "filter_rows", "column": "income", "operator": "<", "value": "500"}]
    result = cluster_table(frame, "kmeans", {"n_clusters": 2}, recipe=recipe, projection="pca")
    assert not any("skipped" in note for note in result.notes)
    labelled = result.labelled(frame)
    assert labelled["cluster"].isna().sum() == 5
    assert labelled["cluster"].notna().sum() == 55


def test_scaling_is_on_by_default_so_a_large_unit_does_not_decide_alone():
    rng = np.random.default_rng(0)
    groups = np.repeat([0, 1], 100)
    frame = pd.DataFrame({"small_signal": groups * 3 + rng.normal(0, 0.3, 200),
                          "big_noise": rng.normal(0, 1_000, 200)})
    scaled = cluster_table(frame, "kmeans", {"n_clusters": 2}, projection="pca")
    raw = cluster_table(frame, "kmeans", {"n_clusters": 2}, projection="pca", scale=False)
    assert adjusted_rand_score(groups, scaled.labels) > 0.9
    assert adjusted_rand_score(groups, raw.labels) < 0.2


@pytest.mark.parametrize("frame, params, message", [
    (pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [4.0, 1.0, 2.0, 3.0]}), {"n_clusters": 5}, "Choose a smaller k"),
    (pd.DataFrame({"a": [1.0] * 20, "b": [2.0] * 20}), {"n_clusters": 2}, "No usable feature"),
    (pd.DataFrame({"a": [1.0, 2.0] * 10, "b": [3.0, 3.5] * 10}), {"n_clusters": 3}, "distinct rows"),
    (pd.DataFrame({"name": [f"person {i}" for i in range(30)]}), {"n_clusters": 2}, "No usable feature"),
])
def test_bad_input_is_a_data_error_that_says_what_to_do(frame, params, message):
    with pytest.raises(DataError, match=message):
        cluster_table(frame, "kmeans", params, projection="pca")


def test_identical_rows_in_kept_columns_are_refused():
    frame = pd.DataFrame({"a": [1.0] * 20, "b": [2.0] * 20})
    with pytest.raises(DataError, match="identical"):
        cluster_table(frame, "kmeans", {"n_clusters": 2}, columns=["a", "b"], projection="pca")


def test_unknown_column_and_bad_parameter_are_data_errors():
    frame, _ = blobs(50)
    with pytest.raises(DataError, match="Unknown column"):
        cluster_table(frame, "kmeans", columns=["salary"])
    with pytest.raises(DataError, match="n_clusters"):
        cluster_table(frame, "kmeans", {"n_clusters": 0})
    with pytest.raises(DataError, match="Unknown clustering model"):
        cluster_table(frame, "kmeans_plus")


def test_one_column_clusters_with_a_note_and_categorical_columns_are_encoded():
    frame = pd.DataFrame({"income": [10.0, 11, 12, 50, 51, 52] * 5, "city": list("abcabc") * 5})
    result = cluster_table(frame, "kmeans", {"n_clusters": 2}, columns=["income"], projection="pca")
    assert any("one column" in note for note in result.notes)
    assert set(result.sizes.values()) == {15}
    both = cluster_table(frame, "kmeans", {"n_clusters": 2}, projection="pca")
    assert both.features.matrix.shape[1] > 1


def test_noise_is_counted_and_left_out_of_the_metrics():
    frame, _ = blobs(200)
    frame.loc[len(frame)] = [60.0, 60.0, 60.0]
    result = cluster_table(frame, "dbscan", {"eps": 0.5, "min_samples": 5}, projection="pca")
    assert result.sizes.get(-1, 0) >= 1
    assert result.labels[-1] == -1
    assert any("noise" in note for note in result.notes)


def test_a_table_too_large_to_encode_is_refused_with_what_to_do(monkeypatch):
    import core.cluster_features as cluster_features

    monkeypatch.setattr(cluster_features, "MAX_ENCODED_CELLS", 100)
    frame, _ = blobs(50)
    with pytest.raises(DataError, match="too large to cluster here. Choose fewer columns or load a sample"):
        cluster_table(frame, "kmeans", projection="pca")



def test_a_few_rows_with_gaps_do_not_make_a_cluster_of_their_own():
    # Penguins has two rows without any measurement; with missing-value indicators they were a cluster of 2.
    frame = pd.read_csv("sample_data/penguins.csv")
    result = cluster_table(frame, "kmeans", {"n_clusters": 2}, seed=1, projection="pca")
    assert min(result.sizes.values()) > 100


def test_on_the_engine_the_fit_runs_on_the_jobs_worker_and_keeps_its_budget():
    import time

    from core.engine import RunContext

    frame, _ = blobs(300)
    here = cluster_table(frame, "kmeans", {"n_clusters": 4}, seed=2, projection="pca")
    on_worker = cluster_table(frame, "kmeans", {"n_clusters": 4}, seed=2, projection="pca",
                              context=RunContext(n_jobs=2))
    assert np.array_equal(here.labels, on_worker.labels)
    with pytest.raises(DataError, match="did not finish within the time budget"):
        cluster_table(frame, "kmeans", {"n_clusters": 4}, projection="pca",
                      context=RunContext(n_jobs=1, deadline=time.perf_counter() - 1))
