"""Guessing how a CSV is written (encoding, delimiter, number format, header row), split from core.io."""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import asdict, dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from core.errors import DataError

DELIMITERS = (",", ";", "\t", "|")
MISSING_MARKERS = (
    "", "NA", "N/A", "n/a", "na", "NaN", "nan", "NAN", "null", "NULL", "Null", "None",
    "none", "?", "-", "--", "#N/A", "#NA", "missing", "MISSING", ".",
)
SNIFF_BYTES = 256 * 1024
FORMAT_SNIFF_BYTES = 64 * 1024  # enough lines to judge delimiters and number formats
_PYARROW_NATIVE = {"utf-8", "utf-8-sig", "ascii"}
# Wide tables (genomics, sensors, one-hot exports) are common and small; beyond this many columns a
# table of a few rows is already tens of megabytes and the profile takes minutes. The pages cap
# their views of wide tables (see core.explore), not the reader.
MAX_COLUMNS = 50_000
_SPLIT_BLOCKS_MAX_COLUMNS = 200
_WIDTH_SAMPLE_ROWS = 60  # rows after the header that judge how wide the table really is
_MAX_PREAMBLE_ROWS = 30  # title, notes and blank lines an export may put above the header

@dataclass(frozen=True)
class ReadOptions:
    """How a CSV file is written; detected, shown to the user, and re-appliable."""

    delimiter: str = ","
    encoding: str = "utf-8"
    decimal: str = "."
    thousands: str | None = None
    header_row: int | None = 0
    missing_markers: tuple[str, ...] = MISSING_MARKERS

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> ReadOptions:
        values = dict(values)
        values["missing_markers"] = tuple(values.get("missing_markers", MISSING_MARKERS))
        return cls(**values)

    @classmethod
    def from_choices(cls, delimiter: str, encoding: str, decimal: str, thousands: str | None,
                     header_row: int | None, markers_text: str) -> ReadOptions:
        """Options a person chose in a form: markers as comma-separated text (an empty cell always
        counts as missing); a decimal mark equal to the thousands separator is a ``DataError``."""
        if decimal == thousands:
            raise DataError("The decimal mark and the thousands separator must differ. Change one of them.")
        markers = ("", *[marker.strip() for marker in markers_text.split(",") if marker.strip()])
        return cls(delimiter=delimiter, encoding=encoding, decimal=decimal, thousands=thousands,
                   header_row=header_row, missing_markers=markers)


_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_DECIMAL_COMMA = re.compile(r"^[-+]?(\d{1,3}(\.\d{3})+|\d+),\d+$")
_THOUSANDS_DOT = re.compile(r"^[-+]?\d{1,3}(\.\d{3})+(,\d+)?$")
_THOUSANDS_COMMA = re.compile(r"^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$")
_PLAIN_DOT_DECIMAL = re.compile(r"^[-+]?\d+\.\d+$")
_NUMBER_CELL = re.compile(r"^[-+]?(\d+([.,]\d+)?|[.,]\d+)([eE][-+]?\d+)?$")
# Cells that are almost never a column's name: fractions, ISO dates and times, true/false.
_DATA_LIKE_CELL = re.compile(r"^([-+]?\d*[.,]\d+|\d{4}-\d{2}-\d{2}([T ].*)?|\d{1,2}:\d{2}(:\d{2})?|true|false)$",
                             re.IGNORECASE)



class _UndecodableError(DataError):
    """Bytes that are not valid in the chosen encoding, found while parsing."""



def _head_size(raw: bytes, lines: int, minimum: int = SNIFF_BYTES) -> int:
    """Bytes to sniff: at least ``minimum``, and enough for ``lines`` whole lines (wide tables)."""
    end = 0
    for _ in range(lines):
        if end >= minimum:
            break
        found = raw.find(b"\n", end)
        if found < 0:
            return len(raw)
        end = found + 1
    return max(end, minimum)



