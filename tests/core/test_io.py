"""Reading awkward CSVs: the table a user gets, or a message that says what is wrong and what to do."""

from __future__ import annotations

import math
from dataclasses import replace

import pandas as pd
import pytest

from core.errors import DataError
from core.io import ReadOptions, detect_read_options, read_csv_file, read_csv_robust
from tests.core.csv_corpus import BAD, GOOD


def _read(name: str, options: ReadOptions | None = None):
    return read_csv_robust(GOOD[name], options)


# --- encodings --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, encoding", [
    ("utf8", "utf-8"),
    ("utf8_bom", "utf-8-sig"),
    ("utf16_bom", "utf-16"),
    ("utf16le_no_bom", "utf-16-le"),
])
def test_unicode_encodings_give_the_same_table(name, encoding):
    table = _read(name)
    frame = table.frame
    assert table.options.encoding == encoding
    assert table.options.delimiter == ","
    assert table.options.decimal == "."
    assert table.options.thousands is None
    assert frame.shape == (3, 3)
    assert list(frame.columns) == ["name", "price", "qty"]  # no BOM left on the first name
    assert frame["name"].tolist() == ["Äpfel", "Birne", "Café"]
    assert frame["price"].dtype == "float64"
    assert frame.loc[0, "price"] == 1.5
    assert pd.api.types.is_integer_dtype(frame["qty"])
    assert frame["qty"].tolist() == [3, 4, 5]


def test_cp1252_accents_and_euro_sign_are_decoded():
    table = _read("cp1252")
    assert table.options.encoding == "cp1252"
    assert table.options.delimiter == ";"
    assert table.options.decimal == ","
    frame = table.frame
    assert frame.shape == (3, 3)
    assert list(frame.columns) == ["city", "price", "note"]
    assert frame["city"].tolist() == ["München", "Sevilla", "Paris"]
    assert frame["note"].tolist() == ["café", "niño", "5 €"]
    assert frame["price"].tolist() == [1.5, 2.25, 3.0]


def test_cp1252_forced_as_utf8_is_refused_with_encoding_advice():
    with pytest.raises(DataError) as excinfo:
        _read("cp1252", ReadOptions(encoding="utf-8", delimiter=";", decimal=","))
    message = str(excinfo.value)
    assert "utf-8" in message
    assert "encoding" in message.lower()
    assert "cp1252" in message or "latin-1" in message


def test_utf16_forced_on_single_byte_text_is_refused():
    with pytest.raises(DataError, match="(?i)utf-16.*encoding"):
        _read("cp1252", ReadOptions(encoding="utf-16", delimiter=";", decimal=","))


def test_unknown_encoding_is_refused():
    with pytest.raises(DataError, match="(?i)unknown encoding"):
        _read("comma", ReadOptions(encoding="no-such-codec"))


# --- delimiters and number formats -------------------------------------------------------------------------


@pytest.mark.parametrize("name, delimiter, decimal", [
    ("comma", ",", "."),
    ("semicolon_decimal_comma", ";", ","),
    ("tab", "\t", "."),
    ("pipe", "|", "."),
])
def test_delimiter_and_decimal_are_detected(name, delimiter, decimal):
    table = _read(name)
    assert table.options.delimiter == delimiter
    assert table.options.decimal == decimal
    assert table.options.thousands is None
    frame = table.frame
    assert frame.shape == (3, 3)
    assert list(frame.columns) == ["name", "price", "qty"]
    assert frame["price"].dtype == "float64"
    assert frame["price"].tolist() == [1.5, 2.25, 3.0]
    assert frame["qty"].tolist() == [3, 4, 5]
    assert frame["name"].tolist() == ["A", "B", "C"]


