"""Compare several algorithms on the same folds, within a time budget that holds.

Each fold's preprocessing is fitted once and shared by all algorithms; every (algorithm, fold) fit
and one refit per algorithm on the whole training part (it gives the test score, the same figure
``train_model`` reports) run on all cores, and each row is yielded as soon as its fits are done.

With a budget on a large table, every model is first timed on a small sample and its full fits
are extrapolated; a model whose fits do not fit in its share of the time left is trained on a
stratified sample of the training part instead (status ``sampled``), or skipped with the reason
when even a small sample would not fit. At the deadline no new fit starts and the fits still
running are stopped, so the budget holds to about 5 %.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from core import evaluate
from core.engine import Cancelled, Progress, RunContext, ShouldCancel, default_n_jobs, run_tasks, running_job
from core.errors import DataError
from core.folds import (
    FoldData,
    _fit_and_score,
    _fold_tasks,
    _refit_task,
    _summarise,
    make_pipeline,
    prepare_folds,
    stratified_sample,
)
from core.models import default_compare_set, get_model, list_models
from core.runs import (
    STATUS_CANCELLED,
    STATUS_DONE,
    STATUS_FAILED,
    STATUS_SAMPLED,
    STATUS_SKIPPED,
    Leaderboard,
    LeaderboardRow,
)
from core.train_data import PreparedData, TrainSettings, prepare_xy

# The plan aims to end here, leaving room for estimates that were off; fits still running at the
# hard stop are ended (the promise is 10 %, the rest is for collecting what was done).
PLAN_SHARE = 0.75
HARD_STOP_SHARE = 1.05
# Below this many training rows every default fit takes well under a second: no timing, no sampling.
PROBE_MIN_ROWS = 20_000
PROBE_ROWS = 10_000
MIN_SAMPLE_ROWS = 1_000
# Two workers rarely stay both busy to the last second (the last fits of a plan are uneven), and on a
# shared machine the fits run slower than when they were timed.
WORKER_EFFICIENCY = 0.75


def estimate_seconds(n_rows: int, model_names: list[str], task: str, folds: int = 5,
                     n_jobs: int | None = None) -> float:
    """A rough wall-time estimate (rows x folds x models) shown before a comparison starts."""
    cost = sum(get_model(name, task).cost for name in model_names)
    return 1.0 + cost * (folds + 1) * max(n_rows, 1_000) / 10_000 * 0.35 / (n_jobs or default_n_jobs())


@dataclass
class _Clock:
    """The budget's time points (``time.perf_counter()`` values; None without a budget)."""

    started: float
    budget_s: float | None

    def at(self, share: float) -> float | None:
        return None if self.budget_s is None else self.started + share * self.budget_s

    def over(self) -> float:
        """Seconds past the budget now (0 when within it or without one)."""
        end = self.at(1.0)
        return 0.0 if end is None else max(0.0, time.perf_counter() - end)


def compare_models(frame: pd.DataFrame, settings: TrainSettings, model_names: list[str] | None = None,
                   time_budget_s: float | None = None, progress: Progress | None = None,
                   should_cancel: ShouldCancel | None = None, n_jobs: int | None = None,
                   params: dict[str, dict[str, Any]] | None = None,
                   prepared: PreparedData | None = None,
                   started: float | None = None, context: RunContext | None = None) -> Iterator[LeaderboardRow]:
    """Cross-validate several algorithms on the same folds, yielding each row as soon as it is done.

    ``model_names`` None compares ``default_compare_set`` (the baseline is always added and always
    finishes: it ignores the features, so it costs nothing). A model that fails yields a ``failed``
    row with its ``error``; ``time_budget_s`` (the whole call, preparation included) may turn a
    model into a ``sampled`` row, and models not finished at the deadline or a cancel yield
    ``skipped`` or ``cancelled`` rows whose ``note`` says why. ``params`` maps a model name to
    parameters other than its defaults. ``started`` (a ``time.perf_counter()`` value) lets a caller's
    own preparation count against the budget. ``context`` replaces ``progress``, ``should_cancel``
    and ``n_jobs`` (its ``deadline`` is the budget's end when ``time_budget_s`` is not given).
    """
    context = context or RunContext(progress, should_cancel, n_jobs=n_jobs)
    clock = _Clock(started or time.perf_counter(), time_budget_s)
    if time_budget_s is None and context.deadline is not None:
        clock.budget_s = context.deadline - clock.started
    with running_job(context.changed(deadline=clock.at(1.0))) as job:
        yield from _compare(frame, settings, model_names, params, prepared, clock, job)


