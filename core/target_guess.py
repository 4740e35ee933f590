"""Guess the column a person would pick to predict, or none, with the reason said in words.

The last column is a poor default on real tables (a tenure count, a timestamp, a latitude). A
person looks for a column named like an outcome, else a last column holding a few labels, and
otherwise asks. Columns a model cannot learn to predict meaningfully (identifiers, dates, constants,
free text) are never guessed.
"""

from __future__ import annotations

import re

import pandas as pd

# Names a target usually carries in public tables, most telling first; matched as whole words.
# 'class' comes after the outcome words: on the Titanic table it is the travel class, not the target.
TARGET_WORDS = ("target", "label", "outcome", "survived", "churn", "churned", "fraud", "default",
                "diagnosis", "species", "cultivar", "class", "status", "price", "quality", "grade",
                "response", "result", "progression", "income", "sales", "rating")
# A one-letter word matches only as the whole name: 'pos_y' is a coordinate, 'y' a target.
WHOLE_NAME_ONLY = ("y",)
NEVER_TARGET_KINDS = frozenset({"identifier", "datetime", "constant", "text"})
MAX_GUESSED_CLASSES = 20
MIN_ROWS_PER_GUESSED_CLASS = 10
PROMPT = "Pick the column to predict."


def name_words(name: str) -> list[str]:
    """Lowercase words of a column name: 'SalePrice' and 'sale_price' both give ['sale', 'price']."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", str(name))
    return [word for word in re.split(r"[^0-9a-zA-Z]+", spaced.lower()) if word]


def _target_word(name: str) -> str | None:
    if str(name).strip().lower() in WHOLE_NAME_ONLY:
        return str(name).strip().lower()
    words = name_words(name)
    return next((word for word in TARGET_WORDS if word in words), None)


def suggest_target(frame: pd.DataFrame, kinds: dict[str, str]) -> tuple[str | None, str]:
    """The column to predict a person would pick first, and why; ``(None, prompt)`` when none fits.

    Parameters
    ----------
    frame
        The table (after the recipe) the model will be trained on.
    kinds
        Column kinds from the profile (numeric, categorical, boolean, datetime, text, identifier,
        constant); the user's corrections included.
    """
    by_name = {str(c): c for c in frame.columns}
    columns = list(by_name)

    def possible(column: str) -> bool:  # looked at only for the few columns that could be chosen
        return kinds.get(column) not in NEVER_TARGET_KINDS and bool(frame[by_name[column]].notna().any())

    named = []
    for position, column in enumerate(columns):
        word = _target_word(column)
        if word is not None and possible(column):
            rank = (WHOLE_NAME_ONLY + TARGET_WORDS).index(word)
            named.append((column.strip().lower() != word, rank, -position, column, word))
    if named:
        column, word = min(named)[3:]
        return column, f"'{column}' is named like a target (the word '{word}')."
    if columns and kinds.get(columns[-1]) in ("categorical", "boolean") and possible(columns[-1]):
        last = columns[-1]
        counts = frame[by_name[last]].value_counts(dropna=True)
        # A label whose rarest value has a handful of rows cannot be cross-validated: a person would
        # not pick it either (a fingerprint bit set in one molecule, a rare code).
        if 2 <= len(counts) <= MAX_GUESSED_CLASSES and int(counts.min()) >= MIN_ROWS_PER_GUESSED_CLASS:
            classes = len(counts)
            return last, f"'{last}' is the last column and holds {classes} labels."
    return None, f"No column is named like a target and the last one is not a label with a few values. {PROMPT}"
