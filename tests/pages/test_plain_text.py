"""File names, column names and messages reach Streamlit's Markdown escaped: shown as typed."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.pages.conftest import APP, assert_no_exception
from ui.plain_text import md_escape

NAME = "**b** $x^2$ <a href='javascript:alert(1)'>[t](http://example.invalid/i.png)\n.csv"
COLUMN = "![t](http://example.invalid/i.png)"


@pytest.mark.parametrize("text, shown", [
    ("**b** and __c__", "\\*\\*b\\*\\* and \\_\\_c\\_\\_"),
    ("$x^2$", "\\$x^2\\$"),
    ("<img src=http://example.invalid/x.png>", "\\<img src=http\u2060\\://example.invalid/x.png\\>"),
    ("![t](http://example.invalid/i.png)", "!\\[t\\](http\u2060\\://example.invalid/i.png)"),
    ("[go](javascript:alert(1))", "\\[go\\](javascript\\:alert(1))"),
    (":red[x] :material/home: `code` ~~s~~ &amp;", "\\:red\\[x\\] \\:material/home: \\`code\\` \\~\\~s\\~\\~ \\&amp;"),
    ("www.example.invalid a@example.invalid", "www\u2060\\.example.invalid a\u2060\\@example.invalid"),
    ("# title", "\\# title"), ("> quote", "\\> quote"), ("- item", "\\- item"), ("1. item", "1\\. item"),
    ("line\nbreak\rcr\u2028sep\u202eflip", "line\\\\nbreak\\\\rcr\\\\u2028sep\\\\u202eflip"),
    ("breast_cancer.csv", "breast_cancer.csv"), ("Column 'age': 3.5 - 4 (of 10)", "Column 'age': 3.5 - 4 (of 10)"),
])
def test_md_escape_escapes_what_markdown_reads_and_leaves_plain_text_alone(text, shown):
    assert md_escape(text) == shown


def test_hostile_file_and_column_names_are_escaped_on_the_pages():
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    data = f"id,{COLUMN},x\n" + "".join(f"{i},1,{i % 3}\n" for i in range(30))
    at.file_uploader(key="csv_upload").set_value((NAME, data.encode(), "text/csv")).run()
    assert_no_exception(at)
    assert md_escape(NAME) in [caption.value for caption in at.sidebar.caption]
    at.switch_page("pages/explore.py").run()
    assert_no_exception(at)
    texts = [m.value for m in at.markdown]
    assert not any(COLUMN in text for text in texts), texts
    at.switch_page("pages/prepare.py").run()
    assert_no_exception(at)
    shown = [c.value for c in at.caption] + [m.value for m in at.markdown] + [e.label for e in at.expander]
    assert any(md_escape(NAME) in text for text in shown)
    assert not any(NAME in text or COLUMN in text for text in shown)
