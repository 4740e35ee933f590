"""Parameter specs: one description of a choice that renders as a widget and bounds a search.

Recipe steps and algorithms declare their parameters as ``ParamSpec`` lists; the UI builds
widgets from them and tuning draws search spaces from them, so neither is written by hand twice.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


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
