"""Split, cross-validate and compare: one leak-free pipeline per model, results not figures.

Every model is ``Pipeline([("preprocess", ColumnTransformer), ("model", estimator)])``, fitted on
training folds only. Folds can be encoded once and shared between algorithms (the same fitted
transformer the pipeline would learn on those rows); ``core.compare`` does that for a comparison.
Fits run on all cores, and stop at a deadline when one is given. Long work takes a
``progress(fraction, message)`` callback and a ``should_cancel()`` check consulted between fits.
"""

from __future__ import annotations

import math
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.pipeline import Pipeline

from core import evaluate
from core.errors import DataError
from core.models import ModelSpec, get_model
from core.preprocess import ColumnEncoding, build_preprocessor, default_encodings
from core.runs import (
    LeaderboardRow,
    RunRecord,
    frame_fingerprint,
    new_run_id,
)
from core.schema import detect_task, infer_column_kinds

Progress = Callable[[float, str], None]
ShouldCancel = Callable[[], bool]
MAX_FOLDS = 20
# Shared fold preprocessing keeps every fold's encoded arrays in memory; above this it is skipped
# and each fit runs the whole pipeline instead (slower, same results).
SHARED_PREPROCESSING_MAX_BYTES = 1_500_000_000
# Below this many training rows the folds are encoded in this process: workers would cost more than they save.
PARALLEL_ENCODING_MIN_ROWS = 50_000


class Cancelled(DataError):
    """The user stopped the work before it finished."""


def default_n_jobs() -> int:
    """Worker processes for fits: every core this process may use."""
    from joblib import cpu_count

    return max(1, int(cpu_count()))


