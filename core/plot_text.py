"""Text from the data made literal for Plotly, which reads titles, labels and hover text as HTML.

Plotly renders a subset of HTML in every text it draws (``<a href>`` becomes a live link, ``<br>`` a
line break) and a title that starts and ends with ``$`` as LaTeX. Column names, labels and cells
pass through ``plot_text`` on their way into a figure so they show exactly as written.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "$": "&#36;"}


def plot_text(text: object) -> str:
    """``text`` with ``&``, ``<``, ``>`` (and ``$``) written as HTML entities."""
    return "".join(_ENTITIES.get(char, char) for char in str(text))


def plot_texts(values: Iterable[object]) -> list[str]:
    return [plot_text(value) for value in values]


def plot_frame(frame: pd.DataFrame, columns: Iterable[str | None]) -> tuple[pd.DataFrame, list[str | None]]:
    """The given columns with escaped names and escaped text cells, and their new names (None stays None).

    Plotly Express takes a column's name as its axis, legend and hover title and a label's text as
    its tick or legend entry; passing it this frame makes every one of them literal.
    """
    chosen = list(columns)
    unique = list(dict.fromkeys(name for name in chosen if name is not None))
    data = pd.DataFrame(index=frame.index)
    for name in unique:
        values = frame[name]
        if not (pd.api.types.is_numeric_dtype(values) or pd.api.types.is_datetime64_any_dtype(values)):
            values = values.astype("string").map(plot_text, na_action="ignore").astype("string")
        data[plot_text(name)] = values
    return data, [None if name is None else plot_text(name) for name in chosen]
