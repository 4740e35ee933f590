"""The feature matrix for unsupervised methods (anomalies, projections), built by the models' own pipeline code.

There is no target, so the Prepare page's per-column encodings are reused as they are, except that a
target encoding (which needs a target) becomes a one-hot encoding with rare labels grouped. Numbers
are scaled by default: distance- and density-based methods would otherwise be ruled by whichever
column has the largest units.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from core.errors import DataError
from core.folds import seeded_preprocessor
from core.preprocess import ColumnEncoding, default_encodings
from core.schema import infer_column_kinds

MIN_ROWS = 3  # fewer rows have no "usual" to stand out from


@dataclass
class FeatureMatrix:
    """The encoded rows, their column names, and the fitted preprocessor (for the code and new rows)."""

    values: np.ndarray
    names: list[str]
    columns: list[str]
    preprocessor: Any = field(repr=False)
    encodings: list[ColumnEncoding] = field(repr=False, default_factory=list)


def unsupervised_encodings(frame: pd.DataFrame, columns: list[str] | None = None,
                           encodings: list[ColumnEncoding] | None = None) -> list[ColumnEncoding]:
    """Per-column encodings for ``columns`` (default: every usable column); no target encoding."""
    if columns is not None:
        unknown = [name for name in columns if name not in frame.columns]
        if unknown:
            raise DataError(f"Unknown column(s): {', '.join(map(repr, unknown))}. "
                            f"The table has: {', '.join(map(repr, list(frame.columns)[:20]))}.")
    if encodings is None:
        kinds = {name: str(kind) for name, kind in infer_column_kinds(frame).items()}
        encodings = default_encodings(frame, kinds)
    chosen = []
    for encoding in encodings:
        if columns is not None and encoding.column not in columns:
            encoding = replace(encoding, role="drop", reason="not chosen")
        if encoding.role == "categorical" and encoding.encoder == "target":
            encoding = replace(encoding, encoder="onehot", rare_min_frequency=max(encoding.rare_min_frequency, 0.01),
                               reason="many labels: one-hot, labels under 1% grouped (no target to encode by)")
        chosen.append(encoding)
    return chosen


def build_feature_matrix(frame: pd.DataFrame, columns: list[str] | None = None,
                         encodings: list[ColumnEncoding] | None = None, seed: int = 0) -> FeatureMatrix:
    """Encode ``frame`` for an unsupervised method; a table it cannot work on is a ``DataError``."""
    if len(frame) < MIN_ROWS:
        raise DataError(f"The table has {len(frame)} row(s); finding unusual rows or a projection needs "
                        f"at least {MIN_ROWS}. Load more rows.")
    chosen = unsupervised_encodings(frame, columns, encodings)
    used = [encoding.column for encoding in chosen if encoding.role != "drop"]
    if not used:
        raise DataError("No usable feature column: every column is an identifier, free text, constant or "
                        "was left out. Choose numeric or label columns (or keep one on the Prepare page).")
    preprocessor = seeded_preprocessor(chosen, seed, task="regression")
    try:
        values = preprocessor.fit_transform(frame[used])
    except ValueError as exc:
        raise DataError(f"The chosen columns could not be encoded: {exc}. Choose other columns.") from None
    values = np.asarray(values.toarray() if hasattr(values, "toarray") else values, dtype=float)
    if values.shape[1] == 0:
        raise DataError("No feature is left after encoding. Choose other columns.")
    if not np.isfinite(values).all():
        raise DataError("Some encoded values are infinite. Clip or remove them on the Prepare page.")
    if np.ptp(values, axis=0).max() == 0:
        raise DataError("Every row is identical in the chosen columns, so no row can stand out. "
                        "Choose columns whose values vary.")
    names = [str(name) for name in preprocessor.get_feature_names_out()]
    return FeatureMatrix(values, names, used, preprocessor, chosen)
