"""Worker pools owned by one job at a time: the registry behind ``core.engine``.

A pool is a loky ``ProcessPoolExecutor`` with joblib's memory-mapping reducers (large arrays reach
workers as memory maps), created here rather than taken from joblib's process-wide reusable
executor, so killing it ends only its own workers. The registry hands pools to jobs (at most
``MAX_POOLS`` alive, the rest wait in line), takes them back, keeps at most ``MAX_IDLE_POOLS``
idle and warm, and discards a killed one.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, wait
from typing import Any

from joblib._memmapping_reducer import TemporaryResourcesManager, get_memmapping_reducers
from joblib._parallel_backends import FallbackToBackend, LokyBackend, SequentialBackend
from joblib.executor import MemmappingExecutor
from joblib.externals.loky.process_executor import ProcessPoolExecutor

MAX_POOLS = 8  # pools alive at once (busy and idle); a ninth job waits for one to be given back
MAX_IDLE_POOLS = 2
IDLE_WORKER_TIMEOUT_S = 300.0
# How often a job waiting for a pool looks at its cancel flag and deadline.
POLL_SECONDS = 0.25
# Arrays above this go to workers as memory maps instead of pickled copies (joblib's default).
MEMMAP_MIN_BYTES = 1_000_000


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
        # joblib's own abort: kill and wait for the workers, then remove the arrays they were sent.
        self.executor.terminate(kill_workers=True)

    def close(self) -> None:
        """Let the workers finish and exit (an idle pool leaving the idle list)."""
        self.executor.shutdown(wait=False)
        self._temp._clean_temporary_resources(force=False, allow_non_empty=True)


class JobWorkers:
    """The workers one job holds from start to end: its pool, replaced if a stop killed it."""

    def __init__(self, pool: WorkerPool):
        self.pool = pool
        self.n_workers = pool.n_workers
        self._lock = threading.Lock()
        self._tasks: set[Future] = set()

    def live_pool(self) -> WorkerPool:
        with self._lock:
            if not self.pool.usable:  # a stop killed it earlier in this job: the job's slot gets a fresh one
                self.pool = WorkerPool(self.n_workers)
            return self.pool

    def submit(self, function: Callable[..., Any], *args: Any) -> Future:
        future = self.live_pool().executor.submit(function, *args)
        self._tasks.add(future)
        future.add_done_callback(self._tasks.discard)
        return future

    def kill(self) -> None:
        with self._lock:
            self.pool.kill()

    def wait_warm(self, timeout: float | None) -> None:
        """Wait until the workers have started and imported what fits need (timings taken before would be off)."""
        self.live_pool().wait_warm(timeout)

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
        pool = self.job_workers.live_pool()
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
        self._starting = 0  # slots taken by jobs whose pool is being started (outside the lock)

    def acquire(self, n_workers: int, say: Callable[[str], None], give_up: Callable[[], bool]) -> JobWorkers | None:
        """Workers for a job, waiting in line while ``MAX_POOLS`` are busy (``say`` tells the user);
        None when ``give_up()`` turns true while it waits (cancelled, or out of time)."""
        ticket = object()
        with self._changed:
            self._line.append(ticket)
        try:
            while True:
                with self._changed:
                    self._close_idle(stale_only=True)
                    if self._line[0] is ticket and len(self.busy) + self._starting < MAX_POOLS:
                        self._line.pop(0)
                        self._starting += 1
                        pool = self._take_idle(n_workers)
                        self._close_idle(keep=MAX_POOLS - len(self.busy) - self._starting)
                        break
                    running, ahead = len(self.busy) + self._starting, self._line.index(ticket)
                say(f"Waiting for free workers ({running} jobs running, {ahead} waiting ahead)...")
                if give_up():
                    return None
                with self._changed:
                    self._changed.wait(POLL_SECONDS)
        finally:
            with self._changed:
                if ticket in self._line:
                    self._line.remove(ticket)
                self._changed.notify_all()
        try:
            workers = JobWorkers(pool or WorkerPool(n_workers))  # started outside the lock: spawning takes a moment
            with self._changed:
                self.busy.add(workers)
            return workers
        finally:
            with self._changed:
                self._starting -= 1
                self._changed.notify_all()

    def release(self, workers: JobWorkers) -> None:
        """Take a job's pool back: idle and warm if it ended cleanly, killed if fits were still running."""
        if workers.has_running_tasks():
            workers.kill()
        with self._changed:
            self.busy.discard(workers)
            if workers.pool.usable:
                workers.pool.idle_since = time.monotonic()
                self.idle.append(workers.pool)
                self._close_idle(keep=min(MAX_IDLE_POOLS, MAX_POOLS - len(self.busy) - self._starting))
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


# The only module-level mutable state of the engine: every job's pools, guarded by the registry's own lock.
_REGISTRY = _PoolRegistry()


def acquire(n_workers: int, say: Callable[[str], None], give_up: Callable[[], bool]) -> JobWorkers | None:
    return _REGISTRY.acquire(n_workers, say, give_up)


def release(workers: JobWorkers) -> None:
    _REGISTRY.release(workers)


def worker_pids() -> dict[str, list[int]]:
    """Process ids of the busy and the idle pools' workers (for tests and a server's status)."""
    with _REGISTRY._changed:
        return {"busy": [pid for workers in _REGISTRY.busy for pid in workers.pool.worker_pids()],
                "idle": [pid for pool in _REGISTRY.idle for pid in pool.worker_pids()]}


def pool_counts() -> dict[str, int]:
    """Busy and idle pools, and jobs waiting for one."""
    with _REGISTRY._changed:
        return {"busy": len(_REGISTRY.busy), "idle": len(_REGISTRY.idle), "waiting": len(_REGISTRY._line)}
