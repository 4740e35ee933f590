"""Issue 12: the server's memory stays bounded in one long session.

(a) RSS after 30 compare-and-tune cycles stays within 1.5x its RSS after the first one (the job
registry lets finished jobs go; fitted runs are capped at 10 per session).
(b) 30 different uploads of generated 5 MB CSV files do not grow RSS past the caches' stated bound
(docs/limits.md: at most 4 read tables with their bytes, 4 prepared tables, 4 plot samples and
2 CSV downloads, whatever the number of uploads).

Both drive the real app through Streamlit's AppTest in this process, which is then the server
process whose RSS is measured (fit workers are separate processes and not counted). The data is
generated here with fixed seeds into bench/data/ (not committed).
"""

from __future__ import annotations

import ctypes
import gc
import io
import time
from pathlib import Path

import numpy as np
import pandas as pd
from streamlit.testing.v1 import AppTest

from bench.timing import report

APP = str(Path(__file__).resolve().parents[1] / "app.py")
DATA_DIR = Path(__file__).resolve().parent / "data"
CYCLES = 30
UPLOADS = 30
UPLOAD_BYTES = 5 * 10**6


def rss_mb() -> float:
    """This process's resident memory, after a garbage collection, in MB (10**6 bytes)."""
    gc.collect()
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024 / 10**6
    raise RuntimeError("no VmRSS in /proc/self/status (Linux only)")


def rss_trimmed_mb() -> float:
    """RSS after asking the allocators (pyarrow's pool, glibc's malloc) to return free memory: what
    is still referenced, without the pages an allocator keeps for reuse."""
    import pyarrow as pa

    gc.collect()
    pa.default_memory_pool().release_unused()
    ctypes.CDLL("libc.so.6").malloc_trim(0)
    return rss_mb()


def churn_table(rows: int = 20_000, seed: int = 0) -> pd.DataFrame:
    """A mixed binary-target table, big enough that a fitted run (with its training part) weighs a few MB."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({f"x{i}": rng.normal(0, 1, rows).round(4) for i in range(12)})
    frame["plan"] = rng.choice(["basic", "plus", "pro"], rows)
    frame["region"] = rng.choice(["north", "south", "east", "west"], rows)
    logit = frame["x0"] - 0.5 * frame["x1"] + (frame["plan"] == "pro") * 0.8
    frame["churned"] = np.where(rng.random(rows) < 1 / (1 + np.exp(-logit)), "yes", "no")
    return frame


def csv_of(frame: pd.DataFrame) -> bytes:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return buffer.getvalue().encode()


def upload_file(index: int) -> bytes:
    """A different ~5 MB CSV per index (written once to bench/data/, reused on the next run)."""
    path = DATA_DIR / f"upload_5mb_{index:02d}.csv"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        rng = np.random.default_rng(1000 + index)
        rows = 115_000  # about 45 bytes a row: cut to 5 MB below
        frame = pd.DataFrame({
            "id": np.arange(rows) + index * rows,
            "amount": rng.normal(100, 30, rows).round(2),
            "score": rng.random(rows).round(5),
            "count": rng.poisson(4, rows),
            "city": rng.choice([f"city_{i}" for i in range(40)], rows),
            "day": (pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365, rows), unit="D"))
            .strftime("%Y-%m-%d"),
            "label": rng.choice(["yes", "no"], rows),
        })
        raw = csv_of(frame)
        path.write_bytes(raw[: raw.rfind(b"\n", 0, UPLOAD_BYTES) + 1] if len(raw) > UPLOAD_BYTES else raw)
    return path.read_bytes()


def wait_for_jobs(app: AppTest, timeout: float = 600) -> None:
    """Poll the page (as its fragment does) until no job of this session is running."""
    from ui.jobs import _registry

    session = app.session_state["session_id"]
    deadline = time.time() + timeout
    while time.time() < deadline:
        running = [job for job_id, job in _registry().items() if session in job_id and job.is_running]
        if not running:
            break
        time.sleep(0.3)
    app.run()  # the page sees the finished job and collects it
    assert not app.exception, app.exception


def model_app(raw: bytes) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=600).run()
    app.file_uploader(key="csv_upload").set_value(("churn.csv", raw, "text/csv")).run()
    app.switch_page("pages/model.py").run()
    app.selectbox(key="model_target").set_value("churned").run()
    assert not app.exception, app.exception
    return app


def compare_and_tune(app: AppTest, cycle: int) -> None:
    """One compare and one tune; a seed per cycle makes each tune's best run a new run to keep."""
    if cycle > 1:
        app.number_input(key="model_seed").set_value(cycle).run()
    app.segmented_control(key="model_view").set_value("Compare").run()
    app.multiselect(key="cmp_classification").set_value(["logistic_regression", "decision_tree"]).run()
    next(b for b in app.button if b.label == "Compare").click().run()
    wait_for_jobs(app)
    app.segmented_control(key="model_view").set_value("Tune").run()
    key = next(s.key for s in app.selectbox if s.key and s.key.startswith("one_"))
    app.selectbox(key=key).set_value("decision_tree").run()
    app.number_input(key="tune_trials").set_value(4).run()
    next(b for b in app.button if b.label == "Tune").click().run()
    wait_for_jobs(app)


