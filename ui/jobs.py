"""Long work (compare, tune) that outlives a script rerun: a small registry of background jobs.

A job runs a ``core`` generator in a worker thread. ``core`` knows nothing of this: it takes a
progress callback and a cancel check and yields results as each model finishes. The page polls
the job from an ``st.fragment(run_every=...)``, so a click elsewhere never restarts it, and
Cancel sets a flag that ``core`` checks between fits.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from core.errors import DataError


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

    @property
    def is_running(self) -> bool:
        return self.state == "running"

    @property
    def elapsed(self) -> float:
        return (self.finished or time.time()) - self.started

    def cancel(self) -> None:
        self.cancel_requested.set()


@st.cache_resource
def _registry() -> dict[str, Job]:
    """Jobs of every session of this server process, by id (ids include the session's key)."""
    return {}


def start_job(job_id: str, label: str, work: Callable[..., Iterator[Any]], *args: Any,
              on_result: Callable[[Any], None] | None = None, **kwargs: Any) -> Job:
    """Start ``work(*args, progress=..., should_cancel=..., **kwargs)`` unless that job already runs.

    ``work`` must be a generator; each yielded item is appended to ``job.results`` and handed to
    ``on_result`` (which stores it in the workspace, so finished work survives a page change).
    """
    registry = _registry()
    existing = registry.get(job_id)
    if existing is not None and existing.is_running:
        return existing
    job = Job(job_id, label)
    registry[job_id] = job

    def progress(fraction: float, message: str = "") -> None:
        job.progress = max(0.0, min(1.0, float(fraction)))
        if message:
            job.message = message

    def run() -> None:
        try:
            for item in work(*args, progress=progress, should_cancel=job.cancel_requested.is_set, **kwargs):
                job.results.append(item)
                if on_result is not None:
                    on_result(item)
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
    return _registry().get(job_id)


def wait_for(job: Job, timeout: float = 600.0) -> Job:
    """Block until the job ends (for tests and the command line, not for pages)."""
    deadline = time.time() + timeout
    while job.is_running and time.time() < deadline:
        time.sleep(0.05)
    return job
