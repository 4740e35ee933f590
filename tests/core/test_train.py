"""Splitting, cross-validation, comparing and tuning: honest scores, clear refusals, repeatable runs."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import cross_validate

from core import models
from core.compare import compare_leaderboard, compare_models
from core.errors import DataError
from core.io import read_csv_file
from core.models import ModelSpec, get_model
from core.runs import Leaderboard, RunRecord
from core.train import (
    Cancelled,
    TrainSettings,
    default_feature_encodings,
    make_pipeline,
    prepare_folds,
    prepare_xy,
    train_model,
    warm_up_workers,
)

FAST = ["logistic_regression", "decision_tree", "naive_bayes"]


@pytest.fixture(scope="module")
def penguins() -> pd.DataFrame:
    return read_csv_file("sample_data/penguins.csv").frame


@pytest.fixture(scope="module")
def diabetes() -> pd.DataFrame:
    return read_csv_file("sample_data/diabetes.csv").frame


def _numbers(n: int = 120, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    return pd.DataFrame({"x": x, "noise": rng.normal(size=n),
                         "label": np.where(x + 0.3 * rng.normal(size=n) > 0, "yes", "no"),
                         "amount": 3 * x + rng.normal(size=n)})


# ----------------------------------------------------------------------------- leakage
def _column_steps(preprocessor, column: str) -> dict:
    """The fitted steps (imputer, scaler...) that encode one input column, and its position in them."""
    for _, transformer, columns in preprocessor.transformers_:
        if column in list(columns):
            return {**transformer.named_steps, "position": list(columns).index(column)}
    raise AssertionError(f"{column} is not encoded")


def test_each_fold_learns_scaling_and_imputation_from_its_training_rows_only():
    frame = _numbers(200)
    frame.loc[frame.index[::7], "noise"] = np.nan
    data = prepare_xy(frame, TrainSettings(target="label", folds=4, features=["x", "noise"]))
    folds = prepare_folds(data)
    assert len(folds) == 4
    for fold in folds:
        train_part = data.X_train.iloc[fold.train_rows]
        x_steps, noise_steps = (_column_steps(fold.preprocessor, name) for name in ("x", "noise"))
        assert x_steps["scale"].mean_[x_steps["position"]] == pytest.approx(train_part["x"].mean())
        assert x_steps["scale"].mean_[x_steps["position"]] != pytest.approx(data.X_train["x"].mean())
        median = train_part["noise"].median()
        assert noise_steps["impute"].statistics_[noise_steps["position"]] == pytest.approx(median)
        imputed = train_part["noise"].fillna(median)
        assert noise_steps["scale"].mean_[noise_steps["position"]] == pytest.approx(imputed.mean())


def test_huge_values_in_the_test_rows_never_shape_training():
    frame = _numbers(200)
    frame.loc[frame.index[-40:], "x"] = 1e9  # the last rows are the test part of time-ordered data
    settings = TrainSettings(target="amount", task="regression", folds=3, time_ordered=True, features=["x"])
    data = prepare_xy(frame, settings)
    assert (data.X_test["x"] == 1e9).all() and (data.X_train["x"] < 1e3).all()
    for fold in prepare_folds(data):
        assert fold.train_rows.max() < fold.validation_rows.min()  # only the past is used to learn
        assert abs(_column_steps(fold.preprocessor, "x")["scale"].mean_[0]) < 10
    run = train_model(frame, settings, "ridge", n_jobs=1)
    scaler = _column_steps(run.pipeline.named_steps["preprocess"], "x")["scale"]
    assert scaler.mean_[0] == pytest.approx(data.X_train["x"].mean())


def test_cross_validation_scores_equal_the_one_pipeline_scored_by_scikit_learn(penguins):
    settings = TrainSettings(target="species", folds=3)
    run = train_model(penguins, settings, "logistic_regression", n_jobs=1)
    data = run.prepared
    pipeline = make_pipeline(data.encodings, get_model("logistic_regression", "classification"))
    scores = cross_validate(pipeline, data.X_train, data.y_train, cv=data.splits,
                            scoring=["accuracy", "f1_macro", "neg_log_loss"])
    assert run.record.cv["accuracy"] == pytest.approx(scores["test_accuracy"].mean(), abs=1e-12)
    assert run.record.cv["f1_macro"] == pytest.approx(scores["test_f1_macro"].mean(), abs=1e-12)
    assert run.record.cv["log_loss"] == pytest.approx(-scores["test_neg_log_loss"].mean(), abs=1e-9)
    assert run.record.cv_std["accuracy"] == pytest.approx(scores["test_accuracy"].std(), abs=1e-12)


# ----------------------------------------------------------------------------- splitting
def test_split_is_stratified_and_folds_cover_the_training_part(penguins):
    data = prepare_xy(penguins, TrainSettings(target="species", folds=5))
    assert len(data.y_test) == 69 and len(data.y_train) == 275  # 20% of 344 rows, rounded up
    share = lambda y: pd.Series(y).value_counts(normalize=True).sort_index()  # noqa: E731
    assert np.allclose(share(data.y_train), share(data.y_test), atol=0.03)
    validation = np.concatenate([rows for _, rows in data.splits])
    assert sorted(validation) == list(range(len(data.y_train)))
    assert data.notes == []


def test_group_column_keeps_each_group_on_one_side():
    frame = _numbers(240)
    frame["patient"] = np.repeat([f"p{i}" for i in range(40)], 6)
    data = prepare_xy(frame, TrainSettings(target="label", folds=4, group_column="patient"))
    assert "patient" not in data.feature_columns
    assert set(data.X_train["patient"]).isdisjoint(data.X_test["patient"])
    for train_rows, validation_rows in data.splits:
        groups = data.X_train["patient"].to_numpy()
        assert set(groups[train_rows]).isdisjoint(groups[validation_rows])


def test_time_ordered_rows_test_on_the_latest_rows():
    frame = _numbers(100)
    data = prepare_xy(frame, TrainSettings(target="label", folds=3, time_ordered=True))
    assert list(data.X_test.index) == list(frame.index[-20:])
    assert all(train.max() < validation.min() for train, validation in data.splits)


def test_default_features_leave_out_identifiers_and_leaking_columns_with_a_reason():
    frame = _numbers(200)
    frame["row_id"] = np.arange(len(frame))
    frame["label_copy"] = frame["label"].map({"yes": 1.0, "no": 0.0})
    encodings = {e.column: e for e in default_feature_encodings(frame, "label")}
    assert encodings["row_id"].role == "drop" and "identifier" in encodings["row_id"].reason
    assert encodings["label_copy"].role == "drop" and "leakage" in encodings["label_copy"].reason
    assert encodings["x"].role == "numeric"


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(("change", "settings", "message"), [
    (lambda f: f, {"target": "nope"}, "Target column 'nope' is not in the table"),
    (lambda f: f.assign(label=np.nan), {}, "has no values"),
    (lambda f: f.assign(label="yes"), {}, "only one class"),
    (lambda f: f.assign(label=["rare"] * 3 + ["yes"] * 117), {},
     "Class 'rare' has only 2 row.*Lower the number of folds to 2"),
    (lambda f: f.assign(label=["rare"] + ["yes"] * 119), {}, "Class 'rare' has only 1 row.*merge or drop"),
    (lambda f: f, {"task": "regression"}, "Regression needs a numeric target.*'yes'"),
    (lambda f: f.head(8), {}, "Only 8 rows have a target value.*needs at least"),
    (lambda f: f, {"features": []}, "No feature columns are left"),
    (lambda f: f, {"features": ["ghost"]}, "ghost"),
    (lambda f: f, {"folds": 1}, "folds must be a whole number from 2"),
    (lambda f: f, {"test_size": 0.9}, "test share must be between"),
    (lambda f: f, {"seed": -1}, "seed must be a whole number"),
    (lambda f: f, {"class_weight": "heavy"}, "Class weight"),
    (lambda f: f.assign(g=["a", "b"] * 60), {"group_column": "g"}, "has 2 groups"),
    (lambda f: f.assign(g=1), {"group_column": "g", "time_ordered": True}, "not both"),
])
def test_bad_input_is_refused_with_what_to_do(change, settings, message):
    frame = change(_numbers(120))
    with pytest.raises(DataError, match=message):
        prepare_xy(frame, TrainSettings(**{"target": "label", "folds": 5, **settings}))


def test_rows_without_a_target_are_dropped_and_said_so():
    frame = _numbers(120)
    frame.loc[frame.index[:5], "label"] = None
    data = prepare_xy(frame, TrainSettings(target="label", folds=3))
    assert len(data.y_train) + len(data.y_test) == 115
    assert data.notes == ["Dropped 5 row(s) with no value in the target 'label'."]


def test_unknown_model_and_bad_parameters_are_data_errors(penguins):
    settings = TrainSettings(target="species", folds=3)
    with pytest.raises(DataError, match="Unknown classification model 'ridge'"):
        train_model(penguins, settings, "ridge", n_jobs=1)
    with pytest.raises(DataError, match="max_depth"):
        train_model(penguins, settings, "decision_tree", {"max_depth": 0}, n_jobs=1)


# ----------------------------------------------------------------------------- train
def test_train_reports_cv_spread_test_metrics_and_a_json_record(penguins):
    run = train_model(penguins, TrainSettings(target="species", folds=3), "random_forest",
                      {"n_estimators": 30}, n_jobs=1, recipe=[{"op": "drop_duplicates"}],
                      source_fingerprint="abc")
    record = run.record
    assert set(record.cv) == set(record.cv_std) == set(record.test) >= {"accuracy", "roc_auc", "log_loss"}
    assert record.test["accuracy"] > 0.9 and record.cv["balanced_accuracy"] > 0.9
    assert record.params["n_estimators"] == 30 and record.sort_by == "balanced_accuracy"
    assert record.timings["fit_seconds"] > 0 and record.rows == {"train": 275, "test": 69}
    assert record.source_fingerprint == "abc" and len(record.data_fingerprint) == 16
    again = RunRecord.from_dict(json.loads(record.to_json()))
    assert again == record and again.recipe == [{"op": "drop_duplicates"}]
    assert list(run.pipeline.predict(penguins.head(3).drop(columns="species"))) == ["Adelie"] * 3


def test_the_same_seed_repeats_a_run_exactly_and_another_seed_does_not(penguins):
    settings = TrainSettings(target="species", folds=3, seed=7)
    first = train_model(penguins, settings, "random_forest", {"n_estimators": 20}, n_jobs=1).record
    second = train_model(penguins, settings, "random_forest", {"n_estimators": 20}, n_jobs=1).record
    other = train_model(penguins, TrainSettings(target="species", folds=3, seed=8), "random_forest",
                        {"n_estimators": 20}, n_jobs=1).record
    assert (first.cv, first.test, first.run_id) == (second.cv, second.test, second.run_id)
    assert first.cv != other.cv


def test_cancel_stops_training(penguins):
    with pytest.raises(Cancelled):
        train_model(penguins, TrainSettings(target="species", folds=3), "logistic_regression",
                    should_cancel=lambda: True, n_jobs=1)


# ----------------------------------------------------------------------------- compare
def _broken_spec() -> ModelSpec:
    class Broken:
        def get_params(self, deep=True):
            return {}

        def set_params(self, **params):
            return self

        def fit(self, X, y):
            raise RuntimeError("this algorithm always breaks")

    return ModelSpec("broken", "classification", "Broken on purpose", lambda p, s, c: Broken())


def test_leaderboard_is_sorted_keeps_the_baseline_and_the_failures(penguins, monkeypatch):
    monkeypatch.setattr(models, "_CATALOGUE", (*models._CATALOGUE, _broken_spec()))
    settings = TrainSettings(target="species", folds=3)
    board = compare_leaderboard(penguins, settings, [*FAST, "broken", "random_forest"],
                                params={"random_forest": {"n_estimators": 9999}}, n_jobs=1)
    by_model = {row.model: row for row in board.rows}
    assert set(by_model) == {*FAST, "broken", "random_forest", "baseline"}
    assert by_model["broken"].status == "failed" and "always breaks" in by_model["broken"].error
    assert by_model["random_forest"].status == "failed" and "n_estimators" in by_model["random_forest"].error
    finished = [row for row in board.rows if row.ok]
    scores = [row.cv["balanced_accuracy"] for row in finished]
    assert scores == sorted(scores, reverse=True) and finished[-1].model == "baseline"
    assert [row.status for row in board.rows[-2:]] == ["failed", "failed"]
    assert by_model["logistic_regression"].test["accuracy"] > 0.9
    by_loss = board.sorted_by("log_loss")
    losses = [row.cv["log_loss"] for row in by_loss.rows if row.ok and row.cv["log_loss"] is not None]
    assert losses == sorted(losses)


def test_compare_yields_rows_as_they_finish_and_reports_progress(diabetes):
    updates = []
    rows = list(compare_models(diabetes, TrainSettings(target="disease_progression", folds=3),
                               ["ridge", "lasso"], progress=lambda f, m: updates.append(f), n_jobs=2))
    assert {row.model for row in rows} == {"ridge", "lasso", "baseline"}
    assert all(row.ok and row.cv["r2"] is not None for row in rows)
    assert updates == sorted(updates) and updates[-1] == 1.0
    ridge = next(row for row in rows if row.model == "ridge")
    assert ridge.cv["r2"] > 0.3 > next(row for row in rows if row.model == "baseline").cv["r2"]


def test_shared_fold_encoding_gives_the_same_scores_as_whole_pipelines(penguins, monkeypatch):
    settings = TrainSettings(target="species", folds=3)
    shared = compare_leaderboard(penguins, settings, FAST, n_jobs=1)
    monkeypatch.setattr("core.folds.SHARED_PREPROCESSING_MAX_BYTES", 0)  # too big to share: refit per fit
    assert prepare_folds(prepare_xy(penguins, settings)) == []
    separate = compare_leaderboard(penguins, settings, FAST, n_jobs=1)
    for one, other in zip(shared.rows, separate.rows, strict=True):
        assert one.model == other.model
        assert one.cv == pytest.approx(other.cv) and one.test == pytest.approx(other.test)


def test_compare_repeats_exactly_with_the_same_seed(penguins):
    settings = TrainSettings(target="species", folds=3, seed=3)
    first = compare_leaderboard(penguins, settings, FAST, n_jobs=2)
    second = compare_leaderboard(penguins, settings, FAST, n_jobs=1)
    assert [(r.model, r.cv, r.test) for r in first.rows] == [(r.model, r.cv, r.test) for r in second.rows]


def test_time_budget_and_cancel_mark_unfinished_models(penguins):
    settings = TrainSettings(target="species", folds=3)
    board = compare_leaderboard(penguins, settings, FAST, time_budget_s=0.0, n_jobs=1)
    status = {row.model: row.status for row in board.rows}
    assert status == {"baseline": "done", **{name: "skipped" for name in FAST}}
    assert all("time budget" in row.note and row.error is None for row in board.rows if row.status == "skipped")
    clicked = []
    rows = []
    for row in compare_models(penguins, settings, FAST, should_cancel=lambda: bool(clicked), n_jobs=1):
        rows.append(row)
        clicked.append(True)  # Cancel is clicked as soon as the first row shows
    assert [row.status for row in rows] == ["done"] + ["cancelled"] * len(FAST)
    assert rows[0].model == "baseline" and rows[1].note == "Cancelled before it finished."


def test_best_row_can_be_refitted_without_cross_validating_again(penguins):
    settings = TrainSettings(target="species", folds=3)
    data = prepare_xy(penguins, settings)
    board = compare_leaderboard(penguins, settings, ["logistic_regression"], prepared=data, n_jobs=1)
    best = board.best()
    run = train_model(penguins, settings, best.model, best.params, reuse_cv=best, prepared=data, n_jobs=1)
    assert run.record.cv == best.cv and run.record.timings["cv_fit_seconds"] == 0
    assert isinstance(board, Leaderboard) and board.to_dict()["leaderboard"][0]["model"] == best.model


# ----------------------------------------------------------------------------- budgets and honest test scores
class SlowLogistic(ClassifierMixin, BaseEstimator):
    """Logistic regression that sleeps ``seconds`` plus ``seconds_per_row`` a training row: a fit whose time we set."""

    def __init__(self, seconds_per_row=0.0, seconds=0.0):
        self.seconds_per_row, self.seconds = seconds_per_row, seconds

    def fit(self, X, y):
        import time

        from sklearn.linear_model import LogisticRegression

        time.sleep(self.seconds + self.seconds_per_row * len(y))
        self.model_ = LogisticRegression(max_iter=500).fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X)

    def predict_proba(self, X):
        return self.model_.predict_proba(X)


def _slow_spec(name: str, **sleep) -> ModelSpec:
    return ModelSpec(name, "classification", f"Slow {name}", lambda p, s, c: SlowLogistic(**sleep))


def test_the_budget_stops_fits_in_flight_instead_of_waiting_for_them(penguins, monkeypatch):
    import time

    monkeypatch.setattr(models, "_CATALOGUE", (*models._CATALOGUE, _slow_spec("slow", seconds=60.0)))
    warm_up_workers(2).join()  # as the page does when it opens
    started = time.perf_counter()
    board = compare_leaderboard(penguins, TrainSettings(target="species", folds=3),
                                ["logistic_regression", "slow"], time_budget_s=10.0, n_jobs=2)
    elapsed = time.perf_counter() - started
    assert elapsed < 20  # each of its fits sleeps 60 s: they were stopped, not awaited
    by_model = {row.model: row for row in board.rows}
    assert by_model["slow"].status == "skipped" and by_model["slow"].error is None
    assert "time budget ran out" in by_model["slow"].note and "0 of 4 fits" in by_model["slow"].note
    assert by_model["logistic_regression"].status == "done" and board.best().model == "logistic_regression"


def _rows_table(n: int = 30_000, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    colour = rng.choice(["red", "green", "blue"], n)
    label = np.where(x[:, 0] + 0.5 * (colour == "red") + rng.normal(0, 0.7, n) > 0.2, "yes", "no")
    return pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "c": x[:, 2], "colour": colour, "label": label})


def test_a_model_too_slow_for_the_budget_is_trained_on_a_stratified_sample(monkeypatch):
    # 0.5 ms a row: one fit on the 24,000 training rows sleeps 12 s; its six fits need 30 s on two workers
    monkeypatch.setattr(models, "_CATALOGUE", (*models._CATALOGUE, _slow_spec("slow", seconds_per_row=5e-4)))
    monkeypatch.setattr("core.compare.PROBE_ROWS", 1_000)  # each model is timed on 1,000 rows
    frame = _rows_table()
    settings = TrainSettings(target="label", folds=5, seed=3)
    data = prepare_xy(frame, settings)
    warm_up_workers(2).join()
    board = compare_leaderboard(frame, settings, ["logistic_regression", "slow"], prepared=data,
                                time_budget_s=20.0, n_jobs=2)
    slow = next(row for row in board.rows if row.model == "slow")
    assert slow.status == "sampled" and slow.ok and slow.error is None
    assert 1_000 <= slow.sample_rows < 24_000
    assert slow.note == f"trained on {slow.sample_rows:,} of 24,000 rows (stratified) to fit the budget"
    assert slow.cv["accuracy"] > 0.7 and slow.test["accuracy"] > 0.7
    # "Train the best" on that row trains the same sample: the same model, the same test score
    run = train_model(frame, settings, "slow", slow.params, reuse_cv=slow, prepared=data, n_jobs=2)
    assert run.record.test == pytest.approx(slow.test)
    assert slow.note in run.record.notes


def test_the_leaderboard_test_score_is_the_refitted_models_score(penguins):
    settings = TrainSettings(target="species", folds=3, seed=5)
    board = compare_leaderboard(penguins, settings, ["logistic_regression", "decision_tree"], n_jobs=2)
    for name in ("logistic_regression", "decision_tree", "baseline"):
        row = next(row for row in board.rows if row.model == name)
        run = train_model(penguins, settings, name, n_jobs=1)
        assert row.test == pytest.approx(run.record.test)
        assert row.fit_seconds is not None


def test_best_prefers_any_real_model_to_the_baseline():
    from core.runs import LeaderboardRow

    rows = [LeaderboardRow("baseline", "Baseline", {}, cv={"accuracy": 0.9}),
            LeaderboardRow("decision_tree", "Decision tree", {}, status="sampled", cv={"accuracy": 0.6},
                           sample_rows=1000, note="trained on 1,000 of 9,000 rows (stratified) to fit the budget"),
            LeaderboardRow("svm_rbf", "SVM", {}, status="skipped", note="skipped: ...")]
    board = Leaderboard("classification", "accuracy", rows)
    assert board.best().model == "decision_tree"
    only_baseline = Leaderboard("classification", "accuracy", [rows[0], rows[2]])
    assert only_baseline.best().model == "baseline"
    assert set(board.to_dict()["leaderboard"][1]) >= {"model", "status", "cv", "test", "fit_seconds", "error",
                                                      "note"}


def test_fit_times_are_extrapolated_from_a_fixed_and_a_growing_part():
    from core.compare import PROBE_ROWS, extrapolate_seconds

    small, large = PROBE_ROWS // 4, PROBE_ROWS
    # 1 s of fixed cost plus 0.1 ms a row, timed at both sizes: 1 s + 10 s on 100,000 rows (not 1.2 s x 10)
    timed = (1.0 + 1e-4 * small, 1.0 + 1e-4 * large)
    assert extrapolate_seconds(timed, 100_000, 1.0) == pytest.approx(11.0)
    # timings that disagree (the larger fit was not slower) are scaled as a whole: an overestimate
    assert extrapolate_seconds((2.0, 1.5), 10 * large, 1.0) == pytest.approx(20.0)


@pytest.mark.parametrize("target", ["label", "amount"])
def test_a_sample_of_the_training_part_spreads_over_every_fold(target):
    from core.train import stratified_sample

    frame = _numbers(3_000)
    data = prepare_xy(frame, TrainSettings(target=target, seed=0))
    sample = stratified_sample(data.y_train, 600, 0, data.classes is not None)
    for _, validation_rows in data.splits:
        assert 80 <= np.isin(validation_rows, sample).sum() <= 160  # about a fifth of 600 in each fold


def test_target_encoding_of_a_whole_number_regression_target_makes_one_column():
    """Delays in whole minutes are a number to predict, not a thousand classes: a target-encoded label
    column must become one column, not one per target value (it made 1,121 columns on flights)."""
    from core.preprocess import ColumnEncoding
    from core.train import seeded_preprocessor

    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"plane": rng.choice([f"N{i}" for i in range(200)], 2_000)})
    target = rng.integers(-30, 300, 2_000)
    encodings = [ColumnEncoding("plane", "categorical", "most_frequent", scaler="none", encoder="target")]
    encoded = seeded_preprocessor(encodings, 0, "regression").fit_transform(frame, target)
    assert encoded.shape == (2_000, 1)
