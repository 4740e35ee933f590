"""Cleaning steps: exact results, JSON round trip, replay on new data, failures that leave the table alone."""

import os

import numpy as np
import pandas as pd
import pytest

from core.errors import DataError
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
