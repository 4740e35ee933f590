"""Reading a CSV a user uploaded, whatever its encoding, delimiter or number format.

``detect_read_options`` guesses how a file is written; ``read_csv_robust`` reads it with those
options (or the user's corrections) through pyarrow, falling back to pandas' python engine for
what pyarrow cannot do (thousands separators, ragged rows). Anything a user can get wrong raises
``DataError`` with a message that says what is wrong and what to do.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import os
import re
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from core.errors import DataError
from core.schema import as_dates
from core.units import format_bytes

DELIMITERS = (",", ";", "\t", "|")
MISSING_MARKERS = (
    "", "NA", "N/A", "n/a", "na", "NaN", "nan", "NAN", "null", "NULL", "Null", "None",
    "none", "?", "-", "--", "#N/A", "#NA", "missing", "MISSING", ".",
)
DEFAULT_MAX_UPLOAD_MB = float(os.environ.get("WORKBENCH_MAX_UPLOAD_MB", "200"))
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

# Leading bytes of file formats people rename to .csv by mistake.
_MAGIC = (
    (b"PK\x03\x04", "a ZIP archive (an .xlsx workbook is one)"),
    (b"\xd0\xcf\x11\xe0", "an old Excel/Office file (.xls)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"BZh", "a bzip2 archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"PAR1", "a Parquet file"),
    (b"SQLite format 3", "an SQLite database"),
)
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


@dataclass
class LoadedTable:
    """A table read from a file, with what was detected and anything worth telling the user."""

    frame: pd.DataFrame
    options: ReadOptions
    raw: bytes = field(repr=False)
    notes: list[str] = field(default_factory=list)

    @property
    def fingerprint(self) -> str:
        """Content hash, computed when asked (hashing a large file costs as much as a tenth of the read)."""
        if not hasattr(self, "_fingerprint"):
            self._fingerprint = fingerprint_bytes(self.raw)
        return self._fingerprint


class _UndecodableError(DataError):
    """Bytes that are not valid in the chosen encoding, found while parsing."""


def fingerprint_bytes(raw: bytes) -> str:
    """Content hash that keys caches and records which data a run saw."""
    return hashlib.sha256(raw).hexdigest()[:16]


def read_csv_file(path: str | os.PathLike, options: ReadOptions | None = None) -> LoadedTable:
    """Read a CSV from disk; a missing or unreadable path is a ``DataError``."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except FileNotFoundError:
        raise DataError(f"File not found: {path}. Check the path and try again.") from None
    except IsADirectoryError:
        raise DataError(f"{path} is a folder, not a file. Give the path of a CSV file.") from None
    except OSError as exc:
        raise DataError(f"Cannot read {path}: {exc.strerror}. Check the file's permissions.") from None
    return read_csv_robust(raw, options)


def read_csv_robust(
    raw: bytes,
    options: ReadOptions | None = None,
    max_mb: float = DEFAULT_MAX_UPLOAD_MB,
) -> LoadedTable:
    """Read CSV bytes into a DataFrame with unique, trimmed column names.

    Parameters
    ----------
    raw
        The file's bytes as uploaded.
    options
        How to read it; ``None`` detects everything.
    max_mb
        Upload limit in megabytes; larger files are refused with a clear message.
    """
    check_readable_bytes(raw, max_mb)
    if options is None:
        options = detect_read_options(raw)
        try:
            table = _read_with_options(raw, options)
        except _UndecodableError:
            # Detection checked only the file's head; bad bytes further down mean another encoding.
            table = _read_with_options(raw, replace(options, encoding=detect_encoding(raw, whole_file=True)))
        table.notes[:0] = _header_guess_notes(table.options)
        return table
    table = _read_with_options(raw, options)
    if options.header_row:  # the user's choice, but the lines above it are still not in the table
        table.notes.insert(0, f"The {options.header_row} line(s) above the column names (line "
                              f"{options.header_row + 1}) were left out, as 'Header row' under Loading options says.")
    return table


