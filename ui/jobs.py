"""Long work (compare, tune) that outlives a script rerun: a small registry of background jobs.

A job runs a ``core`` generator in a worker thread. ``core`` knows nothing of this: it takes a
progress callback and a cancel check and yields results as each model finishes. The page polls
the job from an ``st.fragment(run_every=...)``, so a click elsewhere never restarts it, and
Cancel sets a flag that ``core`` checks between fits.

Memory stays bounded: a finished job leaves the shared registry as soon as its own session sees
it (it moves into that session's state, where at most ``MAX_FINISHED_PER_SESSION`` are kept); a
job whose session has gone is cancelled and dropped; the registry never holds more than
``MAX_JOBS`` jobs, and one session never runs more than ``MAX_RUNNING_PER_SESSION`` at once.
"""

from __future__ import annotations

import threading
import time
import traceback
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from core.errors import DataError

MAX_JOBS = 32  # jobs held by the server process, running or finished and not yet seen
MAX_RUNNING_PER_SESSION = 4
MAX_FINISHED_PER_SESSION = 8  # finished jobs a session keeps to show their results
SESSION_GRACE_S = 30.0  # a session away this long (tab closed) is gone: its jobs are cancelled and dropped
PRUNE_EVERY_S = 10.0
_FINISHED_KEY = "_finished_jobs"


@dataclass
class Job:
    """One background run: its partial results, progress, and how it ended."""

    job_id: str
    label: str
    started: float = field(default_factory=time.time)
    results: list[Any] = field(default_factory=list)
    progress: float = 0.0
    message: str = "Starting..."
    state: str = "running"  # running, done, cancelled, failed
    error: str | None = None
    cancel_requested: threading.Event = field(default_factory=threading.Event)
    finished: float | None = None
    session: str = ""  # the page's session id (part of job_id), for the per-session limit
    session_alive: Callable[[], bool] = field(default=lambda: True, repr=False)
    away_since: float | None = None  # when its session was first seen gone

    @property
    def is_running(self) -> bool:
        return self.state == "running"

    @property
    def elapsed(self) -> float:
        return (self.finished or time.time()) - self.started

    def cancel(self) -> None:
        self.cancel_requested.set()


@st.cache_resource(max_entries=1)
def _registry() -> dict[str, Job]:
    """Jobs of every session of this server process, by id (ids include the session's key).

    A daemon thread prunes it every ``PRUNE_EVERY_S`` seconds, so the jobs of a closed tab are
    released even when no other session calls in.
    """
    registry: dict[str, Job] = {}
    lock = _registry_lock()

    def janitor() -> None:
        while True:
            time.sleep(PRUNE_EVERY_S)
            with lock:
                prune(registry)

    threading.Thread(target=janitor, name="job-janitor", daemon=True).start()
    return registry


@st.cache_resource(max_entries=1)
def _registry_lock() -> threading.Lock:
    return threading.Lock()


def prune(registry: dict[str, Job], now: float | None = None) -> None:
    """Cancel and drop the jobs whose session has been gone for ``SESSION_GRACE_S``; then, over
    ``MAX_JOBS``, drop the oldest finished jobs."""
    now = time.time() if now is None else now
    for job_id, job in list(registry.items()):
        if job.session_alive():
            job.away_since = None
            continue
        job.away_since = job.away_since or now
        if now - job.away_since >= SESSION_GRACE_S:
            job.cancel()
            del registry[job_id]
    finished = sorted((job for job in registry.values() if not job.is_running), key=lambda job: job.finished or 0)
    while len(registry) > MAX_JOBS and finished:
        registry.pop(finished.pop(0).job_id, None)


class _SessionToken:
    """An object only the session's state holds: when the state is released, a weak reference dies."""


def session_liveness() -> Callable[[], bool]:
    """A check that the calling script's browser session still exists (always true outside one).

    With a running server the runtime says whether the session is active; and a token kept in the
    session's state is watched by a weak reference, so a session whose state was released (or an
    AppTest that ended) is gone too.
    """
    from streamlit import runtime
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None:
        return lambda: True
    token = weakref.ref(st.session_state.setdefault("_job_session_token", _SessionToken()))
    session_id = ctx.session_id
    server = runtime.get_instance() if runtime.exists() else None

    def alive() -> bool:
        return token() is not None and (server is None or server.is_active_session(session_id))
    return alive


