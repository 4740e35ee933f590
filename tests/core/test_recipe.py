"""Cleaning steps: exact results, JSON round trip, replay on new data, failures that leave the table alone."""

import json
import os

import numpy as np
import pandas as pd
import pytest

from core.errors import DataError
from core.limits import RECIPE_MAX_BYTES, RECIPE_MAX_LIST_ITEMS, RECIPE_MAX_STEPS, RECIPE_MAX_TEXT_CHARS
from core.recipe import (
    STEP_TYPES,
    Bin,
    ChangeType,
    DeriveDateParts,
    DropColumns,
    DropDuplicates,
    DropMissing,
    FillMissing,
    FilterRows,
    GroupRare,
    NormaliseLabels,
    Outliers,
    RenameColumn,
    Transform,
    apply_recipe,
    changed_rows,
    recipe_code,
    recipe_from_json,
    recipe_to_json,
)


@pytest.fixture
def frame():
    return pd.DataFrame({
        "num": [1.0, 2.0, None, 4.0, 100.0, 2.0],
        "cat": [" Red", "blue ", "RED", "green", "blue", "blue "],
        "day": ["2024-01-15", "2024-02-20", "2024-03-25", "2024-04-30", "2024-05-05", "2024-02-20"],
        "mixed": ["1", "2", "x", "4", "5", "2"],
    })


def test_drop_rename_and_change_type(frame):
    assert list(DropColumns(["num", "day"]).apply(frame).columns) == ["cat", "mixed"]
    assert "number" in RenameColumn("num", "number").apply(frame).columns
    converted = ChangeType("mixed", "numeric").apply(frame)["mixed"]
    assert converted.isna().sum() == 1 and converted.iloc[0] == 1.0
    with pytest.raises(DataError, match="already exists"):
        RenameColumn("num", "cat").apply(frame)


def test_date_parts(frame):
    out = DeriveDateParts("day", ["year", "month", "weekday"], True).apply(frame)
    assert "day" not in out.columns
    assert out["day_month"].tolist() == [1, 2, 3, 4, 5, 2]
    assert out["day_weekday"].iloc[0] == 0  # 2024-01-15 was a Monday


def test_row_steps(frame):
    assert len(DropDuplicates().apply(pd.concat([frame, frame.head(2)]))) == 5  # row 5 repeats row 1
    assert len(DropMissing([]).apply(frame)) == 5
    assert FilterRows("num", ">", "3").apply(frame)["num"].tolist() == [4.0, 100.0]
    assert FilterRows("cat", "contains", "blue").apply(frame).shape[0] == 3
    assert FilterRows("num", "is missing", "").apply(frame).shape[0] == 1


@pytest.mark.parametrize("strategy, value, expected", [
    ("mean", "", 21.8), ("median", "", 2.0), ("most_frequent", "", 2.0), ("constant", "-1", -1.0),
])
def test_fill_missing(frame, strategy, value, expected):
    assert FillMissing("num", strategy, value).apply(frame)["num"].iloc[2] == pytest.approx(expected)


def test_outliers_clip_and_drop(frame):
    clipped = Outliers("num", "iqr", 1.5, "clip").apply(frame)["num"]
    assert clipped.max() < 100 and len(clipped) == 6
    dropped = Outliers("num", "iqr", 1.5, "drop").apply(frame)
    assert 100.0 not in dropped["num"].tolist() and dropped["num"].isna().sum() == 1
    assert Outliers("num", "zscore", 1.5, "drop").training_only


def test_transform_bin_group_and_normalise(frame):
    assert Transform("num", "log1p").apply(frame)["num"].iloc[0] == pytest.approx(np.log(2))
    assert Transform("num", "sqrt").apply(frame)["num"].iloc[3] == 2.0
    assert Bin("num", 2, "quantile").apply(frame)["num_bin"].nunique() == 2
    grouped = GroupRare("cat", 0.2, "other").apply(frame)["cat"]
    assert (grouped == "other").sum() == 4  # every label but 'blue ' (2 of 6) is under 20 %
    assert NormaliseLabels("cat", "lower").apply(frame)["cat"].tolist() == ["red", "blue", "red", "green", "blue",
                                                                          "blue"]


