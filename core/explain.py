"""Explanations of a trained run: permutation and built-in importance, partial dependence, a drawn tree.

Each works for every kind of feature (numbers, whole numbers, booleans, labels, dates, columns
with missing values) and is bounded on large or wide tables: it samples rows, and when that is
not enough it limits repeats or columns and says so in the result's ``note``.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from core.errors import DataError
from core.metrics import sklearn_scoring

if TYPE_CHECKING:
    from core.runs import FittedRun

PERMUTATION_MAX_ROWS = 5_000
PERMUTATION_MIN_ROWS = 1_000
PERMUTATION_TIME_BUDGET_S = 15.0
PARTIAL_DEPENDENCE_MAX_ROWS = 1_000
PARTIAL_DEPENDENCE_CELLS_PER_CALL = 2_000_000
PARTIAL_DEPENDENCE_MAX_CELLS = 10_000_000  # rows x columns x grid values sent through the model in all
Progress = Callable[[float, str], None]


# ----------------------------------------------------------------------------- permutation importance
def permutation_importance_frame(run: FittedRun, metric: str | None = None, n_repeats: int = 5,
                                 max_rows: int = PERMUTATION_MAX_ROWS,
                                 time_budget_s: float | None = PERMUTATION_TIME_BUDGET_S,
                                 progress: Progress | None = None) -> pd.DataFrame:
    """How much worse the test score gets when one input column is shuffled: works for every model.

    Columns are the table's own (before encoding); at most ``max_rows`` test rows are used. The
    cost is one scoring per column and repeat. With ``time_budget_s``, when all columns would not
    fit, fewer rows are used first (down to ``PERMUTATION_MIN_ROWS``), then fewer repeats (two at
    least), then only the columns the model ranks highest (table order when it has no ranking);
    the work stops once the budget is spent. ``frame.attrs["note"]`` says what was limited;
    ``progress(fraction, message)`` follows each column.
    """
    from sklearn.metrics import get_scorer

    data = run.prepared
    if data.X_test is None or len(data.X_test) == 0:
        raise DataError("This run has no test rows to measure importance on. Use a test share above 0.")
    metric = metric or run.record.sort_by
    scorer = get_scorer(sklearn_scoring(metric, data.n_classes)[0])
    rng = np.random.default_rng(data.settings.seed)
    X, y = _sample_rows(data.X_test[data.input_columns], data.y_test, max_rows, rng)

    def score(frame: pd.DataFrame) -> float:
        # One thread: many short predictions on a shared, busy server are faster and steadier so.
        with warnings.catch_warnings(), threadpool_limits(1):
            warnings.simplefilter("ignore")
            return float(scorer(run.pipeline, frame, y))

    started = time.perf_counter()
    columns, repeats, notes = list(X.columns), n_repeats, []
    ranked = None
    if time_budget_s is not None:
        ranked = _ranked_by_model(run, columns)
        columns = ranked or columns
        calls = time_budget_s / max(min(_seconds(score, X), _seconds(score, X)), 1e-4)  # the first call warms up
        needed = len(columns) * n_repeats
        if needed > calls and len(X) > PERMUTATION_MIN_ROWS:
            rows = max(PERMUTATION_MIN_ROWS, int(len(X) * calls / needed))
            calls *= len(X) / rows
            X, y = _sample_rows(X, y, rows, rng)
        if needed > calls:
            repeats = max(2, min(n_repeats, int(calls) // len(columns)))
        columns = columns[:max(1, int(calls) // repeats)]
    if len(X) < len(data.X_test):
        notes.append(f"a random {len(X):,} of the {len(data.X_test):,} test rows")
    if repeats < n_repeats:
        notes.append(f"{repeats} shuffles per column instead of {n_repeats}")
    baseline = score(X)
    shuffled, drops = X.copy(), []
    for index, column in enumerate(columns):
        original = shuffled[column]
        values = []
        for _ in range(repeats):
            shuffled[column] = original.take(rng.permutation(len(X))).set_axis(X.index)
            values.append(baseline - score(shuffled))
        shuffled[column], drops = original, [*drops, values]
        if progress is not None:
            # No column name in the message: pages show it as Markdown, and names are the user's text.
            progress((index + 1) / len(columns), f"Shuffled {index + 1} of {len(columns)} columns")
        if time_budget_s is not None and time.perf_counter() - started > time_budget_s and index + 1 < len(columns):
            if progress is not None:
                progress(1.0, f"Time limit reached after {index + 1} of {len(columns)} columns")
            break
    if len(drops) < X.shape[1]:
        how = "the model's own importance ranks highest" if ranked else "come first in the table"
        notes.append(f"the {len(drops):,} of {X.shape[1]:,} columns that {how}")
    drops_array = np.asarray(drops, dtype=float)
    frame = pd.DataFrame({"feature": columns[:len(drops)], "importance": drops_array.mean(axis=1),
                          "std": drops_array.std(axis=1)})
    frame.attrs["metric"] = metric
    limit = f"under {time_budget_s:g} s" if time_budget_s is not None else "quick"
    frame.attrs["note"] = f"Measured on {', '.join(notes)} to keep it {limit}." if notes else ""
    return frame.sort_values("importance", ascending=False, ignore_index=True)


def _sample_rows(X: pd.DataFrame, y: np.ndarray, rows: int,
                 rng: np.random.Generator) -> tuple[pd.DataFrame, np.ndarray]:
    if len(X) <= rows:
        return X, y
    chosen = np.sort(rng.choice(len(X), rows, replace=False))
    return X.iloc[chosen], y[chosen]


def _seconds(score: Callable[[pd.DataFrame], float], X: pd.DataFrame) -> float:
    started = time.perf_counter()
    score(X)
    return time.perf_counter() - started


def _ranked_by_model(run: FittedRun, columns: list[str]) -> list[str] | None:
    """Input columns by the model's built-in importance (summed over their encoded columns), if it has one."""
    importances = builtin_importance_frame(run)
    if importances is None:
        return None
    by_length = sorted(columns, key=len, reverse=True)
    totals = dict.fromkeys(columns, 0.0)
    for name, value in zip(importances["feature"], importances["importance"].abs(), strict=True):
        owner = next((c for c in by_length if name == c or name.startswith(f"{c}_")), None)
        if owner is not None:
            totals[owner] += float(value)
    return sorted(columns, key=lambda column: -totals[column])


