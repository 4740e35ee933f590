"""The Load data page's "Re-read" form (moved out of pages/data.py into ReadOptions.from_choices)."""

import pytest

from core.errors import DataError
from core.io import ReadOptions


def test_the_forms_choices_become_read_options_with_the_empty_cell_always_missing():
    options = ReadOptions.from_choices(";", "cp1252", ",", ".", None, " NA, -,, n/a ")
    assert (options.delimiter, options.encoding, options.decimal, options.thousands) == (";", "cp1252", ",", ".")
    assert options.header_row is None
    assert options.missing_markers == ("", "NA", "-", "n/a")


def test_a_decimal_mark_equal_to_the_thousands_separator_is_the_users_to_fix():
    with pytest.raises(DataError, match="must differ"):
        ReadOptions.from_choices(",", "utf-8", ",", ",", 0, "")
