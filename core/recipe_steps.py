"""Recipe step base class, shared step helpers and the column-level steps (split out of core.recipe)."""

from __future__ import annotations

import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd

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
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError

    def code(self) -> str:
        raise NotImplementedError

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
            out[self.column] = parse_dates(values)
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
            return _parse_dates_code(self.column, column)
        raise DataError(f"Unknown type {self.to!r}. Choose numeric, text, boolean or datetime.")


@_register
@dataclass
class DeriveDateParts(Step):
    op: ClassVar[str] = "date_parts"
    title: ClassVar[str] = "Parse dates and derive parts"
    specs: ClassVar[tuple[ParamSpec, ...]] = (
        ParamSpec("column", "column", None, "Date column"),
        ParamSpec("parts", "multichoice", ["year", "month", "weekday"], "Parts", choices=DATE_PARTS),
        ParamSpec("drop_original", "bool", True, "Drop the original column"),
    )
    column: str = ""
    parts: list[str] = field(default_factory=lambda: ["year", "month", "weekday"])
    drop_original: bool = True

    def apply(self, frame):
        _need_columns(frame, self)
        dates = parse_dates(frame[self.column])
        if dates.notna().sum() == 0:
            raise DataError(f"No value of '{self.column}' parses as a date. Pick a date column.")
        out = frame.copy()
        for part in self.parts:
            values = dates.dt.day_of_week if part == "weekday" else getattr(dates.dt, part)
            out[f"{self.column}_{part}"] = values.astype("Int64")
        return out.drop(columns=[self.column]) if self.drop_original else out

    def describe(self):
        return f"Split {self.column} into {', '.join(self.parts)}"

    def code(self):
        lines = [_parse_dates_code(self.column, "dates")]
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
