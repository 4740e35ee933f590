"""Cleaning as data: an ordered list of steps, JSON-serialisable and replayable on new files.

Each step is a small dataclass with its parameters (declared as ``ParamSpec`` so the page can
build widgets from them), an ``apply`` that returns a new frame, a plain-words ``describe`` and
the equivalent pandas ``code`` for teaching. Steps that remove rows are training-only: they are
skipped when new data is scored. A step that cannot apply leaves the table as it was and says why.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from typing import Any

import pandas as pd

from core.errors import DataError
from core.limits import (
    RECIPE_MAX_BYTES,
    RECIPE_MAX_NUMBER_DIGITS,
    RECIPE_MAX_STEPS,
)
from core.recipe_learnt_steps import Bin, FillMissing, GroupRare, Outliers
from core.recipe_steps import (
    DATE_PARTS,
    FILTER_OPERATORS,
    ChangeType,
    DeriveDateParts,
    DropColumns,
    DropDuplicates,
    DropMissing,
    RenameColumn,
    Step,
    comment_text,
)
from core.recipe_value_steps import FilterRows, NormaliseLabels, Transform
from core.specs import ParamSpec

# Re-exported so existing ``from core.recipe import ...`` lines keep working after the split.
__all__ = [
    "DATE_PARTS",
    "FILTER_OPERATORS",
    "STEP_TYPES",
    "Bin",
    "ChangeType",
    "DeriveDateParts",
    "DropColumns",
    "DropDuplicates",
    "DropMissing",
    "FillMissing",
    "FilterRows",
    "GroupRare",
    "NormaliseLabels",
    "Outliers",
    "RecipeResult",
    "RenameColumn",
    "Step",
    "StepOutcome",
    "Transform",
    "apply_recipe",
    "changed_rows",
    "check_recipe_size",
    "comment_text",
    "load_recipe",
    "recipe_code",
    "recipe_from_json",
    "recipe_to_json",
    "step_from_dict",
]

# Every registered step, in the order the Prepare page offers them.
STEP_TYPES = {cls.op: cls for cls in (DropColumns, RenameColumn, ChangeType, DeriveDateParts, DropDuplicates,
                                      DropMissing, FillMissing, FilterRows, Outliers, Transform, Bin, GroupRare,
                                      NormaliseLabels)}


@dataclass
class StepOutcome:
    """What one step did: shape and missing counts before and after, or why it was skipped."""

    index: int
    description: str
    applied: bool
    error: str | None
    rows_before: int
    rows_after: int
    columns_before: int
    columns_after: int
    missing_before: int
    missing_after: int
    training_only: bool
    skipped_for_scoring: bool = False


@dataclass
class RecipeResult:
    frame: pd.DataFrame
    outcomes: list[StepOutcome]

    @property
    def problems(self) -> list[StepOutcome]:
        return [outcome for outcome in self.outcomes if outcome.error]


def step_from_dict(values: dict[str, Any]) -> Step:
    """Build a step from its JSON form; unknown ops and parameters are the user's to fix."""
    values = dict(values)
    op = values.pop("op", None)
    if not isinstance(op, str) or op not in STEP_TYPES:
        raise DataError(f"Unknown recipe step '{op}'. Known steps: {', '.join(STEP_TYPES)}.")
    cls = STEP_TYPES[op]
    known = {f.name for f in fields(cls)}
    unknown = set(values) - known
    if unknown:
        raise DataError(f"Step '{op}' has unknown setting(s) {', '.join(sorted(unknown))}.")
    for spec in cls.specs:
        if spec.name in values:
            values[spec.name] = _checked_setting(op, spec, values[spec.name])
    return cls(**values)


def _checked_setting(op: str, spec: ParamSpec, value: Any) -> Any:
    """A step setting of the type and range its spec declares; a recipe file is user input.

    Without this a hand-edited recipe could ask for a billion bins (and exhaust memory) or put
    text where a number belongs and fail later with a message about Python types.
    """
    return spec.check(value, f"Step '{op}'", "Fix it in the recipe file, or build the step on the Prepare page.")


def _bounded_int(digits: str) -> int:
    """``json`` hook: a whole number of at most ``RECIPE_MAX_NUMBER_DIGITS`` digits."""
    if len(digits.lstrip("-")) > RECIPE_MAX_NUMBER_DIGITS:
        raise DataError(f"The recipe holds a number of {len(digits.lstrip('-')):,} digits; numbers in a recipe "
                        f"have at most {RECIPE_MAX_NUMBER_DIGITS}. Fix the number in the recipe file.")
    return int(digits)


