"""The pages with a recipe: Prepare says where the model learns its values, Model trains on the raw table."""

from streamlit.testing.v1 import AppTest

from core.recipe import FillMissing, GroupRare, Outliers
from tests.pages.conftest import APP
from tests.pages.test_model_page import CLASSIFICATION_VIEWS, train_one


def _app_with_recipe(page):
    app = AppTest.from_file(str(APP), default_timeout=120).run()
    app.session_state["workspace"].recipe = [FillMissing("bill_length_mm", "mean").to_dict(),
                                             Outliers("body_mass_g", "iqr", 1.5, "clip").to_dict(),
                                             GroupRare("island", 0.4, "other").to_dict()]
    app.switch_page(page).run()
    assert not app.exception, app.exception
    return app


def test_the_prepare_page_says_the_model_learns_from_training_rows_only():
    app = _app_with_recipe("pages/prepare.py")
    assert any("learns fill values, clip bounds, bins and kept labels from its training rows only" in c.value
               for c in app.caption)


def test_the_model_page_trains_the_recipe_inside_the_pipeline():
    app = _app_with_recipe("pages/model.py")  # penguins, target species
    train_one(app, "decision_tree")
    run = next(iter(app.session_state["fitted_runs"].values()))
    recipe = run.pipeline.named_steps["recipe"]
    assert [step.op for step in recipe.steps_] == ["fill_missing", "outliers", "group_rare"]
    assert recipe.learnt_[0]["fill"] == run.prepared.X_train["bill_length_mm"].mean()
    assert run.record.settings["recipe"] == run.record.recipe
    for view in CLASSIFICATION_VIEWS:  # explanations vary and shuffle the file's own columns
        app.selectbox(key="train_one_view").set_value(view).run()
        assert not app.exception, (view, app.exception)
        assert not app.error, (view, [e.value for e in app.error])
