"""The recipe as a fitted scikit-learn transformer: values learnt on training rows, reused everywhere.

A recipe is replayed on the whole table for the Prepare page's preview and to decide which rows
are trained on (steps that remove rows run there, before the split, and never when scoring).
Every step that changes values runs inside the model ``Pipeline`` as ``RecipeTransformer``: its
``fit`` learns each step's fill value, clip bounds, bin edges or kept labels from the training
rows only, and ``transform`` reuses them unchanged on validation folds, test rows and new data,
so one row is transformed the same alone, in a batch or inside the training table.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from core.errors import DataError
from core.recipe import (
    Bin,
    DeriveDateParts,
    DropColumns,
    RecipeResult,
    RenameColumn,
    Step,
    apply_recipe,
    step_from_dict,
)
from core.recipe_steps import comment_text


class RecipeTransformer(TransformerMixin, BaseEstimator):
    """The recipe's value steps with the values they learnt from the rows given to ``fit``.

    Parameters
    ----------
    steps : list of dict or Step
        Recipe steps (their JSON form, ``Step.to_dict()``). Steps that remove rows are skipped:
        they belong to training and run before the split.

    Attributes
    ----------
    steps_ : list of Step
        The steps applied, in order.
    learnt_ : list of dict
        What each step learnt (plain data: numbers, labels, edges), in the order of ``steps_``.
    columns_in_, feature_names_in_, n_features_in_ : the columns seen by ``fit``.
    feature_names_out_ : the columns ``transform`` returns.
    """

    def __init__(self, steps: list[dict[str, Any]] | tuple = ()):
        self.steps = steps

    def fit(self, X: Any, y: Any = None) -> RecipeTransformer:
        self._fit(X)
        return self

    def fit_transform(self, X: Any, y: Any = None, **fit_params: Any) -> pd.DataFrame:
        return self._fit(X)

    def _fit(self, X: Any) -> pd.DataFrame:
        frame = _as_frame(X)
        self.feature_names_in_ = np.asarray([str(name) for name in frame.columns], dtype=object)
        self.n_features_in_ = frame.shape[1]
        self.columns_in_ = list(frame.columns)
        self.steps_ = [step for step in _as_steps(self.steps) if not step.training_only]
        self.learnt_ = []
        for step in self.steps_:
            with _naming_the_step(step):
                learnt = step.learn(frame)
                frame = step.apply_learnt(frame, learnt)
            self.learnt_.append(learnt)
        self.feature_names_out_ = np.asarray(list(frame.columns), dtype=object)
        return frame

    def transform(self, X: Any) -> pd.DataFrame:
        check_is_fitted(self, "learnt_")
        frame = _as_frame(X)
        if not self.steps_:  # nothing to do: the encoder checks the columns it uses
            return frame
        self._check_columns(frame)
        for step, learnt in zip(self.steps_, self.learnt_, strict=True):
            with _naming_the_step(step):
                frame = step.apply_learnt(frame, learnt)
        out = list(self.feature_names_out_)
        return frame if list(frame.columns) == out else frame[out]

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        check_is_fitted(self, "feature_names_out_")
        return self.feature_names_out_.copy()

    def code(self) -> str:
        """The fitted steps as pandas code on ``df``, every learnt value written as a constant."""
        check_is_fitted(self, "learnt_")
        blocks = [f"# {comment_text(step.describe())}\n{step.learnt_code(learnt)}"
                  for step, learnt in zip(self.steps_, self.learnt_, strict=True)]
        return "\n\n".join(blocks) or "# the recipe changes no values"

    def _check_columns(self, frame: pd.DataFrame) -> None:
        present = set(frame.columns)
        absent = [name for name in self.columns_in_ if name not in present]
        if not absent:
            return
        name = absent[0]
        for step in self.steps_:
            if name in step.columns_used():
                raise DataError(f"The recipe step '{step.describe()}' needs the column '{name}', which "
                                "is not in this table. Add the column (its cells may be empty), or train the "
                                "model again without it.")
        raise DataError(f"The model uses the column '{name}', which is not in this table. Add the column (its "
                        "cells may be empty), or train the model again without it.")


@contextmanager
def _naming_the_step(step: Step):
    """Every problem a step meets is reported with what the step does (its words, as on the Prepare page)."""
    where = f"The recipe step '{step.describe()}'"
    try:
        yield
    except DataError as exc:
        raise DataError(f"{where}: {exc}") from None
    except (ValueError, TypeError, KeyError) as exc:
        raise DataError(f"{where} cannot handle these rows: {exc}. Check that its column holds the kind of "
                        "values it had when the model was trained.") from None


def _as_frame(X: Any) -> pd.DataFrame:
    return X if isinstance(X, pd.DataFrame) else pd.DataFrame(X)


def _as_steps(steps: Any) -> list[Step]:
    return [step_from_dict(step) if isinstance(step, dict) else step_from_dict(step.to_dict())
            for step in steps or ()]


# ----------------------------------------------------------------------------- planning a recipe for a model
@dataclass
class RecipePlan:
    """What training needs from a recipe: the whole-table replay, the value steps and the raw columns."""

    replayed: RecipeResult
    steps: list[dict[str, Any]]
    input_columns: list[str]


def replay_recipe(frame: pd.DataFrame, steps: list[dict[str, Any]] | list[Step]) -> RecipeResult:
    """The recipe on the whole table (the preview, and the rows kept for training)."""
    return apply_recipe(frame, _as_steps(steps))


def plan_recipe(frame: pd.DataFrame, replayed: RecipeResult, steps: list[dict[str, Any]] | list[Step],
                features: list[str], target: str) -> RecipePlan:
    """The value steps that make ``features`` and the raw columns they start from.

    Steps that failed in the replay left the table unchanged and are left out, as are steps whose
    result no feature uses; a feature made from the target is refused (it would leak the answer).
    """
    objects = _as_steps(steps)
    applied = [step for step, outcome in zip(objects, replayed.outcomes, strict=True)
               if outcome.applied and not step.training_only]
    needed, kept = set(features), []
    for step in reversed(applied):
        writes, reads = _writes_and_reads(step)
        if writes & needed:
            kept.append(step)
            needed = (needed - writes) | reads
    raw_target = _raw_name(target, applied)
    if raw_target in needed:
        raise DataError(f"A feature is made from the target '{target}' by a recipe step, so it would give the "
                        "answer away. Leave that feature out, or remove the step.")
    absent = sorted(needed - set(map(str, frame.columns)))
    if absent:
        raise DataError(f"The recipe needs column(s) {', '.join(map(repr, absent))}, which are not in the table. "
                        "Check the recipe's steps against this file.")
    inputs = [name for name in frame.columns if name in needed]
    return RecipePlan(replayed, [step.to_dict() for step in reversed(kept)], inputs)


def _writes_and_reads(step: Step) -> tuple[set[str], set[str]]:
    """The columns a value step writes and the columns it reads."""
    if isinstance(step, RenameColumn):
        return {step.new_name.strip()}, {step.column}
    if isinstance(step, DeriveDateParts):
        return {f"{step.column}_{part}" for part in step.parts}, {step.column}
    if isinstance(step, Bin):
        return {f"{step.column}_bin"}, {step.column}
    if isinstance(step, DropColumns):
        return set(), set()
    columns = set(step.columns_used())
    return columns, columns


def _raw_name(name: str, steps: list[Step]) -> str:
    """The name a column had in the file, following the recipe's renames back."""
    for step in reversed(steps):
        if isinstance(step, RenameColumn) and step.new_name.strip() == name:
            name = step.column
    return name
