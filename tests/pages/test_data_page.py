"""Load data page: samples, uploads (good and bad), loading options and column-kind overrides."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = json.loads((ROOT / "sample_data" / "manifest.json").read_text(encoding="utf-8"))

# A German-style export: semicolons, decimal commas, dots between thousands, UTF-8 umlauts.
CITIES = (
    "city;population;area;founded\n"
    "Köln;1.084.831;405,02;50\n"
    "Bonn;327.258;141,06;-11\n"
    "Aachen;249.070;160,85;800\n"
    "Münster;317.713;303,28;793\n"
    "Essen;579.432;210,34;845\n"
).encode()


def sample_shape(file: str) -> tuple[int, int]:
    with open(ROOT / "sample_data" / file, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    return len(rows) - 1, len(rows[0])


def xlsx_like_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


def kinds_table(at):
    """The 'Column kinds' table (the second dataframe, after the preview) indexed by column."""
    return at.dataframe[1].value.set_index("column")


def reread(pages, at, **options):
    """Set loading options (by widget name without the per-dataset suffix) and press Re-read."""
    suffix = pages.fingerprint(at)
    widget_lists = {"has_header": at.checkbox, "header_row": at.number_input, "markers": at.text_input}
    for name, value in options.items():
        # AppTest cannot pick the thousands option "none" (its value None means "no choice").
        widget_lists.get(name, at.selectbox)(key=f"{name}_{suffix}").set_value(value)
    return pages.press(at, "Re-read with these options")


# --- opening and samples -------------------------------------------------------------------


def test_opens_on_the_default_sample(pages, app):
    assert pages.metric(app, "Rows") == "344"
    assert pages.metric(app, "Columns") == "8"
    captions = pages.sidebar_captions(app)
    assert "penguins.csv" in captions
    assert "344 rows x 8 columns" in captions
    preview = app.dataframe[0].value
    assert list(preview.columns)[:2] == ["species", "island"]
    assert len(preview) == 200
    assert any(c.value == "First 200 of 344 rows." for c in app.caption)
    assert set(kinds_table(app)["set by"]) == {"detected"}


@pytest.mark.parametrize("entry", MANIFEST, ids=[entry["file"] for entry in MANIFEST])
def test_each_sample_loads_with_its_shape(pages, app, entry):
    rows, columns = sample_shape(entry["file"])
    pages.load_sample(app, entry["name"])
    assert pages.metric(app, "Rows") == f"{rows:,}"
    assert pages.metric(app, "Columns") == f"{columns:,}"
    assert not pages.errors(app)
    captions = pages.sidebar_captions(app)
    assert entry["file"] in captions
    assert f"Target: {entry['target']}" in captions
    assert any(f"Target: **{entry['target']}**" in c.value for c in app.caption)
    assert list(kinds_table(app).index) == list(app.dataframe[0].value.columns)


# --- uploads -------------------------------------------------------------------------------


def test_upload_semicolon_decimal_comma_csv(pages, app):
    pages.upload(app, "cities.csv", CITIES)
    assert not pages.errors(app)
    assert pages.metric(app, "Rows") == "5"
    assert pages.metric(app, "Columns") == "4"
    preview = app.dataframe[0].value
    assert list(preview.columns) == ["city", "population", "area", "founded"]
    assert preview["city"].tolist()[:4] == ["Köln", "Bonn", "Aachen", "Münster"]
    assert preview["population"].tolist()[0] == 1_084_831
    assert preview["area"].tolist()[0] == pytest.approx(405.02)
    kinds = kinds_table(app)["kind"]
    assert kinds["population"] == "numeric" and kinds["area"] == "numeric"
    # The detected options are shown so the user can check them.
    suffix = pages.fingerprint(app)
    assert app.selectbox(key=f"delimiter_{suffix}").value == ";"
    assert app.selectbox(key=f"decimal_{suffix}").value == ","
    assert app.selectbox(key=f"thousands_{suffix}").value == "."


def test_sidebar_names_an_uploaded_file_right_after_the_upload(pages, app):
    pages.upload(app, "cities.csv", CITIES)
    assert pages.metric(app, "Rows") == "5"
    captions = pages.sidebar_captions(app)
    assert "cities.csv" in captions, f"sidebar still shows {captions}"
    assert "5 rows x 4 columns" in captions


BAD_FILES = [
    ("empty.csv", b"", "empty"),
    ("picture.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "PNG image"),
    ("header_only.csv", b"a,b,c\n", "no data rows"),
    ("workbook.xlsx", xlsx_like_bytes(), "save it as CSV"),
    ("blank.csv", b"\n\n   \n", "blank lines"),
    ("noise.csv", bytes(range(256)) * 10, "binary"),
]


@pytest.mark.parametrize(("name", "data", "says"), BAD_FILES, ids=[name for name, _, _ in BAD_FILES])
def test_bad_upload_shows_error_and_keeps_loaded_dataset(pages, app, name, data, says):
    pages.load_sample(app, "Iris flowers")
    pages.upload(app, name, data)
    messages = pages.errors(app)
    assert len(messages) == 1
    assert "Could not load that file" in messages[0]
    assert says in messages[0]
    assert "The dataset already loaded (iris.csv) is unchanged." in messages[0]
    assert pages.metric(app, "Rows") == "150"
    assert pages.metric(app, "Columns") == "5"
    assert "iris.csv" in pages.sidebar_captions(app)
    # Any later click keeps the same table.
    app.run()
    pages.assert_ok(app)
    assert pages.metric(app, "Rows") == "150"


def test_good_upload_after_a_bad_one_replaces_the_error(pages, app):
    pages.upload(app, "empty.csv", b"")
    assert pages.errors(app)
    pages.upload(app, "cities.csv", CITIES)
    assert not pages.errors(app)
    assert pages.metric(app, "Rows") == "5"


def test_error_goes_away_when_the_bad_file_is_removed(pages, app):
    pages.upload(app, "empty.csv", b"")
    assert pages.errors(app)
    app.file_uploader(key="csv_upload").set_value(None).run()
    pages.assert_ok(app)
    assert pages.metric(app, "Rows") == "344"
    assert not pages.errors(app), f"stale message after removing the file: {pages.errors(app)}"


def test_loading_a_sample_after_a_bad_upload_clears_the_error(pages, app):
    pages.upload(app, "picture.csv", b"\x89PNG\r\n\x1a\n")
    assert pages.errors(app)
    pages.load_sample(app, "Wine cultivars")
    assert not pages.errors(app)
    assert pages.metric(app, "Rows") == "178"


# --- loading options -----------------------------------------------------------------------


def test_wrong_delimiter_then_right_one(pages, app):
    reread(pages, app, delimiter=";")
    assert pages.metric(app, "Columns") == "1"
    assert pages.metric(app, "Rows") == "344"
    assert list(app.dataframe[0].value.columns) == [
        "species,island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex,year"]
    reread(pages, app, delimiter=",")
    assert pages.metric(app, "Columns") == "8"
    assert list(app.dataframe[0].value.columns)[:3] == ["species", "island", "bill_length_mm"]
    assert not pages.errors(app)


@pytest.mark.parametrize("delimiter", ["\t", "|"])
def test_other_delimiters_read_as_one_column(pages, app, delimiter):
    reread(pages, app, delimiter=delimiter)
    assert pages.metric(app, "Columns") == "1"
    assert pages.metric(app, "Rows") == "344"


def test_header_off_names_columns_and_header_row_moves(pages, app):
    reread(pages, app, has_header=False)
    assert pages.metric(app, "Rows") == "345"
    names = [f"column_{i}" for i in range(1, 9)]
    assert list(app.dataframe[0].value.columns) == names
    assert list(kinds_table(app).index) == names
    assert app.dataframe[0].value.iloc[0, 0] == "species"  # the old header is now a data row
    suffix = pages.fingerprint(app)
    assert app.number_input(key=f"header_row_{suffix}").disabled

    app.checkbox(key=f"has_header_{suffix}").set_value(True).run()
    pages.assert_ok(app)
    reread(pages, app, header_row=1)
    assert pages.metric(app, "Rows") == "343"
    assert list(app.dataframe[0].value.columns)[:2] == ["Adelie", "Torgersen"]

    reread(pages, app, header_row=1000)
    assert any("fewer than 1001 lines" in message for message in pages.errors(app))
    assert any("unchanged" in message for message in pages.errors(app))
    assert pages.metric(app, "Rows") == "343"

    reread(pages, app, header_row=0)
    assert pages.metric(app, "Rows") == "344"
    assert list(app.dataframe[0].value.columns)[0] == "species"


@pytest.mark.parametrize(("decimal", "thousands"), [(",", ","), (".", ".")])
def test_decimal_equal_to_thousands_is_refused(pages, app, decimal, thousands):
    before = app.dataframe[0].value
    reread(pages, app, decimal=decimal, thousands=thousands)
    assert pages.errors(app) == ["The decimal mark and the thousands separator must differ. Change one of them."]
    assert pages.metric(app, "Rows") == "344"
    assert pages.metric(app, "Columns") == "8"
    assert app.dataframe[0].value.equals(before)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_wrong_encoding_gives_clear_error_and_keeps_table(pages, app, encoding):
    before = app.dataframe[0].value
    reread(pages, app, encoding=encoding)
    messages = pages.errors(app)
    assert len(messages) == 1
    assert f"not valid {encoding}" in messages[0]
    assert "Choose another encoding" in messages[0]
    assert "The table below is unchanged." in messages[0]
    assert pages.metric(app, "Rows") == "344"
    assert app.dataframe[0].value.equals(before)
    assert "penguins.csv" in pages.sidebar_captions(app)


def test_utf16_on_an_even_length_utf8_file_blames_the_encoding(pages, app):
    # UTF-8 bytes of even length decode as (nonsense) UTF-16 without an error.
    data = b"name,value\n" + b"".join(f"item{i},{i}\n".encode() for i in range(20))
    data += b"" if len(data) % 2 == 0 else b"\n"
    pages.upload(app, "even.csv", data)
    assert pages.metric(app, "Rows") == "20"
    reread(pages, app, encoding="utf-16")
    messages = pages.errors(app)
    assert messages, "choosing utf-16 for a utf-8 file should be refused"
    assert "encoding" in messages[0] or "utf-16" in messages[0], messages[0]
    assert pages.metric(app, "Rows") == "20"


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1", "utf-8-sig", "utf-8"])
def test_compatible_encodings_reread_the_same_table(pages, app, encoding):
    reread(pages, app, encoding=encoding)
    assert not pages.errors(app)
    assert pages.metric(app, "Rows") == "344"
    assert pages.metric(app, "Columns") == "8"


def test_thousands_and_decimal_options_change_how_numbers_read(pages, app):
    pages.upload(app, "cities.csv", CITIES)
    reread(pages, app, thousands="'")
    assert kinds_table(app)["kind"]["population"] != "numeric"  # "1.084.831" is no number now
    assert kinds_table(app)["kind"]["area"] == "numeric"
    reread(pages, app, thousands=".")
    assert kinds_table(app)["kind"]["population"] == "numeric"
    assert app.dataframe[0].value["population"].tolist()[0] == 1_084_831
    reread(pages, app, decimal=".", thousands=" ")
    assert kinds_table(app)["kind"]["area"] != "numeric"  # "405,02" is no number with a dot decimal
    reread(pages, app, decimal=",", thousands=".")
    assert kinds_table(app)["kind"]["area"] == "numeric"
    assert pages.metric(app, "Rows") == "5"
    assert not pages.errors(app)


def test_missing_value_markers(pages, app):
    reread(pages, app, markers="")
    kinds = kinds_table(app)["kind"]
    assert kinds["bill_length_mm"] != "numeric"  # "NA" is text now
    reread(pages, app, markers="NA, Adelie")
    assert app.dataframe[0].value["species"].isna().sum() == 152  # every Adelie is now missing
    assert kinds_table(app)["kind"]["bill_length_mm"] == "numeric"
    reread(pages, app, markers="NA")
    assert app.dataframe[0].value["species"].notna().all()
    assert pages.metric(app, "Rows") == "344"


# --- column kinds --------------------------------------------------------------------------


def test_override_a_kind_then_reset(pages, app):
    suffix = pages.fingerprint(app)
    assert not pages.has_button(app, "Reset all kinds to detected")
    app.selectbox(key=f"override_column_{suffix}").set_value("year")
    app.selectbox(key=f"override_kind_{suffix}").set_value("categorical")
    pages.press(app, "Set kind")
    table = kinds_table(app)
    assert table.loc["year", "kind"] == "categorical"
    assert table.loc["year", "set by"] == "you"
    assert set(table.drop(index="year")["set by"]) == {"detected"}

    app.selectbox(key=f"override_column_{suffix}").set_value("sex")
    app.selectbox(key=f"override_kind_{suffix}").set_value("boolean")
    pages.press(app, "Set kind")
    assert kinds_table(app).loc["sex", "set by"] == "you"
    assert kinds_table(app).loc["year", "set by"] == "you"

    pages.press(app, "Reset all kinds to detected")
    table = kinds_table(app)
    assert set(table["set by"]) == {"detected"}
    assert table.loc["year", "kind"] == "numeric"
    assert not pages.has_button(app, "Reset all kinds to detected")


def test_override_survives_a_reread(pages, app):
    suffix = pages.fingerprint(app)
    app.selectbox(key=f"override_column_{suffix}").set_value("year")
    app.selectbox(key=f"override_kind_{suffix}").set_value("categorical")
    pages.press(app, "Set kind")
    reread(pages, app, encoding="latin-1")
    assert kinds_table(app).loc["year", "set by"] == "you"


@pytest.mark.parametrize("kind", ["numeric", "datetime"])
def test_treating_a_text_column_as_numbers_does_not_break_the_page(pages, app, kind):
    # "numeric" is the form's default kind, so a user only has to pick a text column and click.
    suffix = pages.fingerprint(app)
    app.selectbox(key=f"override_column_{suffix}").set_value("island")
    app.selectbox(key=f"override_kind_{suffix}").set_value(kind)
    pages.press(app, "Set kind")
    assert pages.metric(app, "Rows") == "344"
    # The user can always get back.
    if pages.has_button(app, "Reset all kinds to detected"):
        pages.press(app, "Reset all kinds to detected")
        assert kinds_table(app).loc["island", "kind"] == "categorical"


def test_a_title_above_the_header_is_left_out_and_the_page_says_so(pages, app):
    text = "Sales by shop (exported 2024-05-01)\n\nshop,units,revenue\nNorth,12,3.5\nSouth,7,1.25\nEast,9,2.0\n"
    pages.upload(app, "export.csv", text.encode())
    assert list(app.dataframe[0].value.columns) == ["shop", "units", "revenue"]
    assert any("column names are on line 3" in info for info in pages.infos(app)), pages.infos(app)
    suffix = pages.fingerprint(app)
    assert app.number_input(key=f"header_row_{suffix}").value == 2


def test_a_file_without_a_header_line_is_named_and_the_page_says_so(pages, app):
    pages.upload(app, "bare.csv", b"1.5,2024-01-02,true\n2.5,2024-01-03,false\n3.5,2024-01-04,true\n")
    assert list(app.dataframe[0].value.columns) == ["column_1", "column_2", "column_3"]
    assert any("looks like data, not column names" in info for info in pages.infos(app)), pages.infos(app)
    assert not app.checkbox(key=f"has_header_{pages.fingerprint(app)}").value


def test_rows_the_reader_skipped_are_counted_on_the_page(pages, app):
    text = "id,name,score\n1,ann,3.5,extra\n2,bob\n\n3,cy,4.0\n4,dee,2.5\n"
    pages.upload(app, "ragged.csv", text.encode())
    assert pages.metric(app, "Rows") == "3"
    notes = pages.infos(app)
    assert any("Skipped 1 row(s) with more fields than the header's 3" in note for note in notes), notes
    assert any("Skipped 1 blank line(s)" in note for note in notes), notes
    assert any("1 row(s) have fewer fields" in note for note in notes), notes


def test_a_header_with_a_blank_name_keeps_every_row(pages, app):
    pages.upload(app, "indexed.csv", b",value,label\n0,1.5,a\n1,2.5,b\n2,3.5,a\n")
    assert list(app.dataframe[0].value.columns) == ["column_1", "value", "label"]
    assert pages.metric(app, "Rows") == "3"


def test_a_table_of_20000_columns_loads_with_a_preview_of_the_first_500(pages, app):
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(30, 20_000)).round(2), columns=[f"s{i}" for i in range(20_000)])
    pages.upload(app, "sensors.csv", pages.csv_bytes(frame))
    assert not pages.errors(app), pages.errors(app)
    assert pages.metric(app, "Columns") == "20,000"
    assert app.dataframe[0].value.shape == (30, 500)
    assert any("First 500 of 20,000 columns" in caption.value for caption in app.caption)
