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
    wait_for_rows(app, 3)
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


def leaderboard_rows(app):
    """Rows of the comparison made for what the page has loaded now (empty when there is none)."""
    workspace = app.session_state["workspace"]
    key = workspace.result_key(app.selectbox(key="model_target").value,
                               next(r.value for r in app.radio if r.key.startswith("model_task_")))
    board = workspace.leaderboard(key)
    return [] if board is None else board.rows


def wait_for_rows(app, count, timeout=90):
    deadline = time.time() + timeout
    while len(leaderboard_rows(app)) < count and time.time() < deadline:
        time.sleep(0.5)
    return leaderboard_rows(app)


def wait_for_job(app, kind, timeout=120):
    from ui.jobs import _registry

    session = app.session_state["session_id"]
    finished = app.session_state["_finished_jobs"] if "_finished_jobs" in app.session_state else {}
    jobs = {**finished, **_registry()}  # a finished job the page has seen moves into its session
    job = [job for job_id, job in jobs.items() if job_id.startswith(f"{kind}-{session}")][-1]
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
    from core.compare import compare_leaderboard
    from core.io import read_csv_file
    from core.train import TrainSettings

    models = ["decision_tree", "extra_trees"]  # order-sensitive models: column order must match too
    app = model_page()  # penguins, target species, seed 0
    app.multiselect(key="cmp_classification").set_value(models).run()
    click(app, "Compare")
    page = {row.model: row.cv for row in wait_for_rows(app, 3)}
    frame = read_csv_file(APP.parent / "sample_data" / "penguins.csv").frame
    core = {row.model: row.cv for row in compare_leaderboard(frame, TrainSettings(target="species"), models).rows}
    assert page == core


def compare_iris(app):
    app.multiselect(key="cmp_classification").set_value(["decision_tree"]).run()
    click(app, "Compare")
    assert wait_for_job(app, "compare").state == "done"
    app.run()
    assert any(b.label.startswith("Train the best") for b in app.button)
    return app


def upload_to_model_page(app, name, frame):
    import io

    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    app.switch_page("pages/data.py").run()
    app.file_uploader(key="csv_upload").set_value((name, buffer.getvalue().encode(), "text/csv")).run()
    app.switch_page("pages/model.py").run()
    assert not app.exception, app.exception
    return app


