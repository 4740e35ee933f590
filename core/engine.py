"""The one place that runs many fits: progress, cancel, deadline, worker count, and whose workers.

Every job (a compare, a tune, a train) runs its fits on worker processes of its own: a pool
taken from a small registry when the job starts and given back when it ends. Stopping a job
(cancel, deadline, error, its generator closed or garbage-collected) kills that pool's workers
and no one else's; joblib's process-wide reusable executor, which every session of a server
would share, is never used. A pool given back cleanly waits in a short idle list (at most
``MAX_IDLE_POOLS``, for ``IDLE_WORKER_TIMEOUT_S``) so the next job starts warm; a killed pool is
discarded. At most ``MAX_POOLS`` pools are alive at once: a job beyond that waits, first come
first served, and says so through its progress callback ("waiting for free workers"). Waiting
rather than running with fewer workers keeps each job's results and timing the same as alone.

Plugging in another backend (Dask, issue 16): a job's fits reach workers only through
``JobWorkers`` (``submit`` returning a ``concurrent.futures.Future``, ``kill``, and
``joblib_backend`` for scikit-learn's own ``Parallel`` calls). ``running_job`` is where a job gets
them; a Dask job would get an object with those three methods (``Client.get_executor()``
already submits ``concurrent.futures`` futures, ``Client.cancel`` kills, joblib's ``"dask"``
backend serves scikit-learn) and nothing else in ``core`` changes.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field, replace
from typing import Any

from joblib import cpu_count
from joblib._memmapping_reducer import TemporaryResourcesManager, get_memmapping_reducers
from joblib._parallel_backends import FallbackToBackend, LokyBackend, SequentialBackend
from joblib.executor import MemmappingExecutor
from joblib.externals.loky.process_executor import ProcessPoolExecutor

from core.errors import DataError

Progress = Callable[[float, str], None]
ShouldCancel = Callable[[], bool]

MAX_POOLS = 8  # pools alive at once (busy and idle); a ninth job waits for one to be given back
MAX_IDLE_POOLS = 2
IDLE_WORKER_TIMEOUT_S = 300.0
# How often a running or waiting job looks at its cancel flag while no fit has ended.
POLL_SECONDS = 0.25
# Arrays above this go to workers as memory maps instead of pickled copies (joblib's default).
MEMMAP_MIN_BYTES = 1_000_000


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


def _import_fit_modules() -> int:
    """Run in each new worker: import what fits need while the job is still preparing its data."""
    import sklearn.dummy  # noqa: F401
    import sklearn.ensemble  # noqa: F401
    import sklearn.linear_model  # noqa: F401
    import sklearn.metrics  # noqa: F401
    import sklearn.neighbors  # noqa: F401
    import sklearn.svm  # noqa: F401
    import sklearn.tree  # noqa: F401

    return 0


class _OwnExecutor(MemmappingExecutor):
    """A loky pool with joblib's memory-mapping reducers that is never the process-wide singleton.

    loky's reusable executor sends a submit on a shut-down pool to the singleton; a job's pool must
    fail instead, so its fits never land on workers another job depends on.
    """

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Future:
        with self._submit_resize_lock:
            return ProcessPoolExecutor.submit(self, fn, *args, **kwargs)


class WorkerPool:
    """``n_workers`` loky worker processes; owned by one job at a time, killed alone."""

    def __init__(self, n_workers: int):
        self.n_workers = n_workers
        self.killed = False
        self.idle_since = time.monotonic()
        self._folder = uuid.uuid4().hex
        self._temp = TemporaryResourcesManager(context_id=self._folder)
        forward, backward = get_memmapping_reducers(
            temp_folder_resolver=self._temp.resolve_temp_folder_name, max_nbytes=MEMMAP_MIN_BYTES,
            mmap_mode="r", unlink_on_gc_collect=True)
        # Each worker's math libraries get their share of the cores, as joblib's loky backend sets.
        env = LokyBackend()._prepare_worker_env(n_jobs=n_workers)
        self.executor = _OwnExecutor(threading.RLock(), max_workers=n_workers, timeout=IDLE_WORKER_TIMEOUT_S,
                                     executor_id=-1, job_reducers=forward, result_reducers=backward, env=env)
        self.executor._temp_folder_manager = self._temp
        self._warm: list[Future] = [self.executor.submit(_import_fit_modules) for _ in range(n_workers)]

    def use_own_folder(self) -> None:
        """Large arrays of the next tasks go to this pool's temporary folder (a search's joblib
        ``Parallel`` switches to a folder of its own while it sends tasks, and removes it after)."""
        self._temp.set_current_context(self._folder)

    def release_own_folder(self) -> None:
        """Let go of the arrays sent by tasks that have all ended (as joblib does after each ``Parallel``)."""
        self._temp._clean_temporary_resources(context_id=self._folder, force=False)

    def wait_warm(self, timeout: float | None) -> None:
        wait(self._warm, timeout=timeout)

    @property
    def usable(self) -> bool:
        flags = self.executor._flags
        return not self.killed and not flags.shutdown and flags.broken is None

    def worker_pids(self) -> list[int]:
        return list((getattr(self.executor, "_processes", None) or {}).keys())

    def kill(self) -> None:
        """End this pool's workers now, fits and all (other pools are untouched)."""
        self.killed = True
        self.executor.shutdown(wait=False, kill_workers=True)
        self._temp._clean_temporary_resources(force=True, allow_non_empty=True)

    def close(self) -> None:
        """Let the workers finish and exit (an idle pool leaving the idle list)."""
        self.killed = True
        self.executor.shutdown(wait=False)
        self._temp._clean_temporary_resources(force=False, allow_non_empty=True)


