"""The "clustering" family of the catalogue: each algorithm's factory, parameter specs and row limit.

Registered with ``core.models.register`` so the same specs render as widgets and are validated by
``ParamSpec.check``. Algorithms whose time or memory grows with the square of the rows carry a
``SAMPLE_ROWS`` limit: ``core.cluster`` fits them on a seeded sample above it and says so.
"""

from __future__ import annotations

from typing import Any

from core.models import ModelSpec, get_model, list_models, register
from core.specs import ParamSpec

FAMILY = "clustering"
# Above these rows an O(n²) algorithm is fitted on a seeded sample (the rest assigned to the nearest
# centroid of its cluster); spectral clustering and affinity propagation build a dense n x n matrix.
SAMPLE_ROWS = {"agglomerative": 5_000, "dbscan": 20_000, "hdbscan": 20_000, "mean_shift": 10_000,
               "affinity_propagation": 2_000, "spectral": 3_000}
LINKAGES = ("ward", "complete", "average", "single")


def _k(default: int = 3) -> ParamSpec:
    return ParamSpec("n_clusters", "int", default, "Number of clusters (k)", low=2, high=50)


def _kmeans(p: dict[str, Any], seed: int, _: Any) -> Any:
    from sklearn.cluster import KMeans
    return KMeans(n_clusters=p["n_clusters"], n_init=p["n_init"], max_iter=p["max_iter"], random_state=seed)


def _minibatch(p: dict[str, Any], seed: int, _: Any) -> Any:
    from sklearn.cluster import MiniBatchKMeans
    return MiniBatchKMeans(n_clusters=p["n_clusters"], batch_size=p["batch_size"], n_init=3, random_state=seed)


def _agglomerative(p: dict[str, Any], _seed: int, _: Any) -> Any:
    from sklearn.cluster import AgglomerativeClustering
    return AgglomerativeClustering(n_clusters=p["n_clusters"], linkage=p["linkage"])


def _dbscan(p: dict[str, Any], _seed: int, _: Any) -> Any:
    from sklearn.cluster import DBSCAN
    return DBSCAN(eps=p["eps"], min_samples=p["min_samples"])


def _hdbscan(p: dict[str, Any], _seed: int, _: Any) -> Any:
    from sklearn.cluster import HDBSCAN
    return HDBSCAN(min_cluster_size=p["min_cluster_size"], min_samples=p["min_samples"], copy=True)


def _gaussian_mixture(p: dict[str, Any], seed: int, _: Any) -> Any:
    from sklearn.mixture import GaussianMixture
    return GaussianMixture(n_components=p["n_components"], covariance_type=p["covariance_type"],
                           random_state=seed)


def _mean_shift(p: dict[str, Any], _seed: int, _: Any) -> Any:
    from sklearn.cluster import MeanShift
    return MeanShift(bandwidth=p["bandwidth"], bin_seeding=True)


def _affinity(p: dict[str, Any], seed: int, _: Any) -> Any:
    from sklearn.cluster import AffinityPropagation
    return AffinityPropagation(damping=p["damping"], random_state=seed)


def _birch(p: dict[str, Any], _seed: int, _: Any) -> Any:
    from sklearn.cluster import Birch
    return Birch(n_clusters=p["n_clusters"], threshold=p["threshold"])


def _spectral(p: dict[str, Any], seed: int, _: Any) -> Any:
    from sklearn.cluster import SpectralClustering
    return SpectralClustering(n_clusters=p["n_clusters"], affinity=p["affinity"], random_state=seed,
                              assign_labels="cluster_qr")


