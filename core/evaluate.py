"""Metrics and the data behind every evaluation plot, per task: results, never figures.

Metric values equal scikit-learn's own functions (the tests check this); keys are lowercase and a
metric that cannot be computed (log loss without probabilities, ROC AUC with one class present)
is ``None`` rather than NaN, so results always serialise to JSON. ``core.model_plots`` draws
figures from these results.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from sklearn import metrics

from core.errors import DataError

if TYPE_CHECKING:
    from core.train import RunResult

CLASSIFICATION_METRICS = ("accuracy", "balanced_accuracy", "f1", "f1_weighted", "precision", "recall",
                          "roc_auc", "log_loss", "mcc")
REGRESSION_METRICS = ("r2", "mae", "rmse", "mape", "median_ae")
LOWER_IS_BETTER = frozenset({"log_loss", "mae", "rmse", "mape", "median_ae"})
METRIC_LABELS = {
    "accuracy": "Accuracy", "balanced_accuracy": "Balanced accuracy", "f1": "F1 (macro)",
    "f1_weighted": "F1 (weighted)", "precision": "Precision (macro)", "recall": "Recall (macro)",
    "roc_auc": "ROC AUC", "log_loss": "Log loss", "mcc": "Matthews correlation", "r2": "R²",
    "mae": "Mean absolute error", "rmse": "Root mean squared error", "mape": "Mean absolute % error",
    "median_ae": "Median absolute error",
}
_SCORERS = {"accuracy": "accuracy", "balanced_accuracy": "balanced_accuracy", "f1": "f1_macro",
            "f1_weighted": "f1_weighted", "precision": "precision_macro", "recall": "recall_macro",
            "roc_auc": "roc_auc", "log_loss": "neg_log_loss", "mcc": "matthews_corrcoef", "r2": "r2",
            "mae": "neg_mean_absolute_error", "rmse": "neg_root_mean_squared_error",
            "mape": "neg_mean_absolute_percentage_error", "median_ae": "neg_median_absolute_error"}
PERMUTATION_MAX_ROWS = 5_000
PARTIAL_DEPENDENCE_MAX_ROWS = 1_000


def metric_names(task: str) -> tuple[str, ...]:
    return CLASSIFICATION_METRICS if task == "classification" else REGRESSION_METRICS


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


# ----------------------------------------------------------------------------- predictions, metrics
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


def classification_metrics(y_true: Any, y_pred: Any, classes: Any, proba: np.ndarray | None = None,
                           scores: np.ndarray | None = None) -> dict[str, float | None]:
    """Accuracy, balanced accuracy, F1, precision, recall, ROC AUC, log loss and MCC.

    Labels are turned into codes once (``classes`` sorted), which makes the scikit-learn calls
    several times faster than on text labels without changing any value.
    """
    classes = np.asarray(classes)
    true, pred = np.searchsorted(classes, np.asarray(y_true)), np.searchsorted(classes, np.asarray(y_pred))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        precision, recall, f1, support = metrics.precision_recall_fscore_support(true, pred, zero_division=0)
        weights = support if support.sum() else None
        result = {
            "accuracy": metrics.accuracy_score(true, pred),
            "balanced_accuracy": metrics.balanced_accuracy_score(true, pred),
            "f1": np.mean(f1),
            "f1_weighted": np.average(f1, weights=weights),
            "precision": np.mean(precision),
            "recall": np.mean(recall),
            "roc_auc": _roc_auc(true, len(classes), proba, scores),
            "log_loss": _safe(lambda: metrics.log_loss(true, proba, labels=np.arange(len(classes))))
            if proba is not None else None,
            "mcc": metrics.matthews_corrcoef(true, pred),
        }
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


# ----------------------------------------------------------------------------- classification curves
@dataclass
class ConfusionData:
    labels: list[str]
    counts: np.ndarray
    normalized: np.ndarray  # each row (true class) sums to 1


@dataclass
class Curve:
    """One curve (ROC, precision-recall or calibration) for one class."""

    label: str
    x: np.ndarray
    y: np.ndarray
    thresholds: np.ndarray | None = None
    area: float | None = None
    counts: np.ndarray | None = None


def confusion(pred: Predictions) -> ConfusionData:
    counts = metrics.confusion_matrix(pred.y_true, pred.y_pred, labels=pred.classes)
    totals = counts.sum(axis=1, keepdims=True)
    normalized = np.divide(counts, totals, out=np.zeros(counts.shape, dtype=float), where=totals > 0)
    return ConfusionData([str(label) for label in pred.classes], counts, normalized)


def _per_class(pred: Predictions) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(label, is-this-class, score) for the positive class of a binary target, or every class."""
    scores = pred.class_scores()
    if scores is None:
        raise DataError("This model gives neither probabilities nor scores, so no curves can be drawn.")
    indices = [pred.positive_index] if pred.is_binary else range(len(pred.classes))
    return [(str(pred.classes[k]), np.asarray(pred.y_true == pred.classes[k]), scores[:, k]) for k in indices]


