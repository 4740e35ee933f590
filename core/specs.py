"""Parameter specs: one description of a choice that renders as a widget and bounds a search.

Recipe steps and algorithms declare their parameters as ``ParamSpec`` lists; the UI builds
widgets from them and tuning draws search spaces from them, so neither is written by hand twice.
``ParamSpec.check`` is the one validator of a value against its spec, for algorithm parameters
and recipe settings alike: a value from a recipe file or the command line is user input.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from core.errors import DataError
from core.limits import RECIPE_MAX_LIST_ITEMS, RECIPE_MAX_TEXT_CHARS

KINDS = ("int", "float", "choice", "multichoice", "bool", "text", "column", "columns")
_SHOWN_CHARS = 80  # a wrong value is quoted in the message up to this length


@dataclass(frozen=True)
class ParamSpec:
    """One parameter a user can set.

    ``kind`` is one of: ``int``, ``float``, ``choice``, ``multichoice``, ``bool``, ``text``,
    ``column`` (one column of the table), ``columns`` (several columns). ``low``/``high`` bound
    numbers; ``log`` says the range is searched and shown on a log scale; ``optional`` lets a
    number be left unset (None).
    """

    name: str
    kind: str
    default: Any = None
    label: str = ""
    help: str = ""
    low: float | None = None
    high: float | None = None
    log: bool = False
    choices: tuple[Any, ...] = field(default_factory=tuple)
    optional: bool = False
    tunable: bool = True

    @property
    def title(self) -> str:
        return self.label or self.name.replace("_", " ").capitalize()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def check(self, value: Any, owner: str, fix: str = "") -> Any:
        """``value`` in the type this parameter takes, or a ``DataError`` naming ``owner`` and the rule.

        ``owner`` says whose parameter it is ("Model 'svm_rbf'", "Step 'bin'"); ``fix`` is the
        sentence that tells the user what to do. Numbers must be finite and in ``low``..``high``; a
        choice is matched by value and kind (``True`` is not the choice ``1``) and the spec's own
        choice is returned (JSON writes tuples as lists); texts and lists are held to the input limits.
        """
        def wrong(expected: str) -> DataError:
            return DataError(f"{owner}: setting '{self.name}' must be {expected}, not {_shown(value)}. {fix}".rstrip())

        _check_size(self, value, owner, fix)
        if value is None:
            if self.kind == "column":
                return ""
            if self.kind == "columns":
                return []
            if self.optional or self.default is None:
                return None
            raise DataError(f"{owner}: setting '{self.name}' needs a value. {fix}".rstrip())
        if self.kind in ("int", "float"):
            return _checked_number(self, value, wrong)
        if self.kind == "bool":
            if not isinstance(value, bool | np.bool_):
                raise wrong("true or false")
            return bool(value)
        if self.kind == "choice":
            return _matching_choice(self.choices, value, lambda: wrong("one of " + _listed(self.choices)))
        if self.kind == "multichoice":
            if not isinstance(value, list | tuple):
                raise wrong("a list of " + _listed(self.choices))
            return [_matching_choice(self.choices, item, lambda: wrong("a list of " + _listed(self.choices)))
                    for item in value]
        if self.kind == "column":
            if not isinstance(value, str):
                raise wrong("a column name")
            return value
        if self.kind == "columns":
            if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                raise wrong("a list of column names")
            return value
        if self.kind == "text":
            if _is_number(value):  # a text setting written as a number in a file, such as a fill value of 0
                return str(value)
            if not isinstance(value, str):
                raise wrong("text")
            return value
        raise ValueError(f"ParamSpec '{self.name}' has unknown kind '{self.kind}'; use one of {KINDS}.")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool | np.bool_)


def _checked_number(spec: ParamSpec, value: Any, wrong) -> int | float:
    whole = spec.kind == "int"
    if not _is_number(value) or not math.isfinite(value) or (whole and value != int(value)):
        raise wrong("a whole number" if whole else "a number")
    too_low = spec.low is not None and value < spec.low
    too_high = spec.high is not None and value > spec.high
    if too_low or too_high:
        if spec.low is not None and spec.high is not None:
            raise wrong(f"between {spec.low:g} and {spec.high:g}")
        raise wrong(f"at least {spec.low:g}" if too_low else f"at most {spec.high:g}")
    return int(value) if whole else float(value)


def _matching_choice(choices: tuple[Any, ...], value: Any, wrong) -> Any:
    normalised = tuple(value) if isinstance(value, list) else value
    for choice in choices:
        same_kind = isinstance(choice, str) == isinstance(normalised, str)
        if same_kind and not isinstance(normalised, bool | np.bool_) and choice == normalised:
            return choice
    raise wrong()


def _check_size(spec: ParamSpec, value: Any, owner: str, fix: str) -> None:
    """Texts and lists within the input limits, so a hand-edited file cannot exhaust memory."""
    def too_big(what: str) -> DataError:
        return DataError(f"{owner}: setting '{spec.name}' is {what}. {fix}".rstrip())

    if isinstance(value, str) and len(value) > RECIPE_MAX_TEXT_CHARS:
        raise too_big(f"{len(value):,} characters long; the limit is {RECIPE_MAX_TEXT_CHARS:,}")
    if isinstance(value, list | tuple):
        if len(value) > RECIPE_MAX_LIST_ITEMS:
            raise too_big(f"a list of {len(value):,} items; the limit is {RECIPE_MAX_LIST_ITEMS:,}")
        longest = max((len(item) for item in value if isinstance(item, str)), default=0)
        if longest > RECIPE_MAX_TEXT_CHARS:
            raise too_big(f"holds a name of {longest:,} characters; the limit is {RECIPE_MAX_TEXT_CHARS:,}")


def _listed(choices: tuple[Any, ...]) -> str:
    return ", ".join(map(str, choices))


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _SHOWN_CHARS else text[:_SHOWN_CHARS] + "..."
