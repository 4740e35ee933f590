"""Tune one model's parameters by cross-validated search on the training part.

The search space comes from the model's ``ParamSpec``s (the same specs that draw its widgets).
scikit-learn's RandomizedSearchCV and HalvingRandomSearchCV do the work; small subclasses check
for a cancel, a time budget and report progress between batches of fits, so a long search can be
stopped and still keep the trials it finished.
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from joblib import parallel_config
from sklearn.base import clone
from threadpoolctl import threadpool_limits

from core import evaluate
from core.compare import (
    MIN_SAMPLE_ROWS,
    PLAN_SHARE,
    PROBE_MIN_ROWS,
    PROBE_ROWS,
    _rows_that_fit,
    extrapolate_seconds,
)
from core.engine import RunContext, end_fits_at, running_job
from core.errors import DataError
from core.folds import make_pipeline, stratified_sample
from core.models import ModelSpec, get_model
from core.runs import LeaderboardRow
from core.train import Progress, RunResult, ShouldCancel, train_model
from core.train_data import PreparedData, TrainSettings, prepare_xy

TUNE_METHODS = ("random", "halving")
_MAX_TRIALS = 500
# On a large table with a budget, the rows are sampled so that at least this many trials fit.
MIN_TRIALS = 4


@dataclass
class TuneResult:
    """A search over a model's parameter specs: every trial, the best parameters and the best run."""

    model: str
    method: str
    metric: str
    trials: pd.DataFrame
    best_params: dict[str, Any]
    best_score: float | None
    stopped: str | None = None  # None, "time" or "cancelled"
    run: RunResult | None = field(default=None, repr=False)
    seconds: float = 0.0
    # Sentences saying what the budget changed: rows sampled, a refit without a new cross-validation,
    # or how far the search and its refit ran past the budget.
    note: str | None = None


class _SearchStopped(Exception):
    pass


