"""Jobs share the engine safely: a job that stops (cancel, budget, its session gone) ends only its own fits.

Before job-owned pools, every job ran on joblib's one process-wide worker pool, and a stop killed it:
the other sessions' compares failed with "The executor underlying Parallel has been shutdown".
"""

from __future__ import annotations

import gc
import os
import threading
import time

import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import Ridge

from core import engine, models, worker_pools
from core.compare import compare_models
from core.io import read_csv_file
from core.models import ModelSpec
from core.specs import ParamSpec
from core.train import TrainSettings
from core.tune import tune_model

TARGETS = {"penguins": "species", "wine": "cultivar", "breast_cancer": "diagnosis", "iris": "species",
           "titanic": "survived"}
MODELS = ["logistic_regression", "decision_tree", "sleepy"]


class SleepyLogistic(ClassifierMixin, BaseEstimator):
    """Logistic regression whose every fit first sleeps ``seconds``: fits that are surely running when a job stops."""

    def __init__(self, seconds=0.5):
        self.seconds = seconds

    def fit(self, X, y):
        from sklearn.linear_model import LogisticRegression

        time.sleep(self.seconds)
        self.model_ = LogisticRegression(max_iter=500).fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X)

    def predict_proba(self, X):
        return self.model_.predict_proba(X)


class SleepyRidge(Ridge):
    def fit(self, X, y, sample_weight=None):
        time.sleep(1.0)
        return super().fit(X, y, sample_weight)


@pytest.fixture(autouse=True)
def sleepy_models(monkeypatch):
    slow = ModelSpec("sleepy", "classification", "Sleepy", lambda p, s, c: SleepyLogistic(0.5))
    # Cheapest by its stated cost: a compare without a budget runs it last, with one first.
    very_slow = ModelSpec("very_sleepy", "classification", "Very sleepy", lambda p, s, c: SleepyLogistic(5.0),
                          cost=0.01)
    ridge = ModelSpec("sleepy_ridge", "regression", "Sleepy ridge", lambda p, s, c: SleepyRidge(**p),
                      (ParamSpec("alpha", "float", 1.0, "Alpha", low=1e-3, high=10.0, log=True),))
    monkeypatch.setattr(models, "_CATALOGUE", (*models._CATALOGUE, slow, very_slow, ridge))


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return {name: read_csv_file(f"sample_data/{name}.csv").frame for name in TARGETS}


def _board(rows) -> list[tuple]:
    """What a user compares between two leaderboards: each model's status, error and scores."""
    return sorted((row.model, row.status, row.error, row.cv, row.test) for row in rows)


def _compare(tables, name: str, **options) -> list:
    settings = TrainSettings(target=TARGETS[name], folds=3, seed=1)
    return list(compare_models(tables[name], settings, options.pop("models", MODELS), n_jobs=2, **options))


def _cancel_at_first_fit() -> dict:
    """Options of a compare whose user presses Cancel as soon as its first fit is done (others still run)."""
    clicked = threading.Event()
    return {"progress": lambda fraction, message: clicked.set() if "fits" in message else None,
            "should_cancel": clicked.is_set, "models": ["very_sleepy", "sleepy", "decision_tree"]}


