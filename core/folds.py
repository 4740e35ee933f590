"""The one pipeline and the work on cross-validation folds, shared by train, compare and tune.

Every model is ``Pipeline([("preprocess", ColumnTransformer), ("model", estimator)])``, fitted on
training folds only. Folds can be encoded once and shared between algorithms (the same fitted
transformer the pipeline would learn on those rows); each (model, fold) fit is a task for
``core.engine.run_tasks``, whose result is a plain dict of scores, timings and warnings.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.pipeline import Pipeline

from core import evaluate
from core.engine import Cancelled, RunContext, run_tasks
from core.models import ModelSpec
from core.preprocess import ColumnEncoding, build_preprocessor
from core.train_data import PreparedData

# Shared fold preprocessing keeps every fold's encoded arrays in memory; above this it is skipped
# and each fit runs the whole pipeline instead (slower, same results).
SHARED_PREPROCESSING_MAX_BYTES = 1_500_000_000
# Below this many training rows the folds are encoded in this process: workers would cost more than they save.
PARALLEL_ENCODING_MIN_ROWS = 50_000


def make_pipeline(encodings: list[ColumnEncoding], model_spec: ModelSpec,
                  params: dict[str, Any] | None = None, seed: int = 0,
                  class_weight: str | None = None, recipe: list[Any] | None = None) -> Pipeline:
    """The one unfitted pipeline: the recipe's value steps, the preprocessing, then the estimator.

    ``recipe`` (``PreparedData.recipe_steps``) is learnt on the rows the pipeline is fitted on;
    without one the recipe step passes the table through unchanged.
    """
    from core.recipe_fit import RecipeTransformer

    return Pipeline([("recipe", RecipeTransformer(list(recipe or []))),
                     ("preprocess", _seeded_column_transformer(encodings, seed, model_spec.task)),
                     ("model", model_spec.build(params, seed, class_weight))])


def seeded_preprocessor(encodings: list[ColumnEncoding], seed: int, task: str = "classification",
                        recipe: list[Any] | None = None) -> Any:
    """Everything before the model, seeded: the same seed gives the same encoding.

    With a ``recipe`` it is ``Pipeline([("recipe", ...), ("preprocess", ...)])``, so folds encoded once
    and shared between models learn the recipe's values on each fold's training rows, as the whole
    pipeline would; without one it is the ``ColumnTransformer`` alone.
    """
    from core.recipe_fit import RecipeTransformer

    preprocessor = _seeded_column_transformer(encodings, seed, task)
    if not recipe:
        return preprocessor
    return Pipeline([("recipe", RecipeTransformer(list(recipe))), ("preprocess", preprocessor)])


def _seeded_column_transformer(encodings: list[ColumnEncoding], seed: int, task: str) -> Any:
    """``build_preprocessor`` with its random steps seeded.

    Target encoding cross-fits on shuffled inner folds; scikit-learn 1.9 takes their seed as a
    splitter in ``cv`` (its own ``random_state`` is deprecated). Its target type follows the task.
    """
    from sklearn.model_selection import KFold, StratifiedKFold
    from sklearn.preprocessing import TargetEncoder

    preprocessor = build_preprocessor(encodings)
    splitter = StratifiedKFold if task == "classification" else KFold
    for _, transformer, _ in preprocessor.transformers:
        for _, step in getattr(transformer, "steps", []):
            if isinstance(step, TargetEncoder):
                # Say the target's type: "auto" reads a whole-number regression target (delays in
                # minutes) as a thousand classes and makes one encoded column per value.
                step.set_params(cv=splitter(5, shuffle=True, random_state=seed),
                                target_type="continuous" if task == "regression" else "auto")
    return preprocessor


@dataclass
class FoldData:
    """One cross-validation fold with its preprocessing fitted on the fold's training rows only."""

    train_rows: np.ndarray
    validation_rows: np.ndarray
    preprocessor: Any
    Z_train: Any
    Z_validation: Any
    Z_test: Any


