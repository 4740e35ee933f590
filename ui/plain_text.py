"""Text from the data shown literally wherever Streamlit reads Markdown.

Streamlit renders Markdown (with HTML, maths, colour and icon directives) in ``st.markdown``,
captions, alerts, widget labels, expander and tab titles, metric labels and help texts. A file
name, column name, cell or recipe setting that reaches one of them passes through ``md_escape``
first, so ``**b**``, ``$x$``, ``<a href=...>`` or ``![t](http://...)`` show as typed and never
become styling, maths, links or outside requests.

Only characters that can start Markdown, LaTeX or HTML are escaped, so ordinary names and
messages (``breast_cancer.csv``, ``Column 'age': 3 values``) keep their text unchanged.
"""

from __future__ import annotations

import re
import unicodedata

_HIDDEN = frozenset(("Cc", "Cs", "Co", "Cn", "Zl", "Zp"))  # controls, line breaks, unassigned
_BIDI = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Emphasis, code, links and images, HTML and entities, maths, strikethrough, e-mail autolinks.
_ALWAYS = r"\\*`\[\]<>&$~@"
_SIGNIFICANT = re.compile(
    rf"[{_ALWAYS}]"
    r"|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])"  # '_' opens or closes emphasis unless inside a word
    r"|:(?=[\w/+-])"  # 'http://', ':material/...:', ':red[', ':smile:'
    r"|(?<=\bwww)\."  # 'www.example.com' becomes a link by itself
)
# At the start of the text: a heading, quote, list item or rule.
_LINE_START = re.compile(r"^(\s*|\s*\d+)((?<=\d)[.)](?=\s|$)|(?<!\d)>|(?<!\d)[#*+-](?=\s|$|[#*-]))")


# GFM turns 'http://...', 'www.' and 'a@b.c' into links after escapes are read, so an invisible
# word joiner (U+2060) goes where the pattern needs a plain character.
_AUTOLINK = re.compile(r"(?i)(https?|www)(?=\\?[:.])|(?=\\@)")
_WORD_JOINER = "\u2060"


def _visible(char: str) -> str:
    """Control, line-separator and direction-override characters as escapes (``\\n``), others unchanged.

    Joiners and other format characters stay: scripts such as Persian and emoji sequences need them.
    """
    if unicodedata.category(char) in _HIDDEN or char in _BIDI:
        return ascii(char)[1:-1]
    return char


def md_escape(text: object) -> str:
    """``text`` on one line with every Markdown, LaTeX and HTML-significant character backslash-escaped."""
    visible = "".join(_visible(char) for char in str(text))
    escaped = _SIGNIFICANT.sub(lambda match: "\\" + match.group(0), visible)
    escaped = _AUTOLINK.sub(lambda match: (match.group(1) or "") + _WORD_JOINER, escaped)
    return _LINE_START.sub(lambda match: match.group(1) + "\\" + match.group(2), escaped)
