"""The algorithm catalogue, keyed by task family: each algorithm's name, family, factory and parameter specs.

Families are registered, not hard-wired: the supervised ones (classification, regression) are
registered below from ``_CATALOGUE``; clustering, anomaly detection or projections join from
their own modules with ``register(family, spec)`` (or ``register_family`` for a whole list) and
are then listed by ``list_models(family)`` and found by ``get_model(name, family)``.

A ``ModelSpec`` is plain data plus a factory. Its ``ParamSpec`` names are the estimator's own
scikit-learn parameter names, so the same specs render as widgets, are validated here, and become
tuning search spaces (``search_space``) without a second, hand-written list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.errors import DataError
from core.model_factories import (
    _dummy,
    _elastic_net,
    _forest,
    _hgb,
    _knn,
    _lasso,
    _linear,
    _linear_svc,
    _logistic,
    _mlp,
    _naive_bayes,
    _ridge,
    _svc,
    _svr,
    _tree,
)
from core.specs import ParamSpec

TASKS = ("classification", "regression")  # the supervised families
# Above these training-row counts an algorithm is left out of the default compare set (it can still
# be chosen by name): kernel SVMs and MLPs grow too slow, extra trees cost as much as the random
# forest they usually match, k-NN predictions and forests get costly on big tables.
SMALL_DATA_ROWS = 2_000
LARGE_DATA_ROWS = 60_000
HUGE_DATA_ROWS = 200_000


@dataclass(frozen=True)
class ModelSpec:
    """One algorithm for one task.

    ``factory(params, seed, class_weight)`` returns an unfitted estimator from complete, validated
    parameters. ``max_default_rows`` leaves the algorithm out of the default compare set on larger
    tables; ``cost`` is a rough relative cost per fit used for time estimates; ``scaling`` is how a
    fit's time grows with the rows (time ~ rows ** scaling), used to extrapolate a timed small fit to
    the whole table when a compare plans its time budget.
    """

    name: str
    task: str
    label: str
    factory: Callable[[dict[str, Any], int, str | None], Any] = field(repr=False)
    params: tuple[ParamSpec, ...] = ()
    help: str = ""
    class_weight: bool = False
    max_default_rows: int | None = None
    cost: float = 1.0
    scaling: float = 1.0

    def defaults(self) -> dict[str, Any]:
        return {spec.name: spec.default for spec in self.params}

    def resolve_params(self, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """Defaults overlaid with ``params``; an unknown name or out-of-range value is a ``DataError``."""
        values = self.defaults()
        by_name = {spec.name: spec for spec in self.params}
        for name, value in (params or {}).items():
            if name not in by_name:
                known = ", ".join(by_name) or "none"
                raise DataError(f"'{self.name}' has no parameter '{name}'. Its parameters are: {known}.")
            values[name] = by_name[name].check(value, f"Model '{self.name}'")
        return values

    def build(self, params: dict[str, Any] | None = None, seed: int = 0,
              class_weight: str | None = None) -> Any:
        """An unfitted estimator; ``class_weight`` is ignored by algorithms that do not support it."""
        return self.factory(self.resolve_params(params), seed, class_weight if self.class_weight else None)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "task": self.task, "label": self.label, "help": self.help,
                "class_weight": self.class_weight, "params": [spec.to_dict() for spec in self.params]}


def search_space(spec: ModelSpec) -> dict[str, Any]:
    """Distributions for randomized search, one per tunable parameter (scipy.stats or lists)."""
    from scipy.stats import loguniform, randint, uniform

    space: dict[str, Any] = {}
    for param in spec.params:
        if not param.tunable:
            continue
        if param.kind == "choice":
            space[param.name] = list(param.choices)
        elif param.kind == "bool":
            space[param.name] = [True, False]
        elif param.kind == "int":
            low, high = int(param.low), int(param.high)
            if param.log:
                values = sorted({int(round(v)) for v in np.geomspace(low, high, 16)})
                space[param.name] = values + ([None] if param.optional else [])
            elif param.optional:
                space[param.name] = list(range(low, high + 1)) + [None]
            else:
                space[param.name] = randint(low, high + 1)
        elif param.kind == "float":
            if param.log:
                space[param.name] = loguniform(param.low, param.high)
            else:
                space[param.name] = uniform(param.low, param.high - param.low)
    return space


# ----------------------------------------------------------------------------- parameter specs
def _c(default: float = 1.0) -> ParamSpec:
    return ParamSpec("C", "float", default, "C (inverse regularisation)", low=1e-3, high=1e3, log=True,
                     help="Smaller C means a simpler, more regularised model; larger C fits the training "
                          "data more closely.")


def _probability() -> ParamSpec:
    return ParamSpec("probability", "bool", False, "Probability estimates", tunable=False,
                     help="Calibrate scores into probabilities (needed for log loss and the calibration "
                          "curve). Costs extra fits.")


_MAX_DEPTH = ParamSpec("max_depth", "int", None, "Maximum depth", low=1, high=50, optional=True, log=True,
                       help="Limit how deep a tree may grow; empty means no limit. Small depths "
                            "(2 to 4) give trees you can read.")
_MIN_SAMPLES_LEAF = ParamSpec("min_samples_leaf", "int", 1, "Minimum rows per leaf", low=1, high=100,
                              log=True, help="Larger values smooth the model and curb over-fitting.")
_N_ESTIMATORS = ParamSpec("n_estimators", "int", 100, "Number of trees", low=10, high=500, log=True,
                          help="More trees are steadier but slower; gains fade beyond a few hundred.")
_MAX_FEATURES = ParamSpec("max_features", "choice", "sqrt", "Features per split",
                          choices=("sqrt", "log2", 0.5, 1.0),
                          help="How many features each split may look at: fewer makes trees more "
                               "different from each other (and faster).")
_KNN = (
    ParamSpec("n_neighbors", "int", 5, "Neighbours (k)", low=1, high=100, log=True,
              help="How many nearest rows vote; larger k gives smoother predictions."),
    ParamSpec("weights", "choice", "uniform", "Weighting", choices=("uniform", "distance"),
              help="'distance' lets closer neighbours count more."),
    ParamSpec("p", "choice", 2, "Distance", choices=(1, 2), help="1 = Manhattan, 2 = Euclidean distance."),
)


def _hgb_specs(losses: tuple[str, ...]) -> tuple[ParamSpec, ...]:
    return (
        ParamSpec("learning_rate", "float", 0.1, "Learning rate", low=0.01, high=1.0, log=True,
                  help="How much each new tree corrects the previous ones; smaller needs more iterations."),
        ParamSpec("max_iter", "int", 100, "Boosting iterations", low=10, high=1000, log=True,
                  help="Number of trees; early stopping may use fewer on large tables."),
        ParamSpec("max_leaf_nodes", "int", 31, "Leaves per tree", low=4, high=256, log=True,
                  help="Bigger trees capture more interactions but over-fit sooner."),
        ParamSpec("min_samples_leaf", "int", 20, "Minimum rows per leaf", low=2, high=200, log=True),
        ParamSpec("l2_regularization", "float", 0.0, "L2 regularisation", low=0.0, high=10.0),
        ParamSpec("loss", "choice", losses[0], "Loss", choices=losses, tunable=False),
    )


_MLP = (
    ParamSpec("hidden_layer_sizes", "choice", (100,), "Hidden layers",
              choices=((50,), (100,), (100, 50), (64, 64)),
              help="Neurons per hidden layer, e.g. (100, 50) is two layers."),
    ParamSpec("alpha", "float", 1e-4, "L2 penalty (alpha)", low=1e-6, high=1.0, log=True),
    ParamSpec("learning_rate_init", "float", 1e-3, "Initial learning rate", low=1e-4, high=0.1, log=True),
    ParamSpec("max_iter", "int", 300, "Maximum epochs", low=50, high=2000, log=True, tunable=False),
    ParamSpec("early_stopping", "bool", True, "Early stopping", tunable=False,
              help="Hold back 10% of the training rows and stop when their score stops improving."),
)


# ----------------------------------------------------------------------------- the catalogue
_C, _R = "classification", "regression"
_ALPHA = ParamSpec("alpha", "float", 1.0, "Regularisation (alpha)", low=1e-4, high=1e3, log=True,
                   help="Larger alpha shrinks coefficients more (a simpler model).")
_CATALOGUE: tuple[ModelSpec, ...] = (
    ModelSpec("baseline", _C, "Baseline (majority class)", _dummy(_C), (
        ParamSpec("strategy", "choice", "most_frequent", "Strategy",
                  choices=("most_frequent", "prior", "stratified", "uniform"), tunable=False),),
        "Always predicts the most frequent class. Any useful model must beat it.", cost=0.05),
    ModelSpec("logistic_regression", _C, "Logistic regression", _logistic, (
        _c(), ParamSpec("l1_ratio", "float", 0.0, "L1 share of the penalty", low=0.0, high=1.0, tunable=False,
                        help="0 is ridge-like (L2), 1 is lasso-like (L1) and drops features."),
        ParamSpec("max_iter", "int", 1000, "Maximum iterations", low=100, high=10000, log=True,
                  tunable=False)),
        "A linear model of the log-odds; fast, readable coefficients, a strong baseline.",
        class_weight=True, cost=0.2),
    ModelSpec("k_nearest_neighbors", _C, "k-nearest neighbours", _knn(_C), _KNN,
              "Predicts the majority class of the k most similar training rows.",
              max_default_rows=LARGE_DATA_ROWS, cost=0.4, scaling=2.0),
    ModelSpec("decision_tree", _C, "Decision tree", _tree(_C), (
        _MAX_DEPTH, _MIN_SAMPLES_LEAF,
        ParamSpec("criterion", "choice", "gini", "Split quality", choices=("gini", "entropy", "log_loss"))),
        "A flowchart of yes/no questions; easy to read when shallow, over-fits when deep.",
        class_weight=True, cost=0.3, scaling=1.15),
    ModelSpec("random_forest", _C, "Random forest", _forest("random", _C),
              (_N_ESTIMATORS, _MAX_DEPTH, _MIN_SAMPLES_LEAF, _MAX_FEATURES),
              "Many decision trees on bootstrap samples, voting together; robust with little tuning.",
              class_weight=True, max_default_rows=HUGE_DATA_ROWS, cost=3.0, scaling=1.15),
    ModelSpec("extra_trees", _C, "Extra trees", _forest("extra", _C),
              (_N_ESTIMATORS, _MAX_DEPTH, _MIN_SAMPLES_LEAF, _MAX_FEATURES),
              "Like a random forest but with random split points; faster and often as accurate.",
              class_weight=True, max_default_rows=SMALL_DATA_ROWS, cost=2.5, scaling=1.15),
    ModelSpec("hist_gradient_boosting", _C, "Histogram gradient boosting", _hgb(_C),
              _hgb_specs(("log_loss",)),
              "Trees added one after another, each fixing the last one's errors; usually the most "
              "accurate on tables.", class_weight=True, cost=2.0),
    ModelSpec("svm_rbf", _C, "SVM (RBF kernel)", _svc, (
        _c(), ParamSpec("gamma", "choice", "scale", "Kernel width (gamma)",
                        choices=("scale", "auto", 0.001, 0.01, 0.1, 1.0),
                        help="Larger gamma makes each training row's influence more local."),
        _probability()),
        "A support vector machine with a curved (RBF) boundary; strong on small, scaled data.",
        class_weight=True, max_default_rows=SMALL_DATA_ROWS, cost=3.0, scaling=2.0),
    ModelSpec("svm_linear", _C, "SVM (linear)", _linear_svc, (_c(), _probability()),
              "A support vector machine with a straight boundary; fast on wide data.",
              class_weight=True, cost=0.2),
    ModelSpec("naive_bayes", _C, "Naive Bayes (Gaussian)", _naive_bayes, (
        ParamSpec("var_smoothing", "float", 1e-9, "Variance smoothing", low=1e-12, high=1e-1, log=True),),
        "Treats features as independent given the class; very fast, a useful sanity check.", cost=0.05),
    ModelSpec("mlp", _C, "Neural network (MLP)", _mlp(_C), _MLP,
              "A small feed-forward neural network; needs scaled inputs and more data than trees.",
              max_default_rows=SMALL_DATA_ROWS, cost=5.0),
    ModelSpec("baseline", _R, "Baseline (mean)", _dummy(_R), (
        ParamSpec("strategy", "choice", "mean", "Strategy", choices=("mean", "median"), tunable=False),),
        "Always predicts the training mean. Any useful model must beat it (R² = 0).", cost=0.05),
    ModelSpec("linear_regression", _R, "Linear regression", _linear, (),
              "Ordinary least squares: one coefficient per feature, no regularisation.", cost=0.1),
    ModelSpec("ridge", _R, "Ridge regression", _ridge, (_ALPHA,),
              "Linear regression with an L2 penalty that shrinks coefficients.", cost=0.1),
    ModelSpec("lasso", _R, "Lasso regression", _lasso, (_ALPHA,),
              "Linear regression with an L1 penalty that can set coefficients to zero.", cost=0.2),
    ModelSpec("elastic_net", _R, "Elastic net", _elastic_net, (
        _ALPHA, ParamSpec("l1_ratio", "float", 0.5, "L1 share of the penalty", low=0.0, high=1.0)),
        "A mix of ridge and lasso penalties.", cost=0.2),
    ModelSpec("k_nearest_neighbors", _R, "k-nearest neighbours", _knn(_R), _KNN,
              "Averages the target of the k most similar training rows.",
              max_default_rows=LARGE_DATA_ROWS, cost=0.4, scaling=2.0),
    ModelSpec("decision_tree", _R, "Decision tree", _tree(_R), (
        _MAX_DEPTH, _MIN_SAMPLES_LEAF,
        ParamSpec("criterion", "choice", "squared_error", "Split quality",
                  choices=("squared_error", "absolute_error"), tunable=False,
                  help="'absolute_error' resists outliers but fits much more slowly.")),
        "A flowchart of yes/no questions ending in an average; readable when shallow.", cost=0.3,
        scaling=1.15),
    ModelSpec("random_forest", _R, "Random forest", _forest("random", _R),
              (_N_ESTIMATORS, _MAX_DEPTH, _MIN_SAMPLES_LEAF, _MAX_FEATURES),
              "Many decision trees on bootstrap samples, averaged; robust with little tuning.",
              max_default_rows=HUGE_DATA_ROWS, cost=3.0, scaling=1.15),
    ModelSpec("extra_trees", _R, "Extra trees", _forest("extra", _R),
              (_N_ESTIMATORS, _MAX_DEPTH, _MIN_SAMPLES_LEAF, _MAX_FEATURES),
              "Like a random forest but with random split points; faster and often as accurate.",
              max_default_rows=SMALL_DATA_ROWS, cost=2.5, scaling=1.15),
    ModelSpec("hist_gradient_boosting", _R, "Histogram gradient boosting", _hgb(_R),
              _hgb_specs(("squared_error", "absolute_error")),
              "Trees added one after another, each fixing the last one's errors; usually the most "
              "accurate on tables.", cost=2.0),
    ModelSpec("svr", _R, "Support vector regression", _svr, (
        _c(), ParamSpec("epsilon", "float", 0.1, "Epsilon (tolerance)", low=1e-3, high=1.0, log=True,
                        help="Errors smaller than this (in standard deviations of the target) are ignored."),
        ParamSpec("gamma", "choice", "scale", "Kernel width (gamma)",
                  choices=("scale", "auto", 0.001, 0.01, 0.1, 1.0))),
        "A kernel method that ignores small errors; strong on small, scaled data.",
        max_default_rows=SMALL_DATA_ROWS, cost=3.0, scaling=2.0),
    ModelSpec("mlp", _R, "Neural network (MLP)", _mlp(_R), _MLP,
              "A small feed-forward neural network (the target is standardised while it learns).",
              max_default_rows=SMALL_DATA_ROWS, cost=5.0),
)


# ----------------------------------------------------------------------------- the registry
SpecSource = Callable[[], Iterable[ModelSpec]]
_FAMILIES: dict[str, list[SpecSource]] = {}  # family -> where its specs come from, in listing order


def register_family(family: str, source: SpecSource) -> None:
    """Add a source of specs to ``family`` (creating it); ``source()`` is read on every listing."""
    _FAMILIES.setdefault(family, []).append(source)


def register(family: str, spec: ModelSpec) -> ModelSpec:
    """Add one algorithm to ``family``; its ``task`` must name that family and its name be new there."""
    if spec.task != family:
        raise ValueError(f"Model '{spec.name}' is for '{spec.task}', not '{family}'.")
    if family in _FAMILIES and any(known.name == spec.name for known in list_models(family)):
        raise ValueError(f"A '{family}' model named '{spec.name}' is already registered.")
    register_family(family, lambda: (spec,))
    return spec


def families() -> list[str]:
    """Every registered task family, in the order they were registered."""
    return list(_FAMILIES)


def list_models(family: str) -> list[ModelSpec]:
    """Every algorithm of a task family (a task: classification, regression...), baseline first."""
    _check_family(family)
    return [spec for source in _FAMILIES[family] for spec in source()]


def get_model(name: str, family: str) -> ModelSpec:
    """The spec for ``name``; an unknown name is a ``DataError`` that lists the known ones."""
    specs = list_models(family)
    for spec in specs:
        if spec.name == name:
            return spec
    known = ", ".join(spec.name for spec in specs)
    raise DataError(f"Unknown {family} model '{name}'. Choose one of: {known}.")


def default_compare_set(task: str, n_rows: int | None = None) -> list[str]:
    """Model names compared by default; slow algorithms drop out as the training part grows."""
    return [spec.name for spec in list_models(task)
            if n_rows is None or spec.max_default_rows is None or n_rows <= spec.max_default_rows]


def _check_family(family: str) -> None:
    if family not in _FAMILIES:
        raise DataError(f"Unknown task '{family}'. Use one of: {', '.join(_FAMILIES)}.")


def _supervised(task: str) -> SpecSource:
    # Reads the module's _CATALOGUE when listed, so a test may extend it with monkeypatch.
    return lambda: (spec for spec in _CATALOGUE if spec.task == task)


for _task in TASKS:
    register_family(_task, _supervised(_task))
