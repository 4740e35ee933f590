"""A seeded widget fuzzer: random clicks and values on Load data, Explore and Prepare, as a tester would.

For each page and dataset (bundled samples and awkward uploads) it picks a random enabled widget,
gives it a random valid value (or clicks it), reruns, and checks what a user would notice: no
traceback, no error that is a raw Python message, no hang, the page still showing its main content
and the dataset still loaded. Every case is seeded, so a failure names the exact steps to replay.
"""

from __future__ import annotations

import random
import re
import time

import pytest
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import (
    Button,
    ButtonGroup,
    Checkbox,
    Multiselect,
    NumberInput,
    Radio,
    Selectbox,
    Slider,
    TextArea,
    TextInput,
    Toggle,
)

from core.samples import list_samples
from tests.pages.conftest import APP

STEPS_PER_CASE = 15
HANG_SECONDS = 30
PAGES = {
    "data": ("pages/data.py", "Load data", "Column kinds"),
    "explore": ("pages/explore.py", "Explore", "Profile"),
    "prepare": ("pages/prepare.py", "Clean and encode", "Recipe"),
}
SAMPLES = {sample.file: sample for sample in list_samples()}


def _awkward_files() -> dict[str, bytes]:
    dates = "\n".join(f"2021-{1 + i % 12:02d}-{1 + i % 28:02d},{'' if i % 3 else i * 1.5},"
                      f"{'' if i % 4 == 0 else 'abc'[i % 3]}" for i in range(40))
    unicode_rows = "\n".join(f"Ünïcödé {i % 3},{i},{i * 0.5},{'ja' if i % 2 else 'nein'},🎉{i % 2}" for i in range(20))
    text_rows = "\n".join(f"person {i},this is a longer free-text comment number {i} about things"
                          for i in range(25))
    return {
        "one_column.csv": ("value\n" + "\n".join(str(i % 7) for i in range(30))).encode(),
        "all_text.csv": ("name,comment\n" + text_rows).encode(),
        "dates_missing.csv": ("when,amount,group\n" + dates).encode(),
        "two_rows.csv": b"a,b,c\n1,x,2020-01-01\n2,y,2020-01-02\n",
        "dup_unicode.csv": ("名前,名前,Größe,Größe,émoji 🎉\n" + unicode_rows).encode("utf-8"),
        # Column names that plotting code might use itself, infinities and numbers beyond float32.
        "clashing_names.csv": ("rows,feature,index,ratio,huge\n" + "\n".join(
            f"{'abc'[i % 3]},{i % 4},{i},{'inf' if i % 9 == 0 else i / 7:.6},{(-1) ** i * 1e300 * (1 + i % 4)}"
            for i in range(45))).encode(),
    }


AWKWARD = _awkward_files()
DATASETS = ["penguins.csv", "titanic.csv", "diabetes.csv", *AWKWARD]

# What a raw Python error looks like when it leaks into an st.error / st.warning.
RAW_PYTHON = re.compile(
    r"Traceback|\b\w*(Error|Exception)\b(?! type)|object has no attribute|NoneType|unsupported operand|"
    r"could not convert|invalid literal|out of bounds|not supported between instances|unhashable type|"
    r"cannot apply to the table:|<class |numpy\.|pandas\.|\bdtype\(")
TEXT_VALUES = ["", " ", "0", "-1", "3.5", "abc", "other", "1e309", "nan", "=1+1", "ü名🎉", "x" * 300, "a, b,,c"]

# Widgets the fuzzer leaves alone: uploads are driven by the case itself.
SKIP_KEYS = {"csv_upload", "recipe_upload"}


class _Formatted:
    """Marker: send these display strings, exactly as the browser does for a choice widget."""

    def __init__(self, shown: str | list[str]):
        self.shown = shown


def _send_shown(widget, shown: str | list[str]) -> None:
    """Choose an option by its shown label (works whatever the widget's format_func is)."""
    base = type(widget)

    def widget_state(self):
        if not isinstance(self._value, _Formatted):  # a form not yet submitted: the committed value
            return base._widget_state.fget(self)
        state = WidgetState()
        state.id = self.id
        if isinstance(self._value.shown, list):
            state.string_array_value.data[:] = self._value.shown
        else:
            state.string_value = self._value.shown
        return state

    widget.__class__ = type(f"Shown{base.__name__}", (base,), {"_widget_state": property(widget_state)})
    widget._value = _Formatted(shown)


def _random_number(rng: random.Random, low, high, integer: bool):
    low = -1e6 if low is None else low
    high = 1e6 if high is None else high
    value = rng.choice([low, high, low + (high - low) * rng.random(), (low + high) / 2])
    return int(round(value)) if integer else float(value)


