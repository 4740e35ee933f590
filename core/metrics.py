"""Metric names, their meaning and their values: what a model's predictions score, nothing drawn.

Keys say their averaging where there is one (``precision_macro``, ``f1_weighted``); for a target
with two classes ``precision_positive``, ``recall_positive`` and ``f1_positive`` are the positive
class's own scores (the second class in sorted order, as scikit-learn's ``pos_label`` and ROC AUC
take it; ``positive_class_label`` names it). Values equal scikit-learn's own functions (the tests
check this); a metric that cannot be computed is ``None`` rather than NaN, so results always
serialise to JSON. Imports nothing from ``core`` but its error type.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from sklearn import metrics

from core.errors import DataError

CLASSIFICATION_METRICS = ("accuracy", "balanced_accuracy", "f1_macro", "f1_weighted", "precision_macro",
                          "recall_macro", "roc_auc", "log_loss", "mcc")
POSITIVE_CLASS_METRICS = ("precision_positive", "recall_positive", "f1_positive")
REGRESSION_METRICS = ("r2", "mae", "rmse", "mape", "median_ae")
LOWER_IS_BETTER = frozenset({"log_loss", "mae", "rmse", "mape", "median_ae"})
METRIC_LABELS = {
    "accuracy": "Accuracy", "balanced_accuracy": "Balanced accuracy",
    "f1_macro": "F1 (macro average)", "f1_weighted": "F1 (weighted average)",
    "precision_macro": "Precision (macro average)", "recall_macro": "Recall (macro average)",
    "precision_positive": "Precision of the positive class", "recall_positive": "Recall of the positive class",
    "f1_positive": "F1 of the positive class",
    "roc_auc": "ROC AUC", "log_loss": "Log loss", "mcc": "Matthews correlation", "r2": "R²",
    "mae": "Mean absolute error", "rmse": "Root mean squared error", "mape": "Mean absolute % error",
    "median_ae": "Median absolute error",
}
_SCORERS = {"accuracy": "accuracy", "balanced_accuracy": "balanced_accuracy", "f1_macro": "f1_macro",
            "f1_weighted": "f1_weighted", "precision_macro": "precision_macro", "recall_macro": "recall_macro",
            "roc_auc": "roc_auc", "log_loss": "neg_log_loss", "mcc": "matthews_corrcoef", "r2": "r2",
            "mae": "neg_mean_absolute_error", "rmse": "neg_root_mean_squared_error",
            "mape": "neg_mean_absolute_percentage_error", "median_ae": "neg_median_absolute_error"}


def metric_names(task: str) -> tuple[str, ...]:
    """Metrics a leaderboard can be sorted by (the positive class's own scores are shown, not ranked)."""
    return CLASSIFICATION_METRICS if task == "classification" else REGRESSION_METRICS


def metric_label(metric: str, positive_class: Any = None) -> str:
    """The name a person reads; the positive class's own scores name the class when it is known."""
    label = METRIC_LABELS.get(metric, metric)
    if metric in POSITIVE_CLASS_METRICS and positive_class is not None:
        label = label.replace("the positive class", f"'{positive_class}'")
    return label


def default_sort_metric(task: str, n_classes: int | None = None) -> str:
    """ROC AUC for two classes, balanced accuracy for more, R² for regression (as H2O AutoML ranks)."""
    if task == "regression":
        return "r2"
    return "roc_auc" if n_classes == 2 else "balanced_accuracy"


def higher_is_better(metric: str) -> bool:
    return metric not in LOWER_IS_BETTER


def sklearn_scoring(metric: str, n_classes: int | None = None) -> tuple[str, float]:
    """The scikit-learn scorer name for a metric and the sign that turns its score back into the metric."""
    if metric not in _SCORERS:
        raise DataError(f"Unknown metric '{metric}'. Use one of: {', '.join(_SCORERS)}.")
    name = _SCORERS[metric]
    if metric == "roc_auc" and n_classes is not None and n_classes > 2:
        name = "roc_auc_ovr"
    return name, (-1.0 if name.startswith("neg_") else 1.0)


def positive_class_label(classes: Any) -> Any:
    """The class whose own precision, recall and F1 are reported: the second of two, else ``None``."""
    if classes is None or len(classes) != 2:
        return None
    label = np.asarray(classes)[1]
    return label.item() if hasattr(label, "item") else label


# ----------------------------------------------------------------------------- predictions
@dataclass
class Predictions:
    """A model's predictions on labelled rows: what every curve and metric is computed from.

    ``proba`` holds class probabilities (columns in ``classes`` order) when the model has them,
    otherwise ``scores`` holds its decision function.
    """

    task: str
    y_true: np.ndarray
    y_pred: np.ndarray
    classes: np.ndarray | None = None
    proba: np.ndarray | None = None
    scores: np.ndarray | None = None
    positive: Any = None  # the class the binary curves and the threshold are about; None: the second

    @property
    def is_binary(self) -> bool:
        return self.classes is not None and len(self.classes) == 2

    @property
    def positive_index(self) -> int:
        """Column of the positive class in ``class_scores()`` (binary targets)."""
        if self.positive is not None and self.positive in list(self.classes):
            return list(self.classes).index(self.positive)
        return 1

    @property
    def positive_class(self) -> Any:
        """The class whose score the binary curves and threshold use (the second, as in scikit-learn,
        unless ``positive`` names another)."""
        return self.classes[self.positive_index] if self.is_binary else None

    def with_positive(self, label: Any) -> Predictions:
        """The same predictions, read with another class as the positive one."""
        return replace(self, positive=label)

    def minority_class(self) -> Any:
        """The rarer true class of a binary target: usually the event an analyst cares about."""
        if not self.is_binary:
            return None
        counts = [int(np.sum(self.y_true == label)) for label in self.classes]
        return self.classes[int(np.argmin(counts))] if counts[0] != counts[1] else self.classes[1]

    def class_scores(self) -> np.ndarray | None:
        """One score column per class (probabilities, or decision values when there are none)."""
        if self.proba is not None:
            return self.proba
        if self.scores is None:
            return None
        if self.scores.ndim == 1:
            return np.column_stack([-self.scores, self.scores])
        return self.scores

    def metrics(self) -> dict[str, float | None]:
        if self.task == "regression":
            return regression_metrics(self.y_true, self.y_pred)
        return classification_metrics(self.y_true, self.y_pred, self.classes, self.proba, self.scores)


def predict(model: Any, X: Any, y: Any, task: str, classes: np.ndarray | None = None) -> Predictions:
    """Run a fitted model (or pipeline) on rows with known answers."""
    y_pred = np.asarray(model.predict(X))
    if task == "regression":
        return Predictions(task, np.asarray(y, dtype=float), y_pred.astype(float))
    classes = np.asarray(model.classes_) if classes is None else classes
    proba = scores = None
    if hasattr(model, "predict_proba"):
        proba = np.asarray(model.predict_proba(X))
    elif hasattr(model, "decision_function"):
        scores = np.asarray(model.decision_function(X))
    return Predictions(task, np.asarray(y), y_pred, classes, proba, scores)


# ----------------------------------------------------------------------------- metric values
def classification_metrics(y_true: Any, y_pred: Any, classes: Any, proba: np.ndarray | None = None,
                           scores: np.ndarray | None = None) -> dict[str, float | None]:
    """Accuracy, balanced accuracy, macro and weighted averages, ROC AUC, log loss and MCC; with two
    classes also the positive class's own precision, recall and F1.

    Labels are turned into codes once (``classes`` sorted), which makes the scikit-learn calls
    several times faster than on text labels without changing any value.
    """
    classes = np.asarray(classes)
    true, pred = np.searchsorted(classes, np.asarray(y_true)), np.searchsorted(classes, np.asarray(y_pred))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        precision, recall, f1, support = metrics.precision_recall_fscore_support(
            true, pred, labels=np.arange(len(classes)), zero_division=0)
        present = support > 0  # scikit-learn's macro average leaves out classes absent from both sides
        present |= np.isin(np.arange(len(classes)), pred)
        result = {
            "accuracy": metrics.accuracy_score(true, pred),
            "balanced_accuracy": metrics.balanced_accuracy_score(true, pred),
            "f1_macro": np.mean(f1[present]),
            "f1_weighted": np.average(f1, weights=support) if support.sum() else 0.0,
            "precision_macro": np.mean(precision[present]),
            "recall_macro": np.mean(recall[present]),
            "roc_auc": _roc_auc(true, len(classes), proba, scores),
            "log_loss": _safe(lambda: metrics.log_loss(true, proba, labels=np.arange(len(classes))))
            if proba is not None else None,
            "mcc": metrics.matthews_corrcoef(true, pred),
        }
        if len(classes) == 2:
            result.update({"precision_positive": precision[1], "recall_positive": recall[1],
                           "f1_positive": f1[1]})
    return {key: _finite(value) for key, value in result.items()}


def regression_metrics(y_true: Any, y_pred: Any) -> dict[str, float | None]:
    """R², MAE, RMSE, MAPE and median absolute error."""
    y_true, y_pred = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = {
            "r2": metrics.r2_score(y_true, y_pred),
            "mae": metrics.mean_absolute_error(y_true, y_pred),
            "rmse": metrics.root_mean_squared_error(y_true, y_pred),
            "mape": metrics.mean_absolute_percentage_error(y_true, y_pred),
            "median_ae": metrics.median_absolute_error(y_true, y_pred),
        }
    return {key: _finite(value) for key, value in result.items()}


def _roc_auc(true: np.ndarray, n_classes: int, proba: np.ndarray | None, scores: np.ndarray | None) -> Any:
    if proba is None and scores is None:
        return None
    if n_classes == 2:
        score = proba[:, 1] if proba is not None else scores
        return _safe(lambda: metrics.roc_auc_score(true, score))
    if proba is not None:
        labels = np.arange(n_classes)
        return _safe(lambda: metrics.roc_auc_score(true, proba, multi_class="ovr", labels=labels))
    # Decision values are not probabilities; one-vs-rest AUC averaged over classes, as sklearn's "ovr".
    return _safe(lambda: np.mean([metrics.roc_auc_score(true == k, scores[:, k]) for k in range(n_classes)]))


def _safe(compute: Any) -> Any:
    try:
        return compute()
    except ValueError:
        return None


def _finite(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if np.isfinite(value) else None