def cycles() -> list[dict]:
    from ui.jobs import _registry
    from ui.model_state import MAX_FITTED_RUNS

    app = model_app(csv_of(churn_table()))
    compare_and_tune(app, 1)
    first = rss_mb()
    marks = {1: first}
    started = time.perf_counter()
    for cycle in range(2, CYCLES + 1):
        compare_and_tune(app, cycle)
        if cycle in (5, 10, 20, CYCLES):
            marks[cycle] = rss_mb()
    runs = app.session_state["workspace"].runs
    fitted = app.session_state["fitted_runs"]
    print(f"      RSS after cycles {', '.join(f'{k}: {v:.0f} MB' for k, v in marks.items())} "
          f"({time.perf_counter() - started:.0f} s); run records {len(runs)}, fitted runs kept {len(fitted)}, "
          f"released {len(fitted.released)}; jobs left in the registry {len(_registry())}")
    kept = len(fitted)
    del app, fitted
    after_session = rss_mb()
    print(f"      RSS after the session ended: {after_session:.0f} MB; jobs in the registry {len(_registry())}")
    assert len(runs) == CYCLES and kept == MAX_FITTED_RUNS, (len(runs), kept)
    return [report(f"(a) RSS after {CYCLES} compare-and-tune cycles / after 1", marks[CYCLES] / first, 1.5, "x")]


def uploads() -> list[dict]:
    from ui.state import TABLE_CACHE_ENTRIES

    for index in range(UPLOADS + 1):
        upload_file(index)  # written before measuring; read one at a time, so the bench holds one file
    app = AppTest.from_file(APP, default_timeout=600).run()
    # One warm-up upload of another file first: the imports and first-use allocations of reading,
    # profiling and exploring are the code's, not the uploads'.
    app.file_uploader(key="csv_upload").set_value(("warm_up.csv", upload_file(UPLOADS), "text/csv")).run()
    app.switch_page("pages/explore.py").run()
    app.switch_page("pages/data.py").run()
    before, before_trimmed = rss_mb(), rss_trimmed_mb()
    raw = upload_file(0)
    table_mb = pd.read_csv(io.BytesIO(raw)).memory_usage(deep=True).sum() / 10**6
    file_mb = len(raw) / 10**6
    del raw
    # docs/limits.md: 4 read tables with their bytes + 4 prepared tables + 4 plot samples + 2 CSVs
    # (a plot sample is counted as a whole table, an over-estimate).
    bound_mb = TABLE_CACHE_ENTRIES * (file_mb + table_mb) + 2 * TABLE_CACHE_ENTRIES * table_mb + 2 * file_mb
    marks, trimmed = {}, {}
    for index in range(1, UPLOADS + 1):
        app.file_uploader(key="csv_upload").set_value((f"upload_{index}.csv", upload_file(index - 1),
                                                       "text/csv")).run()
        assert not app.exception, app.exception
        if index % 3 == 0:  # the Explore page fills the profile and plot-sample caches too
            app.switch_page("pages/explore.py").run()
            app.switch_page("pages/data.py").run()
        if index in (1, TABLE_CACHE_ENTRIES, 10, 20, UPLOADS):
            marks[index] = rss_mb()
            trimmed[index] = rss_trimmed_mb()
    growth = marks[UPLOADS] - before
    print(f"      file {file_mb:.1f} MB, table {table_mb:.1f} MB in memory; stated cache bound {bound_mb:.0f} MB")
    print(f"      RSS after the warm-up upload {before:.0f} MB; after uploads "
          + ", ".join(f"{k}: {v:.0f} MB" for k, v in marks.items()) + f"; growth {growth:.0f} MB")
    print(f"      the same with free pages returned by the allocators: {before_trimmed:.0f} MB; "
          + ", ".join(f"{k}: {v:.0f} MB" for k, v in trimmed.items())
          + f"; growth {trimmed[UPLOADS] - before_trimmed:.0f} MB")
    del app
    print(f"      RSS after the session ended: {rss_mb():.0f} MB")
    return [report(f"(b) RSS growth over {UPLOADS} different 5 MB uploads (MB, target: the caches' bound)",
                   growth, round(bound_mb), "MB")]


def run(parts: tuple[str, ...] = ("uploads", "cycles")) -> list[dict]:
    return (uploads() if "uploads" in parts else []) + (cycles() if "cycles" in parts else [])
