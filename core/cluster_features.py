"""Features for clustering: the Prepare page's recipe and encodings, the same preprocessor the models use.

There is no train/test split in clustering, so the recipe is replayed on the whole table (its row
steps decide which rows are clustered) and the per-column ``ColumnTransformer`` from
``core.folds.seeded_preprocessor`` is learnt on those rows. Numbers are standardised by default:
distance-based methods otherwise let the column with the largest unit decide alone.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from core.errors import DataError
from core.preprocess import ColumnEncoding, default_encodings

# Encoded cells above which clustering is refused: the matrix and distances would not fit in memory.
MAX_ENCODED_CELLS = 60_000_000


@dataclass
class ClusterFeatures:
    """The encoded matrix, the rows of the input it came from and the fitted preprocessor."""

    matrix: np.ndarray
    rows: pd.Index  # index labels of the input frame that were clustered (a recipe may drop rows)
    frame: pd.DataFrame  # those rows after the recipe, the columns a profile reads
    columns: list[str]
    encodings: list[ColumnEncoding]
    preprocessor: Any
    notes: list[str]


def cluster_encodings(frame: pd.DataFrame, columns: list[str] | None = None,
                      encodings: list[ColumnEncoding] | None = None, scale: bool = True) -> list[ColumnEncoding]:
    """The encodings to cluster ``columns`` with: the page's own where given, else per-kind defaults.

    Target encoding needs a target, which clustering has not: such columns are one-hot encoded with
    rare labels grouped instead. Missing-value indicators are left out: an unscaled 0/1 column per
    gap would put the few rows with gaps in a cluster of their own. ``scale=False`` leaves numbers
    in their units.
    """
    from core.schema import infer_column_kinds

    if columns is not None:
        unknown = [name for name in columns if name not in frame.columns]
        if unknown:
            raise DataError(f"Unknown column(s): {', '.join(map(repr, unknown))}. "
                            f"Choose from: {', '.join(map(str, frame.columns[:30]))}.")
    chosen = encodings if encodings is not None else default_encodings(frame, infer_column_kinds(frame))
    by_column = {encoding.column: encoding for encoding in chosen}
    names = columns if columns is not None else [encoding.column for encoding in chosen]
    result = []
    for name in names:
        encoding = by_column.get(name)
        if encoding is None or (columns is not None and encoding.role == "drop"):
            from core.preprocess import encoding_for_kept_column
            from core.schema import infer_column_kind

            encoding = encoding_for_kept_column(frame, name, infer_column_kind(frame[name]))
        if encoding.encoder == "target":
            encoding = replace(encoding, encoder="onehot", rare_min_frequency=0.01)
        if encoding.add_indicator:
            encoding = replace(encoding, add_indicator=False)
        if not scale and encoding.role in ("numeric", "datetime"):
            encoding = replace(encoding, scaler="none")
        result.append(encoding)
    return result


def prepare_features(frame: pd.DataFrame, columns: list[str] | None = None,
                     encodings: list[ColumnEncoding] | None = None, recipe: list[Any] | None = None,
                     seed: int = 0, scale: bool = True) -> ClusterFeatures:
    """Replay the recipe, encode the chosen columns; a table that cannot be clustered is a ``DataError``."""
    from core.folds import seeded_preprocessor

    notes: list[str] = []
    if recipe:
        from core.recipe_fit import replay_recipe

        replayed = replay_recipe(frame, recipe)
        notes += [f"Recipe step {outcome.index + 1} ({outcome.description}) was skipped: {outcome.error}"
                  for outcome in replayed.problems]
        if len(replayed.frame) < len(frame):
            notes.append(f"The recipe removed {len(frame) - len(replayed.frame):,} row(s); they get no cluster.")
        frame = replayed.frame
    chosen = [encoding for encoding in cluster_encodings(frame, columns, encodings, scale)
              if encoding.role != "drop"]
    if not chosen:
        raise DataError("No usable feature column is left to cluster on (identifiers, constants and free "
                        "text are left out). Choose columns with numbers or labels.")
    if len(frame) < 3:
        raise DataError(f"The table has {len(frame)} row(s); clustering needs at least 3. Load more rows.")
    preprocessor = seeded_preprocessor(chosen, seed, task="clustering")
    names = [encoding.column for encoding in chosen]
    try:
        matrix = preprocessor.fit_transform(frame[names])
    except ValueError as exc:
        raise DataError(f"The chosen columns could not be encoded: {exc}. Check their kinds on the Prepare "
                        "page or choose other columns.") from None
    matrix = np.asarray(matrix.toarray() if hasattr(matrix, "toarray") else matrix, dtype=float)
    if matrix.size > MAX_ENCODED_CELLS:
        raise DataError(f"The encoded table has {matrix.shape[0]:,} rows x {matrix.shape[1]:,} columns, too "
                        "large to cluster here. Choose fewer columns or load a sample of the rows.")
    if matrix.shape[1] == 0 or not np.isfinite(matrix).all():
        raise DataError("The chosen columns give no finite numbers to cluster on. Choose other columns.")
    if np.ptp(matrix, axis=0).max() == 0:
        raise DataError("Every row is identical in the chosen columns, so there are no groups to find. "
                        "Choose columns whose values differ.")
    if len(names) == 1:
        notes.append(f"Clustering on one column ('{names[0]}'): the groups are ranges of its values.")
    return ClusterFeatures(matrix, frame.index, frame, names, chosen, preprocessor, notes)
