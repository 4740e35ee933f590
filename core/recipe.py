"""Cleaning as data: an ordered list of steps, JSON-serialisable and replayable on new files.

Each step is a small dataclass with its parameters (declared as ``ParamSpec`` so the page can
build widgets from them), an ``apply`` that returns a new frame, a plain-words ``describe`` and
the equivalent pandas ``code`` for teaching. Steps that remove rows are training-only: they are
skipped when new data is scored. A step that cannot apply leaves the table as it was and says why.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import asdict, dataclass, field, fields
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from core.errors import DataError
from core.limits import (
    RECIPE_MAX_BYTES,
    RECIPE_MAX_LIST_ITEMS,
    RECIPE_MAX_NUMBER_DIGITS,
    RECIPE_MAX_STEPS,
    RECIPE_MAX_TEXT_CHARS,
)
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


@_register
@dataclass
class FillMissing(Step):
    op: ClassVar[str] = "fill_missing"
    title: ClassVar[str] = "Fill missing values"
    specs: ClassVar[tuple[ParamSpec, ...]] = (
        ParamSpec("column", "column", None, "Column"),
        ParamSpec("strategy", "choice", "median", "With", choices=("mean", "median", "most_frequent", "constant"),
                  help="For modelling, imputation in the encoding table is safer: it learns from "
                       "training rows only."),
        ParamSpec("value", "text", "", "Constant value (for 'constant')"),
    )
    column: str = ""
    strategy: str = "median"
    value: str = ""

    def apply(self, frame):
        _need_columns(frame, self)
        values = frame[self.column]
        if self.strategy in ("mean", "median"):
            fill = getattr(_need_numeric(frame, self.column), self.strategy)()
        elif self.strategy == "most_frequent":
            modes = values.mode(dropna=True)
            if modes.empty:
                raise DataError(f"'{self.column}' has no values to take the most frequent from.")
            fill = modes.iloc[0]
        else:
            fill = self.value
            if pd.api.types.is_bool_dtype(values):
                fill = _TRUTHY.get(str(self.value).strip().lower())
                if fill is None:
                    raise DataError(f"'{self.column}' holds true/false values; the fill value '{self.value}' "
                                    "is neither. Type true or false.")
            elif pd.api.types.is_numeric_dtype(values):
                try:
                    fill = float(self.value)
                except ValueError:
                    raise DataError(f"'{self.column}' is numeric; the fill value '{self.value}' is not "
                                    "a number. Type a number.") from None
        if (pd.api.types.is_integer_dtype(values) and isinstance(fill, float)
                and not (np.isfinite(fill) and fill.is_integer())):
            values = values.astype("Float64")  # whole numbers (such as date parts) filled with a mean of 2.5
        out = frame.copy()
        out[self.column] = values.fillna(fill)
        return out

    def describe(self):
        how = f"'{self.value}'" if self.strategy == "constant" else f"the {self.strategy.replace('_', ' ')}"
        return f"Fill missing {self.column} with {how}"

    def code(self):
        column = f"df[{self.column!r}]"
        if self.strategy == "most_frequent":
            return f"{column} = {column}.fillna({column}.mode()[0])"
        if self.strategy in ("mean", "median"):
            lines = [f"fill = {column}.astype(float).{self.strategy}()"]
        else:
            lines = [f"fill = {self.value!r}",
                     f"if pd.api.types.is_bool_dtype({column}):",
                     f"    fill = {_TRUTHY!r}[fill.strip().lower()]",
                     f"elif pd.api.types.is_numeric_dtype({column}):",
                     "    fill = float(fill)"]
        lines += [f"if pd.api.types.is_integer_dtype({column}) and isinstance(fill, float) "
                  "and not (np.isfinite(fill) and fill.is_integer()):",
                  f"    {column} = {column}.astype('Float64')",
                  f"{column} = {column}.fillna(fill)"]
        return "\n".join(lines)


@_register
@dataclass
class FilterRows(Step):
    op: ClassVar[str] = "filter_rows"
    title: ClassVar[str] = "Keep rows matching a condition"
    removes_rows: ClassVar[bool] = True
    specs: ClassVar[tuple[ParamSpec, ...]] = (
        ParamSpec("column", "column", None, "Column"),
        ParamSpec("operator", "choice", "==", "Condition", choices=FILTER_OPERATORS),
        ParamSpec("value", "text", "", "Value"),
    )
    column: str = ""
    operator: str = "=="
    value: str = ""

    def apply(self, frame):
        _need_columns(frame, self)
        values = frame[self.column]
        if self.operator == "is missing":
            keep = values.isna()
        elif self.operator == "is not missing":
            keep = values.notna()
        elif self.operator == "contains":
            keep = values.astype("string").str.contains(self.value, regex=False, na=False)
        else:
            operand: Any = self.value
            if pd.api.types.is_numeric_dtype(values):
                try:
                    operand = float(self.value)
                except ValueError:
                    raise DataError(f"'{self.column}' is numeric; '{self.value}' is not a number.") from None
            elif pd.api.types.is_datetime64_any_dtype(values):
                operand = pd.to_datetime(self.value, errors="coerce")
                if pd.isna(operand):
                    raise DataError(f"'{self.value}' is not a date. Write it as YYYY-MM-DD.")
            elif self.operator not in ("==", "!="):
                raise DataError(f"'{self.column}' holds text; use ==, != or contains with it.")
            else:
                values = values.astype("string")
            keep = {"==": values == operand, "!=": values != operand, ">": values > operand,
                    ">=": values >= operand, "<": values < operand, "<=": values <= operand}[self.operator]
            keep = keep.fillna(False).astype(bool)
        return frame[keep.to_numpy()]

    def describe(self):
        if self.operator in ("is missing", "is not missing"):
            return f"Keep rows where {self.column} {self.operator}"
        return f"Keep rows where {self.column} {self.operator} {self.value}"

    def code(self):
        column = f"df[{self.column!r}]"
        if self.operator == "is missing":
            return f"df = df[{column}.isna()]"
        if self.operator == "is not missing":
            return f"df = df[{column}.notna()]"
        if self.operator == "contains":
            return f"df = df[{column}.astype('string').str.contains({self.value!r}, regex=False, na=False)]"
        operator = _choice(self.operator, FILTER_OPERATORS)
        return "\n".join([
            f"values, operand = {column}, {self.value!r}",
            "if pd.api.types.is_numeric_dtype(values):",
            "    operand = float(operand)",
            "elif pd.api.types.is_datetime64_any_dtype(values):",
            "    operand = pd.to_datetime(operand)",
            "else:",
            "    values = values.astype('string')",
            f"df = df[(values {operator} operand).fillna(False).astype(bool).to_numpy()]",
        ])


@_register
@dataclass
class Outliers(Step):
    op: ClassVar[str] = "outliers"
    title: ClassVar[str] = "Handle outliers"
    specs: ClassVar[tuple[ParamSpec, ...]] = (
        ParamSpec("column", "column", None, "Numeric column"),
        ParamSpec("method", "choice", "iqr", "Rule", choices=("iqr", "zscore"),
                  help="IQR: beyond Q1 - k*IQR or Q3 + k*IQR. z-score: more than k standard deviations."),
        ParamSpec("threshold", "float", 1.5, "k", low=0.5, high=10.0),
        ParamSpec("action", "choice", "clip", "Then", choices=("clip", "drop")),
    )
    column: str = ""
    method: str = "iqr"
    threshold: float = 1.5
    action: str = "clip"

    @property
    def training_only(self) -> bool:
        return self.action == "drop"

    def bounds(self, values: pd.Series) -> tuple[float, float]:
        if self.method == "iqr":
            q1, q3 = values.quantile(0.25), values.quantile(0.75)
            spread = q3 - q1
            return q1 - self.threshold * spread, q3 + self.threshold * spread
        mean, std = values.mean(), values.std()
        return mean - self.threshold * std, mean + self.threshold * std

    def apply(self, frame):
        _need_columns(frame, self)
        values = _need_numeric(frame, self.column)
        low, high = self.bounds(values)
        if self.action == "drop":
            return frame[~((values < low) | (values > high)).to_numpy()]
        out = frame.copy()
        out[self.column] = values.clip(low, high)
        return out

    def describe(self):
        rule = f"{self.threshold} x IQR" if self.method == "iqr" else f"z-score > {self.threshold}"
        return f"{self.action.capitalize()} outliers of {self.column} ({rule})"

    def code(self):
        k = _number(self.threshold)
        if _choice(self.method, ("iqr", "zscore")) == "iqr":
            lines = [f"q1, q3 = df[{self.column!r}].quantile([0.25, 0.75])",
                     f"low, high = q1 - {k} * (q3 - q1), q3 + {k} * (q3 - q1)"]
        else:
            lines = [f"mean, std = df[{self.column!r}].mean(), df[{self.column!r}].std()",
                     f"low, high = mean - {k} * std, mean + {k} * std"]
        if self.action == "drop":
            lines.append(f"df = df[df[{self.column!r}].between(low, high) | df[{self.column!r}].isna()]")
        else:
            lines.append(f"df[{self.column!r}] = df[{self.column!r}].clip(low, high)")
        return "\n".join(lines)

    def columns_used(self):
        return [self.column]


@_register
@dataclass
class Transform(Step):
    op: ClassVar[str] = "transform"
    title: ClassVar[str] = "Log or square-root transform"
    specs: ClassVar[tuple[ParamSpec, ...]] = (
        ParamSpec("column", "column", None, "Numeric column"),
        ParamSpec("function", "choice", "log1p", "Function", choices=("log1p", "sqrt"),
                  help="log1p = log(1 + x), defined from 0 up; sqrt needs values of 0 or more."),
    )
    column: str = ""
    function: str = "log1p"

    def apply(self, frame):
        _need_columns(frame, self)
        values = _need_numeric(frame, self.column)
        if (values.dropna() < 0).any():
            raise DataError(f"'{self.column}' has negative values; {self.function} needs values of 0 "
                            "or more. Clip or shift the column first.")
        out = frame.copy()
        out[self.column] = np.log1p(values) if self.function == "log1p" else np.sqrt(values)
        return out

    def describe(self):
        return f"{self.function}({self.column})"

    def code(self):
        function = _choice(self.function, ("log1p", "sqrt"))
        return f"df[{self.column!r}] = np.{function}(df[{self.column!r}].astype(float))"


@_register
@dataclass
class Bin(Step):
    op: ClassVar[str] = "bin"
    title: ClassVar[str] = "Bin a numeric column"
    specs: ClassVar[tuple[ParamSpec, ...]] = (
        ParamSpec("column", "column", None, "Numeric column"),
        ParamSpec("bins", "int", 4, "Number of bins", low=2, high=50),
        ParamSpec("strategy", "choice", "quantile", "Bins of", choices=("quantile", "equal_width"),
                  help="quantile: about as many rows per bin; equal_width: bins of equal range."),
    )
    column: str = ""
    bins: int = 4
    strategy: str = "quantile"

    def apply(self, frame):
        _need_columns(frame, self)
        values = _need_numeric(frame, self.column)
        if np.isinf(values).any():
            raise DataError(f"'{self.column}' has infinite values, which fall in no bin. Keep only finite "
                            f"rows first: a 'Keep rows matching a condition' step with {self.column} < inf.")
        if values.nunique() < 2:
            raise DataError(f"'{self.column}' has fewer than two distinct values, so there is nothing to bin.")
        out = frame.copy()
        if self.strategy == "quantile":
            binned = pd.qcut(values, q=int(self.bins), duplicates="drop")
        else:
            binned = pd.cut(values, bins=int(self.bins))
        out[f"{self.column}_bin"] = binned.astype("string")
        return out

    def describe(self):
        return f"Bin {self.column} into {self.bins} {self.strategy.replace('_', '-')} bins"

    def code(self):
        values, bins = f"df[{self.column!r}].astype(float)", _number(int(self.bins))
        binned = (f"pd.qcut({values}, q={bins}, duplicates='drop')" if self.strategy == "quantile"
                  else f"pd.cut({values}, bins={bins})")
        return f"df[{self.column + '_bin'!r}] = {binned}.astype('string')"


@_register
@dataclass
class GroupRare(Step):
    op: ClassVar[str] = "group_rare"
    title: ClassVar[str] = "Group rare categories"
    specs: ClassVar[tuple[ParamSpec, ...]] = (
        ParamSpec("column", "column", None, "Categorical column"),
        ParamSpec("min_share", "float", 0.01, "Labels rarer than this share", low=0.0, high=0.5),
        ParamSpec("other_label", "text", "other", "Group them as"),
        ParamSpec("max_labels", "int", 0, "And keep at most this many labels (0 = no limit)", low=0, high=1000),
    )
    column: str = ""
    min_share: float = 0.01
    other_label: str = "other"
    max_labels: int = 0

    def apply(self, frame):
        _need_columns(frame, self)
        values = frame[self.column].astype("string")
        shares = values.value_counts(normalize=True)
        rare = shares[shares < self.min_share].index
        if self.max_labels:
            rare = rare.union(shares.index[int(self.max_labels):])
        out = frame.copy()
        out[self.column] = values.where(~values.isin(rare), self.other_label)
        return out

    def describe(self):
        keep = f", keeping the top {self.max_labels}" if self.max_labels else ""
        return f"Group labels of {self.column} under {self.min_share:.0%}{keep} as '{self.other_label}'"

    def code(self):
        column = f"df[{self.column!r}]"
        top = f".union(shares.index[{_number(int(self.max_labels))}:])" if self.max_labels else ""
        return "\n".join([
            f"{column} = {column}.astype('string')",
            f"shares = {column}.value_counts(normalize=True)",
            f"rare = shares[shares < {_number(float(self.min_share))}].index{top}",
            f"{column} = {column}.where(~{column}.isin(rare), {self.other_label!r})",
        ])


@_register
@dataclass
class NormaliseLabels(Step):
    op: ClassVar[str] = "normalise_labels"
    title: ClassVar[str] = "Trim and normalise label case"
    specs: ClassVar[tuple[ParamSpec, ...]] = (
        ParamSpec("column", "column", None, "Categorical column"),
        ParamSpec("case", "choice", "lower", "Case", choices=("lower", "upper", "title", "unchanged")),
    )
    column: str = ""
    case: str = "lower"

    def apply(self, frame):
        _need_columns(frame, self)
        values = frame[self.column].astype("string").str.strip().str.replace(r"\s+", " ", regex=True)
        if self.case != "unchanged":
            values = getattr(values.str, self.case)()
        out = frame.copy()
        out[self.column] = values
        return out

    def describe(self):
        return f"Trim {self.column}" + ("" if self.case == "unchanged" else f" and make it {self.case} case")

    def code(self):
        case = "" if self.case == "unchanged" else f".str.{_choice(self.case, ('lower', 'upper', 'title'))}()"
        return (f"df[{self.column!r}] = df[{self.column!r}].astype('string').str.strip()"
                f".str.replace(r'\\s+', ' ', regex=True){case}")


STEP_TYPES = _STEP_TYPES


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
    def wrong(expected: str) -> DataError:
        return DataError(f"Step '{op}': setting '{spec.name}' must be {expected}, not {value!r}. Fix it in "
                         "the recipe file, or build the step on the Prepare page.")

    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if isinstance(value, str) and len(value) > RECIPE_MAX_TEXT_CHARS:
        raise _wrong_size(op, spec, f"{len(value):,} characters long; the limit is {RECIPE_MAX_TEXT_CHARS:,}")
    if isinstance(value, list):
        if len(value) > RECIPE_MAX_LIST_ITEMS:
            raise _wrong_size(op, spec, f"a list of {len(value):,} items; the limit is {RECIPE_MAX_LIST_ITEMS:,}")
        for item in value:
            if isinstance(item, str) and len(item) > RECIPE_MAX_TEXT_CHARS:
                raise _wrong_size(op, spec, f"holds a name of {len(item):,} characters; the limit is "
                                           f"{RECIPE_MAX_TEXT_CHARS:,}")
    if spec.kind == "column":
        if value is None:
            return ""
        if not isinstance(value, str):
            raise wrong("a column name")
        return value
    if spec.kind == "columns":
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise wrong("a list of column names")
        return value
    if spec.kind == "choice":
        if value not in spec.choices:
            raise wrong("one of " + ", ".join(map(repr, spec.choices)))
        return value
    if spec.kind == "multichoice":
        if not isinstance(value, list) or not all(item in spec.choices for item in value):
            raise wrong("a list of " + ", ".join(map(repr, spec.choices)))
        return value
    if spec.kind == "bool":
        if not isinstance(value, bool):
            raise wrong("true or false")
        return value
    if spec.kind in ("int", "float"):
        if value is None and spec.optional:
            return None
        if not is_number or not np.isfinite(value) or (spec.kind == "int" and value != int(value)):
            raise wrong("a whole number" if spec.kind == "int" else "a number")
        too_low, too_high = spec.low is not None and value < spec.low, spec.high is not None and value > spec.high
        if too_low or too_high:
            if spec.low is not None and spec.high is not None:
                raise wrong(f"between {spec.low:g} and {spec.high:g}")
            raise wrong(f"at least {spec.low:g}" if too_low else f"at most {spec.high:g}")
        return int(value) if spec.kind == "int" else float(value)
    if is_number:  # a text setting written as a number in the file, such as a fill value of 0
        return str(value)
    if not isinstance(value, str):
        raise wrong("text")
    return value


def _wrong_size(op: str, spec: ParamSpec, what: str) -> DataError:
    return DataError(f"Step '{op}': setting '{spec.name}' is {what}. Shorten it in the recipe file, "
                     "or build the step on the Prepare page.")


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
