"""Model page through AppTest: set-up, live compare, train one, every evaluation view, tune, bad targets."""

import time

import pytest
from streamlit.testing.v1 import AppTest

from tests.pages.conftest import APP

CLASSIFICATION_VIEWS = ["Confusion matrix", "ROC", "Precision-recall", "Calibration", "Threshold", "Report",
                        "Permutation importance", "Built-in importance", "Partial dependence", "Learning curve",
                        "Tree"]
REGRESSION_VIEWS = ["Predicted vs actual", "Residuals", "Residual histogram", "Permutation importance",
                    "Partial dependence"]


def model_page(sample=None):
    app = AppTest.from_file(str(APP), default_timeout=120).run()
    if sample is not None:
        app.selectbox(key="sample_choice").set_value(sample).run()
        next(b for b in app.button if b.label == "Load sample").click().run()
    app.switch_page("pages/model.py").run()
    assert not app.exception
    return app


def click(app, label):
    next(b for b in app.button if b.label.startswith(label)).click().run()
    assert not app.exception, app.exception


def train_one(app, model):
    app.segmented_control(key="model_view").set_value("Train one").run()
    key = next(s.key for s in app.selectbox if s.key and s.key.startswith("one_"))
    app.selectbox(key=key).set_value(model).run()
    click(app, "Train")
    assert any("Trained" in s.value for s in app.success), [e.value for e in app.error]


def test_train_one_and_open_every_classification_view():
    app = model_page()  # penguins, target species
    train_one(app, "decision_tree")
    assert len(app.session_state["workspace"].runs) == 1
    assert app.dataframe[-1].value.loc["accuracy", "test set"] > 0.8
    for view in CLASSIFICATION_VIEWS:
        app.selectbox(key="train_one_view").set_value(view).run()
        assert not app.exception, (view, app.exception)
    app.selectbox(key="train_one_view").set_value("Confusion matrix").run()
    assert app.get("plotly_chart"), "a confusion matrix is drawn"


def test_regression_views_on_diabetes():
    app = model_page("Diabetes progression")
    assert app.radio(key="model_task_disease_progression").value == "regression"
    train_one(app, "ridge")
    for view in REGRESSION_VIEWS:
        app.selectbox(key="train_one_view").set_value(view).run()
        assert not app.exception, (view, app.exception)
        assert app.get("plotly_chart"), view


def test_compare_fills_a_leaderboard_with_the_baseline():
    app = model_page("Iris flowers")
    app.multiselect(key="cmp_classification").set_value(["logistic_regression", "decision_tree"]).run()
    click(app, "Compare")
    deadline = time.time() + 90
    while len(app.session_state["leaderboard_rows"]) < 3 and time.time() < deadline:
        time.sleep(0.5)
    app.run()
    board = app.dataframe[-1].value
    assert set(board["Model"]) == {"Logistic regression", "Decision tree", "Baseline (majority class)"}
    assert board["Model"].iloc[-1].startswith("Baseline"), "sorted best first; the baseline is worst on iris"
    assert (board["Status"] == "done").all()
    click(app, "Train the best")
    assert len(app.session_state["workspace"].runs) == 1


def tune_view(sample, model, trials):
    app = model_page(sample)
    app.segmented_control(key="model_view").set_value("Tune").run()
    key = next(s.key for s in app.selectbox if s.key and s.key.startswith("one_"))
    app.selectbox(key=key).set_value(model).run()
    app.number_input(key="tune_trials").set_value(trials).run()
    return app


def test_tune_lists_trials_and_best_parameters():
    app = tune_view("Iris flowers", "k_nearest_neighbors", 3)
    click(app, "Tune")
    job = wait_for_job(app, "tune")
    assert job.state == "done", job.error
    app.run()
    assert not app.exception
    assert any(m.value.startswith("**Best") for m in app.markdown), [m.value for m in app.markdown]
    assert len(app.dataframe[-1].value) == 3
    runs = app.session_state["workspace"].runs
    assert len(runs) == 1 and runs[0]["model"] == "k_nearest_neighbors", "the best setting is kept as a run"


def test_tune_can_be_cancelled_and_keeps_the_page_usable():
    app = tune_view("Diabetes progression", "random_forest", 200)
    app.number_input(key="tune_seconds").set_value(0).run()
    click(app, "Tune")
    assert app.button(key="tune_cancel"), "a running search offers Cancel"
    app.button(key="tune_cancel").click().run()
    job = wait_for_job(app, "tune")
    assert job.state == "cancelled"
    app.run()
    assert not app.exception
    assert not app.session_state["workspace"].runs, "a cancelled search trains nothing"
    assert "tune_cancel" not in [b.key for b in app.button], "Cancel goes once the search has stopped"


def wait_for_job(app, kind, timeout=120):
    from ui.jobs import get_job

    job = get_job(f"{kind}-{app.session_state['session_id']}")
    deadline = time.time() + timeout
    while job.is_running and time.time() < deadline:
        time.sleep(0.2)
    return job


def test_binary_curves_default_to_the_rarer_class_and_it_can_be_changed():
    app = model_page("Breast cancer diagnosis")
    train_one(app, "logistic_regression")
    app.selectbox(key="train_one_view").set_value("Threshold").run()
    positive = app.selectbox(key="train_one_positive")
    assert positive.value == "malignant", "the rarer class is the positive one by default"
    assert "'malignant'" in app.slider(key="train_one_threshold").label
    positive.set_value("benign").run()
    assert not app.exception
    assert "'benign'" in app.slider(key="train_one_threshold").label


@pytest.mark.parametrize("view", ["Evaluate", "Runs"])
def test_empty_evaluate_and_runs_say_what_to_do(view):
    app = model_page()
    app.segmented_control(key="model_view").set_value(view).run()
    assert not app.exception
    assert app.info, "an empty view explains what to do"


def test_target_with_one_class_is_refused_and_data_kept():
    app = AppTest.from_file(str(APP), default_timeout=120).run()
    csv = "x,y,label\n" + "\n".join(f"{i},{i * 2},same" for i in range(40))
    app.file_uploader(key="csv_upload").set_value(("one.csv", csv.encode(), "text/csv")).run()
    app.switch_page("pages/model.py").run()
    app.selectbox(key="model_target").set_value("label").run()
    assert not app.exception
    assert app.error and "class" in app.error[0].value.lower(), [e.value for e in app.error]
    assert app.session_state["workspace"].dataset_name == "one.csv"


def test_page_compare_equals_the_command_line_compare_with_the_same_seed():
    from core.io import read_csv_file
    from core.train import TrainSettings, compare_leaderboard

    models = ["decision_tree", "extra_trees"]  # order-sensitive models: column order must match too
    app = model_page()  # penguins, target species, seed 0
    app.multiselect(key="cmp_classification").set_value(models).run()
    click(app, "Compare")
    deadline = time.time() + 90
    while len(app.session_state["leaderboard_rows"]) < 3 and time.time() < deadline:
        time.sleep(0.5)
    page = {row.model: row.cv for row in app.session_state["leaderboard_rows"]}
    frame = read_csv_file(APP.parent / "sample_data" / "penguins.csv").frame
    core = {row.model: row.cv for row in compare_leaderboard(frame, TrainSettings(target="species"), models).rows}
    assert page == core
