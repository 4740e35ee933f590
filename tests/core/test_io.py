"""Reading awkward CSVs: the table a user gets, or a message that says what is wrong and what to do."""

import math

import pandas as pd
import pytest

from core.errors import DataError
from core.io import ReadOptions, read_csv_file, read_csv_robust
from tests.core.csv_corpus import BAD, GOOD


@pytest.mark.parametrize("name", ["utf8", "utf8_bom", "utf16_bom", "utf16le_no_bom", "cp1252"])
def test_every_encoding_gives_the_same_table(name):
    table = read_csv_robust(GOOD[name])
    frame = table.frame
    assert list(frame.columns) == ["name", "price", "qty"]
    assert frame["name"].tolist() == ["Äpfel", "Birne", "Café"]
    assert frame["price"].tolist() == [1.5, 2.25, 3.0]
    assert frame["qty"].tolist() == [3, 4, 5]


@pytest.mark.parametrize("name, encoding", [
    ("utf8", "utf-8"), ("utf8_bom", "utf-8-sig"), ("utf16_bom", "utf-16"), ("utf16le_no_bom", "utf-16-le"),
    ("cp1252", "cp1252"),
])
def test_encoding_is_detected(name, encoding):
    assert read_csv_robust(GOOD[name]).options.encoding == encoding


@pytest.mark.parametrize("name, delimiter", [
    ("utf8", ","), ("semicolon_decimal_comma", ";"), ("tab", "\t"), ("pipe", "|"),
])
def test_delimiters_are_detected_and_numbers_parsed(name, delimiter):
    table = read_csv_robust(GOOD[name])
    assert table.options.delimiter == delimiter
    assert table.frame.shape == (3, 3)
    assert table.frame["price"].tolist() == [1.5, 2.25, 3.0]


def test_decimal_comma_with_thousands_dot():
    table = read_csv_robust(GOOD["thousands_dot"])
    assert (table.options.decimal, table.options.thousands) == (",", ".")
    assert table.frame["price"].tolist() == [1234.5, 2000.25, 3.0]


def test_quoted_thousands_commas():
    table = read_csv_robust(GOOD["thousands_quoted"])
    assert table.options.thousands == ","
    assert table.frame["price"].tolist() == [1234.5, 2000.25, 3.0]


@pytest.mark.parametrize("name", ["crlf", "no_trailing_newline"])
def test_line_endings(name):
    frame = read_csv_robust(GOOD[name]).frame
    assert frame.shape == (3, 3)
    assert frame["qty"].tolist() == [3, 4, 5]
    assert not frame["name"].str.contains("\r").any()


def test_missing_markers_become_missing():
    frame = read_csv_robust(GOOD["missing_markers"]).frame
    assert frame["a"].isna().sum() == 8
    assert frame["a"].dropna().tolist() == [1.0, 2.0]
    assert pd.api.types.is_float_dtype(frame["a"])


def test_quoted_fields_keep_newlines_commas_and_quotes():
    frame = read_csv_robust(GOOD["quoted_newlines"]).frame
    assert frame["comment"].tolist() == ["line one\nline two", "has, comma", 'say "hi"']


def test_blank_duplicate_and_padded_header_names_become_unique():
    table = read_csv_robust(GOOD["messy_header"])
    assert list(table.frame.columns) == ["a", "a_2", "column_3", "b"]
    assert any("unique" in note for note in table.notes)


def test_trailing_delimiter_column_is_dropped_with_a_note():
    table = read_csv_robust(GOOD["trailing_delimiter"])
    assert list(table.frame.columns) == ["a", "b"]
    assert any("empty column" in note for note in table.notes)


def test_ragged_rows_are_skipped_and_reported():
    table = read_csv_robust(GOOD["ragged"])
    assert table.frame["a"].tolist() == [1, 6]
    assert any("Skipped 1 row" in note for note in table.notes)


def test_one_column_file():
    frame = read_csv_robust(GOOD["one_column"]).frame
    assert frame["value"].tolist() == [1, 2, 3]


def test_header_row_option_skips_junk_lines():
    options = ReadOptions(header_row=2)
    frame = read_csv_robust(GOOD["junk_before_header"], options).frame
    assert list(frame.columns) == ["a", "b"]
    assert frame["b"].tolist() == [2, 4]


def test_no_header_names_columns():
    frame = read_csv_robust(b"1,2\n3,4\n", ReadOptions(header_row=None)).frame
    assert list(frame.columns) == ["column_1", "column_2"]
    assert frame.shape == (2, 2)


def test_dates_become_datetimes():
    frame = read_csv_robust(GOOD["dates"]).frame
    assert pd.api.types.is_datetime64_any_dtype(frame["day"])


def test_user_options_override_detection():
    semicolons = GOOD["semicolon_decimal_comma"]
    with pytest.raises(DataError, match="delimiter"):
        read_csv_robust(semicolons, ReadOptions(delimiter=","))
    right = read_csv_robust(semicolons, ReadOptions(delimiter=";", decimal=",")).frame
    assert right["price"].tolist() == [1.5, 2.25, 3.0]


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_files_get_a_clear_message(name):
    raw, keyword = BAD[name]
    with pytest.raises(DataError) as error:
        read_csv_robust(raw)
    message = str(error.value)
    assert keyword.lower() in message.lower()
    assert any(word in message for word in ("Choose", "Upload", "export", "Add", "Open")), message


def test_size_limit_is_explained():
    with pytest.raises(DataError, match="limit"):
        read_csv_robust(GOOD["utf8"] * 100, max_mb=0.001)


def test_wrong_encoding_choice_is_explained():
    with pytest.raises(DataError, match="encoding"):
        read_csv_robust(GOOD["cp1252"], ReadOptions(delimiter=";", encoding="utf-8"))


def test_missing_path_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match="not found"):
        read_csv_file(tmp_path / "nope.csv")


def test_fingerprint_follows_content():
    first, again = read_csv_robust(GOOD["utf8"]), read_csv_robust(GOOD["utf8"])
    other = read_csv_robust(GOOD["pipe"])
    assert first.fingerprint == again.fingerprint != other.fingerprint
    assert not math.isnan(first.frame["price"].sum())


def test_bytes_of_another_encoding_after_the_sniffed_head_are_still_read():
    rows = ["name,city"] + [f"row{i},Paris" for i in range(40_000)] + ["last,Besançon"]
    raw = "\n".join(rows).encode("cp1252")
    table = read_csv_robust(raw)
    assert table.options.encoding == "cp1252"
    assert table.frame["city"].iloc[-1] == "Besançon"
