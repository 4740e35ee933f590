"""Worker processes for fits: warm-up and running fit tasks under a deadline (moved out of ``core.train``)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any


def default_n_jobs() -> int:
    """Worker processes for fits: every core this process may use."""
    from joblib import cpu_count

    return max(1, int(cpu_count()))



def _warm_up() -> int:
    """Import what the fits need, so a worker's start-up overlaps with preparing the data."""
    import sklearn.dummy  # noqa: F401
    import sklearn.ensemble  # noqa: F401
    import sklearn.linear_model  # noqa: F401
    import sklearn.metrics  # noqa: F401
    import sklearn.neighbors  # noqa: F401
    import sklearn.svm  # noqa: F401
    import sklearn.tree  # noqa: F401

    return 0


_warm_up_thread: threading.Thread | None = None
_warm_up_lock = threading.Lock()


def warm_up_workers(n_jobs: int | None = None) -> threading.Thread | None:
    """Start the worker processes in the background (pages may call this when they open).

    Starting workers and importing scikit-learn in them takes a second or two; this overlaps it
    with preparing the data. Idle workers stay alive for a few minutes and are reused.
    """
    global _warm_up_thread
    n_jobs = n_jobs or default_n_jobs()
    if n_jobs < 2:
        return None
    from joblib import Parallel, delayed

    def start_workers() -> None:
        try:
            Parallel(n_jobs=n_jobs)(delayed(_warm_up)() for _ in range(n_jobs))
        except Exception:  # noqa: BLE001 - a budget that ended running fits also ends the warm-up: harmless
            pass

    with _warm_up_lock:
        if _warm_up_thread is None or not _warm_up_thread.is_alive():
            _warm_up_thread = threading.Thread(target=start_workers, name="workbench-warm-up", daemon=True)
            _warm_up_thread.start()
        return _warm_up_thread


def _run_tasks(tasks: list[tuple[Any, ...]], n_jobs: int, stop: Callable[[], bool],
               deadline: float | None = None) -> Iterator[tuple[Any, dict]]:
    """Run ``(key, function, *args)`` tasks on ``n_jobs`` workers, yielding ``(key, result)`` as each ends.

    ``stop()`` is asked after every result; when it says so, the remaining tasks are abandoned. At
    ``deadline`` (a ``time.perf_counter()`` value) no new task starts, and with workers the fits
    still running are ended with their processes rather than awaited.
    """
    from joblib import Parallel, delayed

    def call(key: Any, function: Callable[..., dict], *args: Any) -> tuple[Any, dict]:
        return key, function(*args)

    if n_jobs <= 1:
        for key, function, *args in tasks:
            if deadline is not None and time.perf_counter() >= deadline:
                return
            yield call(key, function, *args)
            if stop():
                return
        return
    # One fit per batch: fits are coarse, and auto-batching would hold finished rows back behind slow fits.
    parallel = Parallel(n_jobs=n_jobs, return_as="generator_unordered", batch_size=1)
    results = parallel(delayed(call)(key, function, *args) for key, function, *args in tasks)
    timer = None
    if deadline is not None:
        timer = threading.Timer(max(0.0, deadline - time.perf_counter()), _end_running_fits, (parallel,))
        timer.daemon = True
        timer.start()
    try:
        for item in results:
            yield item
            if stop():
                break
    finally:
        if timer is not None:
            timer.cancel()
        results.close()


def _end_running_fits(parallel: Any) -> None:
    """Stop a joblib run now: no new task is dispatched and the worker processes still fitting are killed.

    joblib does this itself when a task raises (``Parallel._abort``); its public API has no deadline,
    so the budget's timer calls the same step. The result generator then ends after what was done.
    """
    parallel._abort()
