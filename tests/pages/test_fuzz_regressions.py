"""Bugs the widget fuzzer and the browser monkey found on Load data, Explore and Prepare, one test each."""

import json
import time

import pandas as pd
import pytest

from tests.pages.test_widget_fuzz import RAW_PYTHON


def open_page(pages, at, path):
    at.switch_page(path).run()
    pages.assert_ok(at)
    return at


def test_a_label_column_called_rows_has_a_distribution_plot(pages, app):
    # The bar chart of a label column named its count column "rows" and broke on a column called so.
    frame = pd.DataFrame({"rows": ["a", "b", "a", "c"] * 10, "value": range(40)})
    pages.upload(app, "rows.csv", pages.csv_bytes(frame))
    at = open_page(pages, app, "pages/explore.py")
    at.selectbox(key="explore_column").set_value("rows").run()
    pages.assert_ok(at)
    assert pages.plotly_charts(at), "the Column view shows no plot for 'rows'"
    assert "Profile" in [header.value for header in at.subheader]


HUGE = pd.DataFrame({
    "score": [float(i % 9) + i / 100 for i in range(60)],
    "astronomical": [(-1) ** i * 1e300 * (1 + i % 5) for i in range(60)],
    "group": ["a", "b", "c"] * 20,
})


def test_numbers_beyond_float32_do_not_break_the_target_checks(pages, app):
    # 1e300 is a plain float64 that pandas reads as a number; the leakage probe works in float32.
    pages.upload(app, "huge.csv", pages.csv_bytes(HUGE))
    at = open_page(pages, app, "pages/explore.py")
    at.selectbox(key="explore_target").set_value("score").run()
    pages.assert_ok(at)
    profile = at.session_state["workspace"]
    assert profile.target == "score"
    summary = at.dataframe[0].value.set_index("column")
    assert summary.loc["astronomical", "max"] == "5e+300", "the profile must show the real values, not clipped"
    at.button_group(key="explore_view").set_value("Target").run()
    pages.assert_ok(at)
    assert any("Task detected" in caption.value for caption in at.caption)
    at = open_page(pages, at, "pages/prepare.py")
    assert "Recipe" in [header.value for header in at.subheader]
    at = open_page(pages, at, "pages/model.py")  # the Model page runs the same leakage probe
    assert at.selectbox(key="model_target").value == "score"


def open_prepare_with(pages, app, name, frame):
    pages.upload(app, name, pages.csv_bytes(frame))
    return open_page(pages, app, "pages/prepare.py")


def replay(pages, at, recipe: dict):
    at.file_uploader(key="recipe_upload").set_value(("recipe.json", json.dumps(recipe).encode(), "application/json"))
    at.run()
    pages.assert_ok(at)
    return at


def test_a_replayed_recipe_asking_for_a_billion_bins_is_refused(pages, app):
    # It used to be accepted and pd.cut ran out of memory, taking the server down with it.
    at = open_page(pages, app, "pages/prepare.py")
    before = list(at.session_state["workspace"].recipe)
    started = time.monotonic()
    replay(pages, at, {"steps": [{"op": "bin", "column": "body_mass_g", "bins": 10**9}]})
    assert time.monotonic() - started < 20
    assert any("'bins' must be between 2 and 50" in message and "unchanged" in message
               for message in pages.errors(at)), pages.errors(at)
    assert at.session_state["workspace"].recipe == before


@pytest.mark.parametrize("step", [
    {"op": "group_rare", "column": "island", "min_share": "x"},  # crashed the recipe list (format code '%')
    {"op": "fill_missing", "column": "sex", "strategy": "weird"},  # crashed the code view (KeyError)
    {"op": "rename_column", "column": ["island"], "new_name": "place"},
    {"op": ["bin"], "column": "island"},  # crashed the reader (unhashable list)
])
def test_a_replayed_recipe_with_settings_of_the_wrong_type_gets_a_clear_error(pages, app, step):
    at = open_page(pages, app, "pages/prepare.py")
    replay(pages, at, {"steps": [step]})
    assert any("Could not load that recipe" in message for message in pages.errors(at)), pages.errors(at)
    assert at.session_state["workspace"].recipe == []
    assert "Recipe" in [header.value for header in at.subheader]


def add_step(pages, at, title, **widgets):
    at.selectbox(key="new_step_type").set_value(title).run()
    for key, value in widgets.items():
        widget = next(w for w in [*at.selectbox, *at.multiselect, *at.text_input, *at.number_input] if w.key == key)
        widget.set_value(value).run()
    pages.assert_ok(at)
    at.button(key="add_step").click().run()
    pages.assert_ok(at)


def test_filling_a_date_part_with_its_mean_applies(pages, app):
    # Date parts are whole numbers with gaps (Int64); a mean of 6.5 could not be written into them.
    dates = ["2021-01-05", "2021-02-07", None] * 10  # months 1 and 2: their mean is 1.5
    at = open_prepare_with(pages, app, "dates.csv", pd.DataFrame({"when": dates, "amount": range(30)}))
    add_step(pages, at, "Parse dates and derive parts", new_date_parts_column="when")
    add_step(pages, at, "Fill missing values", new_fill_missing_column="when_month", new_fill_missing_strategy="mean")
    assert [step["op"] for step in at.session_state["workspace"].recipe] == ["date_parts", "fill_missing"]
    assert not [message for message in pages.errors(at) if "Not applied" in message], pages.errors(at)


def test_filling_a_true_false_column_takes_true_or_false(pages, app):
    frame = pd.DataFrame({"flag": ["yes", "no", ""] * 10, "amount": range(30)})
    at = open_prepare_with(pages, app, "flags.csv", frame)
    add_step(pages, at, "Change a column's type", new_change_type_column="flag", new_change_type_to="boolean")
    add_step(pages, at, "Fill missing values", new_fill_missing_column="flag",
             new_fill_missing_strategy="constant", new_fill_missing_value="no")
    assert not [message for message in pages.errors(at) if "Not applied" in message], pages.errors(at)
    assert at.session_state["workspace"].recipe[-1]["value"] == "no"


@pytest.mark.parametrize("strategy", ["quantile", "equal_width"])
def test_binning_a_column_with_infinite_values_says_what_to_do(pages, app, strategy):
    frame = pd.DataFrame({"ratio": [1.5, float("inf"), 2.5, 3.0, -float("inf"), 4.0] * 5, "label": list("ab") * 15})
    at = open_prepare_with(pages, app, "ratios.csv", frame)
    at.selectbox(key="new_step_type").set_value("Bin a numeric column").run()
    at.selectbox(key="new_bin_column").set_value("ratio").run()
    at.selectbox(key="new_bin_strategy").set_value(strategy).run()
    pages.assert_ok(at)
    warnings = [warning.value for warning in at.warning]
    assert any("infinite values" in message and "< inf" in message for message in warnings), warnings
    assert not any(RAW_PYTHON.search(message) for message in warnings + pages.errors(at))
