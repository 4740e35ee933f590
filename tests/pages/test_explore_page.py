"""Explore page: every view and widget on every sample, and the warnings a user relies on."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = json.loads((ROOT / "sample_data" / "manifest.json").read_text(encoding="utf-8"))
SAMPLE_IDS = [entry["file"] for entry in MANIFEST]
NONE = "(none)"
VIEWS = ["Column", "Correlations", "Scatter", "Scatter matrix", "Missing values", "Target"]
# Titanic has no numeric column; only penguins has missing values.
WITHOUT_NUMBERS = {"titanic.csv"}
WITH_MISSING = {"penguins.csv"}


def open_explore(pages, at, sample: str | None = None):
    """Load a sample (by display name) if given, then switch to Explore."""
    if sample is not None:
        pages.load_sample(at, sample)
    at.switch_page("pages/explore.py").run()
    pages.assert_ok(at)
    return at


def upload_and_explore(pages, at, name: str, frame: pd.DataFrame):
    pages.upload(at, name, pages.csv_bytes(frame))
    assert not pages.errors(at), pages.errors(at)
    return open_explore(pages, at)


def show_view(pages, at, view: str):
    at.button_group(key="explore_view").set_value(view).run()
    pages.assert_ok(at)
    return at


def choose(pages, at, key: str, value):
    """Pick an option of a select box; ``None`` picks the "(none)" entry.

    AppTest treats ``set_value(None)`` as "nothing selected" (the box then keeps its old value),
    so the "(none)" option is chosen by its label, which these boxes' format functions map back.
    """
    at.selectbox(key=key).set_value(NONE if value is None else value).run()
    pages.assert_ok(at)
    return at


def chart_titles(pages, at) -> list[str]:
    titles = []
    for chart in pages.plotly_charts(at):
        title = json.loads(chart.proto.spec)["layout"].get("title", {})
        titles.append(title.get("text", "") if isinstance(title, dict) else str(title))
    return titles


def warnings_shown(at) -> list[str]:
    """The data-quality warnings, rendered as markdown lines like '... **leakage**: ...'."""
    return [m.value for m in at.markdown if "**: " in m.value]


def profile_kinds(at) -> dict[str, str]:
    return at.dataframe[0].value.set_index("column")["kind"].to_dict()


# --- every view on every sample ------------------------------------------------------------


@pytest.mark.parametrize("entry", MANIFEST, ids=SAMPLE_IDS)
def test_every_view_renders_for_each_sample(pages, app, entry):
    at = open_explore(pages, app, entry["name"])
    assert at.selectbox(key="explore_target").value == entry["target"]
    assert list(profile_kinds(at)) == list(at.selectbox(key="explore_column").options)
    no_numbers = entry["file"] in WITHOUT_NUMBERS
    for view in VIEWS:
        show_view(pages, at, view)
        charts, infos = pages.plotly_charts(at), pages.infos(at)
        if view in {"Correlations", "Scatter", "Scatter matrix"} and no_numbers:
            assert not charts
            assert any("need" in message and "two numeric columns" in message for message in infos), infos
        elif view == "Missing values" and entry["file"] not in WITH_MISSING:
            assert not charts
            assert "No missing values in this table." in [s.value for s in at.success]
        elif view == "Target":
            assert len(charts) == 2, f"{view}: {chart_titles(pages, at)}"
            assert f"How much each feature tells about {entry['target']}" in chart_titles(pages, at)
            assert any(f"Task detected from '{entry['target']}': **{entry['task']}**" in c.value for c in at.caption)
        else:
            assert charts, f"no chart in the {view} view"
    # Clearing the segmented control falls back to the Column view.
    at.button_group(key="explore_view").set_value(None).run()
    pages.assert_ok(at)
    assert at.selectbox(key="explore_column")


@pytest.mark.parametrize("entry", MANIFEST, ids=SAMPLE_IDS)
def test_column_view_over_every_column(pages, app, entry):
    at = open_explore(pages, app, entry["name"])
    kinds = profile_kinds(at)
    box_by_tried = False
    for column in at.selectbox(key="explore_column").options:
        choose(pages, at, "explore_column", column)
        titles = chart_titles(pages, at)
        if kinds[column] == "numeric":
            assert f"Distribution of {column}" in titles
            if not box_by_tried:
                box_by_tried = True
                for by in at.selectbox(key="explore_box_by").options:
                    choose(pages, at, "explore_box_by", by)
                    expected = f"Box plot of {column}" + ("" if by == NONE else f" by {by}")
                    assert expected in chart_titles(pages, at)
            else:  # the split chosen for an earlier column stays
                assert any(title.startswith(f"Box plot of {column}") for title in titles)
        else:
            assert any(column in title for title in titles)
            assert f"'{column}' is {kinds[column]}; box plots are for numeric columns." in pages.infos(at)
    assert box_by_tried == (entry["file"] not in WITHOUT_NUMBERS)


@pytest.mark.parametrize("entry", [e for e in MANIFEST if e["file"] not in WITHOUT_NUMBERS],
                         ids=[e["file"] for e in MANIFEST if e["file"] not in WITHOUT_NUMBERS])
def test_correlation_scatter_and_matrix_widgets(pages, app, entry):
    at = open_explore(pages, app, entry["name"])

    show_view(pages, at, "Correlations")
    assert chart_titles(pages, at) == ["Pearson correlation"]
    at.radio(key="explore_corr_method").set_value("spearman").run()
    pages.assert_ok(at)
    assert chart_titles(pages, at) == ["Spearman correlation"]
    at.radio(key="explore_corr_method").set_value("pearson").run()
    pages.assert_ok(at)
    assert chart_titles(pages, at) == ["Pearson correlation"]

    show_view(pages, at, "Scatter")
    numeric = at.selectbox(key="explore_x").options
    for x in numeric[:3]:
        for y in numeric[:3]:  # x == y included
            at.selectbox(key="explore_x").set_value(x)
            choose(pages, at, "explore_y", y)
            assert chart_titles(pages, at) == [f"{y} against {x}"]
    for colour in at.selectbox(key="explore_color").options:
        choose(pages, at, "explore_color", colour)
        assert len(pages.plotly_charts(at)) == 1

    show_view(pages, at, "Scatter matrix")
    columns = at.multiselect(key="explore_matrix_columns").options
    for count in (0, 1):
        at.multiselect(key="explore_matrix_columns").set_value(columns[:count]).run()
        pages.assert_ok(at)
        assert "Pick at least two columns." in pages.infos(at)
        assert not pages.plotly_charts(at)
    for count in (2, 6):
        at.multiselect(key="explore_matrix_columns").set_value(columns[:count]).run()
        pages.assert_ok(at)
        assert chart_titles(pages, at) == ["Scatter matrix"]
    for colour in at.selectbox(key="explore_matrix_color").options:
        choose(pages, at, "explore_matrix_color", colour)
        assert chart_titles(pages, at) == ["Scatter matrix"]


@pytest.mark.parametrize("entry", MANIFEST, ids=SAMPLE_IDS)
def test_target_view_over_every_feature(pages, app, entry):
    at = open_explore(pages, app, entry["name"])
    show_view(pages, at, "Target")
    target = entry["target"]
    features = at.selectbox(key="explore_target_feature").options
    assert target not in features
    assert len(features) == len(profile_kinds(at)) - 1
    for feature in features:
        choose(pages, at, "explore_target_feature", feature)
        titles = chart_titles(pages, at)
        assert len(titles) == 2
        assert feature in titles[1] and target in titles[1]


@pytest.mark.parametrize("sample", ["Palmer penguins", "Titanic survival", "Iris flowers"])
def test_every_column_as_target(pages, app, sample):
    at = open_explore(pages, app, sample)
    show_view(pages, at, "Target")
    for target in at.selectbox(key="explore_target").options:
        value = None if target == NONE else target
        choose(pages, at, "explore_target", value)
        if value is None:
            assert any("Choose a target column" in message for message in pages.infos(at))
        else:
            assert len(pages.plotly_charts(at)) == 2, target
            assert at.session_state["workspace"].target == value


# --- targets and warnings ------------------------------------------------------------------


def test_no_target_asks_the_user_to_pick_one(pages, app):
    at = open_explore(pages, app)
    choose(pages, at, "explore_target", None)
    show_view(pages, at, "Target")
    assert "Choose a target column above to see how each feature relates to it." in pages.infos(at)
    assert not pages.plotly_charts(at)
    assert at.session_state["workspace"].target is None


def test_sidebar_shows_the_chosen_target_right_away(pages, app):
    at = open_explore(pages, app)
    choose(pages, at, "explore_target", "island")
    assert "Target: island" in pages.sidebar_captions(at), pages.sidebar_captions(at)


def test_chosen_target_is_kept_across_pages(pages, app):
    at = open_explore(pages, app)
    choose(pages, at, "explore_target", "island")
    at.switch_page("pages/data.py").run()
    pages.assert_ok(at)
    assert "Target: island" in pages.sidebar_captions(at)
    at.switch_page("pages/explore.py").run()
    pages.assert_ok(at)
    assert at.selectbox(key="explore_target").value == "island"


def test_planted_copy_of_the_target_is_flagged_as_leakage(pages, app):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({
        "age": rng.integers(18, 80, 200),
        "income": rng.normal(40_000, 8_000, 200).round(2),
        "region": rng.choice(["north", "south", "east"], 200),
        "target": rng.choice(["yes", "no"], 200),
    })
    frame["target_copy"] = frame["target"]
    at = upload_and_explore(pages, app, "leaky.csv", frame)
    assert at.selectbox(key="explore_target").value is None  # a new upload has no target yet
    assert not any("leakage" in w for w in warnings_shown(at))
    choose(pages, at, "explore_target", "target")
    leakage = [w for w in warnings_shown(at) if "**leakage**" in w]
    assert len(leakage) == 1, warnings_shown(at)
    assert "'target_copy' alone predicts 'target' almost perfectly" in leakage[0]
    assert not any("'income' alone" in w or "'age' alone" in w for w in warnings_shown(at))
    show_view(pages, at, "Target")
    assert at.selectbox(key="explore_target_feature").options[0] == "target_copy"


def test_imbalanced_target_is_flagged(pages, app):
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({
        "x1": rng.normal(size=200).round(3),
        "x2": rng.normal(size=200).round(3),
        "fraud": ["no"] * 190 + ["yes"] * 10,
    })
    at = upload_and_explore(pages, app, "fraud.csv", frame)
    choose(pages, at, "explore_target", "fraud")
    imbalance = [w for w in warnings_shown(at) if "**imbalance**" in w]
    assert len(imbalance) == 1, warnings_shown(at)
    assert "Class 'yes' is only 5.0% of 'fraud'" in imbalance[0]
    show_view(pages, at, "Target")
    assert len(pages.plotly_charts(at)) == 2
    choose(pages, at, "explore_target", None)
    assert not any("imbalance" in w for w in warnings_shown(at))


def test_regression_target_on_a_numeric_column(pages, app):
    at = open_explore(pages, app)
    choose(pages, at, "explore_target", "body_mass_g")
    show_view(pages, at, "Target")
    assert any("**regression**" in c.value for c in at.caption)
    choose(pages, at, "explore_target_feature", "flipper_length_mm")
    assert "body_mass_g against flipper_length_mm" in chart_titles(pages, at)
    choose(pages, at, "explore_target_feature", "island")
    assert "body_mass_g by island" in chart_titles(pages, at)


# --- small and unusual tables --------------------------------------------------------------


def test_single_numeric_column_gets_messages_not_crashes(pages, app):
    frame = pd.DataFrame({
        "name": [f"item {i}" for i in range(60)],
        "score": np.linspace(0, 10, 60).round(2),
        "group": ["a", "b"] * 30,
    })
    at = upload_and_explore(pages, app, "one_number.csv", frame)
    show_view(pages, at, "Scatter")
    assert "A scatter plot needs two numeric columns." in pages.infos(at)
    assert not pages.plotly_charts(at)
    show_view(pages, at, "Scatter matrix")
    assert "A scatter matrix needs two numeric columns." in pages.infos(at)
    show_view(pages, at, "Correlations")
    assert "Correlations need at least two numeric columns." in pages.infos(at)
    show_view(pages, at, "Column")
    choose(pages, at, "explore_column", "score")
    assert at.selectbox(key="explore_box_by").options == ["(none)", "group"]
    choose(pages, at, "explore_box_by", "group")
    assert "Box plot of score by group" in chart_titles(pages, at)


def test_table_without_missing_values_says_so(pages, app):
    at = open_explore(pages, app, "Iris flowers")
    show_view(pages, at, "Missing values")
    assert "No missing values in this table." in [s.value for s in at.success]
    assert not pages.plotly_charts(at)


def test_missing_values_view_shows_map_and_shares(pages, app):
    at = open_explore(pages, app)
    show_view(pages, at, "Missing values")
    assert chart_titles(pages, at) == ["Missing values (dark = missing)"]
    shares = at.dataframe[-1].value
    assert set(shares.index) == {"bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g", "sex"}
    assert shares.loc["sex", "missing %"] == pytest.approx(3.2)


def test_tiny_table_renders_every_view(pages, app):
    frame = pd.DataFrame({"a": [1, 3, 5], "b": [2, 4, 7], "c": ["x", "y", "x"]})
    at = upload_and_explore(pages, app, "tiny.csv", frame)
    choose(pages, at, "explore_target", "c")
    for view in VIEWS:
        show_view(pages, at, view)
    assert "No usable features to relate to the target." in pages.infos(at)


def test_kind_set_on_load_data_is_used_in_explore(pages, app):
    suffix = pages.fingerprint(app)
    app.selectbox(key=f"override_column_{suffix}").set_value("year")
    app.selectbox(key=f"override_kind_{suffix}").set_value("categorical")
    pages.press(app, "Set kind")
    at = open_explore(pages, app)
    assert profile_kinds(at)["year"] == "categorical"
    choose(pages, at, "explore_column", "year")
    assert "'year' is categorical; box plots are for numeric columns." in pages.infos(at)
    show_view(pages, at, "Scatter")
    assert "year" not in at.selectbox(key="explore_x").options
    choose(pages, at, "explore_color", "year")
    assert len(pages.plotly_charts(at)) == 1


MIXED = pd.DataFrame({
    "id": [f"ID{i:04d}" for i in range(120)],
    "amount": np.random.default_rng(2).normal(100, 20, 120).round(2),
    "when": pd.date_range("2020-01-01", periods=120, freq="D").strftime("%Y-%m-%d"),
    "flag": ["true", "false", "false"] * 40,
    "segment": ["a", "b", "c", "d"] * 30,
    "note": [f"free text number {i} with several words" for i in range(120)],
    "constant": ["x"] * 120,
    "label": ["yes", "no"] * 60,
})


def test_table_of_every_kind_renders_every_view_and_widget(pages, app):
    at = upload_and_explore(pages, app, "mixed.csv", MIXED)
    kinds = profile_kinds(at)
    assert {"identifier", "numeric", "datetime", "boolean", "categorical", "text", "constant"} <= set(kinds.values())
    for column in at.selectbox(key="explore_column").options:
        choose(pages, at, "explore_column", column)
        assert pages.plotly_charts(at), column
    choose(pages, at, "explore_target", "label")
    for view in VIEWS:
        show_view(pages, at, view)
    for feature in at.selectbox(key="explore_target_feature").options:
        choose(pages, at, "explore_target_feature", feature)
        assert len(pages.plotly_charts(at)) == 2, feature


@pytest.mark.parametrize("target", ["id", "when", "note"])
def test_a_column_with_a_different_value_in_every_row_as_target(pages, app, target):
    # Picking the ID (or a date, or free text) as target by mistake must not crash the page.
    at = upload_and_explore(pages, app, "mixed.csv", MIXED)
    choose(pages, at, "explore_target", target)
    show_view(pages, at, "Target")


def test_target_with_missing_labels(pages, app):
    rng = np.random.default_rng(3)
    outcome = rng.choice([0.0, 1.0], 100)
    outcome[[0, 7, 20]] = np.nan  # a few rows without a label
    frame = pd.DataFrame({"x": rng.normal(size=100).round(3), "group": rng.choice(["a", "b"], 100),
                          "defaulted": outcome})
    at = upload_and_explore(pages, app, "loans.csv", frame)
    choose(pages, at, "explore_target", "defaulted")
    show_view(pages, at, "Target")
    assert any("**classification**" in c.value for c in at.caption)
    for feature in at.selectbox(key="explore_target_feature").options:
        choose(pages, at, "explore_target_feature", feature)


INFINITE = (
    "ratio,growth,count,label\n"
    + "".join(f"{'inf' if i == 3 else round(i / 7, 3)},{'-inf' if i == 5 else i * 2},{i % 5},{'ab'[i % 2]}\n"
              for i in range(60))
).encode()


@pytest.mark.parametrize("target", ["label", "ratio"])
def test_infinite_values_do_not_break_the_target_checks(pages, app, target):
    # Programs that divide by zero write "inf"; it is read as a number.
    pages.upload(app, "ratios.csv", INFINITE)
    at = open_explore(pages, app)
    assert profile_kinds(at)["ratio"] == "numeric"
    for view in VIEWS[:-1]:
        show_view(pages, at, view)
    choose(pages, at, "explore_target", target)
    show_view(pages, at, "Target")


def test_text_column_set_to_numeric_on_load_data_keeps_explore_working(pages, app):
    suffix = pages.fingerprint(app)
    app.selectbox(key=f"override_column_{suffix}").set_value("island")
    app.selectbox(key=f"override_kind_{suffix}").set_value("numeric")
    pages.press(app, "Set kind")
    at = open_explore(pages, app)
    choose(pages, at, "explore_column", "island")
    for view in VIEWS:
        show_view(pages, at, view)
    if pages.has_widget(at, "selectbox", "explore_target_feature"):
        for feature in at.selectbox(key="explore_target_feature").options:
            choose(pages, at, "explore_target_feature", feature)


def test_a_wide_table_gets_a_readable_heatmap_and_its_strongest_pairs(pages, app):
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(rng.normal(size=(200, 90)), columns=[f"m{i}" for i in range(90)])
    frame["double_m5"] = frame["m5"] * 2
    at = upload_and_explore(pages, app, "wide.csv", frame)
    show_view(pages, at, "Correlations")
    heatmap = pages.plotly_charts(at)[0]
    shown = json.loads(heatmap.proto.spec)["data"][0]["x"]
    assert len(shown) == 40 and {"m5", "double_m5"} <= set(shown)
    assert any("shows the 40 of 91 numeric columns" in caption.value for caption in at.caption)
    pairs = at.dataframe[-1].value
    assert set(pairs.iloc[0][["column", "other column"]]) == {"m5", "double_m5"}
    assert pairs.iloc[0]["correlation"] == pytest.approx(1.0)


# --- issue 11: "None" under mean/std, huge values, dates as text, wide tables -------------------------------


def test_the_profile_table_shows_empty_cells_not_none_for_labels(pages, app):
    open_explore(pages, app, "Palmer penguins")
    summary = app.dataframe[0].value.set_index("column")
    for name in ["min", "max", "mean", "std", "top values"]:
        cells = summary[name].tolist()
        assert all(isinstance(cell, str) for cell in cells), (name, cells)  # None and NaN are drawn as "None"
        assert not {"None", "nan", "NaN", "NaT"} & set(cells), (name, cells)
    assert summary.loc["species", "mean"] == "" and summary.loc["species", "std"] == ""
    assert summary.loc["bill_length_mm", "mean"] != ""


def test_values_near_the_float_limit_render_every_view(pages, app):
    frame = pd.DataFrame({"big": [1e308, 1.7e308, -1.7e308, 5.0, 1e-300, 2.0] * 10,
                          "tiny": np.linspace(-1e-300, 1e-300, 60), "plain": np.arange(60) % 7 * 1.5,
                          "label": ["a", "b", "c"] * 20})
    at = upload_and_explore(pages, app, "huge.csv", frame)
    choose(pages, at, "explore_target", "label")
    for view in VIEWS:
        show_view(pages, at, view)
    show_view(pages, at, "Column")
    choose(pages, at, "explore_column", "big")
    assert any("binned" in title for title in chart_titles(pages, at))


def test_a_date_column_is_drawn_as_a_time_histogram(pages, app):
    days = pd.date_range("2013-01-01", periods=1_461).strftime("%m/%d/%Y")
    frame = pd.DataFrame({"day": days, "sales": np.arange(1_461) % 50})
    at = upload_and_explore(pages, app, "daily.csv", frame)
    summary = at.dataframe[0].value.set_index("column")
    assert summary.loc["day", "kind"] == "datetime" and summary.loc["day", "type"].startswith("datetime64")
    assert len(summary.loc["day", "distribution"]) == 20
    choose(pages, at, "explore_column", "day")
    histogram = json.loads(pages.plotly_charts(at)[0].proto.spec)["data"][0]
    assert histogram["type"] == "histogram" and histogram.get("nbinsx") == 40  # binned by time, not 1,461 bars


def _wide_table(columns: int, rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(rows, columns)).round(3), columns=[f"probe_{i}" for i in range(columns)])
    frame.iloc[::4, 10:90] = np.nan
    frame.insert(0, "label", np.where(np.arange(rows) % 2, "tumour", "normal"))
    return frame


def test_a_table_of_3000_columns_renders_every_view_and_says_where_it_is_cut(pages, app):
    at = upload_and_explore(pages, app, "genes.csv", _wide_table(3_000, 20))
    assert len(at.dataframe[0].value) == 2_000
    captions = [caption.value for caption in at.caption]
    assert any("first 2,000 of 3,001 columns" in caption for caption in captions), captions
    choose(pages, at, "explore_target", "label")
    for view in VIEWS:
        show_view(pages, at, view)
        captions = [caption.value for caption in at.caption]
        if view == "Correlations":
            assert any("correlations are computed between the first 500" in c for c in captions), captions
        if view == "Missing values":
            assert any("the 60 columns with the most missing values" in c for c in captions), captions
            assert len(json.loads(pages.plotly_charts(at)[0].proto.spec)["data"][0]["y"]) == 60
        if view == "Target":
            assert any("Of 3,000 features, the 300" in c for c in captions), captions