@pytest.mark.parametrize("name, delimiter, decimal, thousands", [
    ("thousands_dot", ";", ",", "."),
    ("thousands_quoted", ",", ".", ","),
])
def test_thousands_separators_are_detected_and_removed(name, delimiter, decimal, thousands):
    table = _read(name)
    assert (table.options.delimiter, table.options.decimal, table.options.thousands) == (
        delimiter, decimal, thousands,
    )
    frame = table.frame
    assert frame.shape == (3, 3)
    assert frame["price"].dtype == "float64"
    assert frame["price"].tolist() == [1234.56, 2000.25, 3.5]
    assert frame["qty"].tolist() == [3, 4, 5]


def test_detect_read_options_alone_matches_the_reader():
    options = detect_read_options(GOOD["thousands_dot"])
    assert options == ReadOptions(delimiter=";", encoding="utf-8", decimal=",", thousands=".")


# --- missing values ----------------------------------------------------------------------------------------


def test_missing_markers_become_nan_in_a_number_column():
    frame = _read("missing_markers").frame
    assert frame.shape == (10, 2)
    assert frame["a"].dtype == "float64"
    assert frame["a"].iloc[0] == 1.5
    assert frame["a"].iloc[-1] == 2.5
    # '', NA, N/A, ?, null, -, NaN and a padded ' NA ' are all missing.
    assert frame["a"].iloc[1:9].isna().all()
    assert int(frame["a"].isna().sum()) == 8
    assert frame["b"].tolist() == ["x", "y", "z", "w", "v", "u", "t", "s", "r", "q"]


def test_missing_markers_become_missing_in_a_text_column():
    frame = _read("missing_markers_text").frame
    assert frame["id"].tolist() == [1, 2, 3, 4, 5, 6]
    labels = frame["label"].tolist()
    assert labels[0] == "red" and labels[-1] == "blue"
    assert all(pd.isna(value) for value in labels[1:5])  # NA, padded ' NA ', empty, ?


def test_padded_cells_are_trimmed_and_padded_numbers_are_numbers():
    raw = ("name,qty,city,day\n  Ann ,  3 ,Paris,2024-01-02\n\tBob, 4\t,\u00a0Lyon\u00a0, 2024-01-03\n"
           "Cy,NA , Nice,2024-01-04 \n").encode()
    frame = read_csv_robust(raw).frame
    assert pd.api.types.is_datetime64_any_dtype(frame["day"])
    assert frame["day"].iloc[1] == pd.Timestamp("2024-01-03")
    assert frame["name"].tolist() == ["Ann", "Bob", "Cy"]
    assert frame["qty"].dtype == "float64" and frame["qty"].tolist()[:2] == [3.0, 4.0]
    assert pd.isna(frame["qty"].iloc[2])
    assert frame["city"].tolist() == ["Paris", "Lyon", "Nice"]


# --- quoting, line endings, headers ------------------------------------------------------------------------


def test_quoted_fields_keep_newlines_delimiters_and_quotes():
    frame = _read("quoted_fields").frame
    assert frame.shape == (3, 3)
    assert list(frame.columns) == ["id", "comment", "score"]
    assert frame["comment"].tolist() == ["line one\nline two", "has, comma", 'say "hi"']
    assert frame["score"].tolist() == [1.5, 2.5, 3.5]
    assert frame["id"].tolist() == [1, 2, 3]


@pytest.mark.parametrize("name", ["crlf", "no_trailing_newline", "cr_only"])  # cr_only: old Mac files
def test_line_endings_do_not_change_the_table(name):
    frame = _read(name).frame
    assert frame.shape == (3, 3)
    assert list(frame.columns) == ["name", "price", "qty"]
    assert frame["name"].tolist() == ["Äpfel", "Birne", "Café"]  # no stray '\r'
    assert frame["qty"].tolist() == [3, 4, 5]
    assert frame.loc[2, "price"] == 3.0


def test_blank_duplicate_and_padded_header_names_are_fixed_with_a_note():
    table = _read("messy_header")
    assert list(table.frame.columns) == ["a", "a_2", "column_3", "b"]
    assert table.frame.shape == (2, 4)
    assert table.frame["column_3"].tolist() == [3, 7]
    assert any("unique" in note for note in table.notes)


