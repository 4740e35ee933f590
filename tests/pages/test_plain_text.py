"""File names, column names and messages reach Streamlit's Markdown escaped: shown as typed."""

from __future__ import annotations

import string

from streamlit.testing.v1 import AppTest

from tests.pages.conftest import APP, assert_no_exception
from ui.plain_text import md_escape

NAME = "**b** $x^2$ <a href='javascript:alert(1)'>[t](http://example.invalid/i.png)\n.csv"
COLUMN = "![t](http://example.invalid/i.png)"


def test_md_escape_escapes_every_markdown_character_and_line_break():
    escaped = md_escape(NAME)
    assert "\n" not in escaped and "\\\\n" in escaped  # the newline is shown as \n, on one line
    unescaped = escaped.replace("\\\\", "")
    for position, char in enumerate(unescaped):
        if char in string.punctuation and char != "\\":
            assert unescaped[position - 1] == "\\", (position, unescaped)
    assert md_escape("plain words 12") == "plain words 12"
    assert md_escape("a\u2028b\u202ec") == "a\\\\u2028b\\\\u202ec"


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