@pytest.mark.parametrize("step, message", [
    (FillMissing("cat", "mean"), "not numeric"),
    (Transform("num", "log1p"), "negative"),
    (DeriveDateParts("cat"), "date"),
    (DropColumns([]), "at least one"),
])
def test_steps_that_cannot_apply_say_why(step, message):
    data = pd.DataFrame({"num": [-1.0, 2.0], "cat": ["a", "b"]})
    with pytest.raises(DataError, match=message):
        step.apply(data)


def every_step():
    return [DropColumns(["a"]), RenameColumn("a", "b"), ChangeType("a", "numeric"), DeriveDateParts("a"),
            DropDuplicates(), DropMissing(["a"]), FillMissing("a", "constant", "0"), FilterRows("a", "==", "x"),
            Outliers("a", "zscore", 3.0, "drop"), Transform("a", "sqrt"), Bin("a", 3, "equal_width"),
            GroupRare("a", 0.05, "rest"), NormaliseLabels("a", "title")]


def test_json_round_trip_of_every_step():
    steps = every_step()
    assert {step.op for step in steps} == set(STEP_TYPES)
    again = recipe_from_json(recipe_to_json(steps))
    assert [s.to_dict() for s in again] == [s.to_dict() for s in steps]


@pytest.mark.parametrize("text, message", [
    ("not json", "not valid JSON"), ('{"version": 1}', "no list"), ('{"steps": [{"op": "explode"}]}', "Unknown"),
    ('{"steps": [{"op": "drop_duplicates", "colour": 1}]}', "unknown setting"),
])
def test_bad_recipe_files(text, message):
    with pytest.raises(DataError, match=message):
        recipe_from_json(text)


def test_replay_on_new_data_reports_what_does_not_apply(frame):
    steps = [NormaliseLabels("cat", "lower"), FillMissing("gone", "median"), DropColumns(["mixed"]),
             GroupRare("cat", 0.3, "other")]
    new = frame.assign(cat=["purple", "blue", "blue", "teal", "blue", "blue"])  # unseen labels
    result = apply_recipe(new, steps)
    assert [o.applied for o in result.outcomes] == [True, False, True, True]
    assert "gone" in result.outcomes[1].error
    assert "mixed" not in result.frame.columns
    assert set(result.frame["cat"]) == {"blue", "other"}


def test_scoring_skips_only_row_removing_steps(frame):
    steps = [DropDuplicates(), DropMissing([]), FilterRows("num", ">", "1"), Outliers("num", "iqr", 1.5, "drop"),
             Outliers("num", "iqr", 1.5, "clip"), FillMissing("num", "constant", "0")]
    result = apply_recipe(frame, steps, for_scoring=True)
    assert [o.skipped_for_scoring for o in result.outcomes] == [True, True, True, True, False, False]
    assert len(result.frame) == len(frame)


def test_changed_rows_shows_removed_and_changed(frame):
    removed = changed_rows(frame, FilterRows("num", ">", "3").apply(frame))
    assert set(removed["(change)"]) == {"removed"}
    changed = changed_rows(frame, NormaliseLabels("cat", "lower").apply(frame))
    assert changed.index.tolist() == [0, 1, 2, 5]  # 'green' and 'blue' were already clean


def test_generated_code_reproduces_the_recipe(frame, tmp_path):
    steps = [DropDuplicates(), FillMissing("num", "median"), NormaliseLabels("cat", "lower"),
             Transform("num", "log1p"), FilterRows("num", ">", "0.5"), DropColumns(["mixed"])]
    frame.to_csv(tmp_path / "data.csv", index=False)
    expected = apply_recipe(pd.read_csv(tmp_path / "data.csv"), steps).frame
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        namespace: dict = {}
        exec(recipe_code(steps), namespace)
    finally:
        os.chdir(cwd)
    pd.testing.assert_frame_equal(namespace["df"].reset_index(drop=True), expected.reset_index(drop=True),
                                  check_dtype=False)


def test_date_parts_of_times_with_different_utc_offsets():
    frame = pd.DataFrame({"at": ["2024-03-01T10:00:00Z", "2024-03-02T10:00:00+03:00", "2024-12-31T23:30:00-02:00"]})
    out = DeriveDateParts("at", ["year", "month", "day"], False).apply(frame)
    # Read in UTC: the last time is already the next day and year there.
    assert out["at_year"].tolist() == [2024, 2024, 2025]
    assert out["at_day"].tolist() == [1, 2, 1]