def prepare_folds(data: PreparedData, context: RunContext | None = None, include_whole: bool = False,
                  deadline: float | None = None) -> list[FoldData]:
    """Fit each fold's preprocessor on that fold's training rows and encode its rows and the test rows.

    ``include_whole`` appends one more entry encoded from the whole training part (no validation
    rows): the refit that gives a model's test score shares it. On a job's workers the folds of a
    large table are encoded in parallel (encoding costs as much as several fits); at ``deadline`` (a
    ``time.perf_counter()`` value) or a cancel the encoding stops with ``Cancelled``.
    """
    context = context or RunContext(n_jobs=1)
    splits = list(data.splits)
    if include_whole:
        splits.append((np.arange(len(data.y_train)), np.arange(0)))
    cancelled = False

    def stop() -> bool:
        nonlocal cancelled
        cancelled = context.cancelled()
        return cancelled

    if _encoded_bytes(data, splits) > SHARED_PREPROCESSING_MAX_BYTES:
        return []
    tasks = []
    for index, (train_rows, validation_rows) in enumerate(splits):
        whole = len(train_rows) == len(data.y_train)
        X_fold = data.X_train if whole else data.X_train.iloc[train_rows]
        X_validation = data.X_train.iloc[validation_rows] if len(validation_rows) else None
        tasks.append((index, _encode_fold, seeded_preprocessor(data.encodings, data.settings.seed, data.task,
                                                               data.recipe_steps),
                      X_fold, data.y_train[train_rows], X_validation, data.X_test))
    context.check_cancel()
    if len(data.y_train) < PARALLEL_ENCODING_MIN_ROWS:
        context = context.changed(n_jobs=1, workers=None)
    encoded = dict(run_tasks(tasks, context, stop, deadline))
    if cancelled or len(encoded) < len(splits):
        raise Cancelled("Cancelled before the folds were encoded.")
    folds = [FoldData(train_rows, validation_rows, **encoded[index])
             for index, (train_rows, validation_rows) in enumerate(splits)]
    size = sum(getattr(z, "nbytes", 0) for fold in folds for z in (fold.Z_train, fold.Z_validation, fold.Z_test))
    return [] if size > SHARED_PREPROCESSING_MAX_BYTES else folds


def _encoded_bytes(data: PreparedData, splits: list[tuple[np.ndarray, np.ndarray]]) -> int:
    """What every fold's encoded arrays would take, from the width of a small sample's encoding."""
    sample = data.X_train.iloc[:2_000]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        width = seeded_preprocessor(data.encodings, data.settings.seed, data.task,
                                    data.recipe_steps).fit_transform(
            sample, data.y_train[:2_000]).shape[1]
    rows = sum(len(train) + len(validation) + len(data.y_test) for train, validation in splits)
    return rows * width * 8


def _encode_fold(preprocessor: Any, X_train: pd.DataFrame, y_train: np.ndarray,
                 X_validation: pd.DataFrame | None, X_test: pd.DataFrame) -> dict[str, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        Z_train = preprocessor.fit_transform(X_train, y_train)
        Z_validation = preprocessor.transform(X_validation) if X_validation is not None else None
        Z_test = preprocessor.transform(X_test)
    return {"preprocessor": preprocessor, "Z_train": Z_train, "Z_validation": Z_validation, "Z_test": Z_test}


def stratified_sample(y: np.ndarray, n_rows: int, seed: int, classification: bool) -> np.ndarray:
    """Sorted positions of ``n_rows`` rows, every class in its share; the same arguments give the same rows."""
    from sklearn.model_selection import train_test_split

    rows = np.arange(len(y))
    if n_rows >= len(y):
        return rows
    stratify = y if classification and np.unique(y, return_counts=True)[1].min() >= 2 else None
    # A stream of its own: the folds' splitter, seeded with ``seed`` too, draws the same permutation,
    # and the sample would then be whole folds (some folds with no sampled row at all).
    own_seed = int(np.random.SeedSequence([seed, 1]).generate_state(1)[0])
    sample, _ = train_test_split(rows, train_size=n_rows, random_state=own_seed, stratify=stratify)
    return np.sort(sample)


def _fit_and_score(estimator: Any, Z_train: Any, y_train: np.ndarray, sets: dict[str, tuple[Any, np.ndarray]],
                   task: str, classes: np.ndarray | None) -> dict[str, Any]:
    """Fit one model on one fold and score it on each named set; failures are reported, not raised."""
    from sklearn.exceptions import ConvergenceWarning

    outcome: dict[str, Any] = {"error": None, "warnings": []}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        try:
            started = time.perf_counter()
            model = clone(estimator).fit(Z_train, y_train)
            outcome["fit_seconds"] = time.perf_counter() - started
            for name, (Z, y) in sets.items():
                outcome[name] = _score(model, Z, y, task, classes)
            outcome["seconds"] = time.perf_counter() - started
        except Exception as exc:  # noqa: BLE001 - one failing algorithm must not stop the others
            outcome["error"] = f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}"
    outcome["warnings"] = sorted({str(w.message).split(".")[0] for w in caught
                                  if issubclass(w.category, ConvergenceWarning)})
    return outcome


def _score(model: Any, Z: Any, y: np.ndarray, task: str,
           classes: np.ndarray | None) -> dict[str, float | None]:
    pred = evaluate.predict(model, Z, y, task, classes)
    if task == "classification":
        pred.proba = _align_columns(pred.proba, model.classes_, classes)
        if pred.scores is not None and pred.scores.ndim == 2:
            pred.scores = _align_columns(pred.scores, model.classes_, classes)
    return pred.metrics()


def _align_columns(values: np.ndarray | None, model_classes: np.ndarray,
                   classes: np.ndarray) -> np.ndarray | None:
    """Give a fold model that never saw some class a zero column for it (time-ordered folds can)."""
    if values is None or len(model_classes) == len(classes):
        return values
    full = np.zeros((values.shape[0], len(classes)))
    full[:, np.searchsorted(classes, model_classes)] = values
    return full