# ----------------------------------------------------------------------------- built-in importance
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


def builtin_importance_frame(run: FittedRun) -> pd.DataFrame | None:
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


# ----------------------------------------------------------------------------- partial dependence
@dataclass
class PartialDependenceData:
    feature: str
    categorical: bool
    grid: np.ndarray
    outputs: list[str]
    average: np.ndarray  # (len(outputs), len(grid))
    kind: str = "number"  # number, category or date: a line, bars, or a line over time
    value_label: str = "Average prediction"
    note: str = field(default="")


def partial_dependence_data(run: FittedRun, feature: str, grid_resolution: int = 30,
                            max_rows: int = PARTIAL_DEPENDENCE_MAX_ROWS) -> PartialDependenceData:
    """The model's average prediction as one feature is set to each value of a grid, others unchanged.

    For classifiers the output is the probability of each class (of the second class when there are
    two; decision scores for a model without probabilities). Labels and booleans get one value per
    label (the ``grid_resolution`` most common), numbers and dates a grid of quantiles. Computed
    here rather than with scikit-learn's ``partial_dependence``, which refuses whole-number and
    date columns; the method is the same ("brute": set, predict, average).
    """
    data = run.prepared
    if feature not in data.input_columns:
        raise DataError(f"'{feature}' is not one of this model's features. Choose one of: "
                        f"{', '.join(data.input_columns)}.")
    role = data.input_role(feature)
    X = data.X_train[data.input_columns]
    grid, kind = _grid(X[feature], role, grid_resolution, feature)
    # Wide tables get fewer rows: every prediction encodes every column again.
    rows = min(max_rows, max(100, PARTIAL_DEPENDENCE_MAX_CELLS // (len(grid) * X.shape[1])))
    notes = []
    if kind == "category" and X[feature].nunique() > len(grid):
        notes.append(f"Shows the {len(grid)} most common of {X[feature].nunique():,} labels.")
    if len(X) > rows:
        notes.append(f"Averaged over a random {rows:,} of the {len(X):,} training rows.")
        X = X.sample(rows, random_state=data.settings.seed)
    outputs, value_label, predict = _prediction_output(run)
    # Several grid values share one prediction call (fewer calls are much faster), within a memory bound.
    per_call = max(1, PARTIAL_DEPENDENCE_CELLS_PER_CALL // max(1, X.size))
    chunks = []
    for start in range(0, len(grid), per_call):
        values = grid[start:start + per_call]
        batch = pd.concat([X.assign(**{feature: [value] * len(X)}) for value in values], ignore_index=True)
        chunks.append(predict(batch).reshape(len(values), len(X), -1).mean(axis=1))
    average = np.vstack(chunks).T
    shown = np.asarray([str(value) for value in grid], dtype=object) if kind == "category" else np.asarray(grid)
    return PartialDependenceData(feature, kind == "category", shown, outputs, average, kind, value_label,
                                 " ".join(notes))


def _grid(column: pd.Series, role: str, resolution: int, feature: str) -> tuple[list[Any], str]:
    from core.schema import parse_dates

    values = column.dropna()
    if role == "datetime":
        dates = parse_dates(values).dropna()
        if dates.empty:
            raise DataError(f"'{feature}' has no dates to vary.")
        nanoseconds = dates.dt.as_unit("ns").astype("int64").to_numpy()
        stamps = np.unique(np.quantile(nanoseconds, np.linspace(0.0, 1.0, resolution)).round())
        grid = pd.to_datetime(stamps.astype("int64"), utc=dates.dt.tz is not None).round("s")
        if dates.dt.tz is not None:
            grid = grid.tz_convert(dates.dt.tz)
        as_text = not pd.api.types.is_datetime64_any_dtype(column)
        return [stamp.isoformat() if as_text else stamp for stamp in grid], "date"
    if role == "categorical" or pd.api.types.is_bool_dtype(values):
        if values.empty:
            raise DataError(f"'{feature}' has no values to vary.")
        return list(values.value_counts().index[:resolution]), "category"
    numbers = pd.to_numeric(values, errors="coerce").dropna().to_numpy(dtype=float)
    if numbers.size == 0:
        raise DataError(f"'{feature}' has no numbers to vary.")
    unique = np.unique(numbers)
    if len(unique) <= resolution:
        return list(unique), "number"
    grid = np.quantile(numbers, np.linspace(0.05, 0.95, resolution))
    whole = bool(np.all(np.mod(numbers, 1) == 0))  # ages, years, counts: keep the grid on whole numbers
    return list(np.unique(grid.round() if whole else grid)), "number"


def _prediction_output(run: FittedRun) -> tuple[list[str], str, Callable[[pd.DataFrame], np.ndarray]]:
    """What partial dependence averages: the prediction, class probabilities or decision scores."""
    data, pipeline = run.prepared, run.pipeline

    def quietly(method: Callable[[pd.DataFrame], Any]) -> Callable[[pd.DataFrame], np.ndarray]:
        def call(frame: pd.DataFrame) -> np.ndarray:
            with warnings.catch_warnings(), threadpool_limits(1):
                warnings.simplefilter("ignore")
                values = np.asarray(method(frame), dtype=float)
            return values.reshape(len(frame), -1)
        return call

    if data.task == "regression":
        return [str(data.settings.target)], "Average prediction", quietly(pipeline.predict)
    classes = [str(label) for label in data.classes]
    if hasattr(pipeline, "predict_proba"):
        if len(classes) == 2:
            return [classes[1]], f"Average probability of '{classes[1]}'", \
                lambda frame: quietly(pipeline.predict_proba)(frame)[:, 1:]
        return classes, "Average probability", quietly(pipeline.predict_proba)
    label = f"Average decision score for '{classes[1]}'" if len(classes) == 2 else "Average decision score"
    return (classes[1:] if len(classes) == 2 else classes), label, quietly(pipeline.decision_function)


# ----------------------------------------------------------------------------- tree
@dataclass
class TreeDrawing:
    """A fitted decision tree as text and as a node table (for drawing); depth-limited for reading."""

    text: str
    nodes: pd.DataFrame = field(repr=False)


def tree_drawing(run: FittedRun, max_depth: int = 4) -> TreeDrawing:
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