def test_trailing_delimiter_column_is_dropped_with_a_note():
    table = _read("trailing_delimiter")
    assert list(table.frame.columns) == ["a", "b"]
    assert table.frame["b"].tolist() == [2, 4]
    assert any("trailing" in note.lower() for note in table.notes)


def test_ragged_rows_are_skipped_and_reported():
    table = _read("ragged")
    assert table.frame.shape == (2, 2)
    assert table.frame["a"].tolist() == [1, 6]
    assert any("Skipped 1 row" in note for note in table.notes)


def test_one_column_file():
    table = _read("one_column")
    assert table.frame.shape == (3, 1)
    assert list(table.frame.columns) == ["value"]
    assert table.frame["value"].tolist() == [1.5, 2.0, 3.0]


def test_header_row_option_skips_junk_lines():
    detected = _read("junk_before_header").options
    table = read_csv_robust(GOOD["junk_before_header"], replace(detected, header_row=2))
    assert table.options.header_row == 2
    assert list(table.frame.columns) == ["a", "b"]
    assert table.frame["a"].tolist() == [1, 2]
    assert table.frame["b"].tolist() == ["x", "y"]


def test_header_row_none_names_columns_and_keeps_the_first_row():
    table = _read("no_header", ReadOptions(header_row=None))
    frame = table.frame
    assert list(frame.columns) == ["column_1", "column_2", "column_3"]
    assert frame.shape == (2, 3)
    assert frame["column_1"].tolist() == [1, 3]
    assert frame["column_2"].tolist() == [2.5, 4.5]
    assert frame["column_3"].tolist() == ["x", "y"]


def test_header_row_beyond_the_file_is_refused():
    with pytest.raises(DataError, match="(?i)header"):
        _read("comma", ReadOptions(header_row=10))


def test_iso_dates_become_datetimes():
    frame = _read("iso_dates").frame
    assert pd.api.types.is_datetime64_any_dtype(frame["day"])
    assert frame["day"].iloc[1] == pd.Timestamp("2024-02-15")
    assert frame["v"].tolist() == [1, 2, 3]


# --- user corrections --------------------------------------------------------------------------------------


def test_reread_with_corrected_options_round_trips_through_to_dict():
    table = _read("semicolon_decimal_comma")
    options = ReadOptions.from_dict(table.options.to_dict())
    assert options == table.options
    again = read_csv_robust(GOOD["semicolon_decimal_comma"], options)
    pd.testing.assert_frame_equal(again.frame, table.frame)


def test_forced_wrong_delimiter_is_refused_with_delimiter_advice():
    with pytest.raises(DataError) as excinfo:
        _read("semicolon_decimal_comma", ReadOptions(delimiter=","))
    assert "delimiter" in str(excinfo.value).lower()


def test_forced_delimiter_and_decimal_are_used():
    table = _read("pipe", ReadOptions(delimiter="|", decimal="."))
    assert table.options.delimiter == "|"
    assert table.frame["price"].tolist() == [1.5, 2.25, 3.0]
    # Forcing a tab on a pipe file gives one wide column: the user sees the choice took effect.
    single = _read("pipe", ReadOptions(delimiter="\t"))
    assert list(single.frame.columns) == ["name|price|qty"]
    assert single.frame.iloc[0, 0] == "A|1.5|3"


def test_decimal_comma_forced_off_keeps_text():
    frame = _read("semicolon_decimal_comma", ReadOptions(delimiter=";", decimal=".")).frame
    assert not pd.api.types.is_float_dtype(frame["price"])
    assert frame["price"].tolist()[0] == "1,5"


def test_fingerprint_is_stable_and_content_based():
    assert _read("comma").fingerprint == _read("comma").fingerprint
    assert _read("comma").fingerprint != _read("tab").fingerprint