def _fit_pipeline(pipeline: Pipeline, X: pd.DataFrame, y: np.ndarray,
                  sample: np.ndarray | None = None) -> dict[str, Any]:
    """Fit the pipeline; with ``sample`` the preprocessing still learns from every row, the model from the sample.

    That is how a compare trains a model on a sample (it shares preprocessing fitted on all rows), so
    "Train the best" refits a sampled row to the same model and the same test score.
    """
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if sample is None:
            pipeline.fit(X, y)
        else:
            Z = pipeline[:-1].fit_transform(X, y)  # the recipe and the preprocessing
            pipeline.named_steps["model"].fit(Z[sample], y[sample])
    return {"pipeline": pipeline, "fit_seconds": time.perf_counter() - started}


def _summarise(outcomes: list[dict[str, Any]],
               key: str) -> tuple[dict[str, float | None], dict[str, float | None]]:
    """Mean and standard deviation per metric over folds (a fold without a value is left out)."""
    outcomes = sorted(outcomes, key=lambda outcome: outcome["fold"])  # same sums whatever order folds end in
    names = list(outcomes[0][key]) if outcomes and key in outcomes[0] else []
    means, spreads = {}, {}
    for name in names:
        values = [o[key][name] for o in outcomes if o[key].get(name) is not None]
        means[name] = float(np.mean(values)) if values else None
        spreads[name] = float(np.std(values)) if values else None
    return means, spreads


def _fold_tasks(data: PreparedData, key: Any, pipeline: Pipeline, folds: list[FoldData],
                sample: np.ndarray | None = None) -> list[tuple[Any, ...]]:
    """One task per fold: the bare model on shared encoded arrays, or the whole pipeline without them.

    With ``sample`` (sorted positions in the training part) each fold's model learns only from the
    sampled rows of its training rows, and is still scored on every row of its validation fold.
    """
    tasks = []
    for index, (train_rows, validation_rows) in enumerate(data.splits):
        keep = slice(None) if sample is None else np.isin(train_rows, sample)
        y_train, y_validation = data.y_train[train_rows][keep], data.y_train[validation_rows]
        if folds:
            fold = folds[index]
            estimator, Z_train, Z_validation = (pipeline.named_steps["model"], fold.Z_train[keep],
                                                fold.Z_validation)
        else:
            estimator, Z_train, Z_validation = (pipeline, data.X_train.iloc[train_rows[keep]],
                                                data.X_train.iloc[validation_rows])
        tasks.append(((key, index), _fit_and_score, estimator, Z_train, y_train,
                      {"validation": (Z_validation, y_validation)}, data.task, data.classes))
    return tasks


def _refit_task(data: PreparedData, key: Any, pipeline: Pipeline, folds: list[FoldData],
                sample: np.ndarray | None = None) -> tuple[Any, ...]:
    """The model fitted on the whole training part (or its sample) and scored on the test rows.

    ``folds`` ends with the whole training part's encoding (``prepare_folds(include_whole=True)``);
    the model learns from it exactly as ``train_model``'s pipeline would, so both give one test score.
    """
    rows = slice(None) if sample is None else sample
    y_train = data.y_train[rows]
    if folds:
        estimator, Z_train, Z_test = pipeline.named_steps["model"], folds[-1].Z_train[rows], folds[-1].Z_test
    else:
        estimator, Z_train, Z_test = pipeline, data.X_train.iloc[rows], data.X_test
        if sample is not None:  # the preprocessing learns from every row, as in train_model
            return ((key, "refit"), _fit_sample_and_score, pipeline, data.X_train, data.y_train, sample,
                    data.X_test, data.y_test, data.task, data.classes)
    return ((key, "refit"), _fit_and_score, estimator, Z_train, y_train, {"test": (Z_test, data.y_test)},
            data.task, data.classes)


def _fit_sample_and_score(pipeline: Pipeline, X: pd.DataFrame, y: np.ndarray, sample: np.ndarray,
                          X_test: pd.DataFrame, y_test: np.ndarray, task: str,
                          classes: np.ndarray | None) -> dict[str, Any]:
    """``_fit_pipeline`` on a sample, then the test score (for tables too big to share encodings)."""
    outcome: dict[str, Any] = {"error": None, "warnings": []}
    try:
        started = time.perf_counter()
        fitted = _fit_pipeline(clone(pipeline), X, y, sample)
        outcome["fit_seconds"] = fitted["fit_seconds"]
        outcome["test"] = _score(fitted["pipeline"], X_test, y_test, task, classes)
        outcome["seconds"] = time.perf_counter() - started
    except Exception as exc:  # noqa: BLE001 - one failing algorithm must not stop the others
        outcome["error"] = f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}"
    return outcome
