"""Small timing helpers: medians of repeats, and one result line per target."""

import statistics
import time
from collections.abc import Callable


def median_seconds(work: Callable[[], object], repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def paired_medians(first: Callable[[], object], second: Callable[[], object], repeats: int = 9) -> tuple[float, float]:
    """Median times of two pieces of work run alternately, so both see the same machine noise."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeats):
        for work, bucket in ((first, times[0]), (second, times[1])):
            start = time.perf_counter()
            work()
            bucket.append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


def report(name: str, measured: float, target: float, unit: str = "s", baseline: float | None = None) -> dict:
    passed = measured <= target
    line = f"{name}: {measured:.3f} {unit} (target <= {target:g} {unit})"
    if baseline is not None:
        line += f"; baseline {baseline:.3f}"
    print(f"{'PASS' if passed else 'FAIL'}  {line}", flush=True)
    return {"name": name, "measured": measured, "target": target, "unit": unit, "passed": passed}