def roc_curves(pred: Predictions) -> list[Curve]:
    """False-positive rate (x) against true-positive rate (y); one curve per class for multiclass."""
    curves = []
    for label, truth, score in _per_class(pred):
        if truth.all() or not truth.any():
            continue
        fpr, tpr, thresholds = metrics.roc_curve(truth, score)
        curves.append(Curve(label, fpr, tpr, thresholds, float(metrics.auc(fpr, tpr))))
    return curves


def precision_recall_curves(pred: Predictions) -> list[Curve]:
    """Recall (x) against precision (y), with average precision as the area."""
    curves = []
    for label, truth, score in _per_class(pred):
        if not truth.any():
            continue
        precision, recall, thresholds = metrics.precision_recall_curve(truth, score)
        curves.append(Curve(label, recall, precision, thresholds,
                            float(metrics.average_precision_score(truth, score))))
    return curves


def calibration(pred: Predictions, n_bins: int = 10) -> list[Curve]:
    """Mean predicted probability (x) against the observed share (y) per bin; needs probabilities."""
    from sklearn.calibration import calibration_curve

    if pred.proba is None:
        raise DataError("This model gives scores, not probabilities, so it has no calibration curve. "
                        "Turn on 'Probability estimates' in its settings.")
    curves = []
    for label, truth, score in _per_class(pred):
        observed, predicted = calibration_curve(truth, score, n_bins=n_bins, strategy="uniform")
        counts = np.histogram(score, bins=np.linspace(0, 1, n_bins + 1))[0]
        curves.append(Curve(label, predicted, observed, counts=counts[counts > 0]))
    return curves


def threshold_sweep(pred: Predictions, n_thresholds: int = 101) -> pd.DataFrame:
    """Precision, recall, F1 and accuracy of the positive class at each decision threshold (binary only)."""
    if not pred.is_binary:
        raise DataError("The threshold sweep needs a target with exactly two classes.")
    scores = pred.class_scores()[:, pred.positive_index]
    truth = pred.y_true == pred.positive_class
    if pred.proba is not None:
        thresholds = np.linspace(0.0, 1.0, n_thresholds)
    else:
        thresholds = np.unique(np.quantile(scores, np.linspace(0.0, 1.0, n_thresholds)))
    chosen = scores[None, :] >= thresholds[:, None]
    true_pos = (chosen & truth).sum(axis=1)
    predicted_pos = chosen.sum(axis=1)
    precision = np.divide(true_pos, predicted_pos, out=np.ones(len(thresholds)), where=predicted_pos > 0)
    recall = true_pos / max(int(truth.sum()), 1)
    f1 = np.divide(2 * precision * recall, precision + recall, out=np.zeros(len(thresholds)),
                   where=(precision + recall) > 0)
    accuracy = (chosen == truth).mean(axis=1)
    return pd.DataFrame({"threshold": thresholds, "precision": precision, "recall": recall, "f1": f1,
                         "accuracy": accuracy, "predicted_positive_share": predicted_pos / len(scores)})


def classification_report_frame(pred: Predictions) -> pd.DataFrame:
    """scikit-learn's classification report as a table: one row per class plus the averages."""
    report = metrics.classification_report(pred.y_true, pred.y_pred, labels=pred.classes,
                                           output_dict=True, zero_division=0)
    accuracy = report.pop("accuracy", None)
    frame = pd.DataFrame(report).T.rename_axis("class").reset_index()
    frame["support"] = frame["support"].astype(int)
    if accuracy is not None:
        frame.attrs["accuracy"] = accuracy
    return frame


# ----------------------------------------------------------------------------- regression
def residuals(pred: Predictions) -> pd.DataFrame:
    """Actual, predicted and residual (actual - predicted) per test row."""
    return pd.DataFrame({"actual": pred.y_true, "predicted": pred.y_pred,
                         "residual": pred.y_true - pred.y_pred})


# ----------------------------------------------------------------------------- learning curve
@dataclass
class LearningCurveData:
    metric: str
    train_sizes: np.ndarray
    train_mean: np.ndarray
    train_std: np.ndarray
    validation_mean: np.ndarray
    validation_std: np.ndarray


