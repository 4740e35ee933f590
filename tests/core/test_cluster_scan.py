"""Choosing k: the suggestion on blobs with a known k, BIC for mixtures, sampling, cancel, eps."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_blobs

from core.cluster_features import prepare_features
from core.cluster_scan import elbow, k_distances, scan_k
from core.engine import Cancelled, RunContext
from core.errors import DataError


def blobs(n_rows: int = 400, centers: int = 5, seed: int = 3) -> pd.DataFrame:
    X, _ = make_blobs(n_rows, centers=centers, n_features=4, cluster_std=0.7, random_state=seed)
    return pd.DataFrame(X, columns=["a", "b", "c", "d"])


@pytest.mark.parametrize("algorithm", ["kmeans", "agglomerative", "gaussian_mixture"])
def test_the_suggested_k_is_the_number_of_blobs_with_its_reason(algorithm):
    scan = scan_k(blobs(), algorithm, k_max=8)
    assert scan.suggested_k == 5
    assert scan.reason.startswith("k = 5 has the")
    assert [row["k"] for row in scan.rows] == list(range(2, 9))
    table = scan.to_frame()
    assert {"inertia", "silhouette", "calinski_harabasz", "davies_bouldin"} <= set(table.columns)
    assert table["inertia"].is_monotonic_decreasing


def test_mixtures_report_bic_and_are_suggested_by_it():
    scan = scan_k(blobs(centers=3), "gaussian_mixture", k_max=6)
    assert all("bic" in row for row in scan.rows)
    assert "lowest BIC" in scan.reason and scan.suggested_k == 3


def test_noise_gets_a_warning_that_the_groups_may_not_be_real():
    frame = pd.DataFrame(np.random.default_rng(0).normal(size=(300, 6)), columns=list("abcdef"))
    assert "hardly form separate groups" in scan_k(frame, "kmeans", k_max=6).reason
    cube = pd.DataFrame(np.random.default_rng(0).uniform(size=(300, 3)), columns=["a", "b", "c"])
    assert "the groups overlap" in scan_k(cube, "kmeans", k_max=6).reason
    assert "overlap" not in scan_k(blobs(), "kmeans", k_max=6).reason


def test_large_tables_are_scanned_on_a_sample_and_say_so(monkeypatch):
    import core.cluster_scan as cluster_scan

    monkeypatch.setattr(cluster_scan, "SCAN_SAMPLE_ROWS", 300)
    scan = scan_k(blobs(1_200), "kmeans", k_max=7)
    assert any("random 300 of the 1,200 rows" in note for note in scan.notes)
    assert scan.suggested_k == 5


def test_progress_is_reported_and_cancel_stops_the_scan():
    seen = []
    scan_k(blobs(200), "kmeans", k_max=4, context=RunContext(progress=lambda f, m: seen.append(f), n_jobs=1))
    assert seen[-1] == 1.0 and len(seen) == 4
    with pytest.raises(Cancelled):
        scan_k(blobs(200), "kmeans", k_max=6, context=RunContext(should_cancel=lambda: True, n_jobs=1))


def test_the_time_budget_keeps_the_ks_done_and_says_so():
    import time

    context = RunContext(deadline=time.perf_counter() - 1, n_jobs=1)
    scan = scan_k(blobs(200), "kmeans", k_max=6, context=context)
    assert scan.rows == [] and scan.suggested_k is None
    assert any("time budget ran out after 0 of 5" in note for note in scan.notes)


def test_algorithms_without_k_and_bad_ranges_are_refused():
    with pytest.raises(DataError, match="finds the number of clusters itself"):
        scan_k(blobs(100), "dbscan")
    with pytest.raises(DataError, match="not valid"):
        scan_k(blobs(100), "kmeans", k_min=5, k_max=3)


def test_k_distance_suggests_an_eps_that_separates_the_blobs():
    from sklearn.cluster import DBSCAN
    from sklearn.metrics import adjusted_rand_score

    X, truth = make_blobs(400, centers=4, n_features=2, cluster_std=0.5, random_state=2)
    features = prepare_features(pd.DataFrame(X, columns=["x", "y"]))
    curve = k_distances(features, min_samples=5)
    assert np.all(np.diff(curve.distances) >= 0)
    labels = DBSCAN(eps=curve.suggested_eps, min_samples=5).fit_predict(features.matrix)
    assert adjusted_rand_score(truth[labels >= 0], labels[labels >= 0]) > 0.9
    assert (labels == -1).mean() < 0.1
    assert "bend" in curve.reason


def test_elbow_finds_the_bend():
    assert elbow([100, 50, 10, 8, 6, 5]) == 2
    assert elbow([1, 1, 1]) is None
