"""The target guess: what a person would pick, never an id, date, constant or free text by position."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.io import read_csv_file
from core.profile import profile_table
from core.target_guess import PROMPT, name_words, suggest_target

SAMPLES = Path(__file__).resolve().parents[2] / "sample_data"
ROWS = 60


def guess(frame: pd.DataFrame):
    return suggest_target(frame, profile_table(frame).kinds())


def features() -> dict:
    return {"age": [20 + i % 40 for i in range(ROWS)], "city": ["Oslo", "Rome", "Lima"] * (ROWS // 3)}


@pytest.mark.parametrize("entry", json.loads((SAMPLES / "manifest.json").read_text()), ids=lambda e: e["file"])
def test_every_bundled_sample_gets_the_target_its_manifest_names(entry):
    frame = read_csv_file(SAMPLES / entry["file"]).frame
    name, reason = guess(frame)
    assert name == entry["target"]
    assert entry["target"] in reason


@pytest.mark.parametrize("last", [
    pd.Series(range(ROWS), name="customer_id"),  # identifier
    pd.Series(pd.date_range("2024-01-01", periods=ROWS, freq="h").astype(str), name="timestamp"),
    pd.Series(["same"] * ROWS, name="flag"),  # constant
    pd.Series([f"free text comment number {i} about the visit" for i in range(ROWS)], name="comment"),
    pd.Series([40.7 + i * 0.0137 for i in range(ROWS)], name="latitude"),  # high-cardinality numeric
    pd.Series([i % 17 for i in range(ROWS)], name="manager_tenure"),  # a 17-value count
], ids=lambda s: s.name)
def test_a_last_column_that_is_no_target_is_not_guessed_and_the_user_is_asked(last):
    frame = pd.DataFrame(features()).assign(**{last.name: last})
    name, reason = guess(frame)
    assert name is None
    assert PROMPT in reason


@pytest.mark.parametrize("column", ["Target", "label", "Class", "y", "Outcome", "status", "Churn", "SalePrice",
                                    "survived", "species", "loan_status"])
def test_a_column_named_like_a_target_wins_wherever_it_stands(column):
    values = ["yes", "no"] * (ROWS // 2) if column != "SalePrice" else [1000.0 + 7 * i for i in range(ROWS)]
    frame = pd.DataFrame({column: values, **features(), "latitude": [40 + i * 0.01 for i in range(ROWS)]})
    name, reason = guess(frame)
    assert name == column
    assert "named like a target" in reason


def test_target_words_match_whole_words_only():
    frame = pd.DataFrame({**features(), "classroom": ["a", "b"] * (ROWS // 2), "pos_y": range(ROWS),
                          "latitude": [40 + i * 0.01 for i in range(ROWS)]})
    assert guess(frame)[0] is None
    assert name_words("SalePrice") == ["sale", "price"] and name_words("is_churn") == ["is", "churn"]


def test_a_named_column_that_is_an_identifier_or_date_is_still_never_guessed():
    frame = pd.DataFrame({"label_id": [f"L{i:04d}" for i in range(ROWS)],
                          "status_date": pd.date_range("2024-01-01", periods=ROWS).astype(str), **features(),
                          "latitude": [40 + i * 0.01 for i in range(ROWS)]})
    assert guess(frame)[0] is None


def test_titanic_style_class_feature_loses_to_the_outcome():
    frame = pd.DataFrame({"class": ["first", "second", "third"] * (ROWS // 3), "survived": ["yes", "no"] * (ROWS // 2)})
    assert guess(frame)[0] == "survived"


@pytest.mark.parametrize("values", [["yes", "no", "maybe"] * (ROWS // 3), [True, False] * (ROWS // 2)],
                         ids=["categorical", "boolean"])
def test_a_low_cardinality_label_in_the_last_column_is_guessed(values):
    frame = pd.DataFrame({**features(), "smoker": values})
    name, reason = guess(frame)
    assert name == "smoker"
    assert "last column" in reason


def test_a_last_label_column_with_too_many_labels_is_not_guessed():
    frame = pd.DataFrame({**features(), "region": [f"r{i % 30}" for i in range(ROWS)]})
    assert guess(frame)[0] is None


@pytest.mark.parametrize("last_column, expected", [("species", "species"), ("latitude", None)])
def test_the_command_line_profile_carries_the_same_guess(tmp_path, last_column, expected):
    import subprocess
    import sys

    frame = pd.DataFrame({**features(), last_column: [40 + i * 0.01 for i in range(ROWS)]
                          if last_column == "latitude" else ["a", "b", "c"] * (ROWS // 3)})
    path = tmp_path / "table.csv"
    frame.to_csv(path, index=False)
    completed = subprocess.run([sys.executable, "-m", "core", "profile", str(path)], capture_output=True, text=True,
                               cwd=SAMPLES.parent, check=True)
    result = json.loads(completed.stdout)
    assert "suggested_target" in result
    assert result["suggested_target"] == expected


def test_a_last_label_column_with_a_near_empty_class_is_not_guessed():
    """A fingerprint bit set in one row of 165 fails cross-validation at once; a person would not pick it."""
    frame = pd.DataFrame({"permeability": np.linspace(0, 50, 165), "bit": [1] + [0] * 164})
    column, reason = suggest_target(frame, {"permeability": "numeric", "bit": "boolean"})
    assert column is None and "Pick the column to predict" in reason