def _exec_in(code: str, folder) -> dict:
    """Execute generated code with ``folder`` as the working directory; return its namespace."""
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        namespace: dict = {}
        exec(code, namespace)
    finally:
        os.chdir(cwd)
    return namespace


def _run_generated(code: str, data: pd.DataFrame, folder) -> pd.DataFrame:
    """Execute generated code in ``folder`` (where it reads data.csv) and return its ``df``."""
    data.to_csv(folder / "data.csv", index=False)
    return _exec_in(code, folder)["df"]


def _every_step_on(frame_columns):
    n, c, d, b = frame_columns
    return [DropColumns([c]), RenameColumn(n, f" {n} renamed "), ChangeType(c, "numeric"), ChangeType(c, "text"),
            ChangeType(b, "boolean"), ChangeType(d, "datetime"), DeriveDateParts(d, list(DATE_PARTS_ALL), False),
            DropDuplicates(), DropMissing([n]), FillMissing(n, "constant", "7"), FillMissing(n, "mean"),
            FillMissing(c, "most_frequent"), FilterRows(c, "==", "2"), FilterRows(n, ">", "1.5"),
            FilterRows(c, "contains", "("), FilterRows(n, "is missing", ""),
            Outliers(n, "iqr", 1.5, "clip"), Outliers(n, "zscore", 0.5, "drop"), Transform(n, "log1p"),
            Transform(n, "sqrt"), Bin(n, 3, "quantile"), Bin(n, 2, "equal_width"), GroupRare(c, 0.3, "rest", 2),
            NormaliseLabels(c, "title"), NormaliseLabels(c, "unchanged")]


DATE_PARTS_ALL = ("year", "month", "day", "weekday", "hour")
PLAIN_COLUMNS = ("num", "cat", "day", "flag")


def _small_frame(names):
    n, c, d, b = names
    return pd.DataFrame({
        n: [1.0, 2.0, None, 4.0, 100.0, 2.0],
        c: [" Red  wine", "2", "x (y)", "2", None, "2"],
        d: ["2024-01-15 10:00", "2024-02-20", "bad", "2024-04-30T23:30:00", None, "2024-02-20"],
        b: ["yes", "No", "TRUE", " 0", "maybe", "no"],
    })


@pytest.mark.parametrize("step", _every_step_on(PLAIN_COLUMNS), ids=lambda step: step.op)
def test_each_steps_code_gives_what_apply_gives(step, tmp_path):
    """The 'Equivalent Python code' of every step type, run on a real file, equals the step itself."""
    assert {s.op for s in _every_step_on(PLAIN_COLUMNS)} == set(STEP_TYPES)
    _small_frame(PLAIN_COLUMNS).to_csv(tmp_path / "data.csv", index=False)
    read = pd.read_csv(tmp_path / "data.csv")
    expected = step.apply(read)
    produced = _run_generated(recipe_code([step]), read, tmp_path)
    pd.testing.assert_frame_equal(produced, expected)


def test_change_type_boolean_code_reads_yes_no_true_and_zero():
    frame = pd.DataFrame({"flag": ["yes", "No", "TRUE", " 0"]})
    namespace = {"df": frame.copy(), "pd": pd, "np": np}
    exec(ChangeType("flag", "boolean").code(), namespace)
    assert namespace["df"]["flag"].tolist() == [True, False, True, False]


HOSTILE_TEXTS = [
    "a\nopen('owned_nl.txt', 'w').write('owned')\n#",
    "b\r__import__('os').system('touch owned_cr.txt')\r#",
    "c\u2028open('owned_ls.txt', 'w').write('owned')",
    "d\r\nopen('owned_crlf.txt', 'w').write('owned')",
    "e'\"\\'; open('owned_quote.txt', 'w').write('owned'); '",
    "f\\\nopen('owned_bs.txt', 'w').write('owned')",
    "g\x0bopen('owned_vt.txt','w')\x0copen('owned_ff.txt','w')\x85open('owned_nel.txt','w')",
]


