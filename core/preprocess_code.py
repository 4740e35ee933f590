"""The preprocessing as scikit-learn code, written from the very ``ColumnTransformer`` the pipeline uses.

``preprocessor_code(build_preprocessor(encodings))`` walks the transformer's column groups and
steps and writes each estimator with the parameters it differs from its defaults in, so the code
cannot drift from ``build_preprocessor``. The two small helpers the workbench adds (numbers from
text, date parts) are written out in plain pandas; a test runs the code and compares its output
with the workbench's, cell by cell. Column names appear only inside ``repr()``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from core.dates import RULE as DATE_RULE
from core.preprocess import DateParts, _to_float, _to_text

_HELPERS = f'''

def to_float(values):
    """Numbers stored as text (or booleans) become floats; unparseable cells become missing."""
    frame = pd.DataFrame(values)
    return frame.apply(lambda column: pd.to_numeric(column, errors='coerce')).to_numpy(dtype=float)


def to_text(values):
    """Labels as Python strings (missing kept as NaN) so every encoder sees one type."""
    cells = pd.DataFrame(values).astype(object).to_numpy()
    missing = pd.isna(cells)
    text = cells.astype(str).astype(object)
    text[missing] = np.nan
    return text


class DateParts(TransformerMixin, BaseEstimator):
    """Date columns as numbers: year, month, day, weekday, hour ({DATE_RULE})."""

    def __init__(self, parts=('year', 'month', 'day', 'weekday', 'hour')):
        self.parts = parts

    def fit(self, X, y=None):
        frame = pd.DataFrame(X)
        self.feature_names_in_ = np.asarray([str(c) for c in frame.columns], dtype=object)
        self.n_features_in_ = frame.shape[1]
        return self

    def transform(self, X):
        frame = pd.DataFrame(X)
        out = []
        for name in frame.columns:
            dates = pd.to_datetime(frame[name], errors='coerce', format='mixed', utc=True)
            for part in self.parts:
                values = dates.dt.day_of_week if part == 'weekday' else getattr(dates.dt, part)
                out.append(values.astype(float).to_numpy())
        return np.column_stack(out) if out else np.empty((len(frame), 0))

    def get_feature_names_out(self, input_features=None):
        names = self.feature_names_in_ if input_features is None else input_features
        return np.asarray([f"{{name}}_{{part}}" for name in names for part in self.parts], dtype=object)
'''
_FUNCTIONS = {_to_float: "to_float", _to_text: "to_text"}


def preprocessor_code(preprocessor: ColumnTransformer) -> str:
    """Code that builds ``preprocessor`` (unfitted) as ``preprocess``: the same groups, steps and settings."""
    imports: dict[str, set[str]] = {"sklearn.compose": {"ColumnTransformer"}, "sklearn.pipeline": {"Pipeline"}}
    groups = []
    for name, transformer, columns in preprocessor.transformers:
        steps = transformer.steps if isinstance(transformer, Pipeline) else [(name, transformer)]
        groups.append(f"    ({name!r}, Pipeline([")
        groups += [f"        ({step_name!r}, {_estimator_code(step, imports)})," for step_name, step in steps]
        groups.append(f"    ]), {list(columns)!r}),")
    lines = ["import numpy as np", "import pandas as pd", "from sklearn.base import BaseEstimator, TransformerMixin"]
    lines += [f"from {module} import {', '.join(sorted(names))}" for module, names in sorted(imports.items())]
    lines += [_HELPERS, "", "# Each column group: its steps in order, with the settings of the encoding table.",
              "preprocess = ColumnTransformer(["]
    lines += groups
    lines += [f"], remainder={preprocessor.remainder!r}, "
              f"verbose_feature_names_out={preprocessor.verbose_feature_names_out!r})",
              "# Fitted inside the model pipeline on training rows only:",
              "# model = Pipeline([('preprocess', preprocess), ('model', estimator)]).fit(X_train, y_train)"]
    return "\n".join(lines)


def _estimator_code(estimator: Any, imports: dict[str, set[str]]) -> str:
    if isinstance(estimator, DateParts):
        return f"DateParts(parts={tuple(estimator.parts)!r})"
    if isinstance(estimator, FunctionTransformer) and estimator.func in _FUNCTIONS:
        imports.setdefault("sklearn.preprocessing", set()).add("FunctionTransformer")
        return f"FunctionTransformer({_FUNCTIONS[estimator.func]}, feature_names_out='one-to-one')"
    kind = type(estimator)
    imports.setdefault(_public_module(kind), set()).add(kind.__name__)
    defaults = kind().get_params(deep=False)
    changed = [f"{key}={_value_code(value, imports)}" for key, value in estimator.get_params(deep=False).items()
               if not _same(value, defaults.get(key))]
    return f"{kind.__name__}({', '.join(changed)})"


def _value_code(value: Any, imports: dict[str, set[str]]) -> str:
    """A parameter value as code: plain data by ``repr``, a cross-validation splitter by its own repr."""
    if hasattr(value, "get_n_splits"):
        imports.setdefault("sklearn.model_selection", set()).add(type(value).__name__)
        return repr(value)
    if isinstance(value, float) and not np.isfinite(value):
        return f"float({str(value)!r})"
    if value is None or isinstance(value, bool | int | float | str | tuple | list):
        return repr(value)
    raise TypeError(f"Cannot write {type(value).__name__} as code.")


def _same(first: Any, second: Any) -> bool:
    if isinstance(first, float) and isinstance(second, float) and np.isnan(first) and np.isnan(second):
        return True
    if hasattr(first, "get_n_splits") or hasattr(second, "get_n_splits"):
        return first is second
    try:
        return bool(first == second) and type(first) is type(second)
    except (TypeError, ValueError):
        return False


def _public_module(kind: type) -> str:
    """``sklearn.preprocessing`` for ``sklearn.preprocessing._data``: the module a student imports from."""
    parts = kind.__module__.split(".")
    return ".".join(part for part in parts if not part.startswith("_"))