_SPECS = (
    ModelSpec("kmeans", FAMILY, "k-means", _kmeans, (
        _k(), ParamSpec("n_init", "int", 4, "Restarts", low=1, high=20, tunable=False),
        ParamSpec("max_iter", "int", 300, "Iterations", low=10, high=2000, log=True, tunable=False)),
        help="Round groups of similar size around centres; needs k."),
    ModelSpec("minibatch_kmeans", FAMILY, "Mini-batch k-means", _minibatch, (
        _k(), ParamSpec("batch_size", "int", 4096, "Batch size", low=256, high=65536, log=True)),
        help="k-means on small batches: much faster on large tables, nearly the same centres."),
    ModelSpec("agglomerative", FAMILY, "Agglomerative (hierarchical)", _agglomerative, (
        _k(), ParamSpec("linkage", "choice", "ward", "Linkage", choices=LINKAGES,
                        help="ward: compact groups; single: chains; complete/average: in between")),
        help="Merges the closest groups step by step; a dendrogram shows the merges. Sampled on large tables."),
    ModelSpec("dbscan", FAMILY, "DBSCAN", _dbscan, (
        ParamSpec("eps", "float", 0.5, "Neighbourhood radius (eps)", low=1e-4, high=1e4, log=True,
                  help="Read it off the k-distance plot: the height of its bend"),
        ParamSpec("min_samples", "int", 5, "Points to make a core", low=2, high=500)),
        help="Dense regions become clusters, whatever their shape; sparse points are noise (-1)."),
    ModelSpec("hdbscan", FAMILY, "HDBSCAN", _hdbscan, (
        ParamSpec("min_cluster_size", "int", 10, "Smallest cluster", low=2, high=10_000, log=True),
        ParamSpec("min_samples", "int", 5, "Points to make a core", low=1, high=500, optional=True)),
        help="DBSCAN over every density at once: no eps to choose; noise is -1."),
    ModelSpec("gaussian_mixture", FAMILY, "Gaussian mixture", _gaussian_mixture, (
        ParamSpec("n_components", "int", 3, "Number of clusters (k)", low=2, high=50),
        ParamSpec("covariance_type", "choice", "full", "Cluster shape",
                  choices=("full", "tied", "diag", "spherical"))),
        help="Soft, elliptical clusters; BIC helps choose k."),
    ModelSpec("mean_shift", FAMILY, "Mean shift", _mean_shift, (
        ParamSpec("bandwidth", "float", None, "Bandwidth", low=1e-3, high=1e3, log=True, optional=True,
                  help="Empty: estimated from the data (it can merge close groups; a smaller value splits them)"),),
        help="Finds the peaks of the density; k follows from the bandwidth. Sampled on large tables."),
    ModelSpec("affinity_propagation", FAMILY, "Affinity propagation", _affinity, (
        ParamSpec("damping", "float", 0.7, "Damping", low=0.5, high=0.99),),
        help="Picks exemplar rows by message passing; k follows from the data. Sampled above 2,000 rows."),
    ModelSpec("birch", FAMILY, "BIRCH", _birch, (
        _k(), ParamSpec("threshold", "float", 0.5, "Subcluster radius", low=1e-3, high=100, log=True)),
        help="Summarises the rows in a tree first: fast and light on large tables."),
    ModelSpec("spectral", FAMILY, "Spectral clustering", _spectral, (
        _k(), ParamSpec("affinity", "choice", "rbf", "Affinity", choices=("rbf", "nearest_neighbors"))),
        help="Clusters a similarity graph: finds non-convex shapes. Sampled above 3,000 rows."),
)

for _spec in _SPECS:
    register(FAMILY, _spec)


def cluster_models() -> list[ModelSpec]:
    """Every clustering algorithm, in the order the page lists them."""
    return list_models(FAMILY)


def get_cluster_model(name: str) -> ModelSpec:
    """The spec for ``name``; an unknown name is a ``DataError`` listing the known ones."""
    return get_model(name, FAMILY)


def k_parameter(spec: ModelSpec) -> str | None:
    """The name of the parameter that sets the number of clusters, or None when k follows from the data."""
    names = {param.name for param in spec.params}
    return next((name for name in ("n_clusters", "n_components") if name in names), None)