class _SearchBudget:
    """Progress, cancel and time checks between batches of a scikit-learn search.

    The time a round of fits takes (one fit per worker) is measured on the batches done so far; a
    batch is cut to what fits before the deadline, keeping ``final_rounds`` rounds for training the
    best parameters afterwards, so the search and its refit together end within the budget.
    """

    def __init__(self, total: int, job: RunContext, folds: int = 5):
        self.total, self.job, self.folds = total, job, folds
        self.deadline, self.n_jobs = job.deadline, job.n_jobs
        self.done, self.results, self.stopped = 0, None, None
        self.round_seconds: float | None = None

    def __getstate__(self) -> dict[str, Any]:
        """scikit-learn sends the search (and this budget) to its workers; the job (callbacks, pool) stays here."""
        return {**self.__dict__, "job": None, "results": None}

    @property
    def final_rounds(self) -> int:
        """Rounds of fits ``train_model`` needs for the best parameters: every fold plus the refit."""
        return math.ceil((self.folds + 1) / self.n_jobs)

    def rounds(self, candidates: int) -> int:
        return math.ceil(candidates * self.folds / self.n_jobs)

    def affordable(self, wanted: int, scale: float = 1.0) -> int:
        """How many of ``wanted`` candidates can still be tried (cross-validated) before the deadline."""
        if self.deadline is None or self.round_seconds is None:
            return wanted
        left = self.deadline - time.perf_counter() - self.final_rounds * self.round_seconds
        round_seconds = self.round_seconds * scale
        fits = int(left / round_seconds) * self.n_jobs if round_seconds > 0 else wanted * self.folds
        return max(0, min(wanted, fits // self.folds))

    def search_deadline(self) -> float | None:
        """When fits of the search must end, leaving time for the refit of the best parameters."""
        if self.deadline is None:
            return None
        return self.deadline - self.final_rounds * (self.round_seconds or 0.0)

    def check(self, candidates: int = 0, scale: float = 1.0) -> None:
        if self.job.cancelled():
            self.stopped = "cancelled"
        elif self.deadline is not None and (time.perf_counter() > self.deadline
                                            or candidates and self.affordable(candidates, scale) < candidates):
            self.stopped = "time"
        if self.stopped:
            raise _SearchStopped

    def timed(self, seconds: float, candidates: int, scale: float = 1.0) -> None:
        """Learn how long a round of fits takes (at the full row count) from a batch that just ran."""
        measured = seconds / max(1, self.rounds(candidates)) / scale
        self.round_seconds = measured if self.round_seconds is None else max(self.round_seconds, measured)

    def evaluated(self, results: dict[str, Any], count: int, message: str) -> None:
        self.results, self.done = results, self.done + count
        self.job.report(min(self.done / max(self.total, 1), 1.0), message)


def _search_classes() -> tuple[type, type]:
    """RandomizedSearchCV and HalvingRandomSearchCV that stop between batches (subclasses' hook)."""
    from sklearn.experimental import enable_halving_search_cv  # noqa: F401
    from sklearn.model_selection import HalvingRandomSearchCV, ParameterSampler, RandomizedSearchCV

    class BatchedRandomSearch(RandomizedSearchCV):
        budget: _SearchBudget

        def _run_search(self, evaluate_candidates):
            candidates = list(ParameterSampler(self.param_distributions, self.n_iter,
                                               random_state=self.random_state))
            self.budget.total = len(candidates)
            full_batch = 2 * max(1, self.n_jobs or 1)  # enough fits to keep every worker busy
            start = 0
            while start < len(candidates):
                # The first batch is one candidate: it times the fits before more are started.
                batch = 1 if self.budget.round_seconds is None and self.budget.deadline else full_batch
                batch = min(batch, len(candidates) - start)
                self.budget.check()
                batch = self.budget.affordable(batch)
                if not batch:
                    self.budget.stopped = "time"
                    raise _SearchStopped
                began = time.perf_counter()
                with end_fits_at(self.budget.search_deadline(), self.budget.job) as ended:
                    try:
                        results = evaluate_candidates(candidates[start:start + batch])
                    except Exception:
                        if not ended.is_set():
                            raise
                        # the batch's fits were ended at the deadline or by a cancel
                        self.budget.stopped = "cancelled" if self.budget.job.cancelled() else "time"
                        raise _SearchStopped from None
                self.budget.timed(time.perf_counter() - began, batch)
                start += batch
                self.budget.evaluated(results, batch, f"{start} of {len(candidates)} trials")

    class CheckedHalvingSearch(HalvingRandomSearchCV):
        budget: _SearchBudget

        def _run_search(self, evaluate_candidates, *, callback_ctx=None):
            total_rows = self.max_resources_ if isinstance(getattr(self, "max_resources_", None), int) else None

            def evaluate(candidate_params, cv=None, more_results=None, **kwargs):
                rows = more_results["n_resources"][0]
                scale = rows / total_rows if total_rows else 1.0
                self.budget.check(len(candidate_params), scale)
                began = time.perf_counter()
                results = evaluate_candidates(candidate_params, cv, more_results=more_results, **kwargs)
                self.budget.timed(time.perf_counter() - began, len(candidate_params), scale)
                self.budget.evaluated(results, 1, f"round {more_results['iter'][0] + 1}: "
                                                  f"{len(candidate_params)} candidates on {rows} rows")
                return results
            super()._run_search(evaluate, callback_ctx=callback_ctx)

    return BatchedRandomSearch, CheckedHalvingSearch


def tune_model(frame: pd.DataFrame, settings: TrainSettings, model_name: str, n_trials: int | None = 20,
               time_budget_s: float | None = None, method: str = "random", metric: str | None = None,
               progress: Progress | None = None, should_cancel: ShouldCancel | None = None,
               n_jobs: int | None = None, refit: bool = True, prepared: PreparedData | None = None,
               recipe: list[dict[str, Any]] | None = None, source_fingerprint: str | None = None,
               context: RunContext | None = None) -> TuneResult:
    """Search the model's tunable parameter specs by cross-validation on the training part.

    ``method`` ``random`` samples ``n_trials`` settings (RandomizedSearchCV); ``halving`` races them
    on growing row samples and keeps the best third each round (HalvingRandomSearchCV). The search
    stops early at ``time_budget_s`` or a cancel, keeping the trials finished so far. With ``refit``
    the best parameters are trained like ``train_model`` (``TuneResult.run``), whose record keeps
    ``recipe`` and ``source_fingerprint``. ``context`` replaces ``progress``, ``should_cancel`` and
    ``n_jobs`` (its ``deadline`` is the budget's end when ``time_budget_s`` is not given).
    """
    started = time.perf_counter()
    if method not in TUNE_METHODS:
        raise DataError(f"Unknown tuning method '{method}'. Use random or halving.")
    context = context or RunContext(progress, should_cancel, n_jobs=n_jobs)
    if time_budget_s is None and context.deadline is not None:
        time_budget_s = context.deadline - started
    if n_trials is None and time_budget_s is None:
        raise DataError("Give a number of trials or a time budget for tuning.")
    if n_trials is not None and not 1 <= n_trials <= _MAX_TRIALS:
        raise DataError(f"The number of trials must be between 1 and {_MAX_TRIALS}, not {n_trials}.")
    deadline = started + time_budget_s if time_budget_s is not None else None
    with running_job(context.changed(deadline=deadline)) as job:  # the workers start while the data is split
        return _tune(frame, settings, model_name, n_trials, time_budget_s, method, metric, refit, prepared,
                     recipe, source_fingerprint, started, job)


def _tune(frame: pd.DataFrame, settings: TrainSettings, model_name: str, n_trials: int | None,
          time_budget_s: float | None, method: str, metric: str | None, refit: bool,
          prepared: PreparedData | None, recipe: list[dict[str, Any]] | None, source_fingerprint: str | None,
          started: float, job: RunContext) -> TuneResult:
    from core.models import search_space

    data = prepared or prepare_xy(frame, settings)
    spec = get_model(model_name, data.task)
    space = search_space(spec)
    if not space:
        raise DataError(f"{spec.label} has no parameters to tune. Choose another model.")
    metric = metric or evaluate.default_sort_metric(data.task, data.n_classes)
    scoring, sign = evaluate.sklearn_scoring(metric, data.n_classes)
    pipeline = make_pipeline(data.encodings, spec, None, data.settings.seed, data.settings.class_weight,
                             data.recipe_steps)
    sample_note = None
    if time_budget_s is not None:
        data, sample_note = _sample_to_fit(data, pipeline, spec, started + PLAN_SHARE * time_budget_s, job.n_jobs)
    prefix = "model__" + _inner_prefix(pipeline.named_steps["model"])
    distributions = {prefix + name: values for name, values in space.items()}
    random_search, halving_search = _search_classes()
    trials = n_trials or _MAX_TRIALS
    common = {"scoring": scoring, "cv": data.splits, "n_jobs": job.n_jobs, "random_state": data.settings.seed,
              "refit": False, "error_score": np.nan}
    if method == "random":
        search = random_search(pipeline, distributions, n_iter=trials, **common)
    else:
        search = halving_search(pipeline, distributions, n_candidates=max(trials, 3), factor=3,
                                min_resources="exhaust", **common)
    search.budget = _SearchBudget(trials, job, len(data.splits))
    # scikit-learn's own Parallel calls run on this job's workers, so a stop ends only its fits.
    backend = job.workers.joblib_backend() if job.workers is not None else "sequential"
    with warnings.catch_warnings(), parallel_config(backend=backend):
        warnings.simplefilter("ignore")
        try:
            search.fit(data.X_train, data.y_train)
        except _SearchStopped:
            pass
        except ValueError as exc:
            if "fits failed" not in str(exc):
                raise
            raise DataError(f"Every trial of {spec.label} failed on this data ({str(exc).splitlines()[0]}). "
                            "Check the features or try another model.") from None
    table = _trials_table(search.budget.results, prefix, sign)
    best_params, best_score = _best_trial(table, spec, method, metric)
    result = TuneResult(spec.name, method, metric, table, best_params, best_score, search.budget.stopped)
    notes = [sample_note]
    if refit and best_params and search.budget.stopped != "cancelled":
        reuse, short_note = _search_cv_if_short(search.budget, table, spec, best_params, best_score, metric)
        # The refit of the best runs to its end (a cancel now would lose the search), on the same workers.
        result.run = train_model(frame, settings, spec.name, best_params, prepared=data, recipe=recipe,
                                 source_fingerprint=source_fingerprint, reuse_cv=reuse,
                                 context=job.changed(progress=None, should_cancel=None))
        if short_note:
            result.run.record.notes.append(short_note[0].upper() + short_note[1:] + ".")
            notes.append(short_note)
    result.seconds = time.perf_counter() - started
    if time_budget_s is not None and result.seconds > time_budget_s:
        notes.append(f"ran {result.seconds - time_budget_s:.1f} s past the time budget of {time_budget_s:g} s: "
                     f"one round of {spec.label} fits takes about {search.budget.round_seconds or 0.0:.1f} s here")
    result.note = " ".join(note[0].upper() + note[1:] + "." for note in notes if note) or None
    return result


def _search_cv_if_short(budget: _SearchBudget, table: pd.DataFrame, spec: ModelSpec, best_params: dict[str, Any],
                        best_score: float | None, metric: str) -> tuple[LeaderboardRow | None, str | None]:
    """The search's own cross-validation of the best trial, when a new one would not end before the deadline.

    The refit of the best parameters is then one fit instead of one per fold plus one; its record
    keeps the searched metric's cross-validation score only, and says so.
    """
    if budget.deadline is None or budget.round_seconds is None or best_score is None:
        return None, None
    fit_seconds = float(table["fit_seconds"].max()) if len(table) else 0.0
    needed = budget.final_rounds * max(budget.round_seconds, fit_seconds)
    if time.perf_counter() + needed <= budget.deadline:
        return None, None
    best = table.loc[(table["score"] - best_score).abs().idxmin()]
    row = LeaderboardRow(spec.name, spec.label, best_params, cv={metric: best_score},
                         cv_std={metric: float(best["score_std"])})
    return row, (f"refitted without a new cross-validation to fit the time budget: the cross-validation "
                 f"score is the search's ({metric} only)")


def _sample_to_fit(data: PreparedData, pipeline: Any, spec: ModelSpec, plan_end: float,
                   n_jobs: int) -> tuple[PreparedData, str | None]:
    """The training part, or a stratified sample of it small enough for a few trials and the refit in time.

    Fits on a quarter of ``PROBE_ROWS`` and on ``PROBE_ROWS`` rows are timed and extrapolated
    (``extrapolate_seconds``); the search
    and the refit of the best then use the same sample, so the tuned run is what was searched.
    """
    n_train = len(data.y_train)
    if n_train < PROBE_MIN_ROWS:
        return data, None
    folds = len(data.splits)
    train_rows, validation_rows = data.splits[0]
    probe = train_rows[stratified_sample(data.y_train[train_rows], PROBE_ROWS, data.settings.seed,
                                         data.classes is not None)]
    timed = []
    for rows in (probe[::4], probe):
        began = time.perf_counter()
        # One thread, as in a worker process: OpenMP threads of boosting fight other work for the cores.
        with warnings.catch_warnings(), threadpool_limits(1):
            warnings.simplefilter("ignore")
            fitted = clone(pipeline).fit(data.X_train.iloc[rows], data.y_train[rows])
            fitted.predict(data.X_train.iloc[validation_rows[:len(rows) // 4]])
        timed.append(time.perf_counter() - began)
    rounds = math.ceil(MIN_TRIALS * folds / n_jobs) + math.ceil((folds + 1) / n_jobs)
    per_round = max(0.0, plan_end - time.perf_counter()) / rounds
    fold_share = (folds - 1) / folds
    def fold_fit(rows: float) -> float:
        return extrapolate_seconds((timed[0], timed[1]), rows * fold_share, spec.scaling, len(probe))

    if fold_fit(n_train) <= per_round:
        return data, None
    size = max(MIN_SAMPLE_ROWS, _rows_that_fit(fold_fit, per_round, n_train))
    if size >= n_train:
        return data, None
    sample = stratified_sample(data.y_train, size, data.settings.seed, data.classes is not None)
    position = np.full(n_train, -1)
    position[sample] = np.arange(len(sample))
    splits = [(position[train][position[train] >= 0], position[validation][position[validation] >= 0])
              for train, validation in data.splits]
    note = f"tuned and trained on {size:,} of {n_train:,} rows (stratified) to fit the budget"
    return replace(data, X_train=data.X_train.iloc[sample], y_train=data.y_train[sample], splits=splits,
                   notes=[*data.notes, note[0].upper() + note[1:] + "."]), note


def _inner_prefix(estimator: Any) -> str:
    """Where the learner's own parameters sit inside a wrapper (target scaling, calibration)."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.compose import TransformedTargetRegressor

    if isinstance(estimator, TransformedTargetRegressor):
        return "regressor__"
    if isinstance(estimator, CalibratedClassifierCV):
        return "estimator__"
    return ""


def _trials_table(results: dict[str, Any] | None, prefix: str, sign: float) -> pd.DataFrame:
    if not results:
        return pd.DataFrame(columns=["trial", "score", "score_std", "fit_seconds"])
    table = pd.DataFrame([{key[len(prefix):]: value for key, value in params.items()}
                          for params in results["params"]], dtype=object)
    table.insert(0, "trial", np.arange(1, len(table) + 1))
    table["score"] = sign * np.asarray(results["mean_test_score"], dtype=float)
    table["score_std"] = np.asarray(results["std_test_score"], dtype=float)
    table["fit_seconds"] = np.asarray(results["mean_fit_time"], dtype=float)
    for extra in ("iter", "n_resources"):
        if extra in results:
            table[extra] = results[extra]
    return table


def _best_trial(table: pd.DataFrame, spec: ModelSpec, method: str,
                metric: str) -> tuple[dict[str, Any], float | None]:
    """The best finished trial; for halving only the last round counts, as in scikit-learn."""
    scored = table[table["score"].notna()] if len(table) else table
    if method == "halving" and "iter" in scored and len(scored):
        scored = scored[scored["iter"] == scored["iter"].max()]
    if not len(scored):
        return {}, None
    scores = scored["score"].astype(float)
    best = scored.loc[scores.idxmax() if evaluate.higher_is_better(metric) else scores.idxmin()]
    names = [param.name for param in spec.params if param.name in best.index]
    return spec.resolve_params({name: _plain(best[name]) for name in names}), float(best["score"])


def _plain(value: Any) -> Any:
    """numpy scalars to Python ones, so parameters serialise to JSON and validate against specs."""
    if isinstance(value, float) and np.isnan(value):
        return None
    return value.item() if hasattr(value, "item") else value
