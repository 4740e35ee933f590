"""Association rules for basket data: frequent itemsets by FP-growth (mlxtend), rules by support,
confidence and lift.

A basket table is either one row per transaction with item columns (true/1/yes marks an item), or
one row per (transaction, item) pair. Only the ``MAX_ITEMS`` most frequent items are mined and
itemsets stop at ``MAX_ITEMSET_SIZE``: the number of itemsets grows exponentially with both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from core.errors import DataError

MAX_ITEMS = 300
MAX_ITEMSET_SIZE = 4
MAX_BASKET_CELLS = 100_000_000  # transactions x items booleans: 100 MB
MAX_ITEMSETS = 200_000  # beyond this the rules would take minutes; the message asks for a higher support
TRUE_WORDS = frozenset({"1", "true", "t", "yes", "y", "1.0"})
FALSE_WORDS = frozenset({"0", "false", "f", "no", "n", "0.0", ""})
DEFAULT_MIN_SUPPORT = 0.01
DEFAULT_MIN_CONFIDENCE = 0.3


@dataclass
class RulesResult:
    """Frequent itemsets and rules (highest lift first); ``transactions`` and ``items`` say what was mined."""

    itemsets: pd.DataFrame
    rules: pd.DataFrame
    transactions: int
    items: int
    notes: list[str] = field(default_factory=list)

    def rules_table(self) -> pd.DataFrame:
        """Rules with their item lists joined as text, for a sortable, filterable table or a CSV."""
        table = self.rules.copy()
        for side in ("antecedents", "consequents"):
            table[side] = table[side].map(lambda items: ", ".join(items))
        return table

    def to_dict(self) -> dict[str, Any]:
        rules = [{"antecedents": list(row.antecedents), "consequents": list(row.consequents),
                  "support": float(row.support), "confidence": float(row.confidence), "lift": float(row.lift)}
                 for row in self.rules.itertuples(index=False)]
        return {"n_itemsets": len(self.itemsets), "rules": rules, "transactions": self.transactions,
                "items": self.items, "notes": self.notes}


def item_columns(frame: pd.DataFrame) -> list[str]:
    """Columns whose every value reads as yes or no (true/false, 1/0, yes/no; blanks count as no)."""
    chosen = []
    for name in frame.columns:
        values = frame[name]
        if pd.api.types.is_bool_dtype(values):
            chosen.append(name)
            continue
        if values.nunique(dropna=True) > 4:  # yes, no, blank and one spelling variant at most
            continue
        words = set(values.dropna().astype("string").str.strip().str.lower().unique())
        if words and words <= TRUE_WORDS | FALSE_WORDS and words & TRUE_WORDS:
            chosen.append(name)
    return chosen


def basket_from_item_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per transaction, one boolean column per item; other columns are left out."""
    columns = item_columns(frame)
    if not columns:
        raise DataError("No transaction structure: no column holds only yes/no values (true/false, 1/0). "
                        "Give one row per transaction with one yes/no column per item, or choose a "
                        "transaction id column and an item column.")
    basket = pd.DataFrame({str(name): frame[name].astype("string").str.strip().str.lower().isin(TRUE_WORDS)
                                      .fillna(False).astype(bool) for name in columns})
    return basket


def basket_from_pairs(frame: pd.DataFrame, transaction: str, item: str) -> pd.DataFrame:
    """One row per transaction id, one boolean column per distinct item of ``item``."""
    for name, role in ((transaction, "transaction"), (item, "item")):
        if name not in frame.columns:
            raise DataError(f"Unknown {role} column '{name}'. The table has: "
                            f"{', '.join(map(repr, list(frame.columns)[:20]))}.")
    if transaction == item:
        raise DataError("The transaction and item columns must differ. Choose two columns.")
    pairs = frame[[transaction, item]].dropna().astype("string")
    if pairs.empty:
        raise DataError(f"No row has both a transaction id ('{transaction}') and an item ('{item}').")
    if pairs[transaction].nunique() == len(pairs):
        raise DataError(f"Every row has its own '{transaction}', so each transaction holds one item and no "
                        "items go together. Choose the column that repeats for the items of one transaction.")
    notes = []
    counts = pairs[item].value_counts()
    if len(counts) > MAX_ITEMS:  # cut before the matrix is built: transactions x items can be huge
        notes.append(f"Only the {MAX_ITEMS} most frequent of {len(counts):,} items were mined: "
                     "the number of itemsets grows exponentially with the items.")
        pairs = pairs[pairs[item].isin(counts.index[:MAX_ITEMS])]
    codes, transactions = pd.factorize(pairs[transaction])
    item_codes, items = pd.factorize(pairs[item])
    if len(transactions) * len(items) > MAX_BASKET_CELLS:
        raise DataError(f"{len(transactions):,} transactions x {len(items):,} items is too large a basket. "
                        "Use a sample of the transactions or a higher-level item column.")
    matrix = np.zeros((len(transactions), len(items)), dtype=bool)
    matrix[codes, item_codes] = True
    basket = pd.DataFrame(matrix, columns=[str(name) for name in items])
    basket.attrs["notes"] = notes
    return basket


