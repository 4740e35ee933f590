"""Profiles name what sets a cluster apart; label agreement; stability on blobs and noise; new rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_blobs

from core.cluster import cluster_table
from core.cluster_profile import assign_clusters, compare_with_label, profile_clusters, stability
from core.errors import DataError


def customers(seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Two segments that differ in income (up) and age (down) only; purchases and city are the same."""
    rng = np.random.default_rng(seed)
    segment = np.repeat([0, 1], [150, 50])
    frame = pd.DataFrame({
        "income": np.where(segment == 1, 90_000, 40_000) + rng.normal(0, 5_000, 200),
        "age": np.where(segment == 1, 28, 52) + rng.normal(0, 3, 200),
        "purchases": rng.poisson(5, 200).astype(float),
        "city": rng.choice(["Paris", "Lyon"], 200),
    })
    return frame, segment


def test_the_profile_names_the_features_that_set_a_cluster_apart():
    frame, segment = customers()
    profiles = profile_clusters(frame, segment, ["income", "age", "purchases", "city"])
    assert profiles.words[1].startswith("cluster 1: higher income (")
    assert "lower age" in profiles.words[1]
    assert "purchases" not in profiles.words[1] and "city" not in profiles.words[1]
    assert "lower income" in profiles.words[0] and "higher age" in profiles.words[0]
    table = profiles.table.set_index("cluster")
    assert table.loc[1, "size"] == 50 and table.loc[1, "income"] > 80_000
    assert table.loc[0, "city"] in ("Paris", "Lyon")
    assert abs(profiles.differences.loc[1, "income"]) > 1 > abs(profiles.differences.loc[1, "purchases"])


def test_a_label_column_that_sets_a_cluster_apart_is_named_with_its_share():
    frame = pd.DataFrame({"plan": ["pro"] * 40 + ["basic"] * 60, "spend": np.arange(100.0)})
    labels = np.repeat([1, 0], [40, 60])
    words = profile_clusters(frame, labels, ["plan", "spend"]).words[1]
    assert "more often plan = 'pro' (100% vs 40% overall)" in words


def test_a_cluster_like_the_whole_table_says_so():
    frame = pd.DataFrame({"a": np.tile([1.0, 2.0], 50)})
    assert profile_clusters(frame, np.repeat([0, 1], 50), ["a"]).words[0].endswith("every feature.")


def test_profiles_follow_the_clustering_end_to_end():
    frame, segment = customers()
    result = cluster_table(frame, "kmeans", {"n_clusters": 2}, columns=["income", "age"], projection="pca")
    profiles = profile_clusters(result.features.frame, result.labels, ["income", "age", "purchases"])
    small = min(result.sizes, key=result.sizes.get)
    assert "higher income" in profiles.words[small]


def test_agreement_with_a_known_label():
    frame, segment = customers()
    truth = pd.Series(np.where(segment == 1, "young", "old"), name="segment")
    perfect = compare_with_label(segment, truth)
    assert perfect["ari"] == pytest.approx(1.0) and perfect["nmi"] == pytest.approx(1.0)
    assert perfect["contingency"].loc[1, "young"] == 50
    shuffled = compare_with_label(np.random.default_rng(0).permutation(segment), truth)
    assert shuffled["ari"] < 0.1
    with pytest.raises(DataError, match="fewer than two values"):
        compare_with_label(segment, pd.Series([None] * 200, name="empty"))


def test_stability_is_high_on_clear_blobs_and_low_on_noise():
    X, _ = make_blobs(300, centers=3, n_features=3, cluster_std=0.5, random_state=0)
    clear = cluster_table(pd.DataFrame(X, columns=list("abc")), "kmeans", {"n_clusters": 3}, projection="pca")
    high = stability(clear, runs=4)
    assert high.mean_ari > 0.95 and high.verdict.startswith("Stable")
    noise = pd.DataFrame(np.random.default_rng(0).normal(size=(300, 6)), columns=list("abcdef"))
    vague = cluster_table(noise, "kmeans", {"n_clusters": 6, "n_init": 1}, projection="pca")
    low = stability(vague, runs=4)
    assert low.mean_ari < 0.75 and len(low.aris) == 4
    assert "80%" in low.method


def test_new_rows_are_assigned_by_predict_or_by_the_nearest_centre():
    X, truth = make_blobs(300, centers=3, n_features=2, cluster_std=0.5, random_state=4)
    frame = pd.DataFrame(X, columns=["x", "y"])
    for algorithm, how in [("kmeans", "own predict"), ("agglomerative", "nearest cluster centre")]:
        result = cluster_table(frame, algorithm, {"n_clusters": 3}, projection="pca")
        labels, method = assign_clusters(result, frame.iloc[:50])
        assert how in method
        assert np.array_equal(labels, result.labels[:50])
    with pytest.raises(DataError, match="lack column"):
        assign_clusters(result, frame[["x"]])