# --- bad files ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, problem, remedy", [
    ("empty", "empty", "choose a csv"),
    ("blank_lines", "blank lines", "choose a csv"),
    ("header_only", "no data rows", "add rows"),
    ("png", "png image", "save it as csv"),
    ("xlsx", "zip archive", "save it as csv"),
    ("pdf", "pdf document", "save it as csv"),
    ("binary", "binary", "upload a csv"),
    ("gzip", "gzip", "save it as csv"),
])
def test_bad_files_are_refused_with_problem_and_remedy(name, problem, remedy):
    with pytest.raises(DataError) as excinfo:
        read_csv_robust(BAD[name])
    message = str(excinfo.value).lower()
    assert problem in message
    assert remedy in message


def test_file_over_the_size_limit_is_refused():
    with pytest.raises(DataError) as excinfo:
        read_csv_robust(BAD["too_big"], max_mb=0.001)
    message = str(excinfo.value)
    assert "limit" in message
    assert "WORKBENCH_MAX_UPLOAD_MB" in message or "sample" in message
    # The same bytes are fine under the default limit.
    assert read_csv_robust(BAD["too_big"]).frame.shape[1] == 3


def test_size_limit_message_states_a_meaningful_size():
    """A limit under 1 MB reads in KB, not as 'the 0 MB limit'."""
    with pytest.raises(DataError) as excinfo:
        read_csv_robust(BAD["too_big"], max_mb=0.001)
    message = str(excinfo.value)
    assert "over the 1.0 KiB limit" in message, message
    assert "0 MB" not in message, message


def test_read_csv_file_reads_a_path(tmp_path):
    path = tmp_path / "data.csv"
    path.write_bytes(GOOD["cp1252"])
    table = read_csv_file(path)
    assert table.frame["note"].tolist()[-1] == "5 €"
    assert table.options.encoding == "cp1252"


def test_read_csv_file_missing_path(tmp_path):
    missing = tmp_path / "nope.csv"
    with pytest.raises(DataError) as excinfo:
        read_csv_file(missing)
    message = str(excinfo.value)
    assert "not found" in message.lower()
    assert "nope.csv" in message
    assert "check the path" in message.lower()


def test_read_csv_file_on_a_folder(tmp_path):
    with pytest.raises(DataError, match="folder"):
        read_csv_file(tmp_path)


def test_nan_is_nan_not_a_string():
    value = _read("missing_markers").frame["a"].iloc[7]  # the 'NaN' cell
    assert isinstance(value, float) and math.isnan(value)


def test_bytes_of_another_encoding_after_the_sniffed_head_are_still_read():
    rows = ["name,city"] + [f"row{i},Paris" for i in range(40_000)] + ["last,Besançon"]
    raw = "\n".join(rows).encode("cp1252")
    table = read_csv_robust(raw)
    assert table.options.encoding == "cp1252"
    assert table.frame["city"].iloc[-1] == "Besançon"


# --- files met in other CSV libraries' test collections --------------------------------------------------


@pytest.mark.parametrize("name, header_row, columns", [
    ("title_above_header", 3, ["region", "units", "revenue"]),
    ("hash_comments_above_header", 2, ["sensor", "reading"]),
    ("junk_before_header", 2, ["a", "b"]),
])
def test_title_and_comment_lines_above_the_header_are_skipped(name, header_row, columns):
    table = _read(name)
    assert table.options.header_row == header_row
    assert list(table.frame.columns) == columns
    assert table.frame.shape == (len(table.frame), len(columns)) and len(table.frame) >= 2
    assert not any("Skipped" in note for note in table.notes)
    assert any(f"column names are on line {header_row + 1}" in note for note in table.notes), table.notes


def test_title_above_a_decimal_comma_table_keeps_its_numbers():
    frame = _read("title_above_header").frame
    assert frame["units"].tolist() == [12, 7, 9]
    assert frame["revenue"].tolist() == [3.5, 1.25, 2.0]


