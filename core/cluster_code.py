"""The scikit-learn code of a clustering run, written from the same objects (user text only in ``repr()``)."""

from __future__ import annotations

from core.cluster import ClusterResult


def cluster_code(result: ClusterResult, seed: int = 0) -> str:
    """A script that encodes the chosen columns as the page did and fits the same algorithm."""
    from core.cluster_models import get_cluster_model
    from core.folds import seeded_preprocessor
    from core.preprocess_code import _estimator_code, preprocessor_code

    if result.features is None:
        raise ValueError("the result carries no features")
    imports: dict[str, set[str]] = {}
    estimator = _estimator_code(get_cluster_model(result.algorithm).build(result.params, seed), imports)
    lines = [preprocessor_code(seeded_preprocessor(result.features.encodings, seed, task="clustering")), ""]
    lines += [f"from {module} import {', '.join(sorted(names))}" for module, names in sorted(imports.items())]
    lines += ["", "frame = pd.read_csv('your_data.csv')",
              f"X = preprocess.fit_transform(frame[{result.features.columns!r}])",
              f"estimator = {estimator}",
              "labels = estimator.fit_predict(X)  # -1 marks noise for DBSCAN and HDBSCAN",
              "print(pd.Series(labels).value_counts())"]
    if result.sampled:
        lines.append("# The workbench fitted this on a sample of the rows and gave the rest the nearest centre.")
    return "\n".join(lines)
