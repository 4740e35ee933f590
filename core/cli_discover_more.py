"""Command line for ``anomalies`` and ``rules`` (see DESIGN.md): parsers and handlers.

``core/__main__.py`` only calls ``add_discover_commands``; each handler returns the JSON object.
"""

from __future__ import annotations

import argparse
from typing import Any

from core.errors import DataError
from core.io import read_csv_file


def _columns(text: str | None) -> list[str] | None:
    if text is None:
        return None
    columns = [name.strip() for name in text.split(",") if name.strip()]
    if not columns:
        raise DataError("--columns is empty. Give column names separated by commas, e.g. amount,age.")
    return columns


def _write_csv(frame: Any, path: str) -> None:
    from core.export import to_safe_csv

    try:
        with open(path, "wb") as handle:
            handle.write(to_safe_csv(frame))
    except OSError as exc:
        raise DataError(f"Cannot write {path}: {exc.strerror}. Choose another --out path.") from None


def command_anomalies(args: argparse.Namespace) -> dict[str, Any]:
    from core.anomaly import detect_anomalies

    table = read_csv_file(args.data)
    params = {} if args.contamination is None else {"contamination": args.contamination}
    result = detect_anomalies(table.frame, args.algorithm, params, _columns(args.columns), seed=args.seed)
    if args.out:
        _write_csv(result.scored_frame(table.frame), args.out)
    return {**result.to_dict(), "notes": table.notes + result.notes, "out": args.out}


def command_rules(args: argparse.Namespace) -> dict[str, Any]:
    from core.rules import basket_from_item_columns, basket_from_pairs, mine_rules

    if (args.transaction is None) != (args.item is None):
        raise DataError("Give both --transaction and --item (one row per transaction-item pair), or neither "
                        "(each row a transaction, each yes/no column an item).")
    table = read_csv_file(args.data)
    if args.transaction is not None:
        basket = basket_from_pairs(table.frame, args.transaction, args.item)
    else:
        basket = basket_from_item_columns(table.frame)
    result = mine_rules(basket, args.min_support, args.min_confidence)
    if args.out:
        _write_csv(result.rules_table(), args.out)
    summary = result.to_dict()
    return {**summary, "notes": table.notes + summary["notes"], "out": args.out}


def add_discover_commands(commands: Any) -> None:
    """Add ``anomalies`` and ``rules`` to the ``python -m core`` subcommands."""
    from core.anomaly_models import anomaly_models
    from core.rules import DEFAULT_MIN_CONFIDENCE, DEFAULT_MIN_SUPPORT

    anomalies = commands.add_parser("anomalies", help="score every row; the most anomalous first, with reasons")
    anomalies.add_argument("data", help="CSV file")
    anomalies.add_argument("--algorithm", required=True, choices=[spec.name for spec in anomaly_models()])
    anomalies.add_argument("--contamination", type=float, help="share of rows to flag (default 0.01)")
    anomalies.add_argument("--columns", help="feature columns, comma-separated (default: every usable column)")
    anomalies.add_argument("--seed", type=int, default=0, help="random seed; the same seed repeats a run")
    anomalies.add_argument("--out", help="write the input plus anomaly_score and is_anomaly (CSV)")
    anomalies.set_defaults(handler=command_anomalies)

    rules = commands.add_parser("rules", help="frequent itemsets and association rules, highest lift first")
    rules.add_argument("data", help="CSV file")
    rules.add_argument("--transaction", help="transaction id column (with --item: one row per item bought)")
    rules.add_argument("--item", help="item column (with --transaction)")
    rules.add_argument("--min-support", type=float, default=DEFAULT_MIN_SUPPORT,
                       help=f"share of transactions an itemset must appear in (default {DEFAULT_MIN_SUPPORT})")
    rules.add_argument("--min-confidence", type=float, default=DEFAULT_MIN_CONFIDENCE,
                       help=f"share of the antecedent's transactions that hold the consequent "
                            f"(default {DEFAULT_MIN_CONFIDENCE})")
    rules.add_argument("--out", help="write the rules (CSV)")
    rules.set_defaults(handler=command_rules)