def _act(rng: random.Random, at: AppTest, widget) -> str:
    """Give ``widget`` a random valid value or click it; return the step in words."""
    label = getattr(widget, "label", "") or widget.key or type(widget).__name__
    if isinstance(widget, Button):
        widget.click()
        return f"click {label!r}"
    if isinstance(widget, (Checkbox, Toggle)):
        value = not widget.value
        widget.set_value(value)
        return f"set {label!r} to {value}"
    if isinstance(widget, (Selectbox, Radio)):
        shown = rng.choice(widget.options)
        _send_shown(widget, shown)
        return f"choose {shown!r} in {label!r}"
    if isinstance(widget, Multiselect):
        limit = widget.max_selections or len(widget.options)
        shown = rng.sample(widget.options, rng.randint(0, min(limit, len(widget.options), 5)))
        _send_shown(widget, shown)
        return f"choose {shown!r} in {label!r}"
    if isinstance(widget, ButtonGroup):  # segmented control and pills send a list even when single
        shown = rng.choice(widget.options)
        _send_shown(widget, [shown])
        return f"choose {shown!r} in {label!r}"
    if isinstance(widget, NumberInput):
        integer = isinstance(widget.value, int) or float(widget.step).is_integer() and widget.step >= 1
        value = _random_number(rng, widget.min, widget.max, integer)
        widget.set_value(value)
        return f"set {label!r} to {value}"
    if isinstance(widget, Slider):
        low, high = widget.min, widget.max
        if isinstance(low, (int, float)) and isinstance(high, (int, float)):
            steps = max(int((high - low) / (widget.step or 1)), 1)
            value = low + rng.randint(0, steps) * (widget.step or 1)
            value = type(low)(min(value, high))
            widget.set_value(value)
            return f"set {label!r} to {value}"
        return f"left {label!r} alone"
    if isinstance(widget, (TextInput, TextArea)):
        value = rng.choice(TEXT_VALUES)
        widget.set_value(value)
        return f"type {value[:20]!r} into {label!r}"
    raise AssertionError(f"no action for {type(widget).__name__}")


def _edit_data_editor(rng: random.Random, at: AppTest, editor) -> str:
    """Edit one cell of a keyed data editor the way the browser reports it (edit state by row)."""
    table = editor.value
    editable = {
        "role": ["numeric", "categorical", "datetime", "drop"],
        "imputer": ["mean", "median", "constant", "knn", "most_frequent"],
        "add_indicator": [True, False],
        "scaler": ["standard", "minmax", "robust", "none"],
        "encoder": ["onehot", "ordinal", "target"],
        "rare_min_frequency": [0.0, 0.05, 0.5],
    }
    column = rng.choice([name for name in editable if name in table.columns])
    row = rng.randrange(len(table))
    value = rng.choice(editable[column])
    state = at.session_state[editor.key] if editor.key in at.session_state else {}
    edited = {str(k): dict(v) for k, v in (state or {}).get("edited_rows", {}).items()}
    edited.setdefault(str(row), {})[column] = value
    at.session_state[editor.key] = {"edited_rows": edited, "added_rows": [], "deleted_rows": []}
    return f"edit row {row} {column!r} to {value!r} in the encoding table"


def _candidates(at: AppTest) -> list:
    kinds = [at.button, at.checkbox, at.toggle, at.selectbox, at.radio, at.multiselect, at.button_group,
             at.number_input, at.slider, at.text_input, at.text_area]
    widgets = [w for group in kinds for w in group if not w.proto.disabled and w.key not in SKIP_KEYS
               and not (isinstance(w, Selectbox | Radio | ButtonGroup) and not w.options)]
    return widgets + [editor for editor in at.data_editor if editor.key and len(editor.value)]


def _problems(at: AppTest, page: str) -> list[str]:
    """What a user would notice is wrong with the page right now."""
    found = []
    for exception in at.exception:
        found.append(f"traceback: {exception.value}")
    for alert in [*at.error, *at.warning]:
        if RAW_PYTHON.search(alert.value):
            found.append(f"raw Python message: {alert.value}")
    path, title, section = PAGES[page]
    if not at.title or at.title[0].value != title:
        found.append(f"the page title is not {title!r}")
    if section not in [header.value for header in at.subheader]:
        found.append(f"the page lost its {section!r} section")
    if not at.session_state["workspace"].has_data:
        found.append("the loaded dataset was lost")
    return found


def _open(page: str, dataset: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=HANG_SECONDS)
    at.run()
    if dataset in AWKWARD:
        at.switch_page("pages/data.py").run()
        at.file_uploader(key="csv_upload").set_value((dataset, AWKWARD[dataset], "text/csv")).run()
        assert at.session_state["workspace"].dataset_name == dataset, [e.value for e in at.error]
    elif dataset != "penguins.csv":
        at.switch_page("pages/data.py").run()
        at.selectbox(key="sample_choice").set_value(SAMPLES[dataset].name).run()
        next(b for b in at.button if b.label == "Load sample").click().run()
        assert at.session_state["workspace"].dataset_name == dataset
    at.switch_page(PAGES[page][0]).run()
    return at


def fuzz(page: str, dataset: str, seed: int, steps: int = STEPS_PER_CASE, switch_share: float = 0.1) -> list[str]:
    """Run one seeded fuzz case; return the steps taken. Fails on the first problem a user would see.

    Now and then (``switch_share``) the tester opens another of the three pages instead, so choices
    made on one page meet the others, as they do when someone clicks through the workbench.
    """
    rng = random.Random(f"{page}-{dataset}-{seed}")
    at = _open(page, dataset)
    trail = [f"open {page} with {dataset}"]
    problems = _problems(at, page)
    assert not problems, "\n".join(problems + ["steps:", *trail])
    for _ in range(steps):
        widgets = _candidates(at)
        if rng.random() < switch_share:
            page = rng.choice([name for name in PAGES if name != page])
            at.switch_page(PAGES[page][0])
            trail.append(f"open the {page} page")
        else:
            widget = rng.choice(widgets)
            trail.append(_edit_data_editor(rng, at, widget) if hasattr(widget, "editing_mode")
                         else _act(rng, at, widget))
        started = time.monotonic()
        at.run()
        elapsed = time.monotonic() - started
        problems = _problems(at, page)
        if elapsed > HANG_SECONDS:
            problems.append(f"the rerun took {elapsed:.0f} s")
        assert not problems, "\n".join(problems + ["steps:", *trail])
    return trail


@pytest.mark.parametrize("dataset", DATASETS)
@pytest.mark.parametrize("page", list(PAGES))
def test_random_widgets_never_break_the_page(page, dataset):
    fuzz(page, dataset, seed=0)
