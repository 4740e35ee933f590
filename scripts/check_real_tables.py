"""Run the main flow through ``core`` (no browser) on every table of the real-table corpus.

Usage: ``python scripts/check_real_tables.py [--budget 30] [--only flights.csv] [--details]``

For each table of scripts/build_real_tables.py (built first if missing): read, profile with the
target, compare the default algorithms with a time budget, train the best, then call every
evaluation and explanation function of ``core.evaluate`` and draw its figure with
``core.model_plots``, as the Evaluate page does. Partial dependence runs on the first feature (the
page's default) and on one feature of every other encoding role; the tree view gets a decision
tree trained for it. Each step ends ``ok``, ``message`` (a ``DataError``: what a user would read)
or ``CRASH`` (any other exception: a bug); each table runs in its own process group, and a table
still running after ``--timeout`` seconds is stopped and its running step marked ``HANG``. A table
of timings goes to stdout, then every message, crash and hang (with its traceback under
``--details``). Exit 1 when anything crashed or hung.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import queue
import signal
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core import evaluate  # noqa: E402
from core import model_plots as figures  # noqa: E402
from core.compare import compare_models  # noqa: E402
from core.errors import DataError  # noqa: E402
from core.io import read_csv_file  # noqa: E402
from core.profile import profile_table  # noqa: E402
from core.runs import Leaderboard  # noqa: E402
from core.train import TrainSettings, prepare_xy, train_model  # noqa: E402
from scripts.build_real_tables import DEFAULT_OUT, build_corpus  # noqa: E402


@dataclass
class Step:
    name: str
    seconds: float = 0.0
    outcome: str = "ok"  # ok, message or CRASH
    detail: str = ""
    trace: str = ""


@dataclass
class TableReport:
    file: str
    steps: list[Step] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    send: Callable[[str, Any], None] = field(default=lambda kind, value: None, repr=False)

    def fact(self, key: str, value: Any) -> None:
        self.facts[key] = value
        self.send("fact", {key: value})

    def run(self, name: str, work: Callable[[], Any]) -> Any:
        """Time one step; a DataError is a message for the user, anything else a crash."""
        step = Step(name)
        self.send("start", name)
        started = time.perf_counter()
        result = None
        try:
            result = work()
        except DataError as exc:
            step.outcome, step.detail = "message", str(exc)
        except Exception as exc:  # noqa: BLE001 - every other exception is the bug being looked for
            step.outcome, step.detail = "CRASH", f"{type(exc).__name__}: {exc}"
            step.trace = traceback.format_exc()
        step.seconds = time.perf_counter() - started
        self.steps.append(step)
        self.send("step", step)
        print(f"  {self.file} {name}: {step.outcome} ({step.seconds:.1f} s)", file=sys.stderr, flush=True)
        return result

    def seconds(self, prefix: str) -> float:
        return sum(step.seconds for step in self.steps if step.name.startswith(prefix))


def _classification_views(report: TableReport, pred: evaluate.Predictions) -> None:
    if pred.is_binary:
        pred = pred.with_positive(pred.minority_class())  # the page's default positive class
    report.run("eval:confusion", lambda: figures.confusion_figure(evaluate.confusion(pred)))
    report.run("eval:roc", lambda: figures.roc_figure(evaluate.roc_curves(pred)))
    report.run("eval:precision_recall",
               lambda: figures.precision_recall_figure(evaluate.precision_recall_curves(pred)))
    report.run("eval:calibration", lambda: figures.calibration_figure(evaluate.calibration(pred)))
    if pred.is_binary:  # the page offers the threshold for two classes only
        report.run("eval:threshold", lambda: figures.threshold_figure(evaluate.threshold_sweep(pred), 0.5))
    report.run("eval:report", lambda: evaluate.classification_report_frame(pred))


def _regression_views(report: TableReport, pred: evaluate.Predictions) -> None:
    report.run("eval:predicted_actual", lambda: figures.predicted_actual_figure(evaluate.residuals(pred)))
    report.run("eval:residuals", lambda: figures.residuals_figure(evaluate.residuals(pred)))
    report.run("eval:residual_histogram", lambda: figures.residual_histogram(evaluate.residuals(pred)))


def _partial_dependence_features(run: Any) -> list[str]:
    """The page's default feature (the first) plus the first feature of every other encoding role."""
    chosen: dict[str, str] = {}
    for encoding in run.prepared.encodings:
        if encoding.role != "drop":
            chosen.setdefault(encoding.role, encoding.column)
    first = run.prepared.feature_columns[:1]
    return list(dict.fromkeys([*first, *chosen.values()]))


def _explanations(report: TableReport, run: Any) -> None:
    report.run("explain:permutation", lambda: figures.importance_figure(
        evaluate.permutation_importance_frame(run), "Permutation importance"))

    def builtin() -> Any:
        frame = evaluate.builtin_importance_frame(run)
        return None if frame is None else figures.importance_figure(frame, "Built-in importance")
    report.run("explain:builtin", builtin)
    roles = {encoding.column: encoding.role for encoding in run.prepared.encodings}
    for feature in _partial_dependence_features(run):
        report.run(f"explain:partial[{feature} ({roles[feature]})]",
                   lambda f=feature: figures.partial_dependence_figure(evaluate.partial_dependence_data(run, f)))
    report.run("explain:learning_curve", lambda: figures.learning_curve_figure(evaluate.learning_curve_data(run)))