def _run_together(jobs: dict[str, tuple]) -> dict[str, object]:
    """Run ``{label: (function, args, kwargs)}`` in threads started together; each label's rows or exception."""
    outcomes: dict[str, object] = {}
    start = threading.Barrier(len(jobs))

    def run(label, function, args, kwargs):
        start.wait()
        try:
            outcomes[label] = function(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - the test reports what broke
            outcomes[label] = exc

    threads = [threading.Thread(target=run, args=(label, *job)) for label, job in jobs.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    return outcomes


def _assert_same_as_alone(outcomes: dict, alone: dict[str, list]) -> None:
    for label, rows in alone.items():
        assert not isinstance(outcomes[label], Exception), f"{label} broke: {outcomes[label]!r}"
        assert _board(outcomes[label]) == _board(rows), label


def _assert_stopped_cleanly(rows, statuses: set[str]) -> None:
    assert not isinstance(rows, Exception), repr(rows)
    assert {row.status for row in rows if row.model != "baseline"} <= statuses
    assert all(row.error is None for row in rows)


def test_two_concurrent_compares_one_cancelled_one_out_of_time_leave_the_other_unchanged(tables):
    alone = {"penguins": _compare(tables, "penguins"), "wine": _compare(tables, "wine")}
    cancelled = _run_together({"penguins": (_compare, (tables, "penguins"), {}),
                               "stopper": (_compare, (tables, "wine"), _cancel_at_first_fit())})
    _assert_same_as_alone(cancelled, {"penguins": alone["penguins"]})
    _assert_stopped_cleanly(cancelled["stopper"], {"done", "cancelled"})
    assert any(row.status == "cancelled" for row in cancelled["stopper"])
    timed_out = _run_together({"wine": (_compare, (tables, "wine"), {}),
                               "stopper": (_compare, (tables, "penguins"),
                                           {"models": ["very_sleepy"], "time_budget_s": 2.0})})
    _assert_same_as_alone(timed_out, {"wine": alone["wine"]})
    _assert_stopped_cleanly(timed_out["stopper"], {"skipped"})


def test_eight_concurrent_compares_some_cancelled_some_out_of_time(tables):
    names = ["penguins", "wine", "breast_cancer", "iris"]
    alone = {name: _compare(tables, name) for name in names}
    jobs = {name: (_compare, (tables, name), {}) for name in names}
    for index, name in enumerate(["titanic", "penguins"]):
        jobs[f"cancelled {index}"] = (_compare, (tables, name), _cancel_at_first_fit())
        jobs[f"out of time {index}"] = (_compare, (tables, name), {"models": ["very_sleepy", "decision_tree"],
                                                                  "time_budget_s": 3.0})
    outcomes = _run_together(jobs)
    _assert_same_as_alone(outcomes, alone)
    for index in range(2):
        _assert_stopped_cleanly(outcomes[f"cancelled {index}"], {"done", "cancelled"})
        _assert_stopped_cleanly(outcomes[f"out of time {index}"], {"done", "skipped"})
    assert worker_pools.pool_counts()["idle"] <= worker_pools.MAX_IDLE_POOLS


def test_a_tune_cancelled_during_a_batch_leaves_another_sessions_compare_unchanged(tables):
    diabetes = read_csv_file("sample_data/diabetes.csv").frame
    alone = _compare(tables, "breast_cancer")
    clicked = threading.Event()

    def progress(fraction, message):  # Cancel is pressed a moment after the first batch, during the next
        threading.Timer(1.0, clicked.set).start()

    outcomes = _run_together({
        "compare": (_compare, (tables, "breast_cancer"), {}),
        "tune": (tune_model, (diabetes, TrainSettings(target="disease_progression", folds=3), "sleepy_ridge"),
                 {"n_trials": 40, "n_jobs": 2, "progress": progress, "should_cancel": clicked.is_set})})
    _assert_same_as_alone(outcomes, {"compare": alone})
    tuned = outcomes["tune"]
    assert not isinstance(tuned, Exception), repr(tuned)
    assert tuned.stopped == "cancelled" and tuned.run is None
    # The batch running when Cancel was pressed was ended, not awaited: only the first batch's trials are kept.
    assert len(tuned.trials) == 4


def _wait_until_gone(pids: list[int], seconds: float = 60.0) -> list[int]:
    """The processes among ``pids`` still alive after waiting up to ``seconds`` (a loaded machine is slow)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        alive = [pid for pid in pids if os.path.exists(f"/proc/{pid}") and _state(pid) != "Z"]
        if not alive:
            return []
        time.sleep(0.1)
    return alive


def _state(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


def _slow_tasks(n: int, seconds: float) -> list[tuple]:
    return [(index, time.sleep, seconds) for index in range(n)]


def test_a_killed_jobs_pool_is_not_reused_and_its_workers_end():
    clicked = threading.Event()
    with engine.running_job(engine.RunContext(should_cancel=clicked.is_set, n_jobs=2)) as job:
        pool = job.workers.pool
        pool.wait_warm(60)
        pids = pool.worker_pids()
        clicked.set()  # the user cancels while both workers sleep
        assert list(engine.run_tasks(_slow_tasks(4, 30.0), job)) == []
    assert pool.killed and pool not in worker_pools._REGISTRY.idle
    assert _wait_until_gone(pids) == []
    with engine.running_job(engine.RunContext(n_jobs=2)) as job:
        assert job.workers.pool is not pool
        assert list(engine.run_tasks([("answer", int, "42")], job)) == [("answer", 42)]


def test_a_pool_that_ended_cleanly_is_reused_warm_and_the_idle_list_stays_bounded(monkeypatch):
    monkeypatch.setattr(worker_pools, "MAX_POOLS", 4)
    with engine.running_job(engine.RunContext(n_jobs=2)) as job:
        first = job.workers.pool
        assert list(engine.run_tasks([("one", int, "1")], job)) == [("one", 1)]
    with engine.running_job(engine.RunContext(n_jobs=2)) as job:
        assert job.workers.pool is first  # warm: no new processes for the next job
    held, release = threading.Barrier(5), threading.Event()
    messages: list[str] = []

    def hold_a_pool(progress=None) -> None:
        with engine.running_job(engine.RunContext(progress, n_jobs=2)):
            if progress is None:
                held.wait(120)
            release.wait(120)

    holders = [threading.Thread(target=hold_a_pool) for _ in range(4)]
    for thread in holders:
        thread.start()
    held.wait(120)  # four jobs hold the four pools allowed
    waiter = threading.Thread(target=hold_a_pool, args=(lambda fraction, message: messages.append(message),))
    waiter.start()
    deadline = time.monotonic() + 60
    while not messages and time.monotonic() < deadline:
        time.sleep(0.05)
    assert messages and messages[0].startswith("Waiting for free workers (4 jobs running")
    assert worker_pools.pool_counts()["busy"] == 4
    release.set()
    for thread in [*holders, waiter]:
        thread.join(120)
    counts = worker_pools.pool_counts()
    assert counts == {"busy": 0, "idle": worker_pools.MAX_IDLE_POOLS, "waiting": 0}


def test_a_compare_whose_session_is_gone_frees_its_workers(tables):
    settings = TrainSettings(target="species", folds=3)
    rows = compare_models(tables["penguins"], settings, ["logistic_regression", "very_sleepy"], n_jobs=2)
    seen = [next(rows), next(rows)]  # the baseline, then logistic regression; very_sleepy's fits are running
    assert [row.model for row in seen] == ["baseline", "logistic_regression"]
    pids = worker_pools.worker_pids()["busy"]
    assert pids and worker_pools.pool_counts()["busy"] == 1
    del rows  # the session ends without closing its job: the generator is garbage-collected
    gc.collect()
    assert worker_pools.pool_counts()["busy"] == 0
    assert _wait_until_gone(pids) == []
