"""One upload limit, one unit: the config, the reader and the messages agree (MiB, as Streamlit counts)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from core.errors import DataError
from core.io import DEFAULT_MAX_UPLOAD_MB, check_readable_bytes
from core.limits import UPLOAD_LIMIT_BYTES, UPLOAD_LIMIT_MIB

ROOT = Path(__file__).resolve().parents[2]


def test_the_upload_limit_is_the_same_number_everywhere():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == UPLOAD_LIMIT_MIB == DEFAULT_MAX_UPLOAD_MB
    assert UPLOAD_LIMIT_BYTES == UPLOAD_LIMIT_MIB * 1024 * 1024
    assert f"{UPLOAD_LIMIT_MIB} MiB" in (ROOT / "docs" / "limits.md").read_text()


def test_a_file_just_over_the_limit_states_its_size_and_the_limit_in_one_unit():
    """The issue's 200.001 MiB file: shown before as '209.7MB' against a '200.0MB' limit."""
    over = b"a,b\n" + b"1,2\n" * ((UPLOAD_LIMIT_BYTES + 2**20 // 1000) // 4)
    with pytest.raises(DataError) as excinfo:
        check_readable_bytes(over)
    message = str(excinfo.value)
    assert f"The file is {len(over) / 2**20:,.1f} MiB, over the {UPLOAD_LIMIT_MIB:,.1f} MiB limit" in message
    assert not re.search(r"\b(KB|MB|GB)\b", message), message
