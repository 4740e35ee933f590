"""Column kinds and the profile's warnings, on constructed data, and the profile command line."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.errors import DataError
from core.profile import profile_table
from core.schema import ColumnKind, apply_overrides, check_kind_fits, detect_task, infer_column_kind

ROOT = Path(__file__).resolve().parents[2]
N = 200
rng = np.random.default_rng(0)


@pytest.mark.parametrize("values, kind", [
    (rng.normal(size=N), ColumnKind.NUMERIC),
    (rng.choice(["red", "green", "blue"], N), ColumnKind.CATEGORICAL),
    (rng.choice(["yes", "no"], N), ColumnKind.BOOLEAN),
    (rng.choice([0, 1], N), ColumnKind.BOOLEAN),
    (pd.date_range("2020-01-01", periods=N), ColumnKind.DATETIME),
    ([f"2021-03-{1 + i % 28:02d}" for i in range(N)], ColumnKind.DATETIME),
    ([f"this is sentence number {i} about things" for i in range(N)], ColumnKind.TEXT),
    (np.arange(N), ColumnKind.IDENTIFIER),
    ([f"A{i:04d}" for i in range(N)], ColumnKind.IDENTIFIER),
    (["same"] * N, ColumnKind.CONSTANT),
    ([None] * N, ColumnKind.CONSTANT),
])
def test_kinds_are_inferred_from_values(values, kind):
    assert infer_column_kind(pd.Series(values, name="column")) == kind


def test_overrides_win_and_unknown_columns_are_ignored():
    kinds = {"a": ColumnKind.NUMERIC}
    assert apply_overrides(kinds, {"a": "categorical", "zzz": "numeric"}) == {"a": ColumnKind.CATEGORICAL}


def test_task_detection():
    assert detect_task(pd.Series(rng.choice(["a", "b"], N))) == "classification"
    assert detect_task(pd.Series(rng.choice([1, 2, 3], N))) == "classification"
    assert detect_task(pd.Series(rng.normal(size=N))) == "regression"


def test_text_cannot_be_declared_numeric():
    with pytest.raises(DataError, match="not numbers"):
        check_kind_fits(pd.Series(["a", "1", "b"], name="code"), "numeric")


def clean_frame():
    return pd.DataFrame({
        "height": rng.normal(170, 10, N), "weight": rng.normal(70, 8, N),
        "colour": rng.choice(["red", "green", "blue"], N), "label": rng.choice(["x", "y"], N),
    })


def warning_kinds(frame, target=None):
    return {(w.kind, w.column) for w in profile_table(frame, target=target).warnings}


def test_clean_table_has_no_warnings():
    assert warning_kinds(clean_frame(), target="label") == set()


@pytest.mark.parametrize("plant, expected", [
    (lambda f: pd.concat([f, f.head(5)], ignore_index=True), ("duplicate_rows", None)),
    (lambda f: f.assign(const=1), ("constant", "const")),
    (lambda f: f.assign(row_id=np.arange(len(f))), ("identifier", "row_id")),
    (lambda f: f.assign(sparse=np.where(np.arange(len(f)) % 3 == 0, 1.0, np.nan)), ("high_missing", "sparse")),
    (lambda f: f.assign(city=[f"city{i % 80}" for i in range(len(f))]), ("high_cardinality", "city")),
    (lambda f: f.assign(age=[str(i) if i % 10 else "unknown" for i in range(len(f))]), ("mixed_types", "age")),
    (lambda f: f.assign(income=np.exp(rng.normal(0, 2, len(f)))), ("skewed", "income")),
    (lambda f: f.assign(label_copy=f["label"]), ("leakage", "label_copy")),
])
def test_each_pitfall_is_found(plant, expected):
    assert expected in warning_kinds(plant(clean_frame()), target="label")


def test_imbalance_is_found():
    frame = clean_frame().assign(label=["rare" if i < 10 else "common" for i in range(N)])
    assert ("imbalance", "label") in warning_kinds(frame, target="label")


def test_statistics_are_right():
    frame = pd.DataFrame({"v": [1.0, 2.0, None, 5.0], "c": ["a", "a", "b", None]})
    profile = profile_table(frame)
    v, c = profile.columns
    assert (v.missing, v.unique, v.minimum, v.maximum) == (1, 3, 1.0, 5.0)
    assert v.mean == pytest.approx(8 / 3)
    assert c.top_values[0] == ("a", 2)


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "core", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def test_profile_command_prints_the_documented_json():
    result = run_cli("profile", "sample_data/penguins.csv", "--target", "species")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["rows"] == 344
    assert {"name", "kind", "missing", "unique"} <= set(data["columns"][0])
    assert {c["name"]: c["kind"] for c in data["columns"]}["species"] == "categorical"
    assert all({"kind", "column", "message"} <= set(w) for w in data["warnings"])


@pytest.mark.parametrize("content, args", [
    (None, ["profile", "no/such/file.csv"]),
    (b"", ["profile", "{path}"]),
    (b"\x89PNG\r\n\x1a\n" + bytes(50), ["profile", "{path}"]),
    (b"a,b\n1,2\n3,4\n", ["profile", "{path}", "--target", "nope"]),
    (None, ["profile"]),
])
def test_profile_command_bad_input_exits_2_with_one_error_line(tmp_path, content, args):
    path = tmp_path / "data.csv"
    if content is not None:
        path.write_bytes(content)
    result = run_cli(*[a.format(path=path) for a in args])
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), result.stderr
    assert "Traceback" not in result.stderr


def test_profile_command_on_values_near_the_float_limit_exits_0(tmp_path):
    path = tmp_path / "huge.csv"
    path.write_text("a,b,c\n1e308,-1.7e308,x\n1.7e308,inf,y\n1e-300,5,x\n-1.7e308,-inf,y\n2,3,x\n")
    result = run_cli("profile", str(path))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    columns = {column["name"]: column for column in json.loads(result.stdout)["columns"]}
    assert columns["a"]["kind"] == "numeric" and sum(columns["a"]["distribution"]) == 5
