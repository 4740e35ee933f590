"""Encoding and scaling as one scikit-learn ``ColumnTransformer``, decided per column.

Each column gets a ``ColumnEncoding`` (plain data the user can edit in a table); defaults come
from its kind. ``build_preprocessor`` turns the list into an unfitted transformer that is placed
first in the model ``Pipeline``, so imputation values, scaling statistics and category codes are
learnt on training folds only, never on the whole table.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.impute import KNNImputer, SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import (
    FunctionTransformer,
    MinMaxScaler,
    OneHotEncoder,
    OrdinalEncoder,
    RobustScaler,
    StandardScaler,
    TargetEncoder,
)

from core.dates import RULE as DATE_RULE
from core.dates import dates_in_utc
from core.errors import DataError

NUMERIC_IMPUTERS = ("mean", "median", "constant", "knn")
CATEGORICAL_IMPUTERS = ("most_frequent", "constant")
SCALERS = ("standard", "minmax", "robust", "none")
ENCODERS = ("onehot", "ordinal", "target")
DATE_PARTS = ("year", "month", "day", "weekday", "hour")
HIGH_CARDINALITY = 30
_SCALER_CLASSES = {"standard": StandardScaler, "minmax": MinMaxScaler, "robust": RobustScaler}


@dataclass
class ColumnEncoding:
    """How one column becomes model input. ``role`` is numeric, categorical, datetime or drop."""

    column: str
    role: str
    imputer: str = "median"
    add_indicator: bool = False
    scaler: str = "standard"
    encoder: str = "onehot"
    rare_min_frequency: float = 0.0
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> ColumnEncoding:
        return cls(**values)


def default_encodings(frame: pd.DataFrame, kinds: dict[str, str], target: str | None = None
                      ) -> list[ColumnEncoding]:
    """Sensible per-kind defaults; identifiers, constants and free text are left out, with a reason."""
    encodings = []
    for name, kind in kinds.items():
        if name == target or name not in frame.columns:
            continue
        missing = bool(frame[name].isna().any())
        if kind == "numeric":
            encodings.append(ColumnEncoding(name, "numeric", "median", add_indicator=missing,
                                            reason="number: median-imputed, standardised"))
        elif kind in ("categorical", "boolean"):
            many = frame[name].nunique() > HIGH_CARDINALITY
            encodings.append(ColumnEncoding(
                name, "categorical", "most_frequent", scaler="none",
                encoder="target" if many else "onehot",
                rare_min_frequency=0.0 if many else 0.01,
                reason=("many labels: target-encoded" if many
                        else "labels: one-hot, labels under 1% grouped"),
            ))
        elif kind == "datetime":
            encodings.append(ColumnEncoding(name, "datetime", "median", scaler="standard",
                                            reason=f"date: year, month, day, weekday, hour ({DATE_RULE})"))
        else:
            reasons = {"identifier": "identifier: unique per row, nothing to learn",
                       "constant": "constant: the same in every row",
                       "text": "free text: not encoded"}
            encodings.append(ColumnEncoding(name, "drop", reason=reasons.get(kind, kind)))
    return encodings


def encoding_for_kept_column(frame: pd.DataFrame, column: str, kind: str) -> ColumnEncoding:
    """The encoding of a column left out by default (an identifier, free text, a constant) that the
    user chose to keep: numbers as numbers, anything else as labels, with settings valid for that role."""
    kept_kind = kind if kind in ("numeric", "categorical", "boolean", "datetime") else "categorical"
    if kept_kind == "categorical" and kind != "categorical" and pd.api.types.is_numeric_dtype(frame[column]):
        kept_kind = "numeric"
    encoding = default_encodings(frame[[column]], {column: kept_kind})[0]
    encoding.reason = "kept by you"
    return encoding


def build_preprocessor(encodings: list[ColumnEncoding]) -> ColumnTransformer:
    """An unfitted ColumnTransformer; columns with the same settings share one transformer."""
    groups: dict[tuple, list[str]] = {}
    for encoding in encodings:
        validate_encoding(encoding)
        if encoding.role == "drop":
            continue
        settings = (encoding.role, encoding.imputer, encoding.add_indicator, encoding.scaler,
                    encoding.encoder, encoding.rare_min_frequency)
        groups.setdefault(settings, []).append(encoding.column)
    if not groups:
        raise DataError("No feature columns are left to learn from. Include at least one column.")
    transformers = []
    for index, (settings, columns) in enumerate(groups.items()):
        role = settings[0]
        name = f"{role}_{index}"
        transformers.append((name, _column_pipeline(*settings), columns))
    return ColumnTransformer(transformers, remainder="drop", verbose_feature_names_out=False)


def validate_encoding(encoding: ColumnEncoding) -> None:
    """A choice that does not fit the column's role is the user's to fix."""
    allowed_imputers = {"numeric": NUMERIC_IMPUTERS, "datetime": NUMERIC_IMPUTERS,
                        "categorical": CATEGORICAL_IMPUTERS}
    if encoding.role not in ("numeric", "categorical", "datetime", "drop"):
        raise DataError(f"Unknown role '{encoding.role}' for column '{encoding.column}'. "
                        "Use numeric, categorical, datetime or drop.")
    if encoding.role == "drop":
        return
    if encoding.imputer not in allowed_imputers[encoding.role]:
        raise DataError(f"Column '{encoding.column}' ({encoding.role}) cannot use the imputer "
                        f"'{encoding.imputer}'. Choose one of {', '.join(allowed_imputers[encoding.role])}.")
    if encoding.scaler not in SCALERS:
        raise DataError(f"Unknown scaler '{encoding.scaler}' for '{encoding.column}'. "
                        f"Choose one of {', '.join(SCALERS)}.")
    if encoding.role == "categorical" and encoding.encoder not in ENCODERS:
        raise DataError(f"Unknown encoder '{encoding.encoder}' for '{encoding.column}'. "
                        f"Choose one of {', '.join(ENCODERS)}.")


def _column_pipeline(role: str, imputer: str, add_indicator: bool, scaler: str, encoder: str,
                     rare_min_frequency: float) -> Pipeline:
    steps: list[tuple[str, Any]] = []
    if role == "datetime":
        steps.append(("date_parts", DateParts()))
    if role in ("numeric", "datetime"):
        steps.append(("to_float", FunctionTransformer(_to_float, feature_names_out="one-to-one")))
        if imputer == "knn":
            steps.append(("impute", KNNImputer(n_neighbors=5, add_indicator=add_indicator)))
        else:
            steps.append(("impute", SimpleImputer(strategy=imputer, fill_value=0,
                                                  add_indicator=add_indicator, keep_empty_features=True)))
        if scaler != "none":
            steps.append(("scale", _SCALER_CLASSES[scaler]()))
        return Pipeline(steps)
    steps.append(("to_text", FunctionTransformer(_to_text, feature_names_out="one-to-one")))
    steps.append(("impute", SimpleImputer(strategy=imputer, fill_value="(missing)",
                                          add_indicator=add_indicator, keep_empty_features=True)))
    if encoder == "onehot":
        steps.append(("encode", OneHotEncoder(
            handle_unknown="infrequent_if_exist" if rare_min_frequency > 0 else "ignore",
            min_frequency=rare_min_frequency or None, sparse_output=False)))
    elif encoder == "ordinal":
        steps.append(("encode", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1)))
    else:
        steps.append(("encode", TargetEncoder()))
    if scaler != "none":
        steps.append(("scale", _SCALER_CLASSES[scaler]()))
    return Pipeline(steps)


def _to_float(values: Any) -> np.ndarray:
    """Numbers stored as text (or booleans) become floats; unparseable cells become missing."""
    frame = pd.DataFrame(values)
    return frame.apply(lambda column: pd.to_numeric(column, errors="coerce")).to_numpy(dtype=float)


def _to_text(values: Any) -> np.ndarray:
    """Labels as Python strings (missing kept as NaN) so every encoder sees one type."""
    cells = pd.DataFrame(values).astype(object).to_numpy()
    missing = pd.isna(cells)
    text = cells.astype(str).astype(object)
    text[missing] = np.nan
    return text


class DateParts(TransformerMixin, BaseEstimator):
    """Turn date columns into numeric parts (year, month, day, weekday, hour); learns nothing.

    Each cell is read on its own (``core.dates``), so a row gets the same parts alone or in a batch.
    """

    def __init__(self, parts: tuple[str, ...] = DATE_PARTS):
        self.parts = parts

    def fit(self, X: Any, y: Any = None) -> DateParts:
        frame = pd.DataFrame(X)
        self.feature_names_in_ = np.asarray([str(c) for c in frame.columns], dtype=object)
        self.n_features_in_ = frame.shape[1]
        return self

    def transform(self, X: Any) -> np.ndarray:
        frame = pd.DataFrame(X)
        out = []
        for name in frame.columns:
            dates = dates_in_utc(frame[name])
            for part in self.parts:
                values = dates.dt.day_of_week if part == "weekday" else getattr(dates.dt, part)
                out.append(values.astype(float).to_numpy())
        return np.column_stack(out) if out else np.empty((len(frame), 0))

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        names = self.feature_names_in_ if input_features is None else input_features
        return np.asarray([f"{name}_{part}" for name in names for part in self.parts], dtype=object)
