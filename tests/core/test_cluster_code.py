"""The code shown for a clustering run repeats its labels, and carries column names only in repr()."""

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score

from core.cluster import cluster_table
from core.cluster_code import cluster_code


def test_the_shown_code_gives_the_same_clusters(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"income'); import os #": np.r_[rng.normal(0, 1, 60), rng.normal(6, 1, 40)],
                          "city": rng.choice(["a", "b"], 100)})
    result = cluster_table(frame, "kmeans", {"n_clusters": 2}, seed=3, projection="pca")
    code = cluster_code(result, seed=3)
    assert "import os #" not in code.replace(repr("income'); import os #"), "")
    frame.to_csv(tmp_path / "your_data.csv", index=False)
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(code, "cluster_code", "exec"), namespace)
    assert adjusted_rand_score(namespace["labels"], result.labels) == 1.0
