"""Recipe steps that change values or filter rows (split out of core.recipe to keep it small)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from core.errors import DataError
from core.recipe_steps import (
    FILTER_OPERATORS,
    Step,
    _choice,
    _need_columns,
    _need_numeric,
    _register,
)
from core.specs import ParamSpec


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
