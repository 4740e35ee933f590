"""The data behind the performance views: confusion matrix, ROC, precision-recall, calibration,
threshold, per-class report, residuals and the learning curve. Results, never figures:
``core.model_plots`` draws them.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from sklearn import metrics

from core.engine import default_n_jobs
from core.errors import DataError
from core.metrics import Predictions, sklearn_scoring

if TYPE_CHECKING:
    from core.runs import FittedRun

# A learning curve refits the model (sizes x folds) times: above these it works on a sample and says so.
LEARNING_CURVE_MAX_ROWS = 10_000
LEARNING_CURVE_MIN_ROWS = 500
LEARNING_CURVE_MAX_FOLDS = 5
LEARNING_CURVE_TIME_BUDGET_S = 30.0
LEARNING_CURVE_SIZES = (0.1, 0.25, 0.5, 0.75, 1.0)


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


_AVERAGE_ROWS = {"macro avg": "macro average", "weighted avg": "weighted average", "micro avg": "micro average"}


def classification_report_frame(pred: Predictions) -> pd.DataFrame:
    """scikit-learn's classification report as a table: each class's own precision, recall, F1 and
    support (test rows of that class), then the macro and weighted averages."""
    report = metrics.classification_report(pred.y_true, pred.y_pred, labels=pred.classes,
                                           output_dict=True, zero_division=0)
    accuracy = report.pop("accuracy", None)
    report = {_AVERAGE_ROWS.get(name, name): values for name, values in report.items()}
    frame = pd.DataFrame(report).T.rename_axis("class").reset_index().rename(columns={"f1-score": "f1"})
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
    note: str = field(default="")  # what was sampled or left out to keep the cost bounded


def learning_curve_seconds(run: FittedRun, rows: int | None = None,
                           train_sizes: tuple[float, ...] = LEARNING_CURVE_SIZES,
                           max_folds: int = LEARNING_CURVE_MAX_FOLDS, n_jobs: int | None = None) -> float:
    """A rough wall time: one fit per size and fold, each costing its share of the run's own refit."""
    data = run.prepared
    folds = min(len(data.splits), max_folds)
    share = (rows or len(data.y_train)) / max(len(data.y_train), 1) * (folds - 1) / folds
    fits = run.record.fit_seconds * share * sum(train_sizes) * folds
    # Scoring each fit twice and starting the workers cost about half as much again (measured: 22 s
    # estimated without it, 30 s taken, for a random forest on 1,600 rows x 1,000 columns).
    return 1.5 * fits / min(n_jobs or default_n_jobs(), folds * len(train_sizes))


def learning_curve_data(run: FittedRun, train_sizes: tuple[float, ...] = LEARNING_CURVE_SIZES,
                        metric: str | None = None, n_jobs: int | None = None,
                        max_rows: int = LEARNING_CURVE_MAX_ROWS, max_folds: int = LEARNING_CURVE_MAX_FOLDS,
                        time_budget_s: float | None = LEARNING_CURVE_TIME_BUDGET_S) -> LearningCurveData:
    """Scores on growing shares of the training part: a wide, lasting gap between training and
    validation scores means over-fitting; two low scores mean under-fitting.

    It fits the model once per size and fold, so on a large or wide table each fold keeps a random
    share of its rows (at most ``max_rows`` training rows in all, fewer when the estimated time is
    over ``time_budget_s``) and only the first ``max_folds`` folds are used; the run's own folds are
    kept, so groups and time order still hold. ``note`` says what was left out.
    """
    from sklearn.base import clone
    from sklearn.model_selection import learning_curve

    data = run.prepared
    metric = metric or run.record.sort_by
    scoring, sign = sklearn_scoring(metric, data.n_classes)
    splits, notes = list(data.splits[:max_folds]), []
    if len(data.splits) > max_folds:
        notes.append(f"the first {max_folds} of {len(data.splits)} folds")
    n_rows = len(data.y_train)
    rows = min(n_rows, max_rows)
    if time_budget_s is not None:
        estimate = learning_curve_seconds(run, rows, train_sizes, max_folds, n_jobs)
        if estimate > time_budget_s:
            rows = max(min(rows, LEARNING_CURVE_MIN_ROWS), int(rows * time_budget_s / estimate))
    if rows < n_rows:
        share = rows / n_rows
        rng = np.random.default_rng(data.settings.seed)
        splits = [(_sample(train, share, rng), _sample(validation, share, rng)) for train, validation in splits]
        notes.append(f"a random {rows:,} of the {n_rows:,} training rows")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sizes, train, validation = learning_curve(
            clone(run.pipeline), data.X_train, data.y_train, cv=splits, scoring=scoring,
            train_sizes=np.asarray(train_sizes), shuffle=True, random_state=data.settings.seed,
            n_jobs=n_jobs or default_n_jobs())
    train, validation = sign * train, sign * validation
    note = f"Computed on {' and '.join(notes)} to keep it quick." if notes else ""
    return LearningCurveData(metric, sizes, np.nanmean(train, axis=1), np.nanstd(train, axis=1),
                             np.nanmean(validation, axis=1), np.nanstd(validation, axis=1), note)


def _sample(rows: np.ndarray, share: float, rng: np.random.Generator) -> np.ndarray:
    return np.sort(rng.choice(rows, max(2, round(len(rows) * share)), replace=False))