def _compare(frame: pd.DataFrame, settings: TrainSettings, model_names: list[str] | None,
             params: dict[str, dict[str, Any]] | None, prepared: PreparedData | None, clock: _Clock,
             job: RunContext) -> Iterator[LeaderboardRow]:
    data = prepared or prepare_xy(frame, settings)
    names = _compare_names(data, model_names, clock.budget_s)
    rows: dict[str, LeaderboardRow] = {}
    pipelines: dict[str, Pipeline] = {}
    for name in names:
        spec = get_model(name, data.task)
        try:
            chosen = spec.resolve_params((params or {}).get(name))
            pipelines[name] = make_pipeline(data.encodings, spec, chosen, data.settings.seed,
                                            data.settings.class_weight, data.recipe_steps)
            rows[name] = LeaderboardRow(name, spec.label, chosen)
        except DataError as exc:
            rows[name] = LeaderboardRow(name, spec.label, dict((params or {}).get(name) or {}),
                                        status=STATUS_FAILED, error=str(exc))
            yield rows[name]
    if "baseline" in pipelines:
        yield _baseline_row(data, rows["baseline"], pipelines.pop("baseline"))
    stopped: dict[str, str | None] = {"why": None}

    def interrupted() -> bool:
        hard_stop = clock.at(HARD_STOP_SHARE)
        if job.cancelled():
            stopped["why"] = STATUS_CANCELLED
        elif hard_stop is not None and time.perf_counter() >= hard_stop:
            stopped["why"] = STATUS_SKIPPED
        return stopped["why"] is not None

    job.report(0.0, "Encoding the folds...")
    folds: list[FoldData] = []
    if pipelines:
        try:
            folds = prepare_folds(data, job.changed(should_cancel=interrupted), include_whole=True,
                                  deadline=clock.at(HARD_STOP_SHARE))
        except Cancelled:
            interrupted()
            pipelines_left = dict(pipelines)
            pipelines.clear()
            yield from _unfinished(rows, pipelines_left, stopped["why"], clock,
                                   "the time budget ran out while the folds were being encoded")
    if job.workers is not None:  # timings on workers still starting would be off
        hard_stop = clock.at(HARD_STOP_SHARE)
        job.workers.wait_warm(30 if hard_stop is None else max(0.0, min(30.0, hard_stop - time.perf_counter())))
    samples, order = _plan(data, rows, pipelines, folds, clock, job)
    for name in [name for name in pipelines if rows[name].status != STATUS_DONE or name in samples
                 and samples[name] is False]:
        pipelines.pop(name)
        yield rows[name]
    tasks = []
    for name in sorted(pipelines, key=lambda name: order.index(name) if name in order else -1):
        pipeline, sample = pipelines[name], samples.get(name)
        tasks += _fold_tasks(data, name, pipeline, folds, sample)
        tasks.append(_refit_task(data, name, pipeline, folds, sample))
    outcomes: dict[str, dict[Any, dict[str, Any]]] = {name: {} for name in pipelines}
    needed = len(data.splits) + 1
    for done, ((name, part), outcome) in enumerate(
            run_tasks(tasks, job, lambda: interrupted() and stopped["why"] == STATUS_CANCELLED,
                      deadline=clock.at(HARD_STOP_SHARE)), start=1):
        if name not in pipelines:  # a fit of a model already failed by another of its fits
            continue
        outcomes[name][part] = outcome
        job.report(done / len(tasks), f"{rows[name].label}: {len(outcomes[name])} of {needed} fits")
        if len(outcomes[name]) == needed or outcome["error"]:
            row = _finish_row(rows[name], outcomes[name], samples.get(name), len(data.y_train))
            over = clock.over()
            if over > 0:
                row.note = _join(row.note, f"finished {over:.1f} s after the time budget ended (its slowest "
                                           f"fit took {_slowest(outcomes[name]):.1f} s)")
            pipelines.pop(name)
            yield row
    if stopped["why"] is None and pipelines:
        interrupted()
    yield from _unfinished(rows, pipelines, stopped["why"] or STATUS_SKIPPED, clock,
                           "the time budget ran out before it finished", outcomes, needed)
    job.report(1.0, "Cancelled." if stopped["why"] == STATUS_CANCELLED else "Done.")


