"""Command line: ``python -m core <command> ...``; results go to stdout as one JSON object.

Bad input exits 2 with one ``error: ...`` line on stderr; anything else is a bug and is loud.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import stat
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from core.cli_discover_more import add_discover_commands
from core.errors import DataError
from core.io import DEFAULT_MAX_UPLOAD_MB, read_csv_file
from core.limits import RECIPE_MAX_BYTES
from core.profile import profile_table
from core.target_guess import suggest_target


def check_input_file(path: str, what: str, limit_bytes: int) -> None:
    """Refuse, before reading, what is not a regular file of bounded size.

    A device (/dev/zero) reads without end, a FIFO waits for ever, a folder fails deep in a reader.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        noun = "Recipe file" if what == "--recipe" else "File"
        raise DataError(f"{noun} not found: {path}. Check the path.") from None
    except OSError as exc:
        raise DataError(f"Cannot open {what} {path}: {exc.strerror}. Check the path.") from None
    if stat.S_ISDIR(info.st_mode):
        raise DataError(f"{what} {path} is a folder, not a file. Give the path of a file in it.")
    if not stat.S_ISREG(info.st_mode):
        raise DataError(f"{what} {path} is not a regular file (a device, pipe or socket). "
                        "Save the data to a file and give its path.")
    if info.st_size > limit_bytes:
        raise DataError(f"{what} {path} is {info.st_size / 2**20:,.1f} MiB; the limit is "
                        f"{limit_bytes / 2**20:,.0f} MiB. Use a sample of the rows.")
    if not os.access(path, os.R_OK):
        raise DataError(f"{what} {path} cannot be read (permission denied). Check its permissions.")


def check_output_path(path: str) -> None:
    """Refuse an ``--out`` that cannot be written, before any training time is spent."""
    if os.path.isdir(path):
        raise DataError(f"--out {path} is a folder. Give a file name, such as {os.path.join(path, 'model.json')}.")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise DataError(f"--out {path}: the folder {folder} does not exist. Create it or choose another path.")
    writable = os.access(path, os.W_OK) if os.path.exists(path) else os.access(folder, os.W_OK)
    if not writable:
        raise DataError(f"--out {path} cannot be written (permission denied). Choose another path.")


def check_inputs(args: argparse.Namespace) -> None:
    """Every path the command line was given, checked before any reading or training."""
    check_input_file(args.data, "DATA", int(DEFAULT_MAX_UPLOAD_MB * 2**20))  # the upload limit, in MiB
    if getattr(args, "recipe", None):
        check_input_file(args.recipe, "--recipe", RECIPE_MAX_BYTES)
    if getattr(args, "out", None):
        check_output_path(args.out)


def command_profile(args: argparse.Namespace) -> dict[str, Any]:
    table = read_csv_file(args.data)
    profile = profile_table(table.frame, target=args.target)
    result = profile.to_dict()
    result["suggested_target"] = suggest_target(table.frame, profile.kinds())[0]
    result["notes"] = table.notes
    result["read_options"] = table.options.to_dict()
    return result


def _load_for_training(args: argparse.Namespace) -> tuple[Any, Any, list[dict[str, Any]] | None, Any]:
    """Read the table and build the training settings; a recipe travels in them (``TrainSettings.recipe``).

    The recipe is replayed here once to refuse a step that cannot apply; training replays its row
    steps on the raw table and learns its value steps from the training rows only.
    """
    from core.train import TrainSettings

    table = read_csv_file(args.data)
    frame, recipe = table.frame, None
    if args.recipe:
        from core.recipe import apply_recipe, load_recipe

        steps = load_recipe(args.recipe)
        applied = apply_recipe(frame, steps)
        problems = [f"step {outcome.index + 1} ({outcome.description}): {outcome.error}"
                    for outcome in applied.problems]
        if problems:
            raise DataError(f"The recipe could not be replayed on {args.data}: {'; '.join(problems)}. "
                            "Fix or remove those steps.")
        recipe = [step.to_dict() for step in steps]
    settings = TrainSettings(target=args.target, task=args.task, folds=args.folds, seed=args.seed, recipe=recipe)
    return frame, settings, recipe, table


