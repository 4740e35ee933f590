"""Awkward CSV files built in memory: every encoding, delimiter, number format and bad file we handle."""

import gzip
import io
import zipfile

BASIC = "name,price,qty\nÄpfel,1.5,3\nBirne,2.25,4\nCafé,3.0,5\n"


def _xlsx_like() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


GOOD = {
    "utf8": BASIC.encode("utf-8"),
    "utf8_bom": BASIC.encode("utf-8-sig"),
    "utf16_bom": BASIC.encode("utf-16"),
    "utf16le_no_bom": BASIC.encode("utf-16-le"),
    "cp1252": "name;price;qty\nÄpfel;1,5;3\nBirne;2,25;4\nCafé;3,0;5\n".encode("cp1252"),
    "semicolon_decimal_comma": b"name;price;qty\nA;1,5;3\nB;2,25;4\nC;3,0;5\n",
    "tab": b"name\tprice\tqty\nA\t1.5\t3\nB\t2.25\t4\nC\t3.0\t5\n",
    "pipe": b"name|price|qty\nA|1.5|3\nB|2.25|4\nC|3.0|5\n",
    "thousands_dot": b"name;price;qty\nA;1.234,5;3\nB;2.000,25;4\nC;3,0;5\n",
    "thousands_quoted": b'name,price,qty\nA,"1,234.5",3\nB,"2,000.25",4\nC,3.0,5\n',
    "crlf": BASIC.replace("\n", "\r\n").encode(),
    "no_trailing_newline": BASIC.rstrip("\n").encode(),
    "missing_markers": b"a,b\n1,x\nNA,y\nN/A,z\n?,w\nnull,v\n-,u\nNaN,t\n NA ,s\n,r\n2,q\n",
    "quoted_newlines": b'id,comment\n1,"line one\nline two"\n2,"has, comma"\n3,"say ""hi"""\n',
    "messy_header": b" a , a ,,b\n1,2,3,4\n5,6,7,8\n",
    "trailing_delimiter": b"a,b,\n1,2,\n3,4,\n",
    "ragged": b"a,b\n1,2\n3,4,5\n6,7\n",
    "one_column": b"value\n1\n2\n3\n",
    "junk_before_header": b"Exported 2024-01-01\nby tool\na,b\n1,2\n3,4\n",
    "dates": b"day,v\n2024-01-01,1\n2024-02-15,2\n2024-03-31,3\n",
}

BAD = {
    "empty": (b"", "empty"),
    "blank_lines": (b"\n\n   \n\n", "blank"),
    "header_only": (b"a,b,c\n", "no data rows"),
    "png": (b"\x89PNG\r\n\x1a\n" + bytes(100), "PNG"),
    "xlsx": (_xlsx_like(), "ZIP"),
    "pdf": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "PDF"),
    "gzip": (gzip.compress(BASIC.encode()), "gzip"),
    "binary": (bytes(range(256)) * 20, "binary"),
}