def _read_with_options(raw: bytes, options: ReadOptions) -> LoadedTable:
    """Read with the given options; every data line ends up in the table or counted in the notes."""
    # UTF-8 goes to pyarrow as bytes (it validates them); only the head is decoded here. Other
    # encodings are decoded once. This keeps loading close to a bare pyarrow read in time and memory.
    native = options.encoding in _PYARROW_NATIVE
    text = None if native else decode_text(raw, options.encoding)
    head_bytes = _head_size(raw, (options.header_row or 0) + 1 + _WIDTH_SAMPLE_ROWS)
    head = decode_text(raw[:head_bytes], options.encoding, partial=True) if native else text[:head_bytes]
    if (raw.isspace() if native else text.isspace()) or not head.strip("\ufeff"):
        raise DataError("The file contains only blank lines. Choose a CSV file that holds a table.")
    names, notes = _header_names(head, options)
    header_rows = (options.header_row + 1) if options.header_row is not None else 0
    head_is_whole_file = len(raw) <= head_bytes if native else len(text) <= head_bytes
    # pyarrow given nothing after the header rows can abort the process at exit (apache/arrow#38676).
    no_body = head_is_whole_file and not head[_offset_after_rows(head, options.delimiter, header_rows):].strip()
    frame = pd.DataFrame(columns=names) if no_body else _parse_body(raw, text, names, options, notes)
    if frame.shape[0] == 0:
        raise DataError(
            "The file has a header row but no data rows. Add rows below the header, "
            "or check the 'header row' option under Loading options."
        )
    frame, dropped = _drop_empty_unnamed_columns(frame, names)
    if dropped:
        notes.append(f"Dropped {dropped} empty column(s) without a name (trailing delimiters).")
    _store_text_dates_as_dates(frame)
    return LoadedTable(frame=frame, options=options, raw=raw, notes=notes)


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


def _header_guess_notes(options: ReadOptions) -> list[str]:
    """Say so when detection did not take the first line as the column names: a guess to check."""
    if options.header_row is None:
        return ["The first line looks like data, not column names, so the columns are named column_1, "
                "column_2, ... If it does hold names, tick 'The file has a header row' under Loading options."]
    if options.header_row > 0:
        return [f"The column names are on line {options.header_row + 1}; the {options.header_row} line(s) above "
                "them (a title, notes or blank lines) were left out. If that is wrong, change 'Header row' "
                "under Loading options."]
    return []


