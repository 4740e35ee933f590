"""The "anomaly" family of the catalogue: outlier detectors with their parameter specs.

``max_default_rows`` is reused as the largest table a detector is fitted on: above it the detector
learns from a seeded sample and scores every row (one-class SVM grows with the square of the rows).
"""

from __future__ import annotations

from typing import Any

from core.models import ModelSpec, list_models, register
from core.specs import ParamSpec

FAMILY = "anomaly"
CONTAMINATION = ParamSpec("contamination", "float", 0.01, "Share of rows flagged", low=0.001, high=0.5,
                          help="The fraction of rows expected to be anomalies; the most anomalous rows "
                               "up to this share are flagged.")


def _isolation_forest(params: dict[str, Any], seed: int, _: Any) -> Any:
    from sklearn.ensemble import IsolationForest

    # Rows are flagged by the share of highest scores (core.anomaly), so contamination stays "auto": a
    # number would make fit score every training row once more only to set a threshold.
    return IsolationForest(n_estimators=params["n_estimators"], random_state=seed, n_jobs=-1)


def _local_outlier_factor(params: dict[str, Any], seed: int, _: Any) -> Any:
    from sklearn.neighbors import LocalOutlierFactor

    # Brute force: trees lose to it above a few dimensions (measured 26 s vs 6 s for 100,000 x 10 rows).
    return LocalOutlierFactor(n_neighbors=params["n_neighbors"], contamination=params["contamination"],
                              novelty=True, algorithm="brute", n_jobs=-1)


def _one_class_svm(params: dict[str, Any], seed: int, _: Any) -> Any:
    from sklearn.svm import OneClassSVM

    return OneClassSVM(nu=params["nu"], gamma="scale")


def _elliptic_envelope(params: dict[str, Any], seed: int, _: Any) -> Any:
    from sklearn.covariance import EllipticEnvelope

    return EllipticEnvelope(contamination=params["contamination"], random_state=seed)


_SPECS = (
    ModelSpec("isolation_forest", FAMILY, "Isolation forest", _isolation_forest,
              (CONTAMINATION, ParamSpec("n_estimators", "int", 100, "Number of trees", low=10, high=500, log=True)),
              help="Random splits isolate odd rows in few steps; fast on large tables."),
    ModelSpec("local_outlier_factor", FAMILY, "Local outlier factor", _local_outlier_factor,
              (CONTAMINATION, ParamSpec("n_neighbors", "int", 20, "Neighbours", low=2, high=200, log=True)),
              help="Rows much less dense than their neighbours; learnt on at most 5,000 rows.",
              max_default_rows=5_000, scaling=1.5),
    ModelSpec("one_class_svm", FAMILY, "One-class SVM", _one_class_svm,
              # nu as small as the contamination leaves outliers as support vectors inside the boundary
              (CONTAMINATION, ParamSpec("nu", "float", 0.1, "Share of rows outside the boundary (nu)",
                                        low=0.01, high=0.9)),
              help="A smooth boundary around the usual rows; slow, learnt on at most 5,000 rows.",
              max_default_rows=5_000, scaling=2.0),
    ModelSpec("elliptic_envelope", FAMILY, "Elliptic envelope", _elliptic_envelope, (CONTAMINATION,),
              help="Distance from a robust fit of one Gaussian cloud; for roughly bell-shaped numbers. "
                   "Learnt on at most 10,000 rows.",
              max_default_rows=10_000),
)

for _spec in _SPECS:  # a module runs once per process, so each detector registers once
    register(FAMILY, _spec)


def anomaly_models() -> list[ModelSpec]:
    """Every anomaly detector, in the order they are offered."""
    return list_models(FAMILY)