def command_train(args: argparse.Namespace) -> dict[str, Any]:
    from core.train import train_model

    frame, settings, recipe, table = _load_for_training(args)
    run = train_model(frame, settings, args.model or "hist_gradient_boosting", recipe=recipe,
                      source_fingerprint=table.fingerprint)
    record = run.record
    summary = {"task": record.task, "model": record.model, "cv": record.cv, "test": record.test,
               "fit_seconds": record.fit_seconds, "cv_std": record.cv_std, "params": record.params,
               "sort_by": record.sort_by, "run_id": record.run_id, "positive_class": record.positive_class,
               "data_fingerprint": record.data_fingerprint,
               "rows": record.rows, "notes": table.notes + record.notes, "out": args.out}
    # For now MODEL is the run's JSON record; the model bundle (skops + JSON) will take its place.
    try:
        with open(args.out, "w", encoding="utf-8") as handle:
            handle.write(record.to_json())
    except OSError as exc:
        raise DataError(f"Cannot write {args.out}: {exc.strerror}. Choose another --out path.") from None
    return summary


def command_compare(args: argparse.Namespace) -> dict[str, Any]:
    from core.compare import compare_leaderboard

    started = time.perf_counter()
    budget = args.time_budget
    if budget is not None and not (budget > 0 and math.isfinite(budget)):
        raise DataError(f"The time budget must be a positive number of seconds, not {budget:g}.")
    models = [name.strip() for name in args.models.split(",") if name.strip()] if args.models else None
    if args.models is not None and not models:
        raise DataError("--models is empty. Give model names separated by commas, e.g. logistic_regression,"
                        "random_forest.")
    frame, settings, _, table = _load_for_training(args)
    if budget is not None:  # reading the file counts against the budget too
        budget = max(0.0, budget - (time.perf_counter() - started))
    leaderboard = compare_leaderboard(frame, settings, models, sort_by=args.sort_by, time_budget_s=budget)
    return {**leaderboard.to_dict(), "notes": table.notes, "seconds": round(time.perf_counter() - started, 3)}


class _Parser(argparse.ArgumentParser):
    """Usage mistakes end like every other bad input: one ``error:`` line and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"error: {message}. See 'python -m core --help'.\n")


def _add_training_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("data", help="CSV file")
    parser.add_argument("--target", required=True, help="column to predict")
    parser.add_argument("--task", choices=("classification", "regression"),
                        help="default: detected from the target")
    parser.add_argument("--folds", type=int, default=5, help="cross-validation folds (default 5)")
    parser.add_argument("--seed", type=int, default=0,
                        help="random seed; the same seed repeats a run exactly")
    parser.add_argument("--recipe",
                        help="cleaning recipe (JSON from the Prepare page) replayed before training")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m core", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    profile = commands.add_parser("profile", help="column kinds, statistics and data-quality warnings")
    profile.add_argument("data", help="CSV file")
    profile.add_argument("--target", help="column to predict; adds imbalance and leakage checks")
    profile.set_defaults(handler=command_profile)

    train = commands.add_parser("train", help="cross-validate one model, refit it and score the test rows")
    _add_training_arguments(train)
    train.add_argument("--model", help="algorithm name, e.g. random_forest (default hist_gradient_boosting)")
    train.add_argument("--out", required=True, help="where to write the run summary (JSON)")
    train.set_defaults(handler=command_train)

    compare = commands.add_parser("compare", help="cross-validate several algorithms; leaderboard best first")
    _add_training_arguments(compare)
    compare.add_argument("--sort-by", help="metric to rank by (default roc_auc, balanced_accuracy or r2)")
    compare.add_argument("--models", help="algorithms to compare, comma-separated, e.g. logistic_regression,"
                                          "random_forest (default: the usual set for the table's size)")
    compare.add_argument("--time-budget", type=float, metavar="SECONDS",
                         help="stop within about this many seconds; models that would not finish are "
                              "trained on a sample or skipped, as their rows say")
    compare.set_defaults(handler=command_compare)

    from core.cli_discover import add_cluster_command

    add_cluster_command(commands)
    add_discover_commands(commands)
    return parser




def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    handler: Callable[[argparse.Namespace], dict[str, Any]] = args.handler
    try:
        check_inputs(args)
        result = handler(args)
    except DataError as exc:
        print(f"error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    try:
        json.dump(result, sys.stdout, default=_json_default, allow_nan=False)
        sys.stdout.write("\n")
        sys.stdout.flush()
    except BrokenPipeError:  # the reader stopped early (`| head`): not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    return str(value)


if __name__ == "__main__":
    sys.exit(main())