def _baseline_row(data: PreparedData, row: LeaderboardRow, pipeline: Pipeline) -> LeaderboardRow:
    """The reference row, fitted here on a placeholder column: a dummy model never looks at the features."""
    model = pipeline.named_steps["model"]
    placeholder = np.zeros((len(data.y_train), 1))
    outcomes: dict[Any, dict[str, Any]] = {}
    for index, (train_rows, validation_rows) in enumerate(data.splits):
        outcomes[index] = _fit_and_score(model, placeholder[train_rows], data.y_train[train_rows],
                                         {"validation": (placeholder[validation_rows],
                                                         data.y_train[validation_rows])},
                                         data.task, data.classes)
    outcomes["refit"] = _fit_and_score(model, placeholder, data.y_train,
                                       {"test": (np.zeros((len(data.y_test), 1)), data.y_test)},
                                       data.task, data.classes)
    return _finish_row(row, outcomes, None, len(data.y_train))


def _plan(data: PreparedData, rows: dict[str, LeaderboardRow], pipelines: dict[str, Pipeline],
          folds: list[FoldData], clock: _Clock,
          job: RunContext) -> tuple[dict[str, np.ndarray | None | bool], list[str]]:
    """Which models train on a sample (their sorted training positions), which cannot fit at all (False),
    and the order to run them in: the longest planned work first, so that the short fits fill the gaps
    and a model still running at the deadline is a quick one.

    Each model is timed on a quarter of ``PROBE_ROWS`` and on ``PROBE_ROWS`` rows of the first fold;
    its fits on the whole table are extrapolated from both (``extrapolate_seconds``). Cheapest
    first, a model gets an equal share of the worker time left (keeping enough for the smallest
    sample of each model after it); one that needs more is given the sample that fits its share.
    """
    n_train = len(data.y_train)
    if clock.budget_s is None or n_train < PROBE_MIN_ROWS or not folds or not pipelines:
        return {}, list(pipelines)
    probe_seconds = _time_probes(data, rows, pipelines, folds, job, clock)
    n_jobs = job.n_jobs
    plan: dict[str, np.ndarray | None | bool] = {}
    plan_end = clock.at(PLAN_SHARE)
    left = max(0.0, plan_end - time.perf_counter()) * n_jobs * WORKER_EFFICIENCY
    folds_k = len(data.splits)
    fold_rows = n_train * (folds_k - 1) / folds_k

    def work(name: str, rows_used: float) -> float:
        scaling = get_model(name, data.task).scaling
        return (folds_k * extrapolate_seconds(probe_seconds[name], rows_used * fold_rows / n_train, scaling)
                + extrapolate_seconds(probe_seconds[name], rows_used, scaling))

    timed = sorted((name for name in pipelines if name in probe_seconds), key=lambda name: work(name, n_train))
    smallest = {name: work(name, min(MIN_SAMPLE_ROWS, n_train)) for name in timed}
    planned: dict[str, float] = {}
    for position, name in enumerate(timed):
        # An equal share of what is left, but never eating the smallest samples of the models after it
        later = sum(smallest[other] for other in timed[position + 1:])
        share = min(left / (len(timed) - position), left - later)
        need = work(name, n_train)
        if need <= share:
            plan[name], left, planned[name] = None, left - need, need
            continue
        size = _rows_that_fit(lambda rows, name=name: work(name, rows), share, n_train)
        if size < min(MIN_SAMPLE_ROWS, n_train):
            plan[name] = False
            rows[name].status = STATUS_SKIPPED
            rows[name].note = (f"skipped: its fits would take about {need / n_jobs:.0f} s on {n_train:,} rows "
                               f"and even a {MIN_SAMPLE_ROWS:,}-row sample would not fit in the "
                               f"{max(share, 0) / n_jobs:.0f} s of the time budget left for it")
            continue
        plan[name] = stratified_sample(data.y_train, size, data.settings.seed, data.classes is not None)
        planned[name] = work(name, size)
        left -= planned[name]
    return plan, sorted(planned, key=planned.__getitem__, reverse=True)