class JobWorkers:
    """The workers one job holds from start to end: its pool, replaced if a stop killed it."""

    def __init__(self, pool: WorkerPool):
        self.pool = pool
        self.n_workers = pool.n_workers
        self._lock = threading.Lock()
        self._tasks: set[Future] = set()

    def _live_pool(self) -> WorkerPool:
        with self._lock:
            if not self.pool.usable:  # a stop killed it earlier in this job: the job's slot gets a fresh one
                self.pool = WorkerPool(self.n_workers)
            return self.pool

    def submit(self, function: Callable[..., Any], *args: Any) -> Future:
        future = self._live_pool().executor.submit(function, *args)
        self._tasks.add(future)
        future.add_done_callback(self._tasks.discard)
        return future

    def kill(self) -> None:
        with self._lock:
            self.pool.kill()

    def wait_warm(self, timeout: float | None) -> None:
        """Wait until the workers have started and imported what fits need (timings taken before would be off)."""
        self._live_pool().wait_warm(timeout)

    def has_running_tasks(self) -> bool:
        return any(not future.done() for future in list(self._tasks))

    def joblib_backend(self) -> LokyBackend:
        """A joblib backend running scikit-learn's own ``Parallel`` calls on this job's pool."""
        return _JobBackend(self)


class _JobBackend(LokyBackend):
    """joblib's loky backend on a job's pool: an abort (a fit raised, a deadline) kills only that pool."""

    def __init__(self, job_workers: JobWorkers, **kwargs: Any):
        super().__init__(**kwargs)
        self.job_workers = job_workers

    def configure(self, n_jobs: int = 1, parallel: Any = None, prefer: Any = None, require: Any = None,
                  idle_worker_timeout: Any = None, **memmapping_executor_kwargs: Any) -> int:
        n_jobs = self.effective_n_jobs(n_jobs)
        if n_jobs == 1:
            raise FallbackToBackend(SequentialBackend(nesting_level=self.nesting_level))
        pool = self.job_workers._live_pool()
        pool._temp.register_new_context(parallel._id)
        self._workers, self.parallel = pool.executor, parallel
        return min(n_jobs, self.job_workers.n_workers)

    def abort_everything(self, ensure_ready: bool = True) -> None:
        self.job_workers.kill()
        self._workers = None
        if ensure_ready:
            self.configure(n_jobs=self.parallel.n_jobs, parallel=self.parallel)