def mine_rules(basket: pd.DataFrame, min_support: float = DEFAULT_MIN_SUPPORT,
               min_confidence: float = DEFAULT_MIN_CONFIDENCE, max_items: int = MAX_ITEMS) -> RulesResult:
    """Frequent itemsets by FP-growth and the rules among them, highest lift first."""
    from mlxtend.frequent_patterns import association_rules, fpgrowth

    for name, value in (("minimum support", min_support), ("minimum confidence", min_confidence)):
        if not (isinstance(value, (int, float)) and 0 < value <= 1):
            raise DataError(f"The {name} must be a number above 0 and at most 1, not {value!r}.")
    notes = list(basket.attrs.get("notes", []))
    basket = basket.loc[:, basket.any(axis=0)]
    if len(basket) < 2 or basket.shape[1] < 2:
        raise DataError(f"Rules need at least 2 transactions and 2 items; this basket has {len(basket)} "
                        f"transaction(s) and {basket.shape[1]} item(s) that occur.")
    if basket.shape[1] > max_items:
        kept = basket.sum(axis=0).sort_values(ascending=False, kind="stable").index[:max_items]
        notes.append(f"Only the {max_items} most frequent of {basket.shape[1]:,} items were mined: "
                     "the number of itemsets grows exponentially with the items.")
        basket = basket[kept]
    itemsets = fpgrowth(basket, min_support=min_support, use_colnames=True, max_len=MAX_ITEMSET_SIZE)
    if len(itemsets) > MAX_ITEMSETS:
        raise DataError(f"A minimum support of {min_support:g} gives {len(itemsets):,} itemsets, too many to "
                        "turn into rules. Raise the minimum support.")
    columns = ["antecedents", "consequents", "support", "confidence", "lift"]
    rules = pd.DataFrame(columns=columns)
    if len(itemsets) and (itemsets["itemsets"].map(len) > 1).any():
        found = association_rules(itemsets, num_itemsets=len(basket), metric="confidence",
                                  min_threshold=min_confidence, return_metrics=["support", "confidence", "lift"])
        if len(found):
            rules = found[columns].copy()
            for side in ("antecedents", "consequents"):
                rules[side] = rules[side].map(lambda items: sorted(items))
            rules = rules.sort_values(["lift", "confidence", "support"], ascending=False, kind="stable")
            rules = rules.reset_index(drop=True)
    if rules.empty:
        notes.append("No rule reaches these thresholds. Lower the minimum support or confidence.")
    itemsets = itemsets.assign(itemsets=itemsets["itemsets"].map(lambda items: sorted(items)))
    return RulesResult(itemsets, rules, len(basket), basket.shape[1], notes)


def sample_basket(transactions: int = 500, seed: int = 0) -> pd.DataFrame:
    """A generated shop basket (one row per transaction, yes/no item columns) with planted pairings."""
    rng = np.random.default_rng(seed)
    shares = {"bread": 0.45, "milk": 0.4, "eggs": 0.25, "coffee": 0.3, "apples": 0.2, "cheese": 0.15,
              "pasta": 0.2, "rice": 0.1, "tea": 0.15, "chocolate": 0.12}
    basket = pd.DataFrame({item: rng.random(transactions) < share for item, share in shares.items()})
    basket["butter"] = basket["bread"] & (rng.random(transactions) < 0.6)  # bread and butter go together
    basket["tomato_sauce"] = basket["pasta"] & (rng.random(transactions) < 0.7)
    basket.insert(0, "receipt", [f"R{i:05d}" for i in range(transactions)])
    return basket
