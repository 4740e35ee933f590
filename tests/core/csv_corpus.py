"""Awkward CSV files built in memory (nothing binary is committed): ``GOOD`` and ``BAD`` map a name to bytes.

Every good file is a small table whose expected shape, names and cells ``test_io.py`` checks; every bad
file is one a user might upload by mistake and must be refused with a message naming the problem.
"""

from __future__ import annotations

import gzip
import io
import random
import zipfile

# One table, written many ways: accented text, a decimal column, an integer column.
TEXT = "name,price,qty\nÄpfel,1.5,3\nBirne,2.25,4\nCafé,3.0,5\n"
# Letters that differ between Latin-1 and cp1252 (€) and letters that are the same (é ü ñ).
CP1252_TEXT = "city;price;note\nMünchen;1,5;café\nSevilla;2,25;niño\nParis;3,0;5 €\n"


def _xlsx_like() -> bytes:
    """A real ZIP archive, laid out like an .xlsx workbook."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", "<worksheet/>")
    return buffer.getvalue()


def _random_bytes_with_nuls() -> bytes:
    rng = random.Random(7)
    return bytes(rng.randrange(256) for _ in range(4000)) + b"\x00" * 50


def build_good() -> dict[str, bytes]:
    return {
        "utf8": TEXT.encode("utf-8"),
        "utf8_bom": TEXT.encode("utf-8-sig"),
        "utf16_bom": TEXT.encode("utf-16"),
        "utf16le_no_bom": TEXT.encode("utf-16-le"),
        "cp1252": CP1252_TEXT.encode("cp1252"),
        "comma": b"name,price,qty\nA,1.5,3\nB,2.25,4\nC,3.0,5\n",
        "semicolon_decimal_comma": b"name;price;qty\nA;1,5;3\nB;2,25;4\nC;3,0;5\n",
        "tab": b"name\tprice\tqty\nA\t1.5\t3\nB\t2.25\t4\nC\t3.0\t5\n",
        "pipe": b"name|price|qty\nA|1.5|3\nB|2.25|4\nC|3.0|5\n",
        "thousands_dot": b"name;price;qty\nA;1.234,56;3\nB;2.000,25;4\nC;3,5;5\n",
        "thousands_quoted": b'name,price,qty\nA,"1,234.56",3\nB,"2,000.25",4\nC,3.5,5\n',
        "missing_markers": (
            b"a,b\n1.5,x\n,y\nNA,z\nN/A,w\n?,v\nnull,u\n-,t\nNaN,s\n NA ,r\n2.5,q\n"
        ),
        "missing_markers_text": b"id,label\n1,red\n2,NA\n3, NA \n4,\n5,?\n6,blue\n",
        "quoted_fields": (
            b'id,comment,score\n1,"line one\nline two",1.5\n2,"has, comma",2.5\n3,"say ""hi""",3.5\n'
        ),
        "crlf": TEXT.replace("\n", "\r\n").encode("utf-8"),
        "messy_header": b" a , a ,,b\n1,2,3,4\n5,6,7,8\n",
        "trailing_delimiter": b"a,b,\n1,2,\n3,4,\n",
        "ragged": b"a,b\n1,2\n3,4,5\n6,7\n",
        "one_column": b"value\n1.5\n2\n3\n",
        "no_trailing_newline": TEXT.rstrip("\n").encode("utf-8"),
        "junk_before_header": b"Exported 2024-01-01 by tool\nsecond junk line\na,b\n1,x\n2,y\n",
        "no_header": b"1,2.5,x\n3,4.5,y\n",
        "iso_dates": b"day,v\n2024-01-01,1\n2024-02-15,2\n2024-03-31,3\n",
        # Classic Mac OS ended lines with a bare carriage return.
        "cr_only": TEXT.replace("\n", "\r").encode("utf-8"),
        # Exports that put a title, a note and an empty spreadsheet row above the header.
        "title_above_header": (
            b"Quarterly sales report;;\nsource: shop system;;\n;;\nregion;units;revenue\n"
            b"north;12;3,5\nsouth;7;1,25\neast;9;2,0\n"
        ),
        "hash_comments_above_header": b"# made by a logger\n# units: celsius\nsensor,reading\nA,20.5\nB,21.0\nC,19.5\n",
        # No header at all: the first line is already a record.
        "numbers_without_header": b"10,0.5,7\n20,1.5,8\n30,2.5,9\n",
        "values_without_header": (
            b"ab12,17,2.75,true,2021-03-04\ncd34,18,3.5,false,2021-03-05\nef56,19,4.25,true,2021-03-06\n"
        ),
        # Rows shorter than the header (the last cells left off) and one longer row.
        "short_rows": b"id,name,score\n1,ann,3.5\n2,bob\n3,cy,4.0\n4\n5,dee,2.5,extra\n",
        # The header names two columns, every row carries three.
        "header_narrower_than_rows": b"when,amount\n2024-01-02,5,cash\n2024-01-03,7,card\n2024-01-04,2,cash\n",
        "stray_nul": b"code,qty\nx\x00y,1\nz,2\nw,3\n",
        "big5": ("city,landmark,visitors\n" + "".join(
            f"{city},{place},{n}\n" for n, (city, place) in enumerate([
                ("台北市", "國立故宮博物院"), ("台南市", "赤崁樓古蹟"), ("花蓮縣", "太魯閣國家公園"),
                ("嘉義縣", "阿里山森林遊樂區"), ("南投縣", "日月潭風景區"), ("屏東縣", "墾丁國家公園"),
            ] * 3, start=100))).encode("big5"),
        # Local times without an offset next to times in UTC and at other offsets.
        "mixed_utc_offsets": (
            b"stamp,v\n2020-05-01T08:00:00,1\n2020-05-01T09:00:00Z,2\n2020-05-01T10:00:00+02:00,3\n"
            b"2020-05-02T08:00:00-05:00,4\n"
        ),
    }


def build_bad() -> dict[str, bytes]:
    return {
        "empty": b"",
        "blank_lines": b"\n\n   \n\r\n\n",
        "header_only": b"a,b,c\n",
        "png": b"\x89PNG\r\n\x1a\n" + bytes(200),
        "xlsx": _xlsx_like(),
        "pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
        "binary": _random_bytes_with_nuls(),
        "gzip": gzip.compress(TEXT.encode("utf-8")),
        "too_big": TEXT.encode("utf-8") * 200,  # about 8 KB, over a 0.001 MB limit
        "unclosed_quote": b'a,b\n1,x\n2,"never closed\n3,z\n4,w\n',
        "too_many_columns": (",".join(f"c{i}" for i in range(50_001)) + "\n" + ",".join("1" * 50_001) + "\n").encode(),
    }


GOOD = build_good()
BAD = build_bad()
