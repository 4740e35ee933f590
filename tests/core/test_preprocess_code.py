"""The encoding table's code is written from ``build_preprocessor``'s own transformer and reproduces it."""

import numpy as np
import pandas as pd
import pytest

from core.preprocess import ColumnEncoding, build_preprocessor, default_encodings
from core.preprocess_code import preprocessor_code
from core.train import seeded_preprocessor
from ui.encoding_table import encoding_code


def table(rows: int = 80) -> pd.DataFrame:
    """Numbers, labels, booleans and dates (mixed UTC offsets, written as text), each with missing cells."""
    rng = np.random.default_rng(5)
    number = rng.normal(10, 3, rows)
    number[[1, 7]] = np.nan
    label = rng.choice(["a", "b", "c"], rows).astype(object)
    label[[2, 9]] = [None, "rare"]
    offsets = ["Z", "+05:30", "-08:00", ""]
    when = np.array([f"2023-{1 + i % 12:02d}-{1 + i % 28:02d} {(i * 5) % 24:02d}:10:00{offsets[i % 4]}"
                     for i in range(rows)], dtype=object)
    when[[3, 4]] = None
    flag = rng.choice([True, False], rows).astype(object)
    flag[5] = None
    count = rng.integers(0, 5, rows).astype(float)
    count[6] = np.nan
    return pd.DataFrame({"number": number, "label": label, "when": when, "flag": flag, "count": count,
                         "text number": [str(v) for v in rng.integers(0, 9, rows)]})


KINDS = {"number": "numeric", "label": "categorical", "when": "datetime", "flag": "boolean", "count": "numeric",
         "text number": "numeric"}
VARIANTS = [
    [],
    [ColumnEncoding("number", "numeric", "knn", add_indicator=True, scaler="minmax"),
     ColumnEncoding("count", "numeric", "constant", scaler="robust"),
     ColumnEncoding("label", "categorical", "constant", encoder="ordinal", scaler="standard")],
    [ColumnEncoding("label", "categorical", "most_frequent", add_indicator=True, encoder="onehot", scaler="none",
                    rare_min_frequency=0.1),
     ColumnEncoding("when", "datetime", "mean", scaler="none"), ColumnEncoding("flag", "drop")],
]


def _encodings(overrides):
    chosen = {encoding.column: encoding for encoding in overrides}
    return [chosen.get(encoding.column, encoding) for encoding in default_encodings(table(), KINDS)]


def _run(code: str) -> dict:
    namespace: dict = {}
    exec(code, namespace)
    return namespace


@pytest.mark.parametrize("overrides", VARIANTS, ids=["defaults", "knn-ordinal", "indicator-rare-dates"])
def test_the_code_reproduces_build_preprocessor_exactly(overrides):
    frame = table()
    encodings = _encodings(overrides)
    expected = build_preprocessor(encodings).fit(frame.iloc[:60])
    generated = _run(encoding_code(encodings))["preprocess"].fit(frame.iloc[:60])
    for rows in (frame, frame.iloc[60:], frame.iloc[[3]]):  # the dates with offsets, one row, new rows
        np.testing.assert_array_equal(generated.transform(rows), expected.transform(rows))
    assert list(generated.get_feature_names_out()) == list(expected.get_feature_names_out())


def test_target_encoding_with_the_pipelines_seed_is_reproduced():
    frame, y = table(), np.tile([0, 1], 40)
    encodings = _encodings([ColumnEncoding("label", "categorical", "most_frequent", encoder="target",
                                           scaler="none")])
    expected = seeded_preprocessor(encodings, 3, "classification")
    generated = _run(preprocessor_code(expected))["preprocess"]
    np.testing.assert_array_equal(generated.fit_transform(frame, y), expected.fit_transform(frame, y))


def test_the_code_is_written_from_the_transformer_so_a_changed_setting_shows():
    encodings = _encodings([])
    preprocessor = build_preprocessor(encodings)
    preprocessor.transformers[0][1].named_steps["impute"].set_params(strategy="most_frequent")
    assert "strategy='most_frequent'" in preprocessor_code(preprocessor).split('preprocess = ')[1]


def test_no_features_is_a_comment_not_a_crash():
    code = encoding_code([ColumnEncoding("a\nimport os", "drop")])
    assert code.startswith("# No preprocessing to show") and len(code.splitlines()) == 1
