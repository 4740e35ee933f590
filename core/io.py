"""Reading a CSV a user uploaded, whatever its encoding, delimiter or number format.

``detect_read_options`` guesses how a file is written; ``read_csv_robust`` reads it with those
options (or the user's corrections) through pyarrow, falling back to pandas' python engine for
what pyarrow cannot do (thousands separators, ragged rows). Anything a user can get wrong raises
``DataError`` with a message that says what is wrong and what to do.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field, replace

import pandas as pd

# Moved out to keep this module small; re-imported so `from core.io import ...` keeps working.
from core.csv_parse import _drop_empty_unnamed_columns, _parse_body, _store_text_dates_as_dates
from core.csv_sniff import (  # noqa: F401
    _BOMS,
    _PYARROW_NATIVE,
    _WIDTH_SAMPLE_ROWS,
    DELIMITERS,
    FORMAT_SNIFF_BYTES,
    MAX_COLUMNS,
    MISSING_MARKERS,
    SNIFF_BYTES,
    ReadOptions,
    _control_byte_share,
    _head_size,
    _header_names,
    _is_utf8_text,
    _looks_utf16,
    _offset_after_rows,
    _UndecodableError,
    decode_text,
    detect_delimiter,
    detect_encoding,
    detect_header_row,
    detect_number_format,
    unique_column_names,
)
from core.errors import DataError
from core.units import format_bytes

DEFAULT_MAX_UPLOAD_MB = float(os.environ.get("WORKBENCH_MAX_UPLOAD_MB", "200"))

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