def _time_probes(data: PreparedData, rows: dict[str, LeaderboardRow], pipelines: dict[str, Pipeline],
                 folds: list[FoldData], job: RunContext, clock: _Clock) -> dict[str, tuple[float, float]]:
    """Seconds of one fit (and its scoring) on a quarter of ``PROBE_ROWS`` and on ``PROBE_ROWS`` rows, per model.

    A model whose timing fit fails is failed with that error (it would fail on the whole table too).
    """
    first = folds[0]
    y_fold = data.y_train[first.train_rows]
    probe = stratified_sample(y_fold, PROBE_ROWS, data.settings.seed, data.classes is not None)
    small = probe[stratified_sample(y_fold[probe], PROBE_ROWS // 4, data.settings.seed, data.classes is not None)]
    tasks = []
    for name, pipeline in pipelines.items():
        for size, chosen in ((PROBE_ROWS // 4, small), (PROBE_ROWS, probe)):
            check = slice(0, size // 4)
            sets = {"validation": (first.Z_validation[check], data.y_train[first.validation_rows][check])}
            tasks.append(((name, size), _fit_and_score, pipeline.named_steps["model"], first.Z_train[chosen],
                          y_fold[chosen], sets, data.task, data.classes))
    seconds: dict[str, dict[int, float]] = {name: {} for name in pipelines}
    for (name, size), outcome in run_tasks(tasks, job, lambda: False, deadline=clock.at(HARD_STOP_SHARE)):
        if outcome["error"]:
            rows[name].status, rows[name].error = STATUS_FAILED, outcome["error"]
        else:
            seconds[name][size] = outcome["seconds"]
    for name in pipelines:
        if len(seconds[name]) < 2 and rows[name].status == STATUS_DONE:
            rows[name].status = STATUS_SKIPPED
            rows[name].note = "skipped: the time budget ran out while the models were being timed"
    return {name: (timed[PROBE_ROWS // 4], timed[PROBE_ROWS]) for name, timed in seconds.items()
            if len(timed) == 2}


def extrapolate_seconds(timed: tuple[float, float], rows: float, scaling: float,
                        probe_rows: int | None = None) -> float:
    """One fit's seconds on ``rows`` rows from fits timed on a quarter of ``probe_rows`` and on ``probe_rows``.

    Time is taken as a fixed part plus a part growing as ``rows ** scaling``: a small fit's fixed
    costs (start-up, a set number of boosting rounds) would otherwise be multiplied with the rows.
    When the two timings disagree (noise), the larger one is scaled as a whole, which overestimates.
    """
    small, large = timed
    probe_rows = probe_rows or PROBE_ROWS
    n_small, n_large = (probe_rows // 4) ** scaling, probe_rows ** scaling
    if large <= small:
        return max(small, large) * rows ** scaling / n_large
    growth = (large - small) / (n_large - n_small)
    return max(0.0, small - growth * n_small) + growth * rows ** scaling


def _rows_that_fit(work: Any, share: float, n_rows: int) -> int:
    """The most rows (bisected) whose ``work(rows)`` stays within ``share`` seconds."""
    low, high = 0, n_rows
    while high - low > max(50, n_rows // 200):
        middle = (low + high) // 2
        low, high = (middle, high) if work(middle) <= share else (low, middle)
    return low


def _unfinished(rows: dict[str, LeaderboardRow], pipelines: dict[str, Pipeline], why: str | None,
                clock: _Clock, reason: str, outcomes: dict[str, dict[Any, dict]] | None = None,
                needed: int = 0) -> Iterator[LeaderboardRow]:
    for name in pipelines:
        row = rows[name]
        row.status = why or STATUS_SKIPPED
        if row.status == STATUS_CANCELLED:
            row.note = "Cancelled before it finished."
        else:
            done = len((outcomes or {}).get(name, {}))
            fits = f" ({done} of {needed} fits were done)" if needed else ""
            row.note = f"skipped: {reason}{fits}; the time budget was {clock.budget_s:g} s."
        yield row


def _compare_names(data: PreparedData, model_names: list[str] | None,
                   time_budget_s: float | None) -> list[str]:
    names = list(dict.fromkeys(model_names or default_compare_set(data.task, len(data.y_train))))
    for name in names:
        get_model(name, data.task)
    if "baseline" not in names:
        names.append("baseline")
    rest = [name for name in names if name != "baseline"]
    # Costly models first keeps both cores busy to the end; with a budget, cheap ones first finish more.
    rest.sort(key=lambda name: get_model(name, data.task).cost, reverse=time_budget_s is None)
    return ["baseline", *rest]


def _finish_row(row: LeaderboardRow, outcomes: dict[Any, dict[str, Any]], sample: np.ndarray | None,
                n_train: int) -> LeaderboardRow:
    errors = [o["error"] for o in outcomes.values() if o["error"]]
    if errors:
        row.status, row.error = STATUS_FAILED, errors[0]
        return row
    refit = outcomes["refit"]
    folds = [{**o, "fold": part} for part, o in outcomes.items() if part != "refit"]
    row.cv, row.cv_std = _summarise(folds, "validation")
    row.test = refit["test"]
    row.fit_seconds = float(refit["fit_seconds"])
    row.seconds = float(sum(o["seconds"] for o in outcomes.values()))
    row.warnings = sorted({w for o in outcomes.values() for w in o["warnings"]})
    if sample is not None:
        row.status, row.sample_rows = STATUS_SAMPLED, len(sample)
        row.note = f"trained on {len(sample):,} of {n_train:,} rows (stratified) to fit the budget"
    return row


def _slowest(outcomes: dict[Any, dict[str, Any]]) -> float:
    return max((o.get("seconds", 0.0) for o in outcomes.values()), default=0.0)


def _join(first: str | None, second: str) -> str:
    return f"{first}; {second}" if first else second


def compare_leaderboard(frame: pd.DataFrame, settings: TrainSettings, model_names: list[str] | None = None,
                        sort_by: str | None = None, **options: Any) -> Leaderboard:
    """Run ``compare_models`` to the end and collect its rows, best first by ``sort_by``."""
    started = time.perf_counter()
    context = options.pop("context", None) or RunContext(options.pop("progress", None),
                                                         options.pop("should_cancel", None),
                                                         n_jobs=options.pop("n_jobs", None))
    options.setdefault("started", started)  # the budget covers checking the settings and the split too
    with running_job(context) as job:  # the workers start while the data is checked and split
        data = options.pop("prepared", None) or prepare_xy(frame, settings)
        sort_by = sort_by or evaluate.default_sort_metric(data.task, data.n_classes)
        if sort_by not in evaluate.metric_names(data.task):
            raise DataError(f"Cannot sort a {data.task} leaderboard by '{sort_by}'. Use one of: "
                            f"{', '.join(evaluate.metric_names(data.task))}.")
        rows = list(compare_models(frame, settings, model_names, prepared=data, context=job, **options))
    order = [spec.name for spec in list_models(data.task)]
    return Leaderboard(data.task, sort_by, rows, order)