class _PoolRegistry:
    """Pools of every job of this process: the busy ones, the idle list and the waiting line."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self.busy: set[JobWorkers] = set()
        self.idle: list[WorkerPool] = []
        self._line: list[object] = []

    def acquire(self, n_workers: int, context: RunContext) -> JobWorkers | None:
        """Workers for a job, waiting while ``MAX_POOLS`` are busy; None when the job is cancelled or
        its deadline passes while it waits (it then has nothing left to run on workers)."""
        ticket = object()
        with self._changed:
            self._line.append(ticket)
        try:
            while True:
                with self._changed:
                    self._close_idle(stale_only=True)
                    if self._line[0] is ticket and len(self.busy) < MAX_POOLS:
                        self._line.pop(0)
                        pool = self._take_idle(n_workers)
                        self._close_idle(keep=MAX_POOLS - len(self.busy) - 1)
                        break
                    running, ahead = len(self.busy), self._line.index(ticket)
                context.report(0.0, f"Waiting for free workers ({running} jobs running, {ahead} waiting ahead)...")
                if context.cancelled() or (context.deadline is not None and time.perf_counter() >= context.deadline):
                    return None
                with self._changed:
                    self._changed.wait(POLL_SECONDS)
        finally:
            with self._changed:
                if ticket in self._line:
                    self._line.remove(ticket)
                self._changed.notify_all()
        workers = JobWorkers(pool or WorkerPool(n_workers))  # started outside the lock: spawning takes a moment
        with self._changed:
            self.busy.add(workers)
        return workers

    def release(self, workers: JobWorkers) -> None:
        """Take a job's pool back: idle and warm if it ended cleanly, killed if fits were still running."""
        if workers.has_running_tasks():
            workers.kill()
        with self._changed:
            self.busy.discard(workers)
            if workers.pool.usable:
                workers.pool.idle_since = time.monotonic()
                self.idle.append(workers.pool)
                self._close_idle(keep=min(MAX_IDLE_POOLS, MAX_POOLS - len(self.busy)))
            self._changed.notify_all()

    def _take_idle(self, n_workers: int) -> WorkerPool | None:
        for pool in reversed(self.idle):
            if pool.n_workers == n_workers and pool.usable:
                self.idle.remove(pool)
                return pool
        return None

    def _close_idle(self, keep: int = MAX_IDLE_POOLS, stale_only: bool = False) -> None:
        """Close the oldest idle pools beyond ``keep``, or those whose workers timed out (never handed out cold)."""
        now = time.monotonic()
        for pool in list(self.idle):
            stale = now - pool.idle_since > 0.9 * IDLE_WORKER_TIMEOUT_S or not pool.usable
            if stale or (not stale_only and len(self.idle) > max(0, keep)):
                self.idle.remove(pool)
                pool.close()


# The only module-level mutable state: every job's pools, guarded by the registry's own lock.
_REGISTRY = _PoolRegistry()


@contextlib.contextmanager
def running_job(context: RunContext) -> Iterator[RunContext]:
    """Give a job its own workers until it ends; nested calls with the job's context share them.

    With one worker (or when cancelled or out of time while waiting for a pool) the job runs its
    fits in this process.
    """
    if context.workers is not None or context.n_jobs <= 1:
        yield context
        return
    workers = _REGISTRY.acquire(context.n_jobs, context)
    if workers is None:
        yield context.changed(n_jobs=1)
        return
    try:
        yield context.changed(workers=workers)
    finally:
        _REGISTRY.release(workers)


def warm_up_workers(n_jobs: int | None = None) -> threading.Thread | None:
    """Start a pool of ``n_jobs`` workers and leave it idle and warm for the next job (pages call this
    when they open, so a worker's start-up overlaps with the user's first clicks)."""
    n_jobs = n_jobs or default_n_jobs()
    if n_jobs < 2:
        return None

    def start() -> None:
        with contextlib.suppress(Cancelled), running_job(RunContext(n_jobs=n_jobs)) as job:
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
    pool = context.workers._live_pool()
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

    watcher = None
    if context.workers is not None:
        watcher = threading.Thread(target=watch, name="workbench-end-fits", daemon=True)
        watcher.start()
    try:
        yield ended
    finally:
        finished.set()


def worker_pids() -> dict[str, list[int]]:
    """Process ids of the busy and the idle pools' workers (for tests and a server's status)."""
    with _REGISTRY._changed:
        return {"busy": [pid for workers in _REGISTRY.busy for pid in workers.pool.worker_pids()],
                "idle": [pid for pool in _REGISTRY.idle for pid in pool.worker_pids()]}


def pool_counts() -> dict[str, int]:
    """Busy and idle pools, and jobs waiting for one."""
    with _REGISTRY._changed:
        return {"busy": len(_REGISTRY.busy), "idle": len(_REGISTRY.idle), "waiting": len(_REGISTRY._line)}
