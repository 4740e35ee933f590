"""Bounded memory: finished jobs leave the shared registry, jobs of a gone session are dropped, the
registry has a hard bound, fitted runs per session are capped, and every cache is bounded."""

from __future__ import annotations

import ast
import gc
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from streamlit.testing.v1 import AppTest

from core.errors import DataError
from core.workspace import ResultKey, Workspace
from tests.pages.conftest import APP, ROOT
from ui import jobs
from ui.jobs import Job
from ui.model_state import FittedRuns, fitted_runs, released_runs_note, run_keeper


def finished_job(job_id: str, finished: float) -> Job:
    return Job(job_id, "x", state="done", finished=finished)


def test_a_job_whose_session_is_gone_is_cancelled_and_dropped_after_the_grace_period():
    running = Job("tune-gone-1", "tune", session_alive=lambda: False)
    kept = Job("tune-here-1", "tune")
    registry = {job.job_id: job for job in (running, kept)}
    jobs.prune(registry, now=1000.0)
    assert set(registry) == {"tune-gone-1", "tune-here-1"}, "a blink of the connection is not a closed tab"
    jobs.prune(registry, now=1000.0 + jobs.SESSION_GRACE_S)
    assert set(registry) == {"tune-here-1"}
    assert running.cancel_requested.is_set(), "its fits stop too"


def test_the_registry_never_holds_more_than_its_bound_dropping_the_oldest_finished_first():
    registry = {f"j{i}": finished_job(f"j{i}", finished=float(i)) for i in range(jobs.MAX_JOBS + 5)}
    registry["run"] = Job("run", "compare")
    jobs.prune(registry)
    assert len(registry) == jobs.MAX_JOBS
    assert "run" in registry and "j0" not in registry and f"j{jobs.MAX_JOBS + 4}" in registry


def test_one_session_cannot_start_more_than_its_share_of_running_jobs(monkeypatch):
    registry = {}
    monkeypatch.setattr(jobs, "_registry", lambda: registry)
    release = []

    def slow(progress, should_cancel):
        while not should_cancel() and not release:
            time.sleep(0.01)
        yield 1

    started = [jobs.start_job(f"compare-s1-{i}", "c", slow, session="s1") for i in range(jobs.MAX_RUNNING_PER_SESSION)]
    with pytest.raises(DataError, match="background jobs of yours are still running"):
        jobs.start_job("compare-s1-extra", "c", slow, session="s1")
    other = jobs.start_job("compare-s2-0", "c", slow, session="s2")  # another session is not affected
    release.append(True)
    for job in [*started, other]:
        jobs.wait_for(job, timeout=10)
        assert job.state == "done"


def test_a_finished_job_moves_out_of_the_shared_registry_into_its_session():
    app = AppTest.from_file(str(APP), default_timeout=120).run()
    app.selectbox(key="sample_choice").set_value("Iris flowers").run()
    next(b for b in app.button if b.label == "Load sample").click().run()
    app.switch_page("pages/model.py").run()
    app.multiselect(key="cmp_classification").set_value(["logistic_regression"]).run()
    next(b for b in app.button if b.label == "Compare").click().run()
    session = app.session_state["session_id"]
    mine = [job for job_id, job in jobs._registry().items() if session in job_id]
    assert mine, "the running compare is in the shared registry"
    jobs.wait_for(mine[0], timeout=120)
    assert mine[0].state == "done", mine[0].error
    app.run()  # the page polls the finished job
    assert not app.exception
    assert not [job_id for job_id in jobs._registry() if session in job_id], "the registry let it go"
    assert list(app.session_state["_finished_jobs"]) == [mine[0].job_id]
    board = app.session_state["workspace"].leaderboards
    assert [row.model for b in board.values() for row in b.rows][-1] == "logistic_regression"
    assert app.dataframe, "the page still shows the board"


def test_a_tune_job_keeps_a_summary_not_the_fitted_run():
    from core.tune import TuneResult
    from ui.model_tune import _without_run

    heavy = object()
    result = TuneResult("knn", "random", "accuracy", trials=None, best_params={"k": 3}, best_score=0.9, run=heavy)
    summary, trained = _without_run(result)
    assert trained and summary.run is None and summary.best_params == {"k": 3}
    assert result.run is heavy, "the result handed to the workspace keeps its run"


def test_a_job_of_an_ended_session_counts_as_gone():
    at = AppTest.from_function(_capture_liveness).run()
    alive = at.session_state["alive"]
    assert alive()
    del at
    gc.collect()
    assert not alive(), "once the session's state is released, its jobs are orphans"


def _capture_liveness():
    import streamlit as st

    from ui.jobs import session_liveness

    st.session_state["alive"] = session_liveness()


class FakeRun(SimpleNamespace):
    pass


def fake_run(run_id: str) -> FakeRun:
    record = SimpleNamespace(run_id=run_id, to_dict=lambda: {"run_id": run_id})
    return FakeRun(record=record)


def test_kept_fitted_runs_are_capped_and_the_oldest_is_released_with_a_note_its_record_stays():
    workspace = Workspace(dataset_name="t.csv", fingerprint="f", source_bytes=b"a\n1\n", read_options={})
    key = ResultKey(workspace.data_key(), "a", "regression")
    keep = run_keeper(workspace, key)
    for index in range(12):
        keep(fake_run(f"run{index}"))
    store = fitted_runs()
    assert isinstance(store, FittedRuns) and list(store) == [f"run{i}" for i in range(2, 12)]
    assert store.released == ["run0", "run1"]
    assert [r["run_id"] for r in workspace.runs] == [f"run{i}" for i in range(12)], "every record stays"
    note = released_runs_note(workspace, key.data)
    assert note is not None and "2 older run(s)" in note and "stay under Runs" in note


def cache_decorators(path: Path) -> list[tuple[str, set[str]]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.FunctionDef):
            for decorator in node.decorator_list:
                call = decorator if isinstance(decorator, ast.Call) else None
                target = call.func if call else decorator
                if isinstance(target, ast.Attribute) and target.attr in ("cache_data", "cache_resource"):
                    found.append((node.name, {kw.arg for kw in call.keywords} if call else set()))
    return found


def test_every_cache_is_bounded_and_its_bound_is_stated_in_the_docs():
    limits = (ROOT / "docs" / "limits.md").read_text()
    caches = [cache for folder in ("ui", "pages") for path in sorted((ROOT / folder).glob("*.py"))
              for cache in cache_decorators(path)]
    assert len(caches) >= 10
    unbounded = [name for name, keywords in caches if not keywords & {"max_entries", "ttl"}]
    assert unbounded == [], f"caches without max_entries or ttl: {unbounded}"
    undocumented = [name for name, _ in caches if f"`{name}`" not in limits]
    assert undocumented == [], f"caches missing from docs/limits.md: {undocumented}"
