"""``python -m core profile``: JSON on stdout, or exit 2 with one ``error:`` line on stderr."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.core.csv_corpus import BAD

ROOT = Path(__file__).resolve().parents[2]
PENGUINS = ROOT / "sample_data" / "penguins.csv"


def run_profile(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "core", "profile", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )


def assert_profile_shape(result: dict) -> None:
    assert isinstance(result["rows"], int) and result["rows"] > 0
    assert isinstance(result["columns"], list) and result["columns"]
    for column in result["columns"]:
        assert {"name", "kind", "missing", "unique"} <= set(column)
    assert isinstance(result["warnings"], list)
    for warning in result["warnings"]:
        assert {"kind", "column", "message"} <= set(warning)
    assert result["read_options"]["delimiter"] == ","
    assert isinstance(result["notes"], list)


def assert_one_error_line(completed: subprocess.CompletedProcess[str]) -> str:
    assert completed.returncode == 2, completed.stderr
    assert completed.stdout == ""
    assert "Traceback" not in completed.stderr
    lines = completed.stderr.splitlines()
    assert len(lines) == 1, completed.stderr
    assert lines[0].startswith("error:")
    return lines[0]


def test_profile_penguins():
    completed = run_profile(str(PENGUINS))
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout)
    assert_profile_shape(result)
    assert result["target"] is None and result["task"] is None
    names = [column["name"] for column in result["columns"]]
    assert names == ["species", "island", "bill_length_mm", "bill_depth_mm", "flipper_length_mm",
                     "body_mass_g", "sex", "year"]
    kinds = {column["name"]: column["kind"] for column in result["columns"]}
    assert kinds["species"] == "categorical"
    assert kinds["bill_length_mm"] == "numeric"
    assert not any(w["kind"] in ("imbalance", "leakage") for w in result["warnings"])


def test_profile_penguins_with_target():
    completed = run_profile(str(PENGUINS), "--target", "species")
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout)
    assert_profile_shape(result)
    assert result["target"] == "species"
    assert result["task"] == "classification"


def test_missing_file(tmp_path):
    line = assert_one_error_line(run_profile(str(tmp_path / "nope.csv")))
    assert "not found" in line.lower()


@pytest.mark.parametrize("bad, says", [("empty", "empty"), ("png", "PNG"), ("unclosed_quote", "never closed")])
def test_a_bad_file_is_one_error_line_that_says_what_is_wrong(tmp_path, bad, says):
    path = tmp_path / f"{bad}.csv"
    path.write_bytes(BAD[bad])
    line = assert_one_error_line(run_profile(str(path)))
    assert says in line


def test_unknown_target():
    line = assert_one_error_line(run_profile(str(PENGUINS), "--target", "no_such_column"))
    assert "no_such_column" in line
    assert "species" in line  # the message lists the columns there are


@pytest.mark.parametrize("args", [[], ["--no-such-flag", str(PENGUINS)]])
def test_usage_mistakes(args):
    assert_one_error_line(run_profile(*args))


def test_profile_of_a_file_with_bare_carriage_returns(tmp_path):
    from tests.core.csv_corpus import GOOD

    path = tmp_path / "old_mac.csv"
    path.write_bytes(GOOD["cr_only"])
    completed = run_profile(str(path))
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout)
    assert result["rows"] == 3
    assert [column["name"] for column in result["columns"]] == ["name", "price", "qty"]


def test_corpus_check_script_sorts_files_into_classes(tmp_path):
    from tests.core.csv_corpus import GOOD

    (tmp_path / "good.csv").write_bytes(GOOD["comma"])
    (tmp_path / "empty.csv").write_bytes(BAD["empty"])
    completed = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "check_csv_corpus.py"), str(tmp_path), "--jobs", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "2 files: ok 1, error 1, suspicious 0, crash 0, hang 0" in completed.stdout
    assert "empty (0 bytes)" in completed.stdout


@pytest.mark.parametrize("content", [b"a,b,c", b"a,b,c\n", b"# exported by a tool\nid,name\n"])
def test_header_without_rows_is_one_error_line(tmp_path, content):
    path = tmp_path / "only_header.csv"
    path.write_bytes(content)
    line = assert_one_error_line(run_profile(str(path)))
    assert "no data rows" in line


def test_a_reader_that_stops_early_gets_no_traceback():
    # `python -m core profile big.csv | head -c 100`: the pipe closes before the JSON is written.
    process = subprocess.Popen([sys.executable, "-m", "core", "profile", str(PENGUINS)], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()  # nothing will be read
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) == 0
    assert "Traceback" not in stderr, stderr
