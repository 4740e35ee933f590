"""``python -m core cluster``: DESIGN.md's JSON, ``--k auto`` with its scan, the labelled CSV, exit 2."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_blobs

from core.__main__ import main


def _run(capsys, *argv: str) -> tuple[int, dict | None, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, json.loads(captured.out) if captured.out.strip() else None, captured.err


@pytest.fixture
def blobs_csv(tmp_path):
    X, _ = make_blobs(240, centers=4, n_features=3, cluster_std=0.6, random_state=7)
    frame = pd.DataFrame(X, columns=["income", "age", "visits"])
    frame["note"] = ["=cmd|' /C calc'!A0"] + ["ok"] * 239  # a formula in a cell must leave neutralised
    path = tmp_path / "blobs.csv"
    frame.to_csv(path, index=False)
    return path


def test_cluster_with_k_auto_prints_the_scan_and_writes_the_labelled_table(capsys, tmp_path, blobs_csv):
    out = tmp_path / "labelled.csv"
    code, result, err = _run(capsys, "cluster", str(blobs_csv), "--algorithm", "kmeans", "--k", "auto",
                             "--columns", "income,age,visits", "--seed", "3", "--out", str(out))
    assert code == 0 and err == ""
    assert {"algorithm", "n_clusters", "sizes", "metrics", "k_scan"} <= set(result)
    assert result["algorithm"] == "kmeans" and result["n_clusters"] == 4 == result["suggested_k"]
    assert set(result["metrics"]) == {"silhouette", "calinski_harabasz", "davies_bouldin"}
    assert [row["k"] for row in result["k_scan"]] == list(range(2, 11))
    assert all("silhouette" in row for row in result["k_scan"])
    assert sum(result["sizes"].values()) == 240
    labelled = pd.read_csv(out)
    assert list(labelled.columns) == ["income", "age", "visits", "note", "cluster"]
    assert labelled["cluster"].value_counts().to_dict() == {int(k): v for k, v in result["sizes"].items()}
    assert not str(labelled.loc[0, "note"]).startswith("=")
    assert result["profiles"][0].startswith("cluster 0:")


def test_the_same_seed_gives_the_same_labels_as_the_library(capsys, tmp_path, blobs_csv):
    from core.cluster import cluster_table

    out = tmp_path / "labelled.csv"
    code, result, _ = _run(capsys, "cluster", str(blobs_csv), "--algorithm", "gaussian_mixture", "--k", "3",
                           "--columns", "income,age,visits", "--seed", "5", "--out", str(out))
    assert code == 0 and result["n_clusters"] == 3
    frame = pd.read_csv(blobs_csv)
    direct = cluster_table(frame, "gaussian_mixture", {"n_components": 3}, columns=["income", "age", "visits"],
                           seed=5, projection="pca")
    assert np.array_equal(pd.read_csv(out)["cluster"].to_numpy(), direct.labels)


def test_settings_pass_with_param_and_noise_is_counted(capsys, blobs_csv):
    code, result, _ = _run(capsys, "cluster", str(blobs_csv), "--algorithm", "dbscan", "--param", "eps=0.6",
                           "--param", "min_samples=4", "--columns", "income,age,visits")
    assert code == 0
    assert result["params"] == {"eps": 0.6, "min_samples": 4}
    assert result["n_clusters"] == 4


@pytest.mark.parametrize("extra, message", [
    (["--algorithm", "dbscan", "--k", "3"], "finds the number of clusters itself"),
    (["--algorithm", "kmeans", "--k", "three"], "whole number or 'auto'"),
    (["--algorithm", "kmeans", "--k", "500"], "between 2 and 50"),
    (["--algorithm", "kmeans", "--columns", "salary"], "Unknown column"),
    (["--algorithm", "k_means"], "Unknown clustering model 'k_means'"),
    (["--algorithm", "kmeans", "--param", "eps"], "is not NAME=VALUE"),
    (["--algorithm", "kmeans", "--param", "eps=1"], "has no parameter 'eps'"),
    (["--algorithm", "kmeans", "--columns", "note"], "fewer than k = 3"),
])
def test_bad_input_exits_2_with_one_error_line(capsys, blobs_csv, extra, message):
    code, result, err = _run(capsys, "cluster", str(blobs_csv), *extra)
    assert code == 2 and result is None
    assert err.startswith("error: ") and message in err and err.count("\n") == 1