def check_recipe_size(steps: list[Any]) -> None:
    """Refuse a recipe of more steps than ``RECIPE_MAX_STEPS`` before any step runs."""
    if len(steps) > RECIPE_MAX_STEPS:
        raise DataError(f"The recipe has {len(steps):,} steps; the limit is {RECIPE_MAX_STEPS:,}. "
                        "Split the cleaning into fewer steps (one step can drop many columns).")


def recipe_to_json(steps: list[Step]) -> str:
    return json.dumps({"version": 1, "steps": [step.to_dict() for step in steps]}, indent=2)


def recipe_from_json(text: str | bytes) -> list[Step]:
    """Parse a recipe file; a file that is not a recipe, or one over the limits, gets a clear message."""
    size = len(text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text)
    if size > RECIPE_MAX_BYTES:
        raise DataError(f"The recipe file is {size / 2**20:,.1f} MiB; the limit is {RECIPE_MAX_BYTES / 2**20:,.0f} "
                        "MiB. Choose a recipe downloaded from the Prepare page.")
    try:
        data = json.loads(text, parse_int=_bounded_int)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
        raise DataError("This is not a recipe file (not valid JSON). Choose a recipe downloaded "
                        "from the Prepare page.") from None
    steps = data.get("steps") if isinstance(data, dict) else data
    if not isinstance(steps, list) or not all(isinstance(step, dict) for step in steps):
        raise DataError("This JSON file is not a recipe: it has no list of 'steps'. Choose a recipe "
                        "downloaded from the Prepare page.")
    check_recipe_size(steps)
    return [step_from_dict(step) for step in steps]


def load_recipe(path: str) -> list[Step]:
    try:
        with open(path, "rb") as handle:
            return recipe_from_json(handle.read(RECIPE_MAX_BYTES + 1))
    except FileNotFoundError:
        raise DataError(f"Recipe file not found: {path}. Check the path.") from None


def apply_recipe(frame: pd.DataFrame, steps: list[Step], for_scoring: bool = False) -> RecipeResult:
    """Run the steps in order; a step that fails is reported and leaves the table unchanged.

    ``for_scoring`` skips training-only steps (those that remove rows).
    """
    outcomes = []
    for index, step in enumerate(steps):
        before = frame
        skipped = for_scoring and step.training_only
        error = None
        if not skipped:
            try:
                frame = step.apply(frame)
            except DataError as exc:
                error = str(exc)
            except (ValueError, TypeError, KeyError) as exc:
                error = f"This step cannot apply to the table: {exc}. Check its settings."
        outcomes.append(StepOutcome(
            index=index, description=step.describe(), applied=not skipped and error is None, error=error,
            rows_before=len(before), rows_after=len(frame), columns_before=before.shape[1],
            columns_after=frame.shape[1], missing_before=int(before.isna().sum().sum()),
            missing_after=int(frame.isna().sum().sum()), training_only=step.training_only,
            skipped_for_scoring=skipped,
        ))
    return RecipeResult(frame, outcomes)


def changed_rows(before: pd.DataFrame, after: pd.DataFrame, limit: int = 10) -> pd.DataFrame:
    """A sample of rows a step removed or changed, for the preview."""
    removed = before.index.difference(after.index)
    if len(removed):
        return before.loc[removed[:limit]].assign(**{"(change)": "removed"})
    shared = [c for c in after.columns if c in before.columns]
    new_columns = [c for c in after.columns if c not in before.columns]
    differs = pd.Series(False, index=after.index)
    for name in shared:
        old, new = before.loc[after.index, name], after[name]
        try:
            differs |= ~((old == new).fillna(False).astype(bool) | (old.isna() & new.isna()))
        except (TypeError, ValueError):
            differs |= old.astype("string").ne(new.astype("string")).fillna(True).astype(bool)
    rows = after.index[differs.to_numpy()][:limit]
    if not len(rows) and new_columns:
        rows = after.index[:limit]
    return after.loc[rows]


def recipe_code(steps: list[Step]) -> str:
    """The recipe as a pandas script a student can read and run."""
    lines = ["import numpy as np", "import pandas as pd", "", "df = pd.read_csv('data.csv')"]
    for step in steps:
        lines += ["", f"# {comment_text(step.describe())}" + ("  (training data only)" if step.training_only else ""),
                  step.code()]
    return "\n".join(lines)
