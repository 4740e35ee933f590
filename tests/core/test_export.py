"""CSV export read back as bytes: no field can start a row or a formula (OWASP CSV injection)."""

import csv
import io

import pandas as pd

from core.export import to_safe_csv

HOSTILE_CELLS = ["hello\r=cmd|' /C calc'!A0", "a\n+1", "x\r\n@SUM(1)", "=HYPERLINK(\"http://x\")", "\tTAB",
                 "\r=CR first", "-2+3", "plain", None]


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def test_every_field_is_quoted_so_line_breaks_stay_inside_cells():
    frame = pd.DataFrame({"t": HOSTILE_CELLS, "n": [-1.5, 2, 3, 4, 5, 6, 7, 8, 9]})
    data = to_safe_csv(frame)
    assert data.startswith(b'"t","n"')
    # A reader that splits the file at every CR or LF still sees no line start a formula.
    for line in data.decode().replace("\r", "\n").split("\n"):
        assert not line.startswith(("=", "+", "-", "@", "\t")), line
    rows = _rows(data)
    assert len(rows) == 1 + len(frame)  # header + one row per row: no cell broke into new rows
    assert data.count(b'","') == len(frame) + 1  # both fields of every line quoted: '"a","b"'



def test_cells_and_header_names_that_start_a_formula_get_a_quote():
    frame = pd.DataFrame({"=HYPERLINK(\"http://evil.invalid\",\"x\")": ["a"], "=1+2": ["b"], "@name": ["c"],
                          "ok\r=bad": ["d"], "t": ["hello\r=cmd|' /C calc'!A0"]})
    header, row = _rows(to_safe_csv(frame))
    assert header == ["'=HYPERLINK(\"http://evil.invalid\",\"x\")", "'=1+2", "'@name", "ok\r'=bad", "t"]
    assert row == ["a", "b", "c", "d", "hello\r'=cmd|' /C calc'!A0"]


def test_every_line_of_a_cell_is_neutralised_and_numbers_stay_numbers():
    frame = pd.DataFrame({"t": HOSTILE_CELLS, "n": [-1.5, 2, 3, 4, 5, 6, 7, 8, 9]})
    back = pd.read_csv(io.BytesIO(to_safe_csv(frame)))
    for cell in back["t"].dropna():
        for line in cell.replace("\r", "\n").split("\n"):
            assert not line.startswith(("=", "+", "-", "@", "\t")), repr(cell)
    assert back["t"].iloc[6] == "'-2+3"
    assert back["t"].iloc[7] == "plain" and pd.isna(back["t"].iloc[8])
    assert back["n"].tolist() == [-1.5, 2, 3, 4, 5, 6, 7, 8, 9]


def test_neutralise_text_leaves_harmless_text_alone():
    from core.export import neutralise_text

    assert neutralise_text("plain text, 3-4 = 7") == "plain text, 3-4 = 7"
    assert neutralise_text("-x") == "'-x"
