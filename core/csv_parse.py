"""Parsing a CSV body with pyarrow or pandas so every line is kept or counted, split from core.io."""

from __future__ import annotations

import csv
import io
import os
import re
import warnings
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from core.csv_sniff import (
    _SPLIT_BLOCKS_MAX_COLUMNS,
    SNIFF_BYTES,
    ReadOptions,
    _csv_rows,
    _head_size,
    _offset_after_rows,
    _UndecodableError,
    decode_text,
)
from core.errors import DataError
from core.schema import as_dates


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