@pytest.mark.parametrize("name", ["numbers_without_header", "values_without_header"])
def test_a_first_row_of_values_is_kept_as_data_not_used_as_names(name):
    table = _read(name)
    assert table.options.header_row is None
    assert table.frame.shape == (3, len(table.frame.columns))
    assert list(table.frame.columns)[:2] == ["column_1", "column_2"]
    first_value = GOOD[name].split(b",")[0].decode()
    assert str(table.frame.iloc[0, 0]) == first_value
    assert any("looks like data, not column names" in note for note in table.notes), table.notes


def test_a_header_of_names_is_still_a_header():
    assert _read("comma").options.header_row == 0
    assert _read("one_column").options.header_row == 0


def test_short_rows_are_kept_with_missing_cells_and_long_rows_skipped():
    table = _read("short_rows")
    frame = table.frame
    assert frame["id"].tolist() == [1, 2, 3, 4]
    assert frame["name"].tolist()[:3] == ["ann", "bob", "cy"]
    assert frame["name"].isna().tolist() == [False, False, False, True]
    assert frame["score"].isna().tolist() == [False, True, False, True]
    assert any("fewer fields" in note and "left empty" in note for note in table.notes)
    assert any("Skipped 1 row" in note for note in table.notes)


def test_rows_wider_than_the_header_get_named_columns_instead_of_being_dropped():
    table = _read("header_narrower_than_rows")
    assert list(table.frame.columns) == ["when", "amount", "column_3"]
    assert table.frame.shape == (3, 3)
    assert table.frame["column_3"].tolist() == ["cash", "card", "cash"]
    assert any("generic names" in note for note in table.notes)


def test_a_stray_nul_byte_in_a_text_file_does_not_make_it_binary():
    frame = _read("stray_nul").frame
    assert frame.shape == (3, 2)
    assert frame["qty"].tolist() == [1, 2, 3]


def test_chinese_big5_text_is_decoded_not_turned_into_latin_symbols():
    table = _read("big5")
    assert table.options.encoding.replace("_", "").lower() in {"big5", "cp950", "big5hkscs"}
    assert table.frame["city"].iloc[0] == "台北市"
    assert table.frame["landmark"].iloc[1] == "赤崁樓古蹟"


def test_an_unclosed_quote_is_refused_instead_of_swallowing_the_rest_of_the_file():
    with pytest.raises(DataError) as excinfo:
        read_csv_robust(BAD["unclosed_quote"])
    message = str(excinfo.value)
    assert "never closed" in message and "row 2" in message
    assert "upload it again" in message


def test_an_unclosed_quote_in_a_ragged_file_is_refused_too():
    raw = b'a\tb\tc\n1\t2\t3\n4\t"5\t6\n7\t8\t9\n'
    with pytest.raises(DataError, match="never closed"):
        read_csv_robust(raw)


def test_an_odd_quote_inside_a_value_is_not_mistaken_for_an_unclosed_one():
    frame = read_csv_robust(b'item,size\nboard,12" wide\nshelf,30 cm\n').frame
    assert frame["size"].tolist() == ['12" wide', "30 cm"]


def test_a_table_with_thousands_of_columns_is_refused_with_what_to_do():
    with pytest.raises(DataError) as excinfo:
        read_csv_robust(BAD["too_many_columns"])
    message = str(excinfo.value)
    assert "50,001 columns" in message and "up to 50,000" in message
    assert "Keep the columns you need" in message


def test_odd_bytes_far_below_an_ascii_head_still_give_the_whole_table():
    # 80 KB of plain ASCII, then a byte that neither UTF-8 nor cp1252 can decode.
    raw = b"name,v\n" + b"plain,1\n" * 10_000 + b"Caf\xe9 \x8d,2\n"
    table = read_csv_robust(raw)
    assert table.frame.shape == (10_001, 2)
    assert table.frame["name"].iloc[-1].startswith("Caf")
    assert table.frame["v"].iloc[-1] == 2


# --- no row lost without a word (issue 11, item 7) ---------------------------------------------------------


