"""Prepare page through AppTest: add, reorder and remove steps, doctor fixes, broken steps, recipe replay."""

import json

import pytest
from streamlit.testing.v1 import AppTest

from core.recipe import STEP_TYPES
from tests.pages.conftest import APP


def prepare_page():
    app = AppTest.from_file(str(APP), default_timeout=60).run()
    app.switch_page("pages/prepare.py").run()
    assert not app.exception
    return app


def recipe(app):
    return app.session_state["workspace"].recipe


def add(app, title, **widgets):
    app.selectbox(key="new_step_type").set_value(title).run()
    for key, value in widgets.items():
        widget = next(w for w in [*app.selectbox, *app.multiselect, *app.text_input, *app.number_input]
                      if w.key == key)
        widget.set_value(value).run()
    app.button(key="add_step").click().run()
    assert not app.exception, app.exception


def test_add_reorder_and_remove_steps():
    app = prepare_page()
    add(app, "Drop duplicate rows")
    add(app, "Fill missing values", new_fill_missing_column="bill_length_mm")
    assert [step["op"] for step in recipe(app)] == ["drop_duplicates", "fill_missing"]
    assert any("1. Drop duplicate rows" in m.value for m in app.markdown)
    app.button(key="step_up_1").click().run()
    assert [step["op"] for step in recipe(app)] == ["fill_missing", "drop_duplicates"]
    app.button(key="step_remove_0").click().run()
    assert [step["op"] for step in recipe(app)] == ["drop_duplicates"]
    assert not app.exception


@pytest.mark.parametrize("title", [cls.title for cls in STEP_TYPES.values()])
def test_every_step_form_renders(title):
    app = prepare_page()
    app.selectbox(key="new_step_type").set_value(title).run()
    assert not app.exception


def test_a_step_that_cannot_apply_is_flagged_and_data_stays():
    app = prepare_page()
    app.session_state["workspace"].recipe = [{"op": "drop_columns", "columns": ["island"]},
                                             {"op": "group_rare", "column": "island", "min_share": 0.1,
                                              "other_label": "other", "max_labels": 0}]
    app.run()
    assert not app.exception
    assert any("island" in e.value and "Not applied" in e.value for e in app.error)
    assert app.session_state["workspace"].has_data


def test_doctor_fix_adds_its_step():
    app = AppTest.from_file(str(APP), default_timeout=60).run()
    csv = "a,b,y\n" + "\n".join(f"{i % 5},{i % 3},{'p' if i % 2 else 'q'}" for i in range(60)) + "\n1,1,p\n" * 3
    app.file_uploader(key="csv_upload").set_value(("dups.csv", csv.encode(), "text/csv")).run()
    app.switch_page("pages/prepare.py").run()
    next(b for b in app.button if b.label == "Drop duplicate rows").click().run()
    assert recipe(app) == [{"op": "drop_duplicates"}]


def test_recipe_upload_good_partial_and_garbage():
    app = prepare_page()
    good = json.dumps({"steps": [{"op": "drop_duplicates"}]}).encode()
    app.file_uploader(key="recipe_upload").set_value(("r.json", good, "application/json")).run()
    assert any("all 1 steps apply" in s.value for s in app.success)
    partial = json.dumps({"steps": [{"op": "drop_columns", "columns": ["nope"]}, {"op": "drop_duplicates"}]})
    app.file_uploader(key="recipe_upload").set_value(("p.json", partial.encode(), "application/json")).run()
    assert any("1 of 2 steps apply" in w.value and "nope" in w.value for w in app.warning)
    before = list(recipe(app))
    app.file_uploader(key="recipe_upload").set_value(("g.json", b"\x00garbage", "application/json")).run()
    assert any("not valid JSON" in e.value and "unchanged" in e.value for e in app.error)
    assert recipe(app) == before
    assert not app.exception


def test_downloads_are_offered():
    app = prepare_page()
    labels = [b.label for b in app.get("download_button")]
    assert labels == ["Download cleaned CSV", "Download recipe (JSON)"]


def test_encoding_table_lists_columns_in_the_table_order():
    app = prepare_page()  # penguins; species is the target
    table = next(e.value for e in app.data_editor if e.key and e.key.startswith("encoding_editor_"))
    assert list(table["column"]) == ["island", "bill_length_mm", "bill_depth_mm", "flipper_length_mm",
                                     "body_mass_g", "sex", "year"]


def upload_then_prepare(name, frame):
    import io

    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    app = AppTest.from_file(str(APP), default_timeout=60).run()
    app.file_uploader(key="csv_upload").set_value((name, buffer.getvalue().encode(), "text/csv")).run()
    app.switch_page("pages/prepare.py").run()
    assert not app.exception, app.exception
    return app


def test_the_imbalance_finding_has_a_button_that_turns_on_class_weights_for_the_model():
    import pandas as pd

    frame = pd.DataFrame({"x": [i % 13 for i in range(200)],
                          "fraud": ["yes" if i % 20 == 0 else "no" for i in range(200)]})
    app = upload_then_prepare("payments.csv", frame)
    app.session_state["workspace"].target = "fraud"
    app.run()
    button = next((b for b in app.button if b.label == "Balance class weights when training"), None)
    assert button is not None, [b.label for b in app.button]
    button.click().run()
    assert not app.exception, app.exception
    assert app.session_state["workspace"].balance_class_weights
    app.switch_page("pages/model.py").run()
    assert app.checkbox(key="model_balanced").value, "the Model page trains with balanced class weights"


def test_downloads_are_named_after_the_dataset(monkeypatch):
    import pandas as pd
    from streamlit.delta_generator import DeltaGenerator

    names = []
    original = DeltaGenerator.download_button

    def recording(self, label, data, file_name=None, *args, **kwargs):
        names.append(file_name)
        return original(self, label, data, file_name, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", recording)
    upload_then_prepare("Shop sales (2024).csv", pd.DataFrame({"a": range(30), "b": ["x", "y", "z"] * 10}))
    assert "Shop_sales_2024_cleaned.csv" in names
    assert "Shop_sales_2024_recipe.json" in names