@pytest.mark.parametrize("hostile", HOSTILE_TEXTS)
def test_generated_code_runs_no_text_from_the_data(hostile, tmp_path):
    """Column names and settings with line breaks and quotes stay data in the generated code."""
    names = (f"n{hostile}", f"c{hostile}", f"d{hostile}", f"b{hostile}")
    steps = _every_step_on(names) + [FillMissing(names[1], "constant", hostile),
                                     FilterRows(names[1], "==", hostile), GroupRare(names[1], 0.3, hostile),
                                     RenameColumn(names[0], hostile)]
    frame = _small_frame(names)
    code = recipe_code(steps)
    comments = [line for line in code.split("\n") if line.lstrip().startswith("#")]
    # One comment line per step (plus the ones the code itself carries), no other line breaks.
    assert code.splitlines() == code.split("\n")
    assert sum(line.startswith("# ") for line in comments) == len(steps)
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        for step in steps:  # each step's code, comment included, runs and equals the step
            applied = apply_recipe(frame, [step])
            assert not applied.problems, applied.problems
            namespace = {"DATA": frame}
            exec(recipe_code([step]).replace("pd.read_csv('data.csv')", "DATA.copy()"), namespace)
            pd.testing.assert_frame_equal(namespace["df"], applied.frame)
    finally:
        os.chdir(cwd)
    assert list(tmp_path.iterdir()) == []  # no payload wrote a file


def test_code_refuses_settings_that_are_not_what_their_spec_says():
    with pytest.raises(DataError):
        Outliers("a", "iqr", "1; import os", "clip").code()
    with pytest.raises(DataError):
        FilterRows("a", "== 1 or __import__('os') or", "x").code()


def test_encoding_code_carries_hostile_settings_only_as_literals(tmp_path):
    from core.preprocess import ColumnEncoding
    from ui.encoding_table import encoding_code

    hostile = "x')\nopen('owned.txt', 'w').write('owned')\n#"
    code = encoding_code([
        ColumnEncoding(hostile, "numeric", add_indicator="True); open('owned2.txt', 'w'); (True"),
        ColumnEncoding(hostile + "2", "categorical", "most_frequent", rare_min_frequency=0.05),
    ])
    namespace = _exec_in(code, tmp_path)
    assert list(tmp_path.iterdir()) == []
    assert [name for name, _, _ in namespace["preprocess"].transformers][:2] == ["numeric_0", "categorical_1"]


@pytest.mark.parametrize("text, message", [
    ('{"steps": [{"op": "bin", "column": "a", "bins": ' + "9" * 5000 + "}]}", "5,000 digits"),
    ('{"steps": [{"op": "fill_missing", "column": "a", "strategy": "constant", "value": -' + "1" * 400 + "}]}",
     "400 digits"),
    (json.dumps({"steps": [{"op": "drop_duplicates"}] * (RECIPE_MAX_STEPS + 1)}), f"{RECIPE_MAX_STEPS + 1} steps"),
    (json.dumps({"steps": [{"op": "drop_columns", "columns": ["a"] * (RECIPE_MAX_LIST_ITEMS + 1)}]}), "list of"),
    (json.dumps({"steps": [{"op": "rename_column", "column": "a", "new_name": "b" * (RECIPE_MAX_TEXT_CHARS + 1)}]}),
     "characters long"),
    (json.dumps({"steps": [{"op": "drop_columns", "columns": ["b" * (RECIPE_MAX_TEXT_CHARS + 1)]}]}), "characters"),
    (" " * (RECIPE_MAX_BYTES + 1) + "{}", "MiB"),
])
def test_recipes_over_the_limits_get_a_message_before_any_work(text, message):
    with pytest.raises(DataError, match=message):
        recipe_from_json(text)


def test_a_recipe_at_the_limits_still_loads():
    """A 10,000-character column name and a drop of 20,000 columns are real, and fit."""
    long_name, names = "n" * 10_000, [f"sensor_reading_{i:05d}_calibrated_value_mV" for i in range(20_000)]
    steps = recipe_from_json(json.dumps({"steps": [{"op": "drop_columns", "columns": [long_name, *names]}]
                                         + [{"op": "drop_duplicates"}] * (RECIPE_MAX_STEPS - 1)}))
    assert len(steps) == RECIPE_MAX_STEPS and steps[0].columns[0] == long_name