def _counted_in_notes(notes: list[str]) -> int:
    """Rows and blank lines the notes say were skipped."""
    import re

    return sum(int(match.group(1)) for note in notes for match in [re.match(r"Skipped (\d+) (?:row|blank)", note)]
               if match)


def _data_records(text: str, delimiter: str) -> int:
    """Records below the header as Python's csv module splits them (quotes respected), trailing blanks aside."""
    import csv
    import io

    records = list(csv.reader(io.StringIO(text.rstrip("\r\n"), newline=""), delimiter=delimiter))
    return len(records) - 1


RAGGED_FILES = {
    # name: (text, delimiter, encoding)
    "wide_first_then_short": ("a,b,c\n1,2,3,4\n4,5\n6,7,8\n", ",", "utf-8"),
    "short_then_wide": ("a,b,c\n4,5\n1,2,3,4\n6,7,8\n9,10,11\n", ",", "utf-8"),
    "wide_short_normal_mixed": ("id,name,score\n1,ann,3.5\n2,bob\n3,cy,4.0,x,y\n4\n5,dee,2.5,extra\n6,eve,1.0\n",
                                ",", "utf-8"),
    "blank_lines_between_rows": ("a,b\n1,2\n\n3,4\n\n\n5,6\n\n", ",", "utf-8"),
    "blank_lines_crlf": ("a;b\r\n1;2\r\n\r\n3;4\r\n5;6\r\n", ";", "utf-8"),
    "blank_lines_bare_cr": ("a\tb\r1\t2\r\r3\t4\r", "\t", "utf-8"),
    "spaces_only_line_and_short_row": ("a,b,c\n1,2,3\n   \n4,5\n6,7,8\n", ",", "utf-8"),
    "quoted_value_with_blank_line": ('a,b\n1,"one\n\ntwo"\n\n2,x\n3,y\n', ",", "utf-8"),
    "thousands_wide_and_blank": ('a,b\n"1,234",2\n\n"2,000",3,9\n"3,500",4\n', ",", "utf-8"),
    "cp1252_wide_short_blank": ("ville;prix;note\nMünchen;1,5;café\nSevilla;2,25\n\nParis;3,0;5 €;extra\nNîmes;4,0;x\n",
                                ";", "cp1252"),
}


@pytest.mark.parametrize("name", list(RAGGED_FILES))
def test_every_data_line_is_in_the_table_or_counted_in_a_note(name):
    text, delimiter, encoding = RAGGED_FILES[name]
    table = read_csv_robust(text.encode(encoding))
    assert table.options.delimiter == delimiter
    assert table.options.header_row == 0
    assert len(table.frame) + _counted_in_notes(table.notes) == _data_records(text, delimiter), table.notes


def test_a_wide_first_data_row_is_skipped_and_counted_not_cut_to_the_header():
    table = read_csv_robust(b"a,b,c\n1,2,3,4\n4,5\n6,7,8\n")
    assert table.frame["a"].tolist() == [4, 6]  # the row 1,2,3,4 was not kept with its last cell cut off
    assert any("Skipped 1 row(s) with more fields than the header's 3" in note for note in table.notes)
    assert any("1 row(s) have fewer fields" in note for note in table.notes)


def test_blank_lines_are_counted_in_a_note_and_a_line_of_spaces_is_not_a_short_row():
    table = read_csv_robust(b"a,b,c\n1,2,3\n   \n4,5,6\n")
    assert len(table.frame) == 2
    assert table.notes == ["Skipped 1 blank line(s) between the rows."]


def test_a_blank_line_inside_a_quoted_value_is_part_of_the_value_not_a_skipped_line():
    table = read_csv_robust(b'a,b\n1,"one\n\ntwo"\n2,x\n')
    assert table.frame["b"].tolist() == ["one\n\ntwo", "x"]
    assert not any("blank line" in note for note in table.notes)


# --- blank header names (issue 11, item 7) -----------------------------------------------------------------


