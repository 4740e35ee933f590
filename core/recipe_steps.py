"""Recipe step base class, shared step helpers and the column-level steps (split out of core.recipe)."""

from __future__ import annotations

import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from core.dates import RULE as DATE_RULE
from core.dates import dates_in_utc, dates_in_utc_code
from core.errors import DataError
from core.schema import parse_dates
from core.specs import ParamSpec

DATE_PARTS = ("year", "month", "day", "weekday", "hour")
FILTER_OPERATORS = ("==", "!=", ">", ">=", "<", "<=", "contains", "is missing", "is not missing")
_STEP_TYPES: dict[str, type[Step]] = {}
_TRUTHY = {**dict.fromkeys(("true", "yes", "y", "1", "t", "1.0", "on"), True),
           **dict.fromkeys(("false", "no", "n", "0", "f", "0.0", "off"), False)}


def _register(cls: type[Step]) -> type[Step]:
    _STEP_TYPES[cls.op] = cls
    return cls


@dataclass
class Step:
    """Base of every cleaning step; subclasses set ``op``, ``title`` and ``specs``."""

    op: ClassVar[str] = ""
    title: ClassVar[str] = ""
    removes_rows: ClassVar[bool] = False
    specs: ClassVar[tuple[ParamSpec, ...]] = ()

    def apply(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The step on ``frame`` alone: what the Prepare page previews (learning from ``frame`` itself)."""
        raise NotImplementedError

    def learn(self, frame: pd.DataFrame) -> dict[str, Any]:
        """What the step learns from the rows it is fitted on, as plain data; most steps learn nothing."""
        return {}

    def apply_learnt(self, frame: pd.DataFrame, learnt: dict[str, Any]) -> pd.DataFrame:
        """The step with values ``learn`` took from other rows: how a fitted recipe scores new data."""
        return self.apply(frame)

    def describe(self) -> str:
        raise NotImplementedError

    def code(self) -> str:
        """pandas code doing what ``apply`` does on ``df`` (learning from ``df`` itself)."""
        raise NotImplementedError

    def learnt_code(self, learnt: dict[str, Any]) -> str:
        """pandas code doing what ``apply_learnt`` does, the learnt values written as constants."""
        return self.code()

    def columns_used(self) -> list[str]:
        """Columns that must exist for this step to apply."""
        values = []
        for spec in self.specs:
            if spec.kind == "column":
                values.append(getattr(self, spec.name))
            elif spec.kind == "columns":
                values.extend(getattr(self, spec.name) or [])
        return [v for v in values if v]

    @property
    def training_only(self) -> bool:
        return self.removes_rows

    def to_dict(self) -> dict[str, Any]:
        return {"op": self.op, **asdict(self)}


def _number(value: Any) -> str:
    """A finite number as a Python literal; anything else never reaches generated code."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = float("nan")
    if isinstance(value, bool | str) or not np.isfinite(number):
        raise DataError(f"The setting {value!r} is not a finite number. Type a number.")
    return repr(int(number)) if isinstance(value, int | np.integer) else repr(number)


def literal(value: Any) -> str:
    """A learnt value (number, text, boolean, missing, timestamp) as a Python expression."""
    if value is None or value is pd.NA or value is pd.NaT:
        return "None"
    if isinstance(value, pd.Timestamp):
        return f"pd.Timestamp({value.isoformat()!r})"
    if isinstance(value, bool | np.bool_):
        return repr(bool(value))
    if isinstance(value, int | np.integer):
        return repr(int(value))
    if isinstance(value, float | np.floating):
        return repr(float(value)) if np.isfinite(value) else f"float({str(float(value))!r})"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(literal(item) for item in value) + "]"
    return repr(str(value))


def plain(value: Any) -> Any:
    """A numpy or pandas scalar as plain Python data (missing as None), for learnt state."""
    if value is None or (not isinstance(value, str | list) and pd.isna(value)):
        return None
    return value.item() if isinstance(value, np.generic) else value


def _choice(value: Any, choices: tuple[str, ...]) -> str:
    """A setting written into generated code bare (an operator, a method name): only a known one."""
    if value not in choices:
        raise DataError(f"Unknown setting {value!r}. Choose one of {', '.join(choices)}.")
    return value


def _parse_dates_code(column: str, target: str) -> str:
    """Code for ``schema.parse_dates``: times with different UTC offsets are read in UTC."""
    source = f"df[{column!r}]"
    return "\n".join([
        "try:",
        f"    {target} = pd.to_datetime({source}, errors='coerce', format='mixed')",
        "except ValueError:  # different UTC offsets: read the times in UTC",
        f"    {target} = pd.to_datetime({source}, errors='coerce', format='mixed', utc=True)",
    ])


def comment_text(text: str) -> str:
    """Text that stays inside one ``#`` comment line of generated code.

    Control, format and line/paragraph-separator characters (newline, bare CR, U+2028...) would
    end the comment or hide what follows; they are written as escapes (``\\n``, ``\\u2028``).
    """
    return "".join(char if char == " " or unicodedata.category(char)[0] not in "CZ"
                   else ascii(char)[1:-1] for char in text)


def _need_columns(frame: pd.DataFrame, step: Step) -> None:
    missing = [name for name in step.columns_used() if name not in frame.columns]
    if missing:
        raise DataError(f"Column(s) {', '.join(map(repr, missing))} not in the table (dropped or "
                        "renamed by an earlier step, or absent from this file). Remove this step "
                        "or move it earlier.")


def _need_numeric(frame: pd.DataFrame, column: str) -> pd.Series:
    values = frame[column]
    if values.isna().all():  # a batch whose cells are all empty (read as text) is missing numbers
        return pd.Series(np.nan, index=values.index, name=values.name)
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        raise DataError(f"'{column}' is not numeric ({values.dtype}). Convert it to numbers first "
                        "with a 'Change type' step.")
    return values.astype(float)


@_register
@dataclass
class DropColumns(Step):
    op: ClassVar[str] = "drop_columns"
    title: ClassVar[str] = "Drop columns"
    specs: ClassVar[tuple[ParamSpec, ...]] = (ParamSpec("columns", "columns", [], "Columns to drop"),)
    columns: list[str] = field(default_factory=list)

    def apply(self, frame):
        if not self.columns:
            raise DataError("No columns chosen. Pick at least one column to drop.")
        _need_columns(frame, self)
        return frame.drop(columns=self.columns)

    def describe(self):
        return f"Drop {', '.join(self.columns)}"

    def code(self):
        return f"df = df.drop(columns={self.columns!r})"


@_register
@dataclass
class RenameColumn(Step):
    op: ClassVar[str] = "rename_column"
    title: ClassVar[str] = "Rename a column"
    specs: ClassVar[tuple[ParamSpec, ...]] = (
        ParamSpec("column", "column", None, "Column"), ParamSpec("new_name", "text", "", "New name"))
    column: str = ""
    new_name: str = ""

    def apply(self, frame):
        _need_columns(frame, self)
        name = self.new_name.strip()
        if not name:
            raise DataError("The new name is empty. Type a name for the column.")
        if name in frame.columns and name != self.column:
            raise DataError(f"A column named '{name}' already exists. Choose another name.")
        return frame.rename(columns={self.column: name})

    def describe(self):
        return f"Rename {self.column} to {self.new_name}"

    def code(self):
        return f"df = df.rename(columns={{{self.column!r}: {self.new_name.strip()!r}}})"


@_register
@dataclass
class ChangeType(Step):
    op: ClassVar[str] = "change_type"
    title: ClassVar[str] = "Change a column's type"
    specs: ClassVar[tuple[ParamSpec, ...]] = (
        ParamSpec("column", "column", None, "Column"),
        ParamSpec("to", "choice", "numeric", "New type", choices=("numeric", "text", "boolean", "datetime"),
                  help="Cells that cannot be converted become missing."),
    )
    column: str = ""
    to: str = "numeric"

    def apply(self, frame):
        return self.apply_learnt(frame, self.learn(frame))

    def learn(self, frame):
        """For dates: whether the training values carry UTC offsets (then the column stays in UTC)."""
        if self.to != "datetime":
            return {}
        _need_columns(frame, self)
        return {"utc": isinstance(parse_dates(frame[self.column]).dtype, pd.DatetimeTZDtype)}

    def apply_learnt(self, frame, learnt):
        _need_columns(frame, self)
        out = frame.copy()
        values = out[self.column]
        if self.to == "numeric":
            text = values.astype("string").str.strip().str.replace(",", ".", regex=False)
            out[self.column] = pd.to_numeric(text, errors="coerce")
        elif self.to == "text":
            out[self.column] = values.astype("string")
        elif self.to == "boolean":
            text = values.astype("string").str.strip().str.lower()
            out[self.column] = text.map(lambda v: _TRUTHY.get(v, pd.NA)).astype("boolean")
        elif self.to == "datetime":
            dates = dates_in_utc(values)
            out[self.column] = dates if learnt.get("utc") else dates.dt.tz_localize(None)
        else:
            raise DataError(f"Unknown type '{self.to}'. Choose numeric, text, boolean or datetime.")
        lost = int(out[self.column].isna().sum() - values.isna().sum())
        if lost == int(values.notna().sum()) and lost > 0:
            raise DataError(f"No value of '{self.column}' could be read as {self.to}; the column was "
                            "left as it was. Check the values or pick another type.")
        return out

    def describe(self):
        return f"Change {self.column} to {self.to}"

    def code(self):
        if self.to != "datetime":
            return self.learnt_code({})
        return "\n".join([_parse_dates_code(self.column, "dates"),
                          "utc = isinstance(dates.dtype, pd.DatetimeTZDtype)", self._dates_code("utc")])

    def learnt_code(self, learnt):
        column = f"df[{self.column!r}]"
        if self.to == "numeric":
            return (f"{column} = pd.to_numeric({column}.astype('string').str.strip()"
                    ".str.replace(',', '.', regex=False), errors='coerce')")
        if self.to == "text":
            return f"{column} = {column}.astype('string')"
        if self.to == "boolean":
            return (f"truthy = {_TRUTHY!r}\n"
                    f"{column} = {column}.astype('string').str.strip().str.lower().map(truthy).astype('boolean')")
        if self.to == "datetime":
            return self._dates_code(repr(bool(learnt.get("utc"))))
        raise DataError(f"Unknown type {self.to!r}. Choose numeric, text, boolean or datetime.")

    def _dates_code(self, utc: str) -> str:
        column = f"df[{self.column!r}]"
        return "\n".join([dates_in_utc_code(column, column) + f"  # {DATE_RULE}",
                          f"if not {utc}:  # the training table had no UTC offsets: keep the times without a zone",
                          f"    {column} = {column}.dt.tz_localize(None)"])


@_register
@dataclass
class DeriveDateParts(Step):
    op: ClassVar[str] = "date_parts"
    title: ClassVar[str] = "Parse dates and derive parts"
    specs: ClassVar[tuple[ParamSpec, ...]] = (
        ParamSpec("column", "column", None, "Date column"),
        ParamSpec("parts", "multichoice", ["year", "month", "weekday"], "Parts", choices=DATE_PARTS,
                  help=f"Each row on its own: {DATE_RULE}."),
        ParamSpec("drop_original", "bool", True, "Drop the original column"),
    )
    column: str = ""
    parts: list[str] = field(default_factory=lambda: ["year", "month", "weekday"])
    drop_original: bool = True

    def apply(self, frame):
        _need_columns(frame, self)
        dates = dates_in_utc(frame[self.column])
        if dates.notna().sum() == 0 and frame[self.column].notna().any():
            raise DataError(f"No value of '{self.column}' parses as a date. Pick a date column, or check "
                            "that the dates are written as dates (such as 2024-01-31 or 2024-01-31 13:45).")
        out = frame.copy()
        for part in self.parts:
            values = dates.dt.day_of_week if part == "weekday" else getattr(dates.dt, part)
            out[f"{self.column}_{part}"] = values.astype("Int64")
        return out.drop(columns=[self.column]) if self.drop_original else out

    def describe(self):
        return f"Split {self.column} into {', '.join(self.parts)} ({DATE_RULE})"

    def code(self):
        lines = [dates_in_utc_code(f"df[{self.column!r}]", "dates")]
        accessors = {part: "day_of_week" if part == "weekday" else part for part in DATE_PARTS}
        lines += [f"df[{self.column + '_' + p!r}] = dates.dt.{accessors[_choice(p, DATE_PARTS)]}.astype('Int64')"
                  for p in self.parts]
        if self.drop_original:
            lines.append(f"df = df.drop(columns=[{self.column!r}])")
        return "\n".join(lines)


@_register
@dataclass
class DropDuplicates(Step):
    op: ClassVar[str] = "drop_duplicates"
    title: ClassVar[str] = "Drop duplicate rows"
    removes_rows: ClassVar[bool] = True

    def apply(self, frame):
        return frame.drop_duplicates()

    def describe(self):
        return "Drop duplicate rows"

    def code(self):
        return "df = df.drop_duplicates()"


@_register
@dataclass
class DropMissing(Step):
    op: ClassVar[str] = "drop_missing"
    title: ClassVar[str] = "Drop rows with missing values"
    removes_rows: ClassVar[bool] = True
    specs: ClassVar[tuple[ParamSpec, ...]] = (
        ParamSpec("columns", "columns", [], "In these columns (empty = any column)"),)
    columns: list[str] = field(default_factory=list)

    def apply(self, frame):
        _need_columns(frame, self)
        return frame.dropna(subset=self.columns or None)

    def describe(self):
        return f"Drop rows missing {', '.join(self.columns)}" if self.columns else "Drop rows with any missing value"

    def code(self):
        return f"df = df.dropna(subset={self.columns!r})" if self.columns else "df = df.dropna()"