def check_readable_bytes(raw: bytes, max_mb: float = DEFAULT_MAX_UPLOAD_MB) -> None:
    """Refuse empty, oversized and non-text files before any parsing is tried."""
    if len(raw) == 0:
        raise DataError("The file is empty (0 bytes). Choose a CSV file that holds a table.")
    if len(raw) > max_mb * 1024 * 1024:
        raise DataError(
            f"The file is {format_bytes(len(raw))}, over the {format_bytes(max_mb * 1024 * 1024)} limit. "
            "Upload a sample of the rows, or raise WORKBENCH_MAX_UPLOAD_MB."
        )
    for magic, what in _MAGIC:
        if raw.startswith(magic):
            raise DataError(
                f"This file is {what}, not a CSV text file. Open it in its program and "
                "export or save it as CSV (comma-separated values), then upload that."
            )
    head = raw[:SNIFF_BYTES]
    if any(head.startswith(bom) for bom, _ in _BOMS) or _looks_utf16(head):
        return
    if _is_utf8_text(head) and head.count(b"\x00") <= max(1, len(head) // 1000):
        return  # valid UTF-8 with a stray NUL or form feed in a cell is still a text table
    if b"\x00" in head or _control_byte_share(head) > 0.05:
        raise DataError(
            "This file looks binary, not text. Upload a CSV text file: a table with one row "
            "per line and values separated by commas, semicolons, tabs or pipes."
        )


def detect_read_options(raw: bytes) -> ReadOptions:
    """Guess encoding, delimiter, decimal mark and thousands separator from the file's start."""
    encoding = detect_encoding(raw)
    # A wide table's first lines can be longer than the usual sample; a few whole lines are needed.
    sample = decode_text(raw[:_head_size(raw, 5, FORMAT_SNIFF_BYTES)], encoding, partial=True)
    delimiter = detect_delimiter(sample)
    decimal, thousands = detect_number_format(sample, delimiter)
    return ReadOptions(delimiter=delimiter, encoding=encoding, decimal=decimal, thousands=thousands,
                       header_row=detect_header_row(sample, delimiter))


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


class _ShortRowsError(Exception):
    """pyarrow can only drop rows with too few fields; the pandas reader fills them instead."""

    def __init__(self, short: int, long: int) -> None:
        super().__init__(f"{short} short row(s)")
        self.short, self.long = short, long


# An empty line: a line ending right after another (CR LF, LF or a bare CR each end a line).
_EMPTY_LINE = re.compile(r"(?:\r\n|\r(?!\n)|\n)(?=\r\n|\r|\n)")
_EMPTY_LINE_BYTES = re.compile(_EMPTY_LINE.pattern.encode())


def _parse_body(
    raw: bytes, text: str | None, names: list[str], options: ReadOptions, notes: list[str]
) -> pd.DataFrame:
    """Every data line ends up in the table or counted in ``notes``: nothing is lost silently."""
    header_rows = (options.header_row + 1) if options.header_row is not None else 0
    short_rows = 0
    if options.thousands is None:
        utf8 = raw if text is None else text.encode("utf-8")
        try:
            return _parse_with_pyarrow(utf8, header_rows, names, options, notes)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass  # bad UTF-8, ragged quoting: the pandas reader is more forgiving (and decodes strictly)
        except _ShortRowsError as ragged:
            short_rows = ragged.short
    if text is None:
        try:
            text = decode_text(raw, options.encoding)
        except DataError as exc:
            raise _UndecodableError(str(exc)) from None
    body = text[_offset_after_rows(text, options.delimiter, header_rows):]
    if not body.strip():
        return pd.DataFrame(columns=names)
    frame = _parse_with_pandas(body, names, options, notes)
    # pyarrow counts a line of spaces as a short row; pandas skips it as blank (counted as such).
    blank_padding = _whitespace_only_lines(body, options.delimiter)
    if short_rows - blank_padding > 0:
        notes.append(f"{short_rows - blank_padding} row(s) have fewer fields than the header's {len(names)}; "
                     "their missing cells were left empty.")
    return frame


def _blank_lines_note(count: int) -> list[str]:
    return [f"Skipped {count} blank line(s) between the rows."] if count else []


def _whitespace_only_lines(body: str, delimiter: str) -> int:
    """Lines of spaces only (no delimiter), which the pandas reader skips as blank."""
    spaces = "".join(char for char in " \t" if char != delimiter)
    return len(re.findall(rf"(?m)^[{re.escape(spaces)}]+\r?$", body.replace("\r\n", "\n").replace("\r", "\n")))


def _count_blank_lines(body: str | bytes, table: pa.Table) -> int:
    """Empty lines between data rows (not those at the end of the file, nor inside quoted values)."""
    pattern = _EMPTY_LINE_BYTES if isinstance(body, bytes) else _EMPTY_LINE
    newline = b"\n" if isinstance(body, bytes) else "\n"
    count = len(pattern.findall(newline + body.rstrip()))
    quote = b'"' if isinstance(body, bytes) else '"'
    if count and quote in body:
        for column in table.columns:
            if _is_text(column.type):
                count -= _empty_lines_in_values(column)
    return max(count, 0)


def _empty_lines_in_values(column: pa.ChunkedArray) -> int:
    """Line endings right after another inside quoted values: each run of k endings holds k - 1."""
    endings = pc.replace_substring(pc.replace_substring(column, "\r\n", "\n"), "\r", "\n")
    total = pc.sum(pc.count_substring(endings, "\n")).as_py() or 0
    runs = pc.sum(pc.count_substring_regex(endings, "\n+")).as_py() or 0
    return total - runs


def _parse_with_pyarrow(
    utf8: bytes, skip_rows: int, names: list[str], options: ReadOptions, notes: list[str]
) -> pd.DataFrame:
    short: list[int] = []
    long: list[int] = []

    def skip_bad_row(row: Any) -> str:
        (short if row.actual_columns < row.expected_columns else long).append(row.number)
        return "skip"

    table = pacsv.read_csv(
        io.BytesIO(utf8),
        read_options=pacsv.ReadOptions(column_names=names, skip_rows=skip_rows),
        parse_options=pacsv.ParseOptions(
            # Newlines inside quotes force a serial parse; without any quote there can be none.
            delimiter=options.delimiter, newlines_in_values=b'"' in utf8, invalid_row_handler=skip_bad_row
        ),
        convert_options=pacsv.ConvertOptions(
            null_values=list(options.missing_markers),
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
            decimal_point=options.decimal,
            true_values=["true", "True", "TRUE"],
            false_values=["false", "False", "FALSE"],
        ),
    )
    undecodable = [name for name, kind in zip(table.column_names, table.schema.types, strict=True)
                   if pa.types.is_binary(kind) or pa.types.is_large_binary(kind)]
    if undecodable:
        raise _UndecodableError(f"Column '{undecodable[0]}' has bytes that are not valid {options.encoding}. Choose "
                        "another encoding under Loading options, for example cp1252 or latin-1.")
    if short:
        raise _ShortRowsError(len(short), len(long))
    _refuse_unclosed_quote(utf8, table)
    if long and table.num_rows == 0:
        raise DataError(
            f"No row has the header's {len(names)} field(s) when split by {options.delimiter!r}. "
            "Choose another delimiter under Loading options."
        )
    if long:
        notes.append(_wide_rows_note(len(long), len(names)))
    # pyarrow skips empty lines without a word. One pass counting line ends tells whether
    # the file has more lines than rows; only then are the empty ones found and counted.
    if _physical_lines(utf8) > skip_rows + table.num_rows + len(long):
        head = utf8[:_head_size(utf8, skip_rows + 1)].decode("utf-8", errors="ignore")
        start = len(head[:_offset_after_rows(head, options.delimiter, skip_rows)].encode("utf-8"))
        notes.extend(_blank_lines_note(_count_blank_lines(utf8[start:], table)))
    table = _trim_arrow_strings(table, options)
    # Date-only columns become datetime64 here rather than Python date objects.
    return _to_pandas(table)


def _physical_lines(utf8: bytes) -> int:
    """Lines in the file, not counting empty ones at its end (CR LF, LF or bare CR line ends)."""
    ending = b"\n" if b"\n" in utf8[:SNIFF_BYTES] or b"\r" not in utf8[:SNIFF_BYTES] else b"\r"
    tail = utf8[-4096:]
    trailing = len(tail) - len(tail.rstrip(b"\r\n"))
    body_end = len(utf8) - trailing
    return utf8.count(ending, 0, body_end) + (1 if body_end > 0 else 0)


def _wide_rows_note(count: int, width: int) -> str:
    return (f"Skipped {count} row(s) with more fields than the header's {width} (a delimiter inside an "
            "unquoted value, or a missing column name). Fix those rows in the file to keep them.")


def _refuse_unclosed_quote(utf8: bytes, table: pa.Table) -> None:
    """pyarrow reads a quote that is never closed as one value running to the end of the file.

    Balanced quoting has an even number of quote characters; only when it is odd is the last row
    looked at (one row, so this costs nothing on the fast path).
    """
    if table.num_rows == 0 or b'"' not in utf8 or utf8.count(b'"') % 2 == 0:
        return
    last = table.slice(table.num_rows - 1)
    for column in last.columns:
        if _is_text(column.type):
            value = column[0].as_py()
            if value is not None and ("\n" in value or "\r" in value):
                raise DataError(
                    f'A quote (") opened in data row {table.num_rows} is never closed, so the rest of the '
                    "file would become one value. Close or remove that quote in the file and upload it again."
                )


def _parse_with_pandas(body: str, names: list[str], options: ReadOptions, notes: list[str]) -> pd.DataFrame:
    """pandas' C reader: thousands separators, and rows with too few fields (filled with missing).

    Given a first row wider than ``names``, pandas silently drops its extra cells; so the names are
    padded to that row's width, and rows with a value beyond the header are then skipped and counted
    like every other row wider than the header.
    """
    cut = body.find("\n", SNIFF_BYTES)
    first_rows = _csv_rows(body[:cut if cut > 0 else len(body)], options.delimiter, limit=2)
    first_width = max((len(row) for row in first_rows[:1]), default=0)
    padding = [f"\x00extra_{i}" for i in range(max(0, first_width - len(names)))]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", pd.errors.ParserWarning)
        try:
            frame = pd.read_csv(
                io.StringIO(body),
                sep=options.delimiter,
                names=names + padding,
                header=None,
                index_col=False,
                engine="c",
                decimal=options.decimal,
                thousands=options.thousands,
                na_values=list(options.missing_markers),
                keep_default_na=False,
                on_bad_lines="warn",
                skipinitialspace=True,
                skip_blank_lines=True,
                low_memory=False,
            )
        except (pd.errors.ParserError, csv.Error, ValueError) as exc:
            problem = " ".join(str(exc).split())
            unclosed = re.search(r"EOF inside string starting at row (\d+)", problem)
            if unclosed:
                problem = f'a quote (") opened in data row {int(unclosed.group(1)) + 1} is never closed'
            raise DataError(
                f"The file cannot be read as CSV with delimiter {options.delimiter!r} ({problem}). "
                "Check the delimiter under Loading options, and that every opening quote (\") is closed."
            ) from None
    long_rows = sum(str(warning.message).count("Skipping line") for warning in caught)
    if padding:
        wide = frame[padding].notna().any(axis=1).to_numpy()
        long_rows += int(wide.sum())
        frame = frame.loc[~wide, names].reset_index(drop=True)
    if long_rows:
        notes.append(_wide_rows_note(long_rows, len(names)))
    if frame.shape[0] == 0:
        return frame
    # The same trimming and typing as the pyarrow path: one mechanism for padded cells and markers.
    table = _trim_arrow_strings(pa.Table.from_pandas(frame, preserve_index=False), options)
    blank = _count_blank_lines(body, table) + _whitespace_only_lines(body.rstrip(), options.delimiter)
    notes.extend(_blank_lines_note(blank))
    return _to_pandas(table)


def _to_pandas(table: pa.Table) -> pd.DataFrame:
    """Date-only columns become datetime64 rather than Python date objects.

    One block per column keeps the conversion's peak memory low; a wide table instead gets one block
    per dtype, or every later pandas step pays per column (seconds for 20,000 columns).
    """
    return table.to_pandas(self_destruct=True, split_blocks=table.num_columns <= _SPLIT_BLOCKS_MAX_COLUMNS,
                           date_as_object=False)


def _trim_arrow_strings(table: pa.Table, options: ReadOptions) -> pa.Table:
    """Trim padding around text cells in Arrow, then treat padded markers as missing.

    pyarrow has already nulled the unpadded markers and typed every clean number and date column,
    so a column that trimming leaves as long as it was (the usual case) is kept as read, without
    the marker lookup or a second try at typing it.
    Columns are trimmed in threads: Arrow releases the GIL, and this is most of the cost left.
    """
    markers = pa.array(list(options.missing_markers), type=pa.string())

    def trim(column: pa.ChunkedArray) -> pa.ChunkedArray:
        trimmed = pc.utf8_trim_whitespace(column)
        if pc.sum(pc.binary_length(trimmed)) == pc.sum(pc.binary_length(column)):
            return column
        return _typed_if_all_parse(pc.if_else(pc.is_in(trimmed, value_set=markers), None, trimmed), options)

    text = [i for i, column in enumerate(table.columns) if _is_text(column.type)]
    if not text:
        return table
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        trimmed = dict(zip(text, pool.map(trim, [table.column(i) for i in text]), strict=True))
    return pa.table([trimmed.get(i, column) for i, column in enumerate(table.columns)], names=table.column_names)


def _is_text(kind: pa.DataType) -> bool:
    return pa.types.is_string(kind) or pa.types.is_large_string(kind)


def _typed_if_all_parse(column: pa.ChunkedArray, options: ReadOptions) -> pa.ChunkedArray:
    """Padding (" 12") or a padded marker (" NA") kept the reader from typing a number or date column."""
    numbers = column
    if options.thousands:
        numbers = pc.replace_substring(numbers, options.thousands, "")
    if options.decimal != ".":
        numbers = pc.replace_substring(numbers, options.decimal, ".")
    for values, kind in ((numbers, pa.int64()), (numbers, pa.float64()), (column, pa.timestamp("s"))):
        try:
            return pc.cast(values, kind)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            continue
    return column


def _store_text_dates_as_dates(frame: pd.DataFrame) -> None:
    """Dates pyarrow leaves as text (``01/02/2013``, mixed offsets) become datetimes, in place."""
    for position, dtype in enumerate(frame.dtypes.tolist()):
        if pd.api.types.is_string_dtype(dtype) or pd.api.types.is_object_dtype(dtype):
            dates = as_dates(frame.iloc[:, position])
            if dates is not None:
                frame.isetitem(position, dates)


def _drop_empty_unnamed_columns(frame: pd.DataFrame, names: list[str]) -> tuple[pd.DataFrame, int]:
    generated = [n for n in frame.columns if re.fullmatch(r"column_\d+", str(n))]
    empty = [n for n in generated if frame[n].isna().all()]
    if empty and len(empty) < frame.shape[1]:
        return frame.drop(columns=empty), len(empty)
    return frame, 0