def learning_curve_data(run: RunResult, train_sizes: tuple[float, ...] = (0.1, 0.25, 0.5, 0.75, 1.0),
                        metric: str | None = None, n_jobs: int | None = None) -> LearningCurveData:
    """Scores on growing shares of the training part: a wide, lasting gap between training and
    validation scores means over-fitting; two low scores mean under-fitting."""
    from sklearn.base import clone
    from sklearn.model_selection import learning_curve

    from core.train import default_n_jobs

    data = run.prepared
    metric = metric or run.record.sort_by
    scoring, sign = sklearn_scoring(metric, data.n_classes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sizes, train, validation = learning_curve(
            clone(run.pipeline), data.X_train, data.y_train, cv=data.splits, scoring=scoring,
            train_sizes=np.asarray(train_sizes), shuffle=True, random_state=data.settings.seed,
            n_jobs=n_jobs or default_n_jobs())
    train, validation = sign * train, sign * validation
    return LearningCurveData(metric, sizes, np.nanmean(train, axis=1), np.nanstd(train, axis=1),
                             np.nanmean(validation, axis=1), np.nanstd(validation, axis=1))


# ----------------------------------------------------------------------------- explanations
def permutation_importance_frame(run: RunResult, metric: str | None = None, n_repeats: int = 5,
                                 max_rows: int = PERMUTATION_MAX_ROWS) -> pd.DataFrame:
    """How much the test score drops when one input column is shuffled: works for every model.

    Columns are the table's own (before encoding); at most ``max_rows`` test rows are used.
    """
    from sklearn.inspection import permutation_importance

    data = run.prepared
    if data.X_test is None or len(data.X_test) == 0:
        raise DataError("This run has no test rows to measure importance on. Use a test share above 0.")
    metric = metric or run.record.sort_by
    scoring, sign = sklearn_scoring(metric, data.n_classes)
    X, y = data.X_test[data.feature_columns], data.y_test
    if len(X) > max_rows:
        rows = np.random.default_rng(data.settings.seed).choice(len(X), max_rows, replace=False)
        X, y = X.iloc[np.sort(rows)], y[np.sort(rows)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = permutation_importance(run.pipeline, X, y, scoring=scoring, n_repeats=n_repeats,
                                        random_state=data.settings.seed)
    # A drop in the score is a rise in an error metric: report both as "how much worse".
    direction = 1.0 if sign > 0 else -1.0
    frame = pd.DataFrame({"feature": list(X.columns), "importance": direction * result.importances_mean,
                          "std": result.importances_std})
    frame.attrs["metric"] = metric
    return frame.sort_values("importance", ascending=False, ignore_index=True)


def final_estimator(pipeline: Any) -> Any:
    """The fitted learner inside the pipeline, unwrapped from target scaling or calibration."""
    model = pipeline.named_steps["model"] if hasattr(pipeline, "named_steps") else pipeline
    if hasattr(model, "regressor_"):
        model = model.regressor_
    if hasattr(model, "calibrated_classifiers_"):
        model = model.calibrated_classifiers_[0].estimator
    return model


def encoded_feature_names(pipeline: Any) -> list[str]:
    """Names of the model's input columns after encoding (one-hot columns are ``column_label``)."""
    return [str(name) for name in pipeline.named_steps["preprocess"].get_feature_names_out()]


def builtin_importance_frame(run: RunResult) -> pd.DataFrame | None:
    """The model's own importances or coefficients per encoded feature; ``None`` when it has neither.

    Coefficients of a multiclass linear model get one column per class plus ``importance``, the
    mean absolute coefficient. Coefficients compare across features only when features are scaled.
    """
    model = final_estimator(run.pipeline)
    names = encoded_feature_names(run.pipeline)
    if hasattr(model, "feature_importances_"):
        frame = pd.DataFrame({"feature": names, "importance": model.feature_importances_})
        frame.attrs["kind"] = "importance"
    elif hasattr(model, "coef_"):
        coef = np.atleast_2d(np.asarray(model.coef_, dtype=float))
        if coef.shape[0] == 1:
            frame = pd.DataFrame({"feature": names, "importance": coef[0]})
        else:
            classes = getattr(model, "classes_", range(coef.shape[0]))
            frame = pd.DataFrame({"feature": names, "importance": np.abs(coef).mean(axis=0)})
            for label, row in zip(classes, coef, strict=True):
                frame[f"coef_{label}"] = row
        frame.attrs["kind"] = "coefficient"
    else:
        return None
    order = frame["importance"].abs().sort_values(ascending=False).index
    return frame.loc[order].reset_index(drop=True)


@dataclass
class PartialDependenceData:
    feature: str
    categorical: bool
    grid: np.ndarray
    outputs: list[str]
    average: np.ndarray  # (len(outputs), len(grid))


def partial_dependence_data(run: RunResult, feature: str, grid_resolution: int = 30,
                            max_rows: int = PARTIAL_DEPENDENCE_MAX_ROWS) -> PartialDependenceData:
    """The model's average prediction as one feature is set to each value of a grid, others unchanged.

    For classifiers the output is the probability of each class (the positive class when binary).
    """
    from sklearn.inspection import partial_dependence

    data = run.prepared
    if feature not in data.feature_columns:
        raise DataError(f"'{feature}' is not one of this model's features. Choose one of: "
                        f"{', '.join(data.feature_columns)}.")
    role = {encoding.column: encoding.role for encoding in data.encodings}[feature]
    if role == "datetime":
        raise DataError(f"Partial dependence is not available for the date column '{feature}'.")
    X = data.X_train[data.feature_columns]
    if len(X) > max_rows:
        X = X.sample(max_rows, random_state=data.settings.seed)
    values = X[feature].dropna()
    if values.empty:
        raise DataError(f"'{feature}' has no values to vary.")
    categorical = role == "categorical"
    if categorical:
        grid = values.astype(str).value_counts().index[:grid_resolution].to_numpy(dtype=object)
        X = X.assign(**{feature: X[feature].astype(object)})
    else:
        numbers = pd.to_numeric(values, errors="coerce").dropna().to_numpy(dtype=float)
        unique = np.unique(numbers)
        grid = unique if len(unique) <= grid_resolution else np.unique(
            np.quantile(numbers, np.linspace(0.05, 0.95, grid_resolution)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = partial_dependence(run.pipeline, X, [feature], kind="average", method="brute",
                                    custom_values={feature: grid},
                                    categorical_features=[feature] if categorical else None)
    average = np.asarray(result["average"]).reshape(-1, len(grid))
    if data.task == "regression":
        outputs = [data.settings.target]
    elif len(data.classes) == 2:
        outputs = [str(data.classes[1])]
    else:
        outputs = [str(label) for label in data.classes]
    return PartialDependenceData(feature, categorical, np.asarray(result["grid_values"][0]), outputs, average)


@dataclass
class TreeDrawing:
    """A fitted decision tree as text and as a node table (for drawing); depth-limited for reading."""

    text: str
    nodes: pd.DataFrame = field(repr=False)


def tree_drawing(run: RunResult, max_depth: int = 4) -> TreeDrawing:
    """``export_text`` of the run's decision tree plus one row per node up to ``max_depth``."""
    from sklearn.tree import BaseDecisionTree, export_text

    model = final_estimator(run.pipeline)
    if not isinstance(model, BaseDecisionTree):
        raise DataError("Only a decision tree can be drawn. Train 'decision_tree' (a maximum depth of "
                        "2 to 4 reads best).")
    names = encoded_feature_names(run.pipeline)
    classes = [str(label) for label in model.classes_] if hasattr(model, "classes_") else None
    model = _tree_in_input_units(model, run.pipeline.named_steps["preprocess"])
    text = export_text(model, feature_names=names, class_names=classes, max_depth=max_depth)
    tree = model.tree_
    rows, stack = [], [(0, -1, 0, "")]
    while stack:
        node, parent, depth, edge = stack.pop()
        leaf = tree.children_left[node] == -1 or depth == max_depth
        value = tree.value[node]
        if classes is not None:
            shares = value[0] / value[0].sum()
            prediction, detail = classes[int(np.argmax(shares))], f"{shares.max():.0%}"
        else:
            prediction, detail = f"{value[0][0]:.4g}", ""
        rows.append({"node": node, "parent": parent, "depth": depth, "edge": edge, "leaf": leaf,
                     "feature": None if tree.children_left[node] == -1 else names[tree.feature[node]],
                     "threshold": None if tree.children_left[node] == -1 else float(tree.threshold[node]),
                     "samples": int(tree.n_node_samples[node]), "prediction": prediction, "purity": detail})
        if not leaf:
            stack.append((int(tree.children_right[node]), node, depth + 1, "no"))
            stack.append((int(tree.children_left[node]), node, depth + 1, "yes"))
    return TreeDrawing(text, pd.DataFrame(rows))


def _tree_in_input_units(model: Any, preprocessor: Any) -> Any:
    """A copy of the tree whose thresholds on scaled columns are back in the column's own units.

    Scalers are increasing affine maps, so every split keeps its meaning; a teacher reads
    "age <= 42.5" rather than "age <= 0.13".
    """
    import copy

    scaled: dict[int, tuple[Any, int]] = {}
    for name, piece in preprocessor.output_indices_.items():
        transformer = preprocessor.named_transformers_.get(name)
        scaler = getattr(transformer, "named_steps", {}).get("scale")
        if scaler is not None:
            for position, index in enumerate(range(piece.start, piece.stop)):
                scaled[index] = (scaler, position)
    model = copy.deepcopy(model)
    thresholds = model.tree_.threshold  # a writable view of the copy's nodes
    for node, feature in enumerate(model.tree_.feature):
        if feature >= 0 and int(feature) in scaled:
            scaler, position = scaled[int(feature)]
            row = np.zeros((1, scaler.n_features_in_))
            row[0, position] = thresholds[node]
            thresholds[node] = scaler.inverse_transform(row)[0, position]
    return model
