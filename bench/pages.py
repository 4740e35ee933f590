"""Issues 2 and 3: server time of a widget change on Explore and Prepare with the big table loaded.

Measured with Streamlit's AppTest, which runs the same script code a browser session runs.
"""

import statistics
import time

from streamlit.testing.v1 import AppTest

from bench.generate import mixed_csv_path
from bench.timing import report
from core.recipe import (
    Bin,
    ChangeType,
    DropColumns,
    DropDuplicates,
    FillMissing,
    FilterRows,
    GroupRare,
    NormaliseLabels,
    Outliers,
    Transform,
    apply_recipe,
)

APP = str(__import__("pathlib").Path(__file__).resolve().parents[1] / "app.py")


def timed(widget_change) -> float:
    start = time.perf_counter()
    widget_change()
    return time.perf_counter() - start


def loaded_app(raw: bytes) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=600).run()
    app.file_uploader(key="csv_upload").set_value(("big.csv", raw, "text/csv")).run()
    return app


def explore(raw: bytes) -> list[dict]:
    app = loaded_app(raw)
    app.switch_page("pages/explore.py").run()
    app.run()  # warm-up: caches filled
    columns = ["age", "city", "income", "segment", "score"]
    column_times = [timed(lambda c=c: app.selectbox(key="explore_column").set_value(c).run()) for c in columns]
    view_times = []
    for view in ["Correlations", "Scatter", "Missing values", "Column"] * 2:
        view_times.append(timed(lambda v=view: app.segmented_control(key="explore_view").set_value(v).run()))
    assert not app.exception, app.exception
    print(f"      explore column change median {statistics.median(column_times):.3f} s, "
          f"max {max(column_times):.3f} s; view change median {statistics.median(view_times):.3f} s "
          f"(first visit of a view included), max {max(view_times):.3f} s")
    return [report("explore widget change (median)", statistics.median(column_times + view_times), 0.3)]


def prepare(raw: bytes) -> list[dict]:
    app = loaded_app(raw)
    app.switch_page("pages/prepare.py").run()
    app.run()
    steps = ["Drop duplicate rows", "Fill missing values", "Handle outliers", "Bin a numeric column", "Drop columns"]
    times = [timed(lambda s=s: app.selectbox(key="new_step_type").set_value(s).run()) for s in steps * 2]
    assert not app.exception, app.exception
    print(f"      prepare step-type change median {statistics.median(times):.3f} s, max {max(times):.3f} s")
    return [report("prepare widget change (median)", statistics.median(times), 0.5)]


def recipe(frame) -> list[dict]:
    steps = [
        DropDuplicates(), FillMissing("income", "median"), Outliers("balance", "iqr", 1.5, "clip"),
        Transform("income", "log1p"), Bin("age", 5), GroupRare("product", 0.001), NormaliseLabels("city"),
        FilterRows("age", ">=", "21"), ChangeType("member", "boolean"), DropColumns(["id"]),
    ]
    start = time.perf_counter()
    result = apply_recipe(frame, steps)
    seconds = time.perf_counter() - start
    assert not result.problems, result.problems
    return [report("10-step recipe on 300k x 20", seconds, 2.0)]


def run() -> list[dict]:
    from core.io import read_csv_robust

    raw = mixed_csv_path().read_bytes()
    return recipe(read_csv_robust(raw).frame) + explore(raw) + prepare(raw)