@pytest.mark.parametrize("raw, columns, first", [
    (b",b,\n1,2,3\n4,5,6\n", ["column_1", "b", "column_3"], [1, 2, 3]),
    (b",value\n0,1.5\n1,2.5\n", ["column_1", "value"], [0, 1.5]),  # a pandas index written to CSV
    (b",name\n0,alice\n1,bob\n", ["column_1", "name"], [0, "alice"]),
    (b"a,,c\n1,2,3\n4,5,6\n", ["a", "column_2", "c"], [1, 2, 3]),
])
def test_blank_header_names_are_named_not_taken_for_a_title(raw, columns, first):
    table = read_csv_robust(raw)
    assert table.options.header_row == 0
    assert list(table.frame.columns) == columns
    assert table.frame.iloc[0].tolist() == first
    assert len(table.frame) == 2


def test_a_centred_title_above_the_header_is_still_a_title():
    table = read_csv_robust(b",,Sales,,\na,b,c,d,e\n1,2,3,4,5\n6,7,8,9,10\n")
    assert table.options.header_row == 1
    assert list(table.frame.columns) == ["a", "b", "c", "d", "e"]


# --- dates kept as text (issue 11, item 6) -----------------------------------------------------------------


@pytest.mark.parametrize("values", [
    ["2013-01-01 05:00:00", "2013-01-01 06:00:00", "2013-01-02 07:30:00"],
    ["01/02/2013", "01/03/2013", "12/31/2013"],
    ["2020-05-01T08:00:00+02:00", "2020-05-02T08:00:00-05:00", "2020-05-03T08:00:00Z"],
    ["2020-05-01T08:00:00+0200", "2020-05-02T08:00:00+0200", "2020-05-03T08:00:00+0200"],
    ["1.2.2013", "15.3.2013", "31.12.2013"],
])
def test_date_columns_are_stored_as_datetimes_not_text(values):
    raw = ("when,v\n" + "".join(f"{value},{i}\n" for i, value in enumerate(values))).encode()
    frame = read_csv_robust(raw).frame
    assert pd.api.types.is_datetime64_any_dtype(frame["when"]), frame["when"].dtype
    assert frame["when"].notna().all()


def test_a_text_column_with_some_dates_stays_text_so_no_value_is_lost():
    frame = read_csv_robust(b"when,v\n01/02/2013,1\nsoon,2\n01/04/2013,3\n").frame
    assert frame["when"].tolist() == ["01/02/2013", "soon", "01/04/2013"]


def test_times_of_day_alone_are_not_turned_into_todays_date():
    frame = read_csv_robust(b"at,v\n12:30,1\n13:45,2\n").frame
    assert not pd.api.types.is_datetime64_any_dtype(frame["at"])
    assert [str(value)[:5] for value in frame["at"]] == ["12:30", "13:45"]


# --- wide tables (issue 11, item 7) ------------------------------------------------------------------------


@pytest.mark.parametrize("n_columns, n_rows", [(3_000, 20), (20_000, 30)])
def test_wide_tables_load(n_columns, n_rows):
    header = ",".join(f"gene_expression_{i}" for i in range(n_columns))
    rows = "".join(",".join(str((r * 7 + c) % 97 / 10) for c in range(n_columns)) + "\n" for r in range(n_rows))
    table = read_csv_robust((header + "\n" + rows).encode())
    assert table.frame.shape == (n_rows, n_columns)
    assert table.frame.columns[-1] == f"gene_expression_{n_columns - 1}"
    assert table.frame.iloc[-1, -1] == ((n_rows - 1) * 7 + n_columns - 1) % 97 / 10


def test_lines_above_a_header_row_set_by_hand_are_counted_in_a_note():
    table = read_csv_robust(GOOD["junk_before_header"], ReadOptions(header_row=2))
    assert len(table.frame) == 2
    assert any("The 2 line(s) above the column names (line 3) were left out" in note for note in table.notes)