def houses(rows=80):
    import pandas as pd

    return pd.DataFrame({"rooms": [1 + i % 5 for i in range(rows)], "area": [30.0 + 3 * i for i in range(rows)],
                         "city": ["Oslo", "Rome"] * (rows // 2), "latitude": [40 + i * 0.013 for i in range(rows)]})


def test_a_leaderboard_of_another_table_is_never_shown_nor_trained():
    app = compare_iris(model_page("Iris flowers"))
    upload_to_model_page(app, "houses.csv", houses().assign(price=[100.0 + 7 * i for i in range(80)]))
    assert app.selectbox(key="model_target").value == "price"
    assert not any(b.label.startswith("Train the best") for b in app.button), "the iris winner is not offered"
    assert any("Press Compare" in c.value for c in app.caption)
    app.switch_page("pages/data.py").run()
    app.selectbox(key="sample_choice").set_value("Iris flowers").run()
    next(b for b in app.button if b.label == "Load sample").click().run()
    app.switch_page("pages/model.py").run()
    assert any(b.label.startswith("Train the best") for b in app.button), "back on iris, its board is back"


def test_changing_the_target_hides_the_board_made_for_the_old_one():
    app = compare_iris(model_page("Iris flowers"))
    app.selectbox(key="model_target").set_value("petal_width_cm").run()
    assert not app.exception, app.exception
    assert not any(b.label.startswith("Train the best") for b in app.button)


def test_tune_and_train_one_default_to_the_compare_winner():
    app = compare_iris(model_page("Iris flowers"))
    for view in ("Tune", "Train one"):
        app.segmented_control(key="model_view").set_value(view).run()
        key = next(s.key for s in app.selectbox if s.key and s.key.startswith("one_"))
        assert app.selectbox(key=key).value == "decision_tree", view


def test_a_data_error_while_training_the_best_is_a_message_not_a_traceback(monkeypatch):
    import core.train
    from core.errors import DataError

    app = compare_iris(model_page("Iris flowers"))

    def refuse(*args, **kwargs):
        raise DataError("The table changed. Run Compare again.")

    monkeypatch.setattr(core.train, "train_model", refuse)
    click(app, "Train the best")
    assert "The table changed. Run Compare again." in [e.value for e in app.error]
    assert not app.session_state["workspace"].runs


def test_evaluate_and_runs_list_only_the_loaded_tables_runs_unless_asked():
    app = model_page()  # penguins
    train_one(app, "decision_tree")
    upload_to_model_page(app, "houses.csv", houses().assign(price=[100.0 + 7 * i for i in range(80)]))
    for view in ("Evaluate", "Runs"):
        app.segmented_control(key="model_view").set_value(view).run()
        assert any("No" in i.value and "this table" in i.value for i in app.info), view
        toggle = "eval_other_datasets" if view == "Evaluate" else "runs_other_datasets"
        app.toggle(key=toggle).set_value(True).run()
        assert not app.exception, app.exception
        if view == "Evaluate":
            assert "penguins.csv" in app.multiselect(key="eval_runs_True").format_func(
                app.multiselect(key="eval_runs_True").value[0])
        else:
            assert list(app.dataframe[-1].value["dataset"]) == ["penguins.csv"]


def test_no_target_guess_means_a_prompt_not_an_error_and_the_steps_stay():
    app = upload_to_model_page(model_page(), "houses.csv", houses())
    assert app.selectbox(key="model_target").value is None
    assert not app.error, [e.value for e in app.error]
    assert any("Pick the column to predict" in i.value for i in app.info)
    assert app.segmented_control(key="model_view").options, "the steps stay visible"
    app.selectbox(key="model_target").set_value("city").run()
    assert not app.exception and not app.error
    assert any(b.label == "Compare" for b in app.button)


def test_the_guess_is_shown_with_its_reason():
    frame = houses()
    frame.insert(1, "Churn", ["yes", "no"] * 40)
    app = upload_to_model_page(model_page(), "churners.csv", frame)
    assert app.selectbox(key="model_target").value == "Churn"
    assert any("named like a target" in c.value for c in app.caption)


def test_the_navigation_is_the_apps_own_from_the_first_paint():
    import tomllib

    config = tomllib.loads((APP.parent / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showSidebarNavigation"] is False, "Streamlit's pages-folder list stays hidden"
    app = AppTest.from_file(str(APP), default_timeout=60).run()
    assert [link.proto.label for link in app.sidebar.get("page_link")] == [
        "Load data", "Explore", "Clean and encode", "Train and compare", "Cluster", "Anomalies", "Projections", "Rules"]
    next(link for link in app.sidebar.get("page_link") if link.proto.label == "Train and compare")
    app.switch_page("pages/model.py").run()
    assert [t.value for t in app.title] == ["Train and compare"]


def test_a_tune_result_of_another_table_is_not_shown():
    app = tune_view("Iris flowers", "k_nearest_neighbors", 2)
    click(app, "Tune")
    assert wait_for_job(app, "tune").state == "done"
    app.run()
    assert any(m.value.startswith("**Best") for m in app.markdown)
    upload_to_model_page(app, "houses.csv", houses().assign(price=[100.0 + 7 * i for i in range(80)]))
    app.segmented_control(key="model_view").set_value("Tune").run()
    assert not app.exception, app.exception
    assert not any(m.value.startswith("**Best") for m in app.markdown), "iris's best setting is not offered"
    assert any("Press Tune" in c.value for c in app.caption)


def test_keeping_a_left_out_identifier_and_text_column_trains():
    """An identifier and free text are left out by default; keeping them must give settings valid for
    their new role (it failed with "cannot use the imputer 'median'")."""
    import numpy as np

    from tests.pages.conftest import upload

    rng = np.random.default_rng(0)
    rows = 120
    table = (
        "row_id,comment,size,outcome\n"
        + "\n".join(f"{i},{'free text number ' + str(i) + ' with words ' * 3},{rng.normal():.3f},"
                    f"{'yes' if i % 3 else 'no'}" for i in range(rows))
    ).encode()
    app = AppTest.from_file(str(APP), default_timeout=120).run()
    upload(app, "kept.csv", table)
    app.switch_page("pages/model.py").run()
    app.selectbox(key="model_target").set_value("outcome").run()
    features = next(m for m in app.multiselect if m.key and m.key.startswith("model_features_"))
    assert "row_id" not in features.value, "an identifier is left out by default"
    features.set_value([*features.value, "row_id", "comment"]).run()
    assert not app.exception, app.exception
    train_one(app, "decision_tree")