def check_table(report: TableReport, path: Path, target: str, task: str, budget: float) -> TableReport:
    table = report.run("read", lambda: read_csv_file(path))
    if table is None:
        return report
    frame = table.frame
    report.fact("shape", f"{frame.shape[0]:,} x {frame.shape[1]:,}")
    profile = report.run("profile", lambda: profile_table(frame, None, target))
    if profile is not None:
        report.fact("guess", getattr(profile, "suggested_target", "(no suggested_target)"))
        report.fact("kinds", sorted({str(kind) for kind in profile.kinds().values()}))
    settings = TrainSettings(target=target, task=task)
    data = report.run("prepare", lambda: prepare_xy(frame, settings))
    if data is None:
        return report
    rows = report.run("compare", lambda: list(compare_models(frame, settings, time_budget_s=budget, prepared=data)))
    if not rows:
        return report
    statuses: dict[str, list[str]] = {}
    for row in rows:
        statuses.setdefault(row.status, []).append(row.model)
    report.fact("compare", {status: len(models) for status, models in statuses.items()})
    report.fact("compare_rows", [(row.model, row.status, row.error) for row in rows])
    board = Leaderboard(data.task, evaluate.default_sort_metric(data.task, data.n_classes), rows)
    best = board.best()
    if best is None:
        report.steps.append(step := Step("train_best", outcome="message", detail="no finished row to train"))
        report.send("step", step)
        return report
    report.fact("best", best.model)
    run = report.run("train_best", lambda: train_model(frame, settings, best.model, best.params,
                                                        reuse_cv=best, prepared=data))
    if run is None:
        return report
    if run.task == "classification":
        _classification_views(report, run.predictions)
    else:
        _regression_views(report, run.predictions)
    _explanations(report, run)
    tree = report.run("train_tree", lambda: train_model(frame, settings, "decision_tree", {"max_depth": 4},
                                                        prepared=data))
    if tree is not None:
        report.run("explain:tree", lambda: figures.tree_figure(evaluate.tree_drawing(tree, max_depth=3)))
    return report


def _check_in_child(send_queue: Any, path: Path, target: str, task: str, budget: float) -> None:
    os.setpgrp()  # the table's worker processes join this group, so a hang is stopped whole
    report = TableReport(path.name, send=lambda kind, value: send_queue.put((kind, value)))
    check_table(report, path, target, task, budget)
    send_queue.put(("done", None))


def check_table_in_child(path: Path, target: str, task: str, budget: float, timeout: float) -> TableReport:
    """``check_table`` in a forked process group; stopped with its workers after ``timeout`` seconds."""
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    child = context.Process(target=_check_in_child, args=(results, path, target, task, budget))
    started = time.perf_counter()
    child.start()
    report, running, done = TableReport(path.name), None, False
    while not done and time.perf_counter() - started < timeout:
        try:
            kind, value = results.get(timeout=1.0)
        except queue.Empty:
            if not child.is_alive():
                break
            continue
        if kind == "start":
            running = (value, time.perf_counter())
        elif kind == "step":
            report.steps.append(value)
            running = None
        elif kind == "fact":
            report.facts.update(value)
        done = kind == "done"
    if not done:
        if child.is_alive():
            os.killpg(child.pid, signal.SIGKILL)
            name, since = running or ("(between steps)", time.perf_counter())
            report.steps.append(Step(name, time.perf_counter() - since, "HANG",
                                     f"still running when the table's {timeout:g} s ran out; stopped"))
        else:
            report.steps.append(Step(running[0] if running else "(child)", 0.0, "CRASH",
                                     f"the process died (exit code {child.exitcode})"))
    child.join(timeout=10)
    return report


def print_reports(reports: list[TableReport], details: bool) -> None:
    header = f"{'table':24} {'shape':>15} {'read':>6} {'profile':>8} {'compare':>8} {'train':>6} " \
             f"{'eval':>6} {'explain':>8} {'tree':>6}  best / compare rows"
    print(header)
    print("-" * len(header))
    for report in reports:
        print(f"{report.file:24} {report.facts.get('shape', '?'):>15} {report.seconds('read'):6.1f} "
              f"{report.seconds('profile'):8.1f} {report.seconds('compare'):8.1f} {report.seconds('train_best'):6.1f} "
              f"{report.seconds('eval:'):6.1f} {report.seconds('explain:'):8.1f} "
              f"{report.seconds('train_tree') + report.seconds('explain:tree'):6.1f}  "
              f"{report.facts.get('best', '-')} / {report.facts.get('compare', '-')}")
    print()
    for report in reports:
        print(f"== {report.file}: target guess {report.facts.get('guess')!r}; kinds {report.facts.get('kinds')}")
        for model, status, error in report.facts.get("compare_rows", []):
            if status != "done":
                print(f"   compare {model}: {status}: {error}")
        for step in report.steps:
            if step.outcome != "ok":
                print(f"   {step.outcome:7} {step.name} ({step.seconds:.1f} s): {step.detail}")
                if details and step.trace:
                    print("      " + step.trace.rstrip().replace("\n", "\n      "))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=30.0, help="compare time budget per table, seconds")
    parser.add_argument("--only", action="append", help="a table's file name (repeatable)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the corpus folder")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds a table may take before it is stopped")
    parser.add_argument("--details", action="store_true", help="print the traceback of every crash")
    args = parser.parse_args(argv)
    tables = build_corpus(args.out, verbose=False)
    reports = []
    for table in tables:
        if args.only and table["file"] not in args.only:
            continue
        print(f"checking {table['file']}...", file=sys.stderr, flush=True)
        reports.append(check_table_in_child(args.out / table["file"], table["target"], table["task"],
                                            args.budget, args.timeout))
    print_reports(reports, args.details)
    return 1 if any(step.outcome in ("CRASH", "HANG") for report in reports for step in report.steps) else 0


if __name__ == "__main__":
    sys.exit(main())
