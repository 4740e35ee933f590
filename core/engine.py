"""The one place that runs many fits: progress, cancel, deadline, worker count, and whose workers.

Every job (a compare, a tune, a train) runs its fits on worker processes of its own
(``core.worker_pools``): a pool taken when the job starts (``running_job``) and given back when it
ends. Stopping a job (cancel, deadline, error, its generator closed or garbage-collected) kills
that pool's workers and no one else's; joblib's process-wide reusable executor, which every
session of a server would share, is never used. A pool given back cleanly stays idle and warm for
the next job; a killed one is discarded. When ``MAX_POOLS`` pools are busy a new job waits, first
come first served, and says so through its progress callback ("Waiting for free workers"): waiting
rather than running with fewer workers keeps each job's results and timing the same as alone.

Plugging in another backend (Dask, issue 16): a job's fits reach workers only through
``RunContext.workers``: ``submit`` (returning a ``concurrent.futures.Future``), ``kill`` and
``joblib_backend`` (for scikit-learn's own ``Parallel`` calls). ``running_job`` is the one place
that chooses them; a Dask job would get an object with those three methods there
(``Client.get_executor()`` submits ``concurrent.futures`` futures, ``Client.cancel`` kills,
joblib's ``"dask"`` backend serves scikit-learn) and nothing else in ``core`` changes.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field, replace
from typing import Any

from joblib import cpu_count

from core import worker_pools
from core.errors import DataError
from core.worker_pools import JobWorkers

Progress = Callable[[float, str], None]
ShouldCancel = Callable[[], bool]
# How often a running job looks at its cancel flag while no fit has ended.
POLL_SECONDS = 0.25


class Cancelled(DataError):
    """The user stopped the work before it finished."""


def default_n_jobs() -> int:
    """Worker processes for fits: every core this process may use."""
    return max(1, int(cpu_count()))


@dataclass
class RunContext:
    """How a long piece of work runs: where it reports, when it stops, on how many workers.

    ``deadline`` is a ``time.perf_counter()`` value (None: no time budget). ``workers`` is set by
    ``running_job`` and shared by everything the job calls, so nested work never takes a second pool.
    """

    progress: Progress | None = None
    should_cancel: ShouldCancel | None = None
    deadline: float | None = None
    n_jobs: int | None = None
    workers: JobWorkers | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.n_jobs = max(1, int(self.n_jobs or default_n_jobs()))

    def report(self, fraction: float, message: str) -> None:
        if self.progress is not None:
            self.progress(fraction, message)

    def cancelled(self) -> bool:
        return self.should_cancel is not None and bool(self.should_cancel())

    def check_cancel(self) -> None:
        if self.cancelled():
            raise Cancelled("Cancelled before it finished; nothing was changed.")

    def changed(self, **changes: Any) -> RunContext:
        """A copy with some fields changed; it keeps the job's workers."""
        return replace(self, **changes)


@contextlib.contextmanager
def running_job(context: RunContext) -> Iterator[RunContext]:
    """Give a job its own workers until it ends; nested calls with the job's context share them.

    With one worker (or when cancelled or out of time while waiting for a pool) the job runs its
    fits in this process.
    """
    if context.workers is not None or context.n_jobs <= 1:
        yield context
        return

    def out_of_time() -> bool:
        return context.deadline is not None and time.perf_counter() >= context.deadline

    workers = worker_pools.acquire(context.n_jobs, lambda message: context.report(0.0, message),
                                   lambda: context.cancelled() or out_of_time())
    if workers is None:
        yield context.changed(n_jobs=1)
        return
    try:
        yield context.changed(workers=workers)
    finally:
        worker_pools.release(workers)


def warm_up_workers(n_jobs: int | None = None) -> threading.Thread | None:
    """Start a pool of ``n_jobs`` workers and leave it idle and warm for the next job (pages call this
    when they open, so a worker's start-up overlaps with the user's first clicks)."""
    n_jobs = n_jobs or default_n_jobs()
    if n_jobs < 2:
        return None

    def start() -> None:
        with running_job(RunContext(n_jobs=n_jobs)) as job:
            if job.workers is not None:
                job.workers.wait_warm(timeout=60)

    thread = threading.Thread(target=start, name="workbench-warm-up", daemon=True)
    thread.start()
    return thread


def run_tasks(tasks: list[tuple[Any, ...]], context: RunContext, stop: Callable[[], bool] | None = None,
              deadline: float | None = None) -> Iterator[tuple[Any, Any]]:
    """Run ``(key, function, *args)`` tasks, yielding ``(key, result)`` as each ends.

    ``stop()`` (default: the context's cancel check) is asked after every result and while waiting;
    at ``deadline`` (a ``time.perf_counter()`` value) no new task starts. On either, or when the
    caller stops iterating, the job's fits still running are ended with its own workers.
    """
    stop = stop or context.cancelled
    if context.workers is None:
        for key, function, *args in tasks:
            if deadline is not None and time.perf_counter() >= deadline:
                return
            yield key, function(*args)
            if stop():
                return
        return
    if deadline is not None and time.perf_counter() >= deadline:
        return
    pool = context.workers.live_pool()
    pool.use_own_folder()
    futures: dict[Future, tuple[int, Any]] = {}
    try:
        for index, (key, function, *args) in enumerate(tasks):
            futures[context.workers.submit(function, *args)] = (index, key)
        while futures:
            left = None if deadline is None else deadline - time.perf_counter()
            done, _ = wait(futures, timeout=POLL_SECONDS if left is None else max(0.0, min(POLL_SECONDS, left)),
                           return_when=FIRST_COMPLETED)
            for future in sorted(done, key=lambda future: futures[future][0]):
                _, key = futures.pop(future)
                yield key, future.result()
                if stop():
                    return
            if not done and (stop() or left is not None and left <= 0):
                return
    finally:
        if any(not future.done() for future in futures):
            context.workers.kill()
        elif pool.usable:
            pool.release_own_folder()


@contextlib.contextmanager
def end_fits_at(deadline: float | None, context: RunContext) -> Iterator[threading.Event]:
    """Kill the job's workers at ``deadline`` or on a cancel (the event tells it happened).

    For work that runs its own joblib ``Parallel`` (scikit-learn's searches), which has neither:
    its batch then raises, and what finished before it is kept. In-process work runs on.
    """
    ended, finished = threading.Event(), threading.Event()

    def watch() -> None:
        while not finished.wait(POLL_SECONDS if deadline is None
                                else max(0.0, min(POLL_SECONDS, deadline - time.perf_counter()))):
            if context.cancelled() or deadline is not None and time.perf_counter() >= deadline:
                ended.set()
                context.workers.kill()
                return

    if context.workers is not None:
        threading.Thread(target=watch, name="workbench-end-fits", daemon=True).start()
    try:
        yield ended
    finally:
        finished.set()