def start_job(job_id: str, label: str, work: Callable[..., Iterator[Any]], *args: Any,
              on_result: Callable[[Any], None] | None = None, summarise: Callable[[Any], Any] | None = None,
              session: str = "", **kwargs: Any) -> Job:
    """Start ``work(*args, progress=..., should_cancel=..., **kwargs)`` unless that job already runs.

    ``work`` must be a generator; each yielded item is handed to ``on_result`` (which stores it in
    the workspace, so finished work survives a page change) and then kept in ``job.results`` as
    ``summarise(item)``: what the page shows, without the heavy parts the workspace already holds.
    A ``DataError`` says when the server or the ``session`` (the page's session id) runs
    too many jobs.
    """
    registry = _registry()
    with _registry_lock():
        prune(registry)
        existing = registry.get(job_id)
        if existing is not None and existing.is_running:
            return existing
        running = [job for job in registry.values() if job.is_running and session and job.session == session]
        if len(running) >= MAX_RUNNING_PER_SESSION:
            raise DataError(f"{len(running)} background jobs of yours are still running. Wait for one to "
                            "finish, or cancel one, then start this again.")
        if len(registry) >= MAX_JOBS and all(job.is_running for job in registry.values()):
            raise DataError(f"The server is running {len(registry)} background jobs, its limit. Try again "
                            "in a minute.")
        job = Job(job_id, label, session=session, session_alive=session_liveness())
        registry[job_id] = job
        prune(registry)

    def progress(fraction: float, message: str = "") -> None:
        job.progress = max(0.0, min(1.0, float(fraction)))
        if message:
            job.message = message

    def run() -> None:
        try:
            for item in work(*args, progress=progress, should_cancel=job.cancel_requested.is_set, **kwargs):
                if on_result is not None:
                    on_result(item)
                job.results.append(summarise(item) if summarise is not None else item)
            job.state = "cancelled" if job.cancel_requested.is_set() else "done"
        except DataError as exc:
            job.state, job.error = "failed", str(exc)
        except Exception as exc:  # noqa: BLE001 - a bug must not kill the server; it is shown, not hidden
            job.state = "failed"
            job.error = f"Unexpected error ({type(exc).__name__}: {exc}). Please report it."
            traceback.print_exc()
        finally:
            job.progress = 1.0 if job.state == "done" else job.progress
            job.finished = time.time()

    threading.Thread(target=run, name=f"job-{job_id}", daemon=True).start()
    return job


def one_result(work: Callable[..., Any]) -> Callable[..., Iterator[Any]]:
    """Give a function that returns one result (a tuning search) the generator shape jobs take."""
    def generator(*args: Any, **kwargs: Any) -> Iterator[Any]:
        yield work(*args, **kwargs)
    return generator


def job_id_for(kind: str, session: str, key: Any) -> str:
    """A job's id: per session, and per what it works on (a compare of one table and target never
    shows up, or blocks a new one, on another)."""
    import hashlib

    return f"{kind}-{session}-{hashlib.sha256(repr(key).encode()).hexdigest()[:10]}"


def get_job(job_id: str) -> Job | None:
    """The job, running or finished. A finished job that its own session asks for moves from the
    shared registry into that session's state: the server holds it no longer than the session."""
    registry = _registry()
    job = registry.get(job_id)
    finished = _finished_jobs()
    if job is None:
        return finished.get(job_id) if finished is not None else None
    if not job.is_running and finished is not None:
        with _registry_lock():
            registry.pop(job_id, None)
        finished.pop(job_id, None)
        finished[job_id] = job
        while len(finished) > MAX_FINISHED_PER_SESSION:
            finished.pop(next(iter(finished)))
    return job


def _finished_jobs() -> dict[str, Job] | None:
    """This session's finished jobs, or None outside a script run (a test's or the command line's thread)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    if get_script_run_ctx() is None:
        return None
    return st.session_state.setdefault(_FINISHED_KEY, {})


def wait_for(job: Job, timeout: float = 600.0) -> Job:
    """Block until the job ends (for tests and the command line, not for pages)."""
    deadline = time.time() + timeout
    while job.is_running and time.time() < deadline:
        time.sleep(0.05)
    return job
