"""Metrics and the data behind every evaluation view, per task: results, never figures.

A facade kept for older callers (``core.train``, ``core.compare``, ``core.tune``, tests, scripts);
new code imports the three modules it re-exports directly, so that nothing in them depends on
what imports this: ``core.metrics`` (metric names and values, predictions), ``core.curves`` (confusion
matrix, ROC, precision-recall, calibration, threshold, report, residuals, learning curve) and
``core.explain`` (permutation and built-in importance, partial dependence, the drawn tree).
``core.model_plots`` draws figures from these results.
"""

from core.curves import (
    LEARNING_CURVE_MAX_FOLDS,
    LEARNING_CURVE_MAX_ROWS,
    LEARNING_CURVE_SIZES,
    LEARNING_CURVE_TIME_BUDGET_S,
    ConfusionData,
    Curve,
    LearningCurveData,
    calibration,
    classification_report_frame,
    confusion,
    learning_curve_data,
    learning_curve_seconds,
    precision_recall_curves,
    residuals,
    roc_curves,
    threshold_sweep,
)
from core.explain import (
    PARTIAL_DEPENDENCE_MAX_ROWS,
    PERMUTATION_MAX_ROWS,
    PERMUTATION_TIME_BUDGET_S,
    PartialDependenceData,
    TreeDrawing,
    builtin_importance_frame,
    encoded_feature_names,
    final_estimator,
    partial_dependence_data,
    permutation_importance_frame,
    tree_drawing,
)
from core.metrics import (
    CLASSIFICATION_METRICS,
    LOWER_IS_BETTER,
    METRIC_LABELS,
    POSITIVE_CLASS_METRICS,
    REGRESSION_METRICS,
    Predictions,
    classification_metrics,
    default_sort_metric,
    higher_is_better,
    metric_label,
    metric_names,
    positive_class_label,
    predict,
    regression_metrics,
    sklearn_scoring,
)

__all__ = [
    "CLASSIFICATION_METRICS", "LEARNING_CURVE_MAX_FOLDS", "LEARNING_CURVE_MAX_ROWS", "LEARNING_CURVE_SIZES",
    "LEARNING_CURVE_TIME_BUDGET_S", "LOWER_IS_BETTER",
    "METRIC_LABELS", "PARTIAL_DEPENDENCE_MAX_ROWS", "PERMUTATION_MAX_ROWS", "PERMUTATION_TIME_BUDGET_S",
    "POSITIVE_CLASS_METRICS", "REGRESSION_METRICS", "ConfusionData", "Curve", "LearningCurveData",
    "PartialDependenceData", "Predictions", "TreeDrawing", "builtin_importance_frame", "calibration",
    "classification_metrics", "classification_report_frame", "confusion", "default_sort_metric",
    "encoded_feature_names", "final_estimator", "higher_is_better", "learning_curve_data", "learning_curve_seconds",
    "metric_label",
    "metric_names", "partial_dependence_data", "permutation_importance_frame", "positive_class_label",
    "precision_recall_curves", "predict", "regression_metrics", "residuals", "roc_curves", "sklearn_scoring",
    "threshold_sweep", "tree_drawing",
]