# ----------------------------------------------------------------------------- settings
@dataclass
class TrainSettings:
    """How to train: target, task, features and validation. Plain data; JSON via ``to_dict``.

    ``task`` None detects it from the target. ``encodings`` None uses ``default_feature_encodings``;
    ``features`` (optional) keeps only those columns. ``time_ordered`` means the rows are in time
    order: the test rows are the last ones and cross-validation only ever trains on the past.
    """

    target: str
    task: str | None = None
    encodings: list[ColumnEncoding] | None = None
    features: list[str] | None = None
    test_size: float = 0.2
    folds: int = 5
    seed: int = 0
    group_column: str | None = None
    time_ordered: bool = False
    class_weight: str | None = None

    def to_dict(self) -> dict[str, Any]:
        values = {item.name: getattr(self, item.name) for item in fields(self)}
        if self.encodings is not None:
            values["encodings"] = [encoding.to_dict() for encoding in self.encodings]
        return values

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> TrainSettings:
        values = dict(values)
        if values.get("encodings") is not None:
            values["encodings"] = [ColumnEncoding.from_dict(item) for item in values["encodings"]]
        known = {item.name for item in fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise DataError(f"Unknown training setting(s): {', '.join(sorted(unknown))}.")
        return cls(**values)


def default_feature_encodings(frame: pd.DataFrame, target: str, task: str | None = None,
                              kinds: dict[str, str] | None = None, group_column: str | None = None,
                              check_leakage: bool = True) -> list[ColumnEncoding]:
    """All columns but identifiers, constants, free text and leakage suspects, each with its reason."""
    from core.profile import find_leakage_suspects

    kinds = {str(name): str(kind) for name, kind in (kinds or infer_column_kinds(frame)).items()}
    encodings = default_encodings(frame, kinds, target)
    suspects: dict[str, float] = {}
    if check_leakage and target in frame.columns and frame[target].notna().any():
        suspects = find_leakage_suspects(frame, target, task or detect_task(frame[target]), kinds)
    for encoding in encodings:
        if encoding.column == group_column:
            encoding.role, encoding.reason = "drop", "group column: decides the folds, not a feature"
        elif encoding.column in suspects and encoding.role != "drop":
            encoding.role = "drop"
            encoding.reason = (f"leakage suspect: predicts '{target}' almost perfectly on its own "
                               f"(score {suspects[encoding.column]:.2f})")
    return encodings


# ----------------------------------------------------------------------------- validation and split
@dataclass
class PreparedData:
    """The validated training and test parts and the cross-validation folds every model shares."""

    settings: TrainSettings
    task: str
    X_train: pd.DataFrame
    y_train: np.ndarray
    X_test: pd.DataFrame
    y_test: np.ndarray
    encodings: list[ColumnEncoding]
    splits: list[tuple[np.ndarray, np.ndarray]]
    classes: np.ndarray | None = None
    notes: list[str] = field(default_factory=list)
    fingerprint: str = ""

    @property
    def n_classes(self) -> int | None:
        return None if self.classes is None else len(self.classes)

    @property
    def feature_columns(self) -> list[str]:
        return [encoding.column for encoding in self.encodings if encoding.role != "drop"]


def prepare_xy(frame: pd.DataFrame, settings: TrainSettings) -> PreparedData:
    """Check the table against the settings, then split it; every problem is a ``DataError`` with a fix."""
    _check_settings(frame, settings)
    target, notes = settings.target, []
    missing = frame[target].isna()
    if missing.all():
        raise DataError(f"The target '{target}' has no values. Choose a column that holds what to predict.")
    if missing.any():
        notes.append(f"Dropped {int(missing.sum())} row(s) with no value in the target '{target}'.")
        frame = frame.loc[~missing]
    task = settings.task or detect_task(frame[target])
    y = _target_values(frame[target], task, target)
    classes = np.unique(y) if task == "classification" else None
    if classes is not None and len(classes) < 2:
        raise DataError(f"The target '{target}' has only one class ('{classes[0]}'), so there is nothing "
                        "to tell apart. Choose another target, or check that no recipe step removed the "
                        "other classes.")
    _check_row_count(len(y), settings, classes)
    encodings = _resolve_encodings(frame, settings, task, notes)
    settings = TrainSettings.from_dict({**settings.to_dict(), "task": task,
                                        "encodings": [encoding.to_dict() for encoding in encodings]})
    X = frame.drop(columns=[target])
    train_rows, test_rows = _holdout(X, y, settings, classes)
    X_train, y_train = X.iloc[train_rows], y[train_rows]
    X_test, y_test = X.iloc[test_rows], y[test_rows]
    splits = _cv_splits(X_train, y_train, settings, classes)
    return PreparedData(settings, task, X_train, y_train, X_test, y_test, encodings, splits, classes, notes,
                        frame_fingerprint(frame))


def _check_settings(frame: pd.DataFrame, settings: TrainSettings) -> None:
    columns = ", ".join(map(str, frame.columns[:20]))
    if settings.target not in frame.columns:
        raise DataError(f"Target column '{settings.target}' is not in the table. Columns are: {columns}.")
    if settings.task not in (None, "classification", "regression"):
        raise DataError(f"Unknown task '{settings.task}'. Use classification or regression.")
    if not _whole(settings.folds) or not 2 <= settings.folds <= MAX_FOLDS:
        raise DataError(f"The number of folds must be a whole number from 2 to {MAX_FOLDS}, "
                        f"not {settings.folds!r}.")
    if not _whole(settings.seed) or not 0 <= settings.seed < 2**32:
        raise DataError(f"The seed must be a whole number from 0 to {2**32 - 1}, not {settings.seed!r}.")
    if not 0.05 <= settings.test_size <= 0.5:
        raise DataError(f"The test share must be between 0.05 and 0.5 (5% to 50%), not {settings.test_size}.")
    if settings.class_weight not in (None, "balanced"):
        raise DataError(f"Class weight must be 'balanced' or none, not '{settings.class_weight}'.")
    if settings.group_column is not None:
        if settings.group_column not in frame.columns:
            raise DataError(f"Group column '{settings.group_column}' is not in the table. "
                            f"Columns are: {columns}.")
        if settings.group_column == settings.target:
            raise DataError("The group column cannot be the target. Choose a column such as a patient or "
                            "customer id.")
        if settings.time_ordered:
            raise DataError("Choose either a group column or time-ordered rows, not both.")


def _target_values(column: pd.Series, task: str, target: str) -> np.ndarray:
    if task == "regression":
        numbers = pd.to_numeric(column, errors="coerce")
        bad = column[numbers.isna()]
        if len(bad):
            examples = ", ".join(f"'{value}'" for value in bad.astype(str).unique()[:3])
            raise DataError(f"Regression needs a numeric target, but '{target}' holds text such as "
                            f"{examples}. Choose classification, or convert the column with a 'Change type' "
                            "recipe step.")
        return numbers.to_numpy(dtype=float)
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        values = column.to_numpy()
        if np.issubdtype(values.dtype, np.floating) and np.all(np.mod(values, 1) == 0):
            return values.astype(np.int64)
        return values
    return column.astype(str).to_numpy(dtype=object)


def _resolve_encodings(frame: pd.DataFrame, settings: TrainSettings, task: str,
                       notes: list[str]) -> list[ColumnEncoding]:
    if settings.encodings is None:
        encodings = default_feature_encodings(frame, settings.target, task,
                                              group_column=settings.group_column)
    else:
        encodings = [ColumnEncoding.from_dict(encoding.to_dict()) for encoding in settings.encodings]
    absent = [encoding.column for encoding in encodings if encoding.column not in frame.columns
              and encoding.role != "drop"]
    if absent:
        raise DataError(f"Feature column(s) {', '.join(absent)} are not in the table. Remove them from the "
                        "features or check the recipe.")
    if settings.features is not None:
        unknown = [name for name in settings.features if name not in frame.columns]
        if unknown:
            raise DataError(f"Feature column(s) {', '.join(unknown)} are not in the table.")
        for encoding in encodings:
            if encoding.column not in settings.features and encoding.role != "drop":
                encoding.role, encoding.reason = "drop", "not chosen as a feature"
    for encoding in encodings:
        if encoding.column in (settings.target, settings.group_column) and encoding.role != "drop":
            what = "target" if encoding.column == settings.target else "group column"
            notes.append(f"'{encoding.column}' is the {what}, so it was left out of the features.")
            encoding.role, encoding.reason = "drop", f"the {what}"
    if not any(encoding.role != "drop" for encoding in encodings):
        raise DataError("No feature columns are left to learn from. Include at least one column as a feature "
                        "(identifier, constant and leakage-suspect columns are left out by default).")
    return encodings


def _check_row_count(n_rows: int, settings: TrainSettings, classes: np.ndarray | None) -> None:
    def enough(n: int) -> bool:
        n_test = math.ceil(n * settings.test_size)
        n_train = n - n_test
        minimum_test = len(classes) if classes is not None and not settings.time_ordered else 1
        return n_test >= minimum_test and n_train >= 2 * (settings.folds + settings.time_ordered)

    if not enough(n_rows):
        needed = next(n for n in range(n_rows + 1, 100_000) if enough(n))
        raise DataError(f"Only {n_rows} rows have a target value, but a {settings.test_size:.0%} test split "
                        f"with {settings.folds}-fold cross-validation needs at least {needed}. Add rows, or "
                        "lower the number of folds (minimum 2) or the test share.")


def _whole(value: Any) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def _groups(X: pd.DataFrame, column: str) -> np.ndarray:
    return X[column].astype(str).fillna("(missing)").to_numpy()


def _holdout(X: pd.DataFrame, y: np.ndarray, settings: TrainSettings,
             classes: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.model_selection import GroupShuffleSplit, train_test_split

    rows = np.arange(len(y))
    if settings.time_ordered:
        n_test = math.ceil(len(y) * settings.test_size)
        return rows[:-n_test], rows[-n_test:]
    if settings.group_column is not None:
        groups = _groups(X, settings.group_column)
        if len(np.unique(groups)) < settings.folds + 1:
            raise DataError(f"The group column '{settings.group_column}' has {len(np.unique(groups))} "
                            f"groups; a test split plus {settings.folds}-fold cross-validation needs at "
                            f"least {settings.folds + 1}. Lower the number of folds or choose another "
                            "group column.")
        splitter = GroupShuffleSplit(n_splits=1, test_size=settings.test_size, random_state=settings.seed)
        return next(splitter.split(X, y, groups))
    stratify = None
    if classes is not None:
        labels, counts = np.unique(y, return_counts=True)
        if counts.min() < 2:
            raise DataError(_rare_class_message(labels[counts.argmin()], int(counts.min()), settings))
        stratify = y
    train, test = train_test_split(rows, test_size=settings.test_size, random_state=settings.seed,
                                   stratify=stratify)
    return np.sort(train), np.sort(test)


def _rare_class_message(label: Any, count: int, settings: TrainSettings) -> str:
    fewer = f" Lower the number of folds to {count}," if count >= 2 else ""
    return (f"Class '{label}' has only {count} row(s) for training, but {settings.folds}-fold "
            f"cross-validation needs at least {settings.folds} of every class.{fewer} merge or drop the rare "
            "class with a recipe step (group rare labels, filter rows), or add rows.").replace(".  ", ". ")


def _cv_splits(X: pd.DataFrame, y: np.ndarray, settings: TrainSettings,
               classes: np.ndarray | None) -> list[tuple[np.ndarray, np.ndarray]]:
    from sklearn.model_selection import GroupKFold, KFold, StratifiedKFold, TimeSeriesSplit

    if settings.time_ordered:
        return list(TimeSeriesSplit(n_splits=settings.folds).split(X))
    if settings.group_column is not None:
        groups = _groups(X, settings.group_column)
        if len(np.unique(groups)) < settings.folds:
            raise DataError(f"The training part has {len(np.unique(groups))} groups in "
                            f"'{settings.group_column}', fewer than the {settings.folds} folds. Lower the "
                            "number of folds.")
        return list(GroupKFold(settings.folds, shuffle=True, random_state=settings.seed).split(X, y, groups))
    if classes is not None:
        labels, counts = np.unique(y, return_counts=True)
        if counts.min() < settings.folds:
            raise DataError(_rare_class_message(labels[counts.argmin()], int(counts.min()), settings))
        return list(StratifiedKFold(settings.folds, shuffle=True, random_state=settings.seed).split(X, y))
    return list(KFold(settings.folds, shuffle=True, random_state=settings.seed).split(X))


def make_pipeline(encodings: list[ColumnEncoding], model_spec: ModelSpec,
                  params: dict[str, Any] | None = None, seed: int = 0,
                  class_weight: str | None = None) -> Pipeline:
    """The one unfitted pipeline: preprocessing, then the estimator."""
    return Pipeline([("preprocess", seeded_preprocessor(encodings, seed, model_spec.task)),
                     ("model", model_spec.build(params, seed, class_weight))])


def seeded_preprocessor(encodings: list[ColumnEncoding], seed: int, task: str = "classification") -> Any:
    """``build_preprocessor`` with its random steps seeded, so the same seed gives the same model.

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


# ----------------------------------------------------------------------------- fold work
@dataclass
class FoldData:
    """One cross-validation fold with its preprocessing fitted on the fold's training rows only."""

    train_rows: np.ndarray
    validation_rows: np.ndarray
    preprocessor: Any
    Z_train: Any
    Z_validation: Any
    Z_test: Any


def prepare_folds(data: PreparedData, should_cancel: ShouldCancel | None = None,
                  include_whole: bool = False, n_jobs: int = 1,
                  deadline: float | None = None) -> list[FoldData]:
    """Fit each fold's preprocessor on that fold's training rows and encode its rows and the test rows.

    ``include_whole`` appends one more entry encoded from the whole training part (no validation
    rows): the refit that gives a model's test score shares it. With ``n_jobs`` > 1 the folds are
    encoded in worker processes (on a large table encoding costs as much as several fits); at
    ``deadline`` or a cancel the encoding stops with ``Cancelled``.
    """
    splits = list(data.splits)
    if include_whole:
        splits.append((np.arange(len(data.y_train)), np.arange(0)))
    cancelled = False

    def stop() -> bool:
        nonlocal cancelled
        cancelled = should_cancel is not None and should_cancel()
        return cancelled

    if _encoded_bytes(data, splits) > SHARED_PREPROCESSING_MAX_BYTES:
        return []
    tasks = []
    for index, (train_rows, validation_rows) in enumerate(splits):
        whole = len(train_rows) == len(data.y_train)
        X_fold = data.X_train if whole else data.X_train.iloc[train_rows]
        X_validation = data.X_train.iloc[validation_rows] if len(validation_rows) else None
        tasks.append((index, _encode_fold, seeded_preprocessor(data.encodings, data.settings.seed, data.task),
                      X_fold, data.y_train[train_rows], X_validation, data.X_test))
    _check_cancel(should_cancel)
    encoded: dict[int, dict[str, Any]] = {}
    for index, outcome in _run_tasks(tasks, n_jobs if len(data.y_train) >= PARALLEL_ENCODING_MIN_ROWS else 1,
                                     stop, deadline):
        encoded[index] = outcome
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
        width = seeded_preprocessor(data.encodings, data.settings.seed, data.task).fit_transform(
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
            Z = pipeline.named_steps["preprocess"].fit_transform(X, y)
            pipeline.named_steps["model"].fit(Z[sample], y[sample])
    return {"pipeline": pipeline, "fit_seconds": time.perf_counter() - started}


def _warm_up() -> int:
    """Import what the fits need, so a worker's start-up overlaps with preparing the data."""
    import sklearn.dummy  # noqa: F401
    import sklearn.ensemble  # noqa: F401
    import sklearn.linear_model  # noqa: F401
    import sklearn.metrics  # noqa: F401
    import sklearn.neighbors  # noqa: F401
    import sklearn.svm  # noqa: F401
    import sklearn.tree  # noqa: F401

    return 0


_warm_up_thread: threading.Thread | None = None
_warm_up_lock = threading.Lock()


def warm_up_workers(n_jobs: int | None = None) -> threading.Thread | None:
    """Start the worker processes in the background (pages may call this when they open).

    Starting workers and importing scikit-learn in them takes a second or two; this overlaps it
    with preparing the data. Idle workers stay alive for a few minutes and are reused.
    """
    global _warm_up_thread
    n_jobs = n_jobs or default_n_jobs()
    if n_jobs < 2:
        return None
    from joblib import Parallel, delayed

    def start_workers() -> None:
        try:
            Parallel(n_jobs=n_jobs)(delayed(_warm_up)() for _ in range(n_jobs))
        except Exception:  # noqa: BLE001 - a budget that ended running fits also ends the warm-up: harmless
            pass

    with _warm_up_lock:
        if _warm_up_thread is None or not _warm_up_thread.is_alive():
            _warm_up_thread = threading.Thread(target=start_workers, name="workbench-warm-up", daemon=True)
            _warm_up_thread.start()
        return _warm_up_thread


def _run_tasks(tasks: list[tuple[Any, ...]], n_jobs: int, stop: Callable[[], bool],
               deadline: float | None = None) -> Iterator[tuple[Any, dict]]:
    """Run ``(key, function, *args)`` tasks on ``n_jobs`` workers, yielding ``(key, result)`` as each ends.

    ``stop()`` is asked after every result; when it says so, the remaining tasks are abandoned. At
    ``deadline`` (a ``time.perf_counter()`` value) no new task starts, and with workers the fits
    still running are ended with their processes rather than awaited.
    """
    from joblib import Parallel, delayed

    def call(key: Any, function: Callable[..., dict], *args: Any) -> tuple[Any, dict]:
        return key, function(*args)

    if n_jobs <= 1:
        for key, function, *args in tasks:
            if deadline is not None and time.perf_counter() >= deadline:
                return
            yield call(key, function, *args)
            if stop():
                return
        return
    # One fit per batch: fits are coarse, and auto-batching would hold finished rows back behind slow fits.
    parallel = Parallel(n_jobs=n_jobs, return_as="generator_unordered", batch_size=1)
    results = parallel(delayed(call)(key, function, *args) for key, function, *args in tasks)
    timer = None
    if deadline is not None:
        timer = threading.Timer(max(0.0, deadline - time.perf_counter()), _end_running_fits, (parallel,))
        timer.daemon = True
        timer.start()
    try:
        for item in results:
            yield item
            if stop():
                break
    finally:
        if timer is not None:
            timer.cancel()
        results.close()


def _end_running_fits(parallel: Any) -> None:
    """Stop a joblib run now: no new task is dispatched and the worker processes still fitting are killed.

    joblib does this itself when a task raises (``Parallel._abort``); its public API has no deadline,
    so the budget's timer calls the same step. The result generator then ends after what was done.
    """
    parallel._abort()


def _check_cancel(should_cancel: ShouldCancel | None) -> None:
    if should_cancel is not None and should_cancel():
        raise Cancelled("Cancelled before it finished; nothing was changed.")


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


# ----------------------------------------------------------------------------- train one model
@dataclass
class RunResult:
    """A trained model: its JSON record, the fitted pipeline and its test-set predictions."""

    record: RunRecord
    pipeline: Pipeline = field(repr=False)
    predictions: evaluate.Predictions | None = field(repr=False)
    prepared: PreparedData = field(repr=False)

    @property
    def task(self) -> str:
        return self.record.task


def train_model(frame: pd.DataFrame, settings: TrainSettings, model_name: str,
                params: dict[str, Any] | None = None, progress: Progress | None = None,
                should_cancel: ShouldCancel | None = None,
                n_jobs: int | None = None, recipe: list[dict[str, Any]] | None = None,
                source_fingerprint: str | None = None, reuse_cv: LeaderboardRow | None = None,
                prepared: PreparedData | None = None) -> RunResult:
    """Cross-validate one model, refit it on the whole training part and score it on the test rows.

    ``reuse_cv`` takes a finished leaderboard row of the same model and parameters and skips the
    cross-validation it already did. Raises ``Cancelled`` when ``should_cancel()`` turns true.
    """
    started = time.perf_counter()
    n_jobs = n_jobs or default_n_jobs()
    warm = warm_up_workers(n_jobs)
    data = prepared or prepare_xy(frame, settings)
    spec = get_model(model_name, data.task)
    params = spec.resolve_params(params)
    pipeline = make_pipeline(data.encodings, spec, params, data.settings.seed, data.settings.class_weight)
    reuse = reuse_cv is not None and reuse_cv.ok and reuse_cv.model == spec.name and reuse_cv.params == params
    sample = None
    if reuse and reuse_cv.sample_rows:  # a row trained on a sample is refitted on the same sample
        sample = stratified_sample(data.y_train, reuse_cv.sample_rows, data.settings.seed, data.classes is not None)
    tasks: list[tuple[Any, ...]] = [("refit", _fit_pipeline, pipeline, data.X_train, data.y_train, sample)]
    if not reuse:
        tasks += _fold_tasks(data, spec.name, pipeline, prepare_folds(data, should_cancel))
    if warm is not None:
        warm.join(timeout=30)
    outcomes: list[dict[str, Any]] = []
    refit: dict[str, Any] = {}
    cancelled = False

    def stop() -> bool:
        nonlocal cancelled
        cancelled = should_cancel is not None and should_cancel()
        return cancelled

    for key, outcome in _run_tasks(tasks, n_jobs, stop):
        if key == "refit":
            refit = outcome
        else:
            if outcome["error"]:
                raise DataError(f"{spec.label} failed on this data: {outcome['error']}. Try other settings.")
            outcomes.append({**outcome, "fold": key[1]})
        if progress is not None:
            progress((len(outcomes) + bool(refit)) / len(tasks),
                     f"{spec.label}: {len(outcomes)} fold(s) done")
    if cancelled or not refit:
        raise Cancelled("Training was cancelled before it finished.")
    cv, cv_std = (reuse_cv.cv, reuse_cv.cv_std) if reuse else _summarise(outcomes, "validation")
    warnings_seen = sorted({w for o in outcomes for w in o["warnings"]})
    sampled = [reuse_cv.note] if sample is not None and reuse_cv.note else []
    return _finish_run(data, spec, params, refit, cv, cv_std, started, outcomes, recipe, source_fingerprint,
                       [*data.notes, *sampled, *warnings_seen])


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


def _finish_run(data: PreparedData, spec: ModelSpec, params: dict[str, Any], refit: dict[str, Any],
                cv: dict, cv_std: dict, started: float, outcomes: list[dict[str, Any]],
                recipe: list[dict[str, Any]] | None, source_fingerprint: str | None,
                notes: list[str]) -> RunResult:
    pipeline = refit["pipeline"]
    predictions = evaluate.predict(pipeline, data.X_test, data.y_test, data.task, data.classes)
    settings = data.settings.to_dict()
    record = RunRecord(
        run_id=new_run_id(spec.name, settings, data.fingerprint, params), model=spec.name, label=spec.label,
        task=data.task, params=params, settings=settings, data_fingerprint=data.fingerprint,
        sort_by=evaluate.default_sort_metric(data.task, data.n_classes), cv=cv, cv_std=cv_std,
        test=predictions.metrics(),
        timings={"fit_seconds": round(refit["fit_seconds"], 4),
                 "cv_fit_seconds": round(sum(o.get("fit_seconds", 0.0) for o in outcomes), 4),
                 "total_seconds": round(time.perf_counter() - started, 4)},
        rows={"train": len(data.y_train), "test": len(data.y_test)}, recipe=recipe,
        source_fingerprint=source_fingerprint, notes=notes,
        positive_class=evaluate.positive_class_label(data.classes))
    return RunResult(record, pipeline, predictions, data)


# The comparison lives in core.compare; these names stay importable from here.
from core.compare import compare_leaderboard, compare_models, estimate_seconds  # noqa: E402, F401
