"""The command line refuses devices, pipes, folders, missing files and oversized recipes before reading,
and an unwritable ``--out`` before training: exit 2 and one ``error:`` line, never a hang or a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
IRIS = str(ROOT / "sample_data" / "iris.csv")


def _run(*argv: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "core", *argv], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


def _refused(result: subprocess.CompletedProcess, *words: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for word in words:
        assert word in lines[0], lines[0]


@pytest.fixture
def fifo(tmp_path):
    path = tmp_path / "pipe.csv"
    os.mkfifo(path)
    return str(path)


def test_devices_pipes_folders_and_missing_files_as_data(tmp_path, fifo):
    _refused(_run("profile", "/dev/zero", timeout=20), "/dev/zero", "not a regular file")
    _refused(_run("profile", fifo, timeout=20), "not a regular file")
    _refused(_run("profile", str(tmp_path)), "folder")
    _refused(_run("profile", str(tmp_path / "nothing.csv")), "File not found")


def test_devices_pipes_folders_and_missing_files_as_recipe(tmp_path, fifo):
    base = ["compare", IRIS, "--target", "species", "--folds", "2"]
    _refused(_run(*base, "--recipe", "/dev/zero", timeout=20), "--recipe", "not a regular file")
    _refused(_run(*base, "--recipe", fifo, timeout=20), "--recipe", "not a regular file")
    _refused(_run(*base, "--recipe", str(tmp_path)), "--recipe", "folder")
    _refused(_run(*base, "--recipe", str(tmp_path / "none.json")), "Recipe file not found")


def test_recipe_over_the_limits_is_refused_with_a_message(tmp_path):
    base = ["compare", IRIS, "--target", "species", "--folds", "2", "--recipe"]
    huge_number = tmp_path / "number.json"
    huge_number.write_text('{"steps": [{"op": "bin", "column": "sepal_length", "bins": ' + "9" * 5000 + "}]}")
    _refused(_run(*base, str(huge_number)), "5,000 digits")
    many = tmp_path / "many.json"
    many.write_text(json.dumps({"steps": [{"op": "drop_duplicates"}] * 3000}))
    _refused(_run(*base, str(many)), "3,000 steps")
    big = tmp_path / "big.json"
    big.write_bytes(b" " * (3 * 2**20) + b"{}")
    _refused(_run(*base, str(big)), "MiB")


def test_out_is_checked_before_anything_is_read_or_trained(tmp_path):
    # The target does not exist: had training started, that would be the error.
    base = ["train", IRIS, "--target", "no_such_column", "--out"]
    _refused(_run(*base, str(tmp_path)), "--out", "folder")
    _refused(_run(*base, str(tmp_path / "missing" / "model.json")), "--out", "does not exist")


def test_out_in_a_folder_without_write_permission(tmp_path, monkeypatch):
    """Checked in-process with the permission denied by the check's own probe, so it runs as root too
    (root may write into any folder, and CI runs as root)."""
    from core.__main__ import check_output_path
    from core.errors import DataError

    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode: False if mode == os.W_OK else real_access(path, mode))
    with pytest.raises(DataError, match="cannot be written"):
        check_output_path(str(tmp_path / "model.json"))