def detect_header_row(sample: str, delimiter: str) -> int | None:
    """Row of the column names: after any title, note or blank lines; ``None`` when row 0 is data.

    A leading row counts as preamble when it fills at most half as many fields as the table's typical
    row (a title, ``# comment``, ``Exported by ...``, an empty ``,,,,`` line). A first row made only
    of numbers, or with several cells that look like values (fractions, dates, true/false), is data.
    """
    rows = _csv_rows(sample, delimiter, limit=_MAX_PREAMBLE_ROWS + _WIDTH_SAMPLE_ROWS)
    filled = [sum(1 for cell in row if cell.strip()) for row in rows]
    wide = [count for count in filled if count >= 2]
    if not wide:
        return 0
    typical = max(set(wide), key=wide.count)
    header = 0
    while header < min(len(rows) - 1, _MAX_PREAMBLE_ROWS) and filled[header] <= max(1, typical // 2):
        header += 1
    if filled[header] <= max(1, typical // 2):
        return 0
    if header == 0:
        return None if _looks_like_values(rows[0]) else 0
    above = rows[header - 1]
    if len(above) == len(rows[header]) and any(cell.strip() for cell in above) and (
        _looks_like_values(rows[header])
        or (not above[0].strip() and _shares_a_number_column(rows[header], rows[header + 1:header + 2]))
    ):
        # A header with blank names (",b," or a pandas index export ",value") fills few fields, like a
        # title; when the row below it is plainly data, the sparse row was the header after all.
        return header - 1
    return header


def _looks_like_values(row: list[str]) -> bool:
    """Only numbers, or several cells that look like values (fractions, dates, true/false)."""
    cells = [cell.strip() for cell in row if cell.strip()]
    all_numbers = len(cells) == len(row) and all(_NUMBER_CELL.match(cell) for cell in cells)
    data_like = sum(1 for cell in cells if _DATA_LIKE_CELL.match(cell))
    return all_numbers or (data_like >= 2 and data_like >= len(cells) / 3)


def _shares_a_number_column(row: list[str], below: list[list[str]]) -> bool:
    """A number where the next row has one too: a data row, not column names."""
    return any(
        _NUMBER_CELL.match(cell.strip()) and position < len(other) and _NUMBER_CELL.match(other[position].strip())
        for other in below for position, cell in enumerate(row)
    )


def detect_encoding(raw: bytes, whole_file: bool = False) -> str:
    """UTF-8 (with or without BOM), UTF-16, else the best single-byte guess (cp1252 family).

    Only the head is checked unless ``whole_file``; the reader re-detects on the whole file when
    it meets bytes the guess cannot decode.
    """
    for bom, name in _BOMS:
        if raw.startswith(bom):
            return name
    if _looks_utf16(raw[:SNIFF_BYTES]):
        return "utf-16-le" if raw[1:2] == b"\x00" else "utf-16-be"
    try:
        if whole_file:
            raw.decode("utf-8")
        else:  # an incremental decoder tolerates a character cut at the end of the head
            codecs.getincrementaldecoder("utf-8")().decode(raw[:SNIFF_BYTES], final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    # Spreadsheet programs on Windows write cp1252; it decodes every Latin-1 letter the same
    # way, and statistical guessers often mistake short Western files for Asian encodings.
    try:
        if _plausible_western(raw[:SNIFF_BYTES].decode("cp1252")):
            raw.decode("cp1252")
            return "cp1252"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    # On a large head the guesser can give up altogether (a 300 KB Big5 file); 64 KB is plenty. When the
    # whole file is judged, the guess starts at its first byte beyond ASCII, the bytes that decide.
    start = 0
    if whole_file:
        first = re.search(rb"[\x80-\xff]", raw)
        start = max(0, first.start() - 1024) if first else 0
    best = from_bytes(raw[start:start + FORMAT_SNIFF_BYTES]).best()
    encoding = best.encoding if best is not None and best.encoding != "ascii" else "latin-1"
    if whole_file:
        try:
            raw.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            return "latin-1"  # decodes any byte: a few odd letters beat refusing the file
    return encoding


def decode_text(raw: bytes, encoding: str, partial: bool = False) -> str:
    """Decode bytes; a wrong encoding choice is the user's to fix, so it is a ``DataError``."""
    if encoding.replace("_", "-").lower().startswith("utf-16") and not _starts_with_utf16_bom(raw) \
            and not _looks_utf16(raw[:SNIFF_BYTES]):
        raise DataError(f"The file is not valid {encoding} text (no UTF-16 byte pattern). Choose another "
                        "encoding under Loading options, for example utf-8 or cp1252.")
    try:
        text = raw.decode(encoding, errors="ignore" if partial else "strict")
    except LookupError:
        raise DataError(
            f"Unknown encoding '{encoding}'. Use one such as utf-8, utf-16, cp1252 or latin-1."
        ) from None
    except UnicodeDecodeError as exc:
        raise DataError(
            f"The file is not valid {encoding} (byte {exc.start}). Choose another encoding "
            "under Loading options, for example cp1252 or latin-1 for files from Excel."
        ) from None
    return text.lstrip("\ufeff")


def detect_delimiter(sample: str) -> str:
    """The candidate that splits the first lines into the most, and most consistent, fields."""
    lines = sample.splitlines()[:60]
    if len(sample) >= SNIFF_BYTES - 4 and len(lines) > 1:
        lines = lines[:-1]  # the last line of a cut sample is usually incomplete
    text = "\n".join(lines)
    best, best_score = ",", 0.0
    for candidate in DELIMITERS:
        counts = [len(row) for row in _csv_rows(text, candidate) if row]
        if not counts:
            continue
        typical = max(set(counts), key=counts.count)
        if typical < 2:
            continue
        consistency = counts.count(typical) / len(counts)
        score = consistency * min(typical, 50)
        if score > best_score:
            best, best_score = candidate, score
    return best


def detect_number_format(sample: str, delimiter: str) -> tuple[str, str | None]:
    """Return (decimal mark, thousands separator) judged from the sample's cells."""
    cells = [
        cell.strip()
        for row in _csv_rows(sample, delimiter)
        for cell in row[:100]
    ][:20000]
    cell_array = pa.array(cells, type=pa.string())

    def matching(pattern: re.Pattern) -> int:  # pyarrow's regex engine: 20,000 cells in a millisecond
        return pc.sum(pc.match_substring_regex(cell_array, pattern.pattern)).as_py() or 0

    comma_decimal = matching(_DECIMAL_COMMA) if delimiter != "," else 0
    dot_thousands = matching(_THOUSANDS_DOT)
    comma_thousands = matching(_THOUSANDS_COMMA)
    plain_dot_decimal = matching(_PLAIN_DOT_DECIMAL)
    if comma_decimal > 0 and comma_decimal >= plain_dot_decimal:
        return ",", ("." if dot_thousands > 0 else None)
    if comma_thousands > 0 and delimiter != ",":
        return ".", ","
    if comma_thousands > 0 and delimiter == "," and any(
        _THOUSANDS_COMMA.match(c) for c in _quoted_cells(sample)
    ):
        return ".", ","
    return ".", None


def unique_column_names(names: list[str]) -> list[str]:
    """Trim names, name blank ones ``column_<n>`` and suffix repeats ``_2``, ``_3``..."""
    result: list[str] = []
    seen: set[str] = set()
    for position, name in enumerate(names, start=1):
        base = " ".join(str(name).split()) or f"column_{position}"
        candidate, counter = base, 2
        while candidate in seen:
            candidate, counter = f"{base}_{counter}", counter + 1
        seen.add(candidate)
        result.append(candidate)
    return result


def _plausible_western(text: str) -> bool:
    """Western text decoded as cp1252 has mostly letters beyond ASCII (é, ü, ñ); a Chinese or
    Japanese file read that way is mostly symbols (¤, ¦, ², ³, ´), which means another encoding."""
    beyond_ascii = [char for char in text if ord(char) > 127]
    if len(beyond_ascii) < 20:
        return True
    symbols = sum(1 for char in beyond_ascii if not char.isalpha())
    return symbols / len(beyond_ascii) < 0.3


def _starts_with_utf16_bom(raw: bytes) -> bool:
    return raw.startswith(b"\xff\xfe") or raw.startswith(b"\xfe\xff")


def _looks_utf16(head: bytes) -> bool:
    """Text in UTF-16 without a BOM has a NUL in every other byte for ASCII characters."""
    sample = head[:4000]
    if len(sample) < 8:
        return False
    even_nul = sample[0::2].count(0) / len(sample[0::2])
    odd_nul = sample[1::2].count(0) / len(sample[1::2])
    return max(even_nul, odd_nul) > 0.4 and min(even_nul, odd_nul) < 0.05


def _is_utf8_text(head: bytes) -> bool:
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _control_byte_share(head: bytes) -> float:
    control_bytes = bytes(b for b in range(32) if b not in (9, 10, 12, 13))
    control = len(head) - len(head.translate(None, control_bytes))
    return control / max(len(head), 1)


def _csv_rows(text: str, delimiter: str, limit: int | None = None) -> list[list[str]]:
    """Rows of a text sample; any line ending (old Macs end lines with a bare CR) ends a row.

    A sample cut inside a quoted field, or quoting the csv module refuses, ends the rows early:
    sniffing needs the first rows, and the parser proper reports real quoting errors.
    """
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            rows.append(row)
            if limit is not None and len(rows) >= limit:
                break
    except csv.Error:
        pass
    return rows


def _quoted_cells(sample: str) -> list[str]:
    return re.findall(r'"([^"\n]*)"', sample)[:5000]


def _header_names(head: str, options: ReadOptions) -> tuple[list[str], list[str]]:
    """Return column names (read from the file's head) and notes for the user."""
    notes: list[str] = []
    header_row = options.header_row
    skip = header_row if header_row is not None else 0
    rows = _csv_rows(head, options.delimiter, limit=skip + 1 + _WIDTH_SAMPLE_ROWS)
    if len(rows) <= skip:
        raise DataError(
            f"The file has fewer than {skip + 1} lines, so row {skip} cannot be the header. "
            "Lower 'header row' under Loading options."
        )
    first = rows[skip]
    if header_row is None:
        names = [f"column_{i}" for i in range(1, len(first) + 1)]
    else:
        names = unique_column_names(first)
        if names != [str(n).strip() for n in first]:
            notes.append("Some column names were blank, repeated or padded; "
                         "they were made unique and trimmed.")
    # Rows wider than the header (a header cell forgotten, a delimiter after every value) would all
    # be dropped as malformed; give the extra columns names instead.
    body_start = skip if header_row is None else skip + 1
    widths = [len(row) for row in rows[body_start:] if row]
    typical = max(set(widths), key=widths.count) if widths else len(names)
    # A one-field header over wider rows means a wrong delimiter more often than a forgotten name.
    if len(names) >= 2 and typical > len(names) and widths.count(typical) >= 0.5 * len(widths):
        extra = typical - len(names)
        names = unique_column_names(names + [""] * extra)
        if header_row is not None:
            notes.append(f"Most rows have {typical} fields but the header names {typical - extra}; "
                         f"the last {extra} column(s) were given generic names.")
    if len(names) > MAX_COLUMNS:
        raise DataError(
            f"The table has {len(names):,} columns; the workbench handles up to {MAX_COLUMNS:,}. "
            "Keep the columns you need (or transpose a table that has one column per record) "
            "and upload that file."
        )
    return names, notes


def _offset_after_rows(text: str, delimiter: str, rows: int) -> int:
    """Character offset where the given number of CSV records (quotes respected) ends.

    CR LF, LF and a bare CR (old Mac files) each end a record.
    """
    if rows == 0:
        return 0
    in_quotes, seen, position = False, 0, 0
    for position, char in enumerate(text):
        if char == '"':
            in_quotes = not in_quotes
        elif char in "\r\n" and not in_quotes:
            if char == "\r" and text[position + 1:position + 2] == "\n":
                continue
            seen += 1
            if seen == rows:
                return position + 1
    return len(text)
