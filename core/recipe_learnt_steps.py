"""Recipe steps that learn values from the rows they are fitted on: fill values, clip bounds, bin edges, kept labels.

Each has ``learn`` (the values, as plain data), ``apply_learnt`` (reusing them on any rows) and
``learnt_code`` (the same with the values written as constants); ``apply`` learns from the table it
is given, which is what the Prepare page previews.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from core.errors import DataError
from core.recipe_steps import (
    _TRUTHY,
    Step,
    _choice,
    _need_columns,
    _need_numeric,
    _number,
    _register,
    literal,
    plain,
)
from core.specs import ParamSpec


@_register
@dataclass
class FillMissing(Step):
    op: ClassVar[str] = "fill_missing"
    title: ClassVar[str] = "Fill missing values"
    specs: ClassVar[tuple[ParamSpec, ...]] = (
        ParamSpec("column", "column", None, "Column"),
        ParamSpec("strategy", "choice", "median", "With", choices=("mean", "median", "most_frequent", "constant"),
                  help="The preview fills with the whole table's value; a model learns the value from "
                       "its training rows only and reuses it on new data."),
        ParamSpec("value", "text", "", "Constant value (for 'constant')"),
    )
    column: str = ""
    strategy: str = "median"
    value: str = ""

    def apply(self, frame):
        return self.apply_learnt(frame, self.learn(frame))

    def learn(self, frame):
        """The fill value: the training rows' mean, median or most frequent value, or the typed constant."""
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
        return {"fill": plain(fill)}

    def apply_learnt(self, frame, learnt):
        _need_columns(frame, self)
        if self.strategy in ("mean", "median"):
            _need_numeric(frame, self.column)  # text where training had numbers is refused, not passed on
        values, fill = frame[self.column], learnt["fill"]
        out = frame.copy()
        if fill is None:  # no value to learn from (every training value missing): nothing to fill with
            return out
        if (pd.api.types.is_integer_dtype(values) and isinstance(fill, float)
                and not (np.isfinite(fill) and fill.is_integer())):
            values = values.astype("Float64")  # whole numbers (such as date parts) filled with a mean of 2.5
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

    def learnt_code(self, learnt):
        column, fill = f"df[{self.column!r}]", learnt["fill"]
        if fill is None:
            return "# every training value was missing: nothing to fill with"
        lines = [f"fill = {literal(fill)}  # learnt from the training rows"]
        if isinstance(fill, float) and not (np.isfinite(fill) and fill.is_integer()):
            lines += [f"if pd.api.types.is_integer_dtype({column}):",
                      f"    {column} = {column}.astype('Float64')"]
        return "\n".join([*lines, f"{column} = {column}.fillna(fill)"])


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
        return self.apply_learnt(frame, self.learn(frame))

    def learn(self, frame):
        """The clip bounds, from the training rows (missing when there are too few values)."""
        _need_columns(frame, self)
        low, high = self.bounds(_need_numeric(frame, self.column))
        return {"low": plain(low), "high": plain(high)}

    def apply_learnt(self, frame, learnt):
        _need_columns(frame, self)
        values = _need_numeric(frame, self.column)
        low, high = learnt["low"], learnt["high"]
        if self.action == "drop":
            if low is None or high is None:
                return frame
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
            lines.append(f"df[{self.column!r}] = df[{self.column!r}].astype(float).clip(low, high)")
        return "\n".join(lines)

    def learnt_code(self, learnt):
        if self.action == "drop":
            return self.code()
        low, high = literal(learnt["low"]), literal(learnt["high"])
        return (f"df[{self.column!r}] = df[{self.column!r}].astype(float).clip({low}, {high})"
                "  # bounds learnt from the training rows")

    def columns_used(self):
        return [self.column]


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
        return self.apply_learnt(frame, self.learn(frame))

    def learn(self, frame):
        """The bin edges and the training range (new values beyond it fall in the first or last bin)."""
        _need_columns(frame, self)
        values = _need_numeric(frame, self.column)
        if np.isinf(values).any():
            raise DataError(f"'{self.column}' has infinite values, which fall in no bin. Keep only finite "
                            f"rows first: a 'Keep rows matching a condition' step with {self.column} < inf.")
        if values.nunique() < 2:
            raise DataError(f"'{self.column}' has fewer than two distinct values, so there is nothing to bin.")
        if self.strategy == "quantile":
            _, edges = pd.qcut(values, q=int(self.bins), duplicates="drop", retbins=True)
        else:
            _, edges = pd.cut(values, bins=int(self.bins), retbins=True)
        return {"edges": [float(edge) for edge in edges], "low": float(values.min()), "high": float(values.max())}

    def apply_learnt(self, frame, learnt):
        _need_columns(frame, self)
        values = _need_numeric(frame, self.column).clip(learnt["low"], learnt["high"])
        binned = pd.cut(values, bins=learnt["edges"], include_lowest=self.strategy == "quantile")
        out = frame.copy()
        out[f"{self.column}_bin"] = binned.astype("string")
        return out

    def learnt_code(self, learnt):
        values = f"df[{self.column!r}].astype(float).clip({literal(learnt['low'])}, {literal(learnt['high'])})"
        lowest = ", include_lowest=True" if self.strategy == "quantile" else ""
        return "\n".join([f"edges = {literal(learnt['edges'])}  # learnt from the training rows",
                          f"df[{self.column + '_bin'!r}] = pd.cut({values}, bins=edges{lowest}).astype('string')"])

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
        return self.apply_learnt(frame, self.learn(frame))

    def learn(self, frame):
        """The labels kept as they are; every other label (rare, or never seen in training) is grouped."""
        _need_columns(frame, self)
        values = frame[self.column].astype("string")
        shares = values.value_counts(normalize=True)
        rare = shares[shares < self.min_share].index
        if self.max_labels:
            rare = rare.union(shares.index[int(self.max_labels):])
        return {"kept": [str(label) for label in shares.index if label not in rare]}

    def apply_learnt(self, frame, learnt):
        _need_columns(frame, self)
        values = frame[self.column].astype("string")
        out = frame.copy()
        out[self.column] = values.where(values.isin(learnt["kept"]) | values.isna(), self.other_label)
        return out

    def describe(self):
        keep = f", keeping the top {self.max_labels}" if self.max_labels else ""
        return (f"Group labels of {self.column} under {self.min_share:.0%}{keep} as '{self.other_label}' "
                "(labels new to the model too)")

    def learnt_code(self, learnt):
        column = f"df[{self.column!r}]"
        return "\n".join([
            f"kept = {literal(learnt['kept'])}  # labels learnt from the training rows",
            f"{column} = {column}.astype('string')",
            f"{column} = {column}.where({column}.isin(kept) | {column}.isna(), {self.other_label!r})",
        ])

    def code(self):
        column = f"df[{self.column!r}]"
        top = f".union(shares.index[{_number(int(self.max_labels))}:])" if self.max_labels else ""
        return "\n".join([
            f"{column} = {column}.astype('string')",
            f"shares = {column}.value_counts(normalize=True)",
            f"rare = shares[shares < {_number(float(self.min_share))}].index{top}",
            f"{column} = {column}.where(~{column}.isin(rare), {self.other_label!r})",
        ])
