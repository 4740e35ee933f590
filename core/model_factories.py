"""Estimator factories for the algorithm catalogue: scikit-learn imported lazily, one builder per algorithm."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


# ----------------------------------------------------------------------------- factories
def _with_probability(estimator: Any, params: dict[str, Any]) -> Any:
    params = dict(params)
    if not params.pop("probability", False):
        return estimator
    from sklearn.calibration import CalibratedClassifierCV

    return CalibratedClassifierCV(estimator, ensemble=False, cv=3)


def _logistic(p: dict[str, Any], seed: int, cw: str | None) -> Any:
    from sklearn.linear_model import LogisticRegression

    solver = "lbfgs" if p["l1_ratio"] == 0 else "saga"
    return LogisticRegression(C=p["C"], l1_ratio=p["l1_ratio"], solver=solver, max_iter=p["max_iter"],
                              class_weight=cw, random_state=seed)


def _knn(task: str) -> Callable[..., Any]:
    def build(p: dict[str, Any], seed: int, cw: str | None) -> Any:
        from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor

        cls = KNeighborsClassifier if task == "classification" else KNeighborsRegressor
        return cls(**p)
    return build


def _tree(task: str) -> Callable[..., Any]:
    def build(p: dict[str, Any], seed: int, cw: str | None) -> Any:
        from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

        if task == "classification":
            return DecisionTreeClassifier(**p, class_weight=cw, random_state=seed)
        return DecisionTreeRegressor(**p, random_state=seed)
    return build


def _forest(kind: str, task: str) -> Callable[..., Any]:
    def build(p: dict[str, Any], seed: int, cw: str | None) -> Any:
        from sklearn import ensemble

        name = ("RandomForest" if kind == "random" else "ExtraTrees") + (
            "Classifier" if task == "classification" else "Regressor")
        extra = {"class_weight": cw} if task == "classification" else {}
        return getattr(ensemble, name)(**p, random_state=seed, **extra)
    return build


def _hgb(task: str) -> Callable[..., Any]:
    def build(p: dict[str, Any], seed: int, cw: str | None) -> Any:
        from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

        if task == "classification":
            return HistGradientBoostingClassifier(**p, class_weight=cw, random_state=seed)
        return HistGradientBoostingRegressor(**p, random_state=seed)
    return build


def _svc(p: dict[str, Any], seed: int, cw: str | None) -> Any:
    from sklearn.svm import SVC

    return _with_probability(SVC(C=p["C"], gamma=p["gamma"], class_weight=cw, random_state=seed), p)


def _linear_svc(p: dict[str, Any], seed: int, cw: str | None) -> Any:
    from sklearn.svm import LinearSVC

    return _with_probability(LinearSVC(C=p["C"], class_weight=cw, random_state=seed, max_iter=5000), p)


def _naive_bayes(p: dict[str, Any], seed: int, cw: str | None) -> Any:
    from sklearn.naive_bayes import GaussianNB

    return GaussianNB(**p)


def _mlp(task: str) -> Callable[..., Any]:
    def build(p: dict[str, Any], seed: int, cw: str | None) -> Any:
        from sklearn.neural_network import MLPClassifier, MLPRegressor

        if task == "classification":
            return MLPClassifier(**p, random_state=seed)
        return _scaled_target(MLPRegressor(**p, random_state=seed))
    return build


def _scaled_target(regressor: Any) -> Any:
    """Standardise the target for learners whose defaults assume unit-scale targets (SVR, MLP)."""
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.preprocessing import StandardScaler

    return TransformedTargetRegressor(regressor=regressor, transformer=StandardScaler())


def _dummy(task: str) -> Callable[..., Any]:
    def build(p: dict[str, Any], seed: int, cw: str | None) -> Any:
        from sklearn.dummy import DummyClassifier, DummyRegressor

        if task == "classification":
            return DummyClassifier(**p, random_state=seed)
        return DummyRegressor(**p)
    return build


def _linear(p: dict[str, Any], seed: int, cw: str | None) -> Any:
    from sklearn.linear_model import LinearRegression

    return LinearRegression(**p)


def _ridge(p: dict[str, Any], seed: int, cw: str | None) -> Any:
    from sklearn.linear_model import Ridge

    return Ridge(**p, random_state=seed)


def _lasso(p: dict[str, Any], seed: int, cw: str | None) -> Any:
    from sklearn.linear_model import Lasso

    return Lasso(**p, random_state=seed)


def _elastic_net(p: dict[str, Any], seed: int, cw: str | None) -> Any:
    from sklearn.linear_model import ElasticNet

    return ElasticNet(**p, random_state=seed)


def _svr(p: dict[str, Any], seed: int, cw: str | None) -> Any:
    from sklearn.svm import SVR

    return _scaled_target(SVR(**p))
