"""Command line: ``python -m core <command> ...``; results go to stdout as one JSON object.

Bad input exits 2 with one ``error: ...`` line on stderr; anything else is a bug and is loud.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any

from core.errors import DataError
from core.io import read_csv_file
from core.profile import profile_table


def command_profile(args: argparse.Namespace) -> dict[str, Any]:
    table = read_csv_file(args.data)
    result = profile_table(table.frame, target=args.target).to_dict()
    result["notes"] = table.notes
    result["read_options"] = table.options.to_dict()
    return result


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m core", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    profile = commands.add_parser("profile", help="column kinds, statistics and data-quality warnings")
    profile.add_argument("data", help="CSV file")
    profile.add_argument("--target", help="column to predict; adds imbalance and leakage checks")
    profile.set_defaults(handler=command_profile)
    return parser




def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    handler: Callable[[argparse.Namespace], dict[str, Any]] = args.handler
    try:
        result = handler(args)
    except DataError as exc:
        print(f"error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    json.dump(result, sys.stdout, default=_json_default, allow_nan=False)
    sys.stdout.write("\n")
    return 0


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    return str(value)


if __name__ == "__main__":
    sys.exit(main())
