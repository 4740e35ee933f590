"""Training settings and the validated train/test split with its folds (moved out of ``core.train``)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
import pandas as pd

from core.errors import DataError
from core.preprocess import ColumnEncoding, default_encodings
from core.runs import frame_fingerprint
from core.schema import detect_task, infer_column_kinds

MAX_FOLDS = 20



# ----------------------------------------------------------------------------- settings
@dataclass
class TrainSettings:
    """How to train: target, task, features and validation. Plain data; JSON via ``to_dict``.

    ``task`` None detects it from the target. ``encodings`` None uses ``default_feature_encodings``;
    ``features`` (optional) keeps only those columns. ``time_ordered`` means the rows are in time
    order: the test rows are the last ones and cross-validation only ever trains on the past.
    ``recipe`` (steps in their JSON form) says the table given to ``prepare_xy`` is the raw file:
    the recipe's row steps run on it before the split, its value steps inside the model pipeline.
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
    recipe: list[dict[str, Any]] | None = None

    def to_dict(self) -> dict[str, Any]:
        values = {item.name: getattr(self, item.name) for item in fields(self)}
        if not self.recipe:  # left out: runs without a recipe keep the ids they always had
            values.pop("recipe")
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
    recipe_steps: list[dict[str, Any]] = field(default_factory=list)

    @property
    def n_classes(self) -> int | None:
        return None if self.classes is None else len(self.classes)

    @property
    def feature_columns(self) -> list[str]:
        """The columns the encoder turns into model input (after the recipe's value steps)."""
        return [encoding.column for encoding in self.encodings if encoding.role != "drop"]

    @property
    def input_columns(self) -> list[str]:
        """The table's own columns the pipeline reads (before the recipe, when there is one)."""
        return list(self.X_train.columns) if self.recipe_steps else self.feature_columns

    def input_role(self, column: str) -> str:
        """How an input column is read for explanations: its encoding's role, or (for a raw column
        the recipe turns into features) numeric, datetime or categorical by what it holds."""
        roles = {encoding.column: encoding.role for encoding in self.encodings if encoding.role != "drop"}
        if column in roles:
            return roles[column]
        kind = infer_column_kinds(self.X_train[[column]]).get(column, "categorical")
        return kind if kind in ("numeric", "datetime") else "categorical"


def prepare_xy(frame: pd.DataFrame, settings: TrainSettings, replayed: Any = None) -> PreparedData:
    """Check the table against the settings, then split it; every problem is a ``DataError`` with a fix.

    With ``settings.recipe``, ``frame`` is the raw table: the recipe replayed on it decides the rows
    and the target, X holds the raw columns its value steps and the model need, and those steps are
    learnt inside the pipeline from training rows only. ``replayed`` is that replay when the caller
    already has it (a ``RecipeResult`` of ``frame`` and ``settings.recipe``).
    """
    raw = None
    if settings.recipe:
        from core.recipe_fit import replay_recipe

        raw = frame if frame.index.is_unique else frame.reset_index(drop=True)
        if replayed is None or not raw.index.equals(frame.index):
            replayed = replay_recipe(raw, settings.recipe)
        frame = replayed.frame
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
    cleaned = frame.drop(columns=[target])
    recipe_steps: list[dict[str, Any]] = []
    X = cleaned
    if raw is not None:
        from core.recipe_fit import plan_recipe

        features = [encoding.column for encoding in encodings if encoding.role != "drop"]
        plan = plan_recipe(raw, replayed, settings.recipe, features, target)
        recipe_steps = plan.steps
        X = raw.loc[frame.index, plan.input_columns]
        notes += [f"Recipe step {outcome.index + 1} ({outcome.description}) was skipped: {outcome.error}"
                  for outcome in replayed.problems]
    train_rows, test_rows = _holdout(cleaned, y, settings, classes)
    X_train, y_train = X.iloc[train_rows], y[train_rows]
    X_test, y_test = X.iloc[test_rows], y[test_rows]
    splits = _cv_splits(cleaned.iloc[train_rows], y_train, settings, classes)
    return PreparedData(settings, task, X_train, y_train, X_test, y_test, encodings, splits, classes, notes,
                        frame_fingerprint(frame), recipe_steps)


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
