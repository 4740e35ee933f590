"""Text from the data shown literally wherever Streamlit reads Markdown.

Streamlit renders Markdown (with HTML, maths, colour and icon directives) in ``st.markdown``,
captions, alerts, widget labels, expander and tab titles, metric labels and help texts. A file
name, column name, cell or recipe setting that reaches one of them passes through ``md_escape``
first, so ``**b**``, ``$x$``, ``<a href=...>`` or ``![t](http://...)`` show as typed and never
become styling, maths, links or outside requests.
"""

from __future__ import annotations

import string
import unicodedata

_PUNCTUATION = frozenset(string.punctuation)  # CommonMark lets a backslash escape each of these


_HIDDEN = frozenset(("Cc", "Cs", "Co", "Cn", "Zl", "Zp"))  # controls, line breaks, unassigned
_BIDI = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _visible(char: str) -> str:
    """Control, line-separator and direction-override characters as escapes (``\\n``), others unchanged.

    Joiners and other format characters stay: scripts such as Persian and emoji sequences need them.
    """
    if unicodedata.category(char) in _HIDDEN or char in _BIDI:
        return ascii(char)[1:-1]
    return char


def md_escape(text: object) -> str:
    """``text`` with every Markdown, LaTeX and HTML character backslash-escaped, on one line."""
    visible = "".join(_visible(char) for char in str(text))
    return "".join("\\" + char if char in _PUNCTUATION else char for char in visible)
