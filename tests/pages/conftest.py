"""Shared helpers for the page tests: start the app, upload a file, press a button, read a metric.

Every test drives the real ``app.py`` through Streamlit's ``AppTest``, so the sidebar, the
navigation and the default sample behave as they do in the browser. Helpers are fixtures so the
test modules need no imports from this file.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app.py"
SAMPLE_DATA = ROOT / "sample_data"


def new_app() -> AppTest:
    """The workbench as a first visit sees it (the default sample already loaded)."""
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    assert_no_exception(at)
    return at


def assert_no_exception(at: AppTest) -> None:
    """Fail with the app's own message and the last lines of its traceback, not just 'False'."""
    if at.exception:
        first = at.exception[0]
        ours = [line.strip() for line in first.stack_trace if str(ROOT) in line and ".venv" not in line]
        where = "\n".join(ours + [line.strip() for line in first.stack_trace[-2:]])
        pytest.fail(f"The page showed a traceback: {first.value}\n{where}", pytrace=False)


def find_button(at: AppTest, label: str):
    matches = [button for button in at.button if button.label == label]
    assert matches, f"no button {label!r}; buttons are {[b.label for b in at.button]}"
    return matches[0]


def press(at: AppTest, label: str) -> AppTest:
    """Click the button with this label, rerun, and check no traceback appeared."""
    find_button(at, label).click().run()
    assert_no_exception(at)
    return at


def has_button(at: AppTest, label: str) -> bool:
    return any(button.label == label for button in at.button)


def upload(at: AppTest, name: str, data: bytes, mime: str = "text/csv") -> AppTest:
    """Drop a file on the Load data page's uploader (switching there first if needed)."""
    if not any(widget.key == "csv_upload" for widget in at.file_uploader):
        at.switch_page("pages/data.py").run()
        assert_no_exception(at)
    at.file_uploader(key="csv_upload").set_value((name, data, mime)).run()
    assert_no_exception(at)
    return at


def metric(at: AppTest, label: str) -> str:
    """The shown value of the metric with this label ('Rows', 'Columns', 'Memory')."""
    values = [m.value for m in at.metric if m.label == label]
    assert values, f"no metric {label!r}; metrics are {[m.label for m in at.metric]}"
    return values[0]


def sidebar_captions(at: AppTest) -> list[str]:
    return [caption.value for caption in at.sidebar.caption]


def errors(at: AppTest) -> list[str]:
    return [error.value for error in at.error]


def infos(at: AppTest) -> list[str]:
    return [info.value for info in at.info]


def has_widget(at: AppTest, kind: str, key: str) -> bool:
    return any(widget.key == key for widget in getattr(at, kind))


def plotly_charts(at: AppTest) -> list:
    return list(at.get("plotly_chart"))


def fingerprint(at: AppTest) -> str:
    """Suffix of the Load data page's option widget keys (they are per dataset)."""
    return at.session_state["workspace"].fingerprint


def load_sample(at: AppTest, name: str) -> AppTest:
    """Pick a sample by its display name on Load data and press 'Load sample'."""
    if not has_widget(at, "selectbox", "sample_choice"):
        at.switch_page("pages/data.py").run()
        assert_no_exception(at)
    at.selectbox(key="sample_choice").set_value(name).run()
    assert_no_exception(at)
    return press(at, "Load sample")


def csv_bytes(frame: pd.DataFrame, **to_csv) -> bytes:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, **to_csv)
    return buffer.getvalue().encode("utf-8")


class Helpers:
    """Namespace handed to tests by the ``pages`` fixture."""

    new_app = staticmethod(new_app)
    assert_ok = staticmethod(assert_no_exception)
    press = staticmethod(press)
    has_button = staticmethod(has_button)
    upload = staticmethod(upload)
    metric = staticmethod(metric)
    sidebar_captions = staticmethod(sidebar_captions)
    errors = staticmethod(errors)
    infos = staticmethod(infos)
    has_widget = staticmethod(has_widget)
    plotly_charts = staticmethod(plotly_charts)
    fingerprint = staticmethod(fingerprint)
    load_sample = staticmethod(load_sample)
    csv_bytes = staticmethod(csv_bytes)
    sample_data = SAMPLE_DATA


@pytest.fixture
def pages() -> type[Helpers]:
    """Helpers for driving the workbench's pages (see ``Helpers``)."""
    return Helpers


@pytest.fixture
def app() -> AppTest:
    """A fresh session of the workbench on the Load data page, penguins loaded."""
    return new_app()
