"""Metrics equal scikit-learn's; curves, explanations and figures hold what an analyst reads off them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from sklearn import metrics

from core import evaluate as ev
from core import model_plots as mp
from core.errors import DataError
from core.io import read_csv_file
from core.preprocess import ColumnEncoding
from core.runs import Leaderboard, LeaderboardRow
from core.train import TrainSettings, train_model

RNG = np.random.default_rng(0)


def _binary() -> ev.Predictions:
    y_true = RNG.choice(np.array(["no", "yes"], dtype=object), 200, p=[0.7, 0.3])
    p_yes = np.clip(0.6 * (y_true == "yes") + RNG.uniform(0, 0.6, 200), 0.01, 0.99)
    proba = np.column_stack([1 - p_yes, p_yes])
    y_pred = np.where(p_yes >= 0.5, "yes", "no").astype(object)
    return ev.Predictions("classification", y_true, y_pred, np.array(["no", "yes"], dtype=object), proba)


def _multiclass() -> ev.Predictions:
    classes = np.array(["a", "b", "c"], dtype=object)
    y_true = classes[RNG.integers(0, 3, 150)]
    raw = RNG.uniform(size=(150, 3)) + 1.2 * (y_true[:, None] == classes[None, :])
    proba = raw / raw.sum(axis=1, keepdims=True)
    return ev.Predictions("classification", y_true, classes[proba.argmax(axis=1)], classes, proba)


# ----------------------------------------------------------------------------- metrics
def test_binary_metrics_equal_scikit_learn():
    p = _binary()
    got = p.metrics()
    assert got["accuracy"] == pytest.approx(metrics.accuracy_score(p.y_true, p.y_pred))
    assert got["balanced_accuracy"] == pytest.approx(metrics.balanced_accuracy_score(p.y_true, p.y_pred))
    assert got["f1_macro"] == pytest.approx(metrics.f1_score(p.y_true, p.y_pred, average="macro"))
    assert got["f1_weighted"] == pytest.approx(metrics.f1_score(p.y_true, p.y_pred, average="weighted"))
    assert got["precision_macro"] == pytest.approx(metrics.precision_score(p.y_true, p.y_pred, average="macro"))
    assert got["recall_macro"] == pytest.approx(metrics.recall_score(p.y_true, p.y_pred, average="macro"))
    assert got["roc_auc"] == pytest.approx(metrics.roc_auc_score(p.y_true == "yes", p.proba[:, 1]))
    assert got["log_loss"] == pytest.approx(metrics.log_loss(p.y_true, p.proba, labels=["no", "yes"]))
    assert got["mcc"] == pytest.approx(metrics.matthews_corrcoef(p.y_true, p.y_pred))


def test_multiclass_metrics_equal_scikit_learn_even_when_a_class_is_never_predicted():
    p = _multiclass()
    p.y_pred = np.where(p.y_pred == "c", "a", p.y_pred)
    got = p.metrics()
    assert got["f1_macro"] == pytest.approx(metrics.f1_score(p.y_true, p.y_pred, average="macro"))
    assert got["precision_macro"] == pytest.approx(
        metrics.precision_score(p.y_true, p.y_pred, average="macro", zero_division=0))
    assert got["roc_auc"] == pytest.approx(metrics.roc_auc_score(p.y_true, p.proba, multi_class="ovr"))
    assert got["log_loss"] == pytest.approx(metrics.log_loss(p.y_true, p.proba))
    assert got["mcc"] == pytest.approx(metrics.matthews_corrcoef(p.y_true, p.y_pred))


def test_decision_scores_give_roc_auc_but_no_log_loss():
    p = _binary()
    scores = np.log(p.proba[:, 1] / p.proba[:, 0])
    got = ev.classification_metrics(p.y_true, p.y_pred, p.classes, scores=scores)
    assert got["roc_auc"] == pytest.approx(metrics.roc_auc_score(p.y_true == "yes", scores))
    assert got["log_loss"] is None
    one_class = ev.classification_metrics(np.array(["no"] * 5), np.array(["no"] * 5), p.classes,
                                          proba=np.tile([0.8, 0.2], (5, 1)))
    assert one_class["roc_auc"] is None and one_class["accuracy"] == 1.0


def test_regression_metrics_equal_scikit_learn():
    y_true = RNG.uniform(1, 100, 80)
    y_pred = y_true + RNG.normal(0, 5, 80)
    got = ev.regression_metrics(y_true, y_pred)
    assert got == pytest.approx({
        "r2": metrics.r2_score(y_true, y_pred), "mae": metrics.mean_absolute_error(y_true, y_pred),
        "rmse": metrics.root_mean_squared_error(y_true, y_pred),
        "mape": metrics.mean_absolute_percentage_error(y_true, y_pred),
        "median_ae": metrics.median_absolute_error(y_true, y_pred)})


def test_metric_directions_and_scorers():
    assert ev.default_sort_metric("classification", 2) == "roc_auc"
    assert ev.default_sort_metric("classification", 3) == "balanced_accuracy"
    assert ev.default_sort_metric("regression") == "r2"
    assert not ev.higher_is_better("rmse") and ev.higher_is_better("mcc")
    assert ev.sklearn_scoring("rmse") == ("neg_root_mean_squared_error", -1.0)
    assert ev.sklearn_scoring("roc_auc", 3)[0] == "roc_auc_ovr"
    with pytest.raises(DataError, match="Unknown metric"):
        ev.sklearn_scoring("auc")


# ----------------------------------------------------------------------------- curves
def test_confusion_matrix_counts_and_shares():
    p = _multiclass()
    data = ev.confusion(p)
    assert data.labels == ["a", "b", "c"] and data.counts.sum() == 150
    assert np.allclose(data.normalized.sum(axis=1), 1.0)
    assert (data.counts == metrics.confusion_matrix(p.y_true, p.y_pred, labels=p.classes)).all()
    figure = mp.confusion_figure(data, normalized=True)
    assert isinstance(figure, go.Figure) and figure.data[0].text[0][0].endswith("%")


def test_roc_and_precision_recall_curves_per_class():
    binary, multi = _binary(), _multiclass()
    (curve,) = ev.roc_curves(binary)
    assert curve.label == "yes" and curve.area == pytest.approx(binary.metrics()["roc_auc"])
    assert [c.label for c in ev.roc_curves(multi)] == ["a", "b", "c"]
    (pr,) = ev.precision_recall_curves(binary)
    expected = metrics.average_precision_score(binary.y_true == "yes", binary.proba[:, 1])
    assert pr.area == pytest.approx(expected)
    assert len(mp.roc_figure(ev.roc_curves(multi)).data) == 4  # three classes and the chance line
    assert len(mp.precision_recall_figure([pr]).data) == 1


def test_threshold_sweep_matches_predictions_at_each_threshold():
    p = _binary()
    sweep = ev.threshold_sweep(p)
    at_half = sweep.loc[np.isclose(sweep["threshold"], 0.5)].iloc[0]
    predicted = p.proba[:, 1] >= 0.5
    assert at_half["precision"] == pytest.approx(metrics.precision_score(p.y_true == "yes", predicted))
    assert at_half["recall"] == pytest.approx(metrics.recall_score(p.y_true == "yes", predicted))
    assert sweep["recall"].is_monotonic_decreasing
    assert len(mp.threshold_figure(sweep, 0.5).data) == 3
    with pytest.raises(DataError, match="exactly two classes"):
        ev.threshold_sweep(_multiclass())


def test_calibration_needs_probabilities():
    p = _binary()
    (curve,) = ev.calibration(p, n_bins=5)
    assert ((curve.x >= 0) & (curve.x <= 1)).all() and curve.counts.sum() == 200
    p.proba, p.scores = None, np.zeros(200)
    with pytest.raises(DataError, match="Probability estimates"):
        ev.calibration(p)


def test_classification_report_matches_scikit_learn():
    p = _multiclass()
    frame = ev.classification_report_frame(p).set_index("class")
    report = metrics.classification_report(p.y_true, p.y_pred, output_dict=True)
    assert frame.loc["b", "f1"] == pytest.approx(report["b"]["f1-score"])
    assert frame.loc["macro average", "recall"] == pytest.approx(report["macro avg"]["recall"])


def test_residuals_and_their_figures():
    p = ev.Predictions("regression", np.array([3.0, 5.0, 9.0]), np.array([2.5, 6.0, 9.0]))
    table = ev.residuals(p)
    assert table["residual"].tolist() == [0.5, -1.0, 0.0]
    figures = (mp.predicted_actual_figure(table), mp.residuals_figure(table), mp.residual_histogram(table))
    for figure in figures:
        assert isinstance(figure, go.Figure) and figure.data


# ----------------------------------------------------------------------------- on trained runs
@pytest.fixture(scope="module")
def signal_run():
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"signal": rng.normal(size=300), "noise": rng.normal(size=300),
                          "colour": rng.choice(["red", "blue"], 300)})
    frame["target"] = 4 * frame["signal"] + (frame["colour"] == "red") + 0.3 * rng.normal(size=300)
    return train_model(frame, TrainSettings(target="target", task="regression", folds=3), "ridge", n_jobs=1)


def test_permutation_importance_ranks_the_column_the_target_depends_on(signal_run):
    importance = ev.permutation_importance_frame(signal_run, n_repeats=3)
    assert importance["feature"].tolist()[0] == "signal"
    by_feature = importance.set_index("feature")["importance"]
    assert by_feature["signal"] > 10 * abs(by_feature["noise"])
    assert len(mp.importance_figure(importance).data) == 1


def test_coefficients_and_importances_are_named_after_encoded_features(signal_run, ):
    coefficients = ev.builtin_importance_frame(signal_run)
    assert coefficients.attrs["kind"] == "coefficient" and coefficients["feature"].iloc[0] == "signal"
    assert {"colour_red", "colour_blue"} <= set(coefficients["feature"])


def test_partial_dependence_follows_the_learned_effect(signal_run):
    numeric = ev.partial_dependence_data(signal_run, "signal", grid_resolution=10)
    assert numeric.average.shape == (1, len(numeric.grid)) and np.all(np.diff(numeric.average[0]) > 0)
    labels = ev.partial_dependence_data(signal_run, "colour")
    assert labels.categorical and set(labels.grid) == {"red", "blue"}
    effect = dict(zip(labels.grid, labels.average[0], strict=True))
    assert effect["red"] - effect["blue"] == pytest.approx(1.0, abs=0.3)
    assert len(mp.partial_dependence_figure(labels).data) == 1
    with pytest.raises(DataError, match="not one of this model's features"):
        ev.partial_dependence_data(signal_run, "target")


def test_learning_curve_reports_training_and_validation_scores(signal_run):
    curve = ev.learning_curve_data(signal_run, train_sizes=(0.3, 1.0), n_jobs=1)
    assert curve.metric == "r2" and len(curve.train_sizes) == 2
    assert (curve.validation_mean > 0.8).all()
    assert len(mp.learning_curve_figure(curve).data) == 4


def test_a_small_tree_is_drawn_in_the_columns_own_units():
    frame = read_csv_file("sample_data/iris.csv").frame
    run = train_model(frame, TrainSettings(target="species", folds=3), "decision_tree", {"max_depth": 2},
                      n_jobs=1)
    drawing = ev.tree_drawing(run, max_depth=2)
    first_split = drawing.nodes.iloc[0]
    assert first_split["feature"].startswith("petal") and 0.5 < first_split["threshold"] < 3.0  # centimetres
    assert "class: setosa" in drawing.text and drawing.nodes["leaf"].sum() >= 2
    assert isinstance(mp.tree_figure(drawing), go.Figure)
    forest = train_model(frame, TrainSettings(target="species", folds=3), "random_forest",
                         {"n_estimators": 10}, n_jobs=1)
    with pytest.raises(DataError, match="Only a decision tree"):
        ev.tree_drawing(forest)
    assert ev.builtin_importance_frame(forest).attrs["kind"] == "importance"


def test_leaderboard_figure_shows_finished_models_best_on_top():
    rows = [LeaderboardRow("a", "Model A", {}, cv={"r2": 0.5}, cv_std={"r2": 0.1}),
            LeaderboardRow("baseline", "Baseline", {}, cv={"r2": 0.0}, cv_std={"r2": 0.0}),
            LeaderboardRow("b", "Model B", {}, cv={"r2": 0.8}, cv_std={"r2": 0.05}),
            LeaderboardRow("c", "Model C", {}, status="failed", error="boom")]
    board = Leaderboard("regression", "r2", rows)
    assert [row.model for row in board.rows] == ["b", "a", "baseline", "c"]
    bars = mp.leaderboard_figure(board).data[0]
    assert list(bars.y) == ["Baseline", "Model A", "Model B"]  # plotly draws the last bar on top


def test_the_positive_class_can_be_chosen_and_defaults_to_the_rarer_one():
    y_true = np.array(["no"] * 8 + ["yes"] * 2)
    proba_yes = np.array([0.1, 0.2, 0.1, 0.3, 0.2, 0.1, 0.6, 0.2, 0.9, 0.4])
    proba = np.column_stack([1 - proba_yes, proba_yes])
    pred = ev.Predictions("classification", y_true, np.where(proba_yes >= 0.5, "yes", "no"),
                                np.array(["no", "yes"]), proba)
    assert pred.minority_class() == "yes"
    as_no = pred.with_positive("no")
    assert as_no.positive_class == "no" and pred.positive_class == "yes"
    assert ev.roc_curves(as_no)[0].label == "no"
    # A perfect ranking of 'no' against 'yes' is the same ranking read from the other side: equal AUC.
    assert ev.roc_curves(as_no)[0].area == pytest.approx(ev.roc_curves(pred)[0].area)
    sweep_no = ev.threshold_sweep(as_no)
    at_half = sweep_no.iloc[(sweep_no["threshold"] - 0.5).abs().argmin()]
    assert at_half["recall"] == pytest.approx(7 / 8)  # 'no' scores >= 0.5 for 7 of the 8 true 'no' rows


# ----------------------------------------------------------------------------- every view, every feature kind
FEATURE_KINDS = ["integer", "float", "boolean", "categorical", "date", "date_parts", "kept_identifier",
                 "kept_text", "missing_values"]
TARGET_KINDS = ["binary_text", "binary_integer", "multiclass_text", "multiclass_integer", "regression"]


def _kind_frame(kind: str, target_kind: str, n: int = 120) -> tuple[pd.DataFrame, list[ColumnEncoding]]:
    """A small table whose features are all of one kind, plus a target driven by a hidden signal."""
    rng = np.random.default_rng(3)
    signal = rng.normal(size=n)
    noisy = signal + 0.4 * rng.normal(size=n)
    numeric = lambda name, indicator=False: ColumnEncoding(name, "numeric", "median", add_indicator=indicator)  # noqa: E731
    labels = lambda name, encoder="onehot": ColumnEncoding(name, "categorical", "most_frequent", scaler="none",  # noqa: E731
                                                          encoder=encoder)
    days = pd.Timestamp("2021-03-01") + pd.to_timedelta((noisy * 90).round() + 400, unit="D")
    columns, encodings = {
        "integer": ({"age": (40 + 10 * noisy).round().astype(int), "rooms": rng.integers(1, 6, n)},
                    [numeric("age"), numeric("rooms")]),
        "float": ({"x": noisy, "noise": rng.normal(size=n)}, [numeric("x"), numeric("noise")]),
        "boolean": ({"member": noisy > 0, "other": rng.random(n) > 0.5}, [labels("member"), labels("other")]),
        "categorical": ({"colour": np.where(noisy > 0.4, "red", np.where(noisy < -0.4, "blue", "green")),
                         "shape": rng.choice(["round", "square"], n)}, [labels("colour"), labels("shape")]),
        "date": ({"when": days.strftime("%Y-%m-%d")}, [ColumnEncoding("when", "datetime", "median")]),
        "date_parts": ({"when_year": days.year, "when_month": days.month, "when_weekday": days.day_of_week},
                       [numeric("when_year"), numeric("when_month"), numeric("when_weekday")]),
        "kept_identifier": ({"customer": [f"C{i:05d}" for i in range(n)], "x": noisy},
                            [labels("customer", "target"), numeric("x")]),
        "kept_text": ({"comment": [f"said {w} about item {i}" for i, w in
                                   enumerate(np.where(noisy > 0, "good things", "bad things"))], "x": noisy},
                      [labels("comment", "target"), numeric("x")]),
        "missing_values": ({"x_gap": np.where(rng.random(n) < 0.2, np.nan, noisy),
                            "colour_gap": np.where(rng.random(n) < 0.2, None,
                                                   np.where(noisy > 0, "red", "blue")).astype(object)},
                           [numeric("x_gap", indicator=True), labels("colour_gap")]),
    }[kind]
    frame = pd.DataFrame(columns)
    cut = np.digitize(signal, [-0.5, 0.5])
    frame["target"] = {
        "binary_text": np.where(signal > 0, "yes", "no"),
        "binary_integer": (signal > 0).astype(int),
        "multiclass_text": np.array(["low", "mid", "high"])[cut],
        "multiclass_integer": cut + 1,
        "regression": 3 * signal + rng.normal(size=n),
    }[target_kind]
    return frame, encodings


@pytest.mark.parametrize("target_kind", TARGET_KINDS)
@pytest.mark.parametrize("kind", FEATURE_KINDS)
def test_every_view_and_explanation_works_for_every_feature_kind(kind, target_kind):
    frame, encodings = _kind_frame(kind, target_kind)
    task = "regression" if target_kind == "regression" else "classification"
    run = train_model(frame, TrainSettings(target="target", task=task, encodings=encodings, folds=3),
                      "decision_tree", {"max_depth": 3}, n_jobs=1)
    binary = target_kind.startswith("binary")
    expected = set(ev.REGRESSION_METRICS) if task == "regression" else (
        set(ev.CLASSIFICATION_METRICS) | (set(ev.POSITIVE_CLASS_METRICS) if binary else set()))
    assert set(run.record.test) == set(run.record.cv) == expected
    pred = run.predictions
    drawn = []
    if task == "classification":
        assert ev.confusion(pred).counts.sum() == len(run.prepared.y_test)
        drawn += [mp.confusion_figure(ev.confusion(pred)), mp.roc_figure(ev.roc_curves(pred)),
                  mp.precision_recall_figure(ev.precision_recall_curves(pred)),
                  mp.calibration_figure(ev.calibration(pred))]
        report = ev.classification_report_frame(pred)
        assert set(map(str, run.prepared.classes)) <= set(report["class"].astype(str))
        if binary:
            drawn.append(mp.threshold_figure(ev.threshold_sweep(pred.with_positive(pred.minority_class()))))
    else:
        drawn += [mp.predicted_actual_figure(ev.residuals(pred)), mp.residuals_figure(ev.residuals(pred))]
    curve = ev.learning_curve_data(run, train_sizes=(0.5, 1.0), n_jobs=1)
    assert np.isfinite(curve.validation_mean).all()
    importance = ev.permutation_importance_frame(run, n_repeats=2)
    assert set(importance["feature"]) == set(run.prepared.feature_columns)
    builtin = ev.builtin_importance_frame(run)
    drawn += [mp.learning_curve_figure(curve), mp.importance_figure(importance), mp.importance_figure(builtin),
              mp.tree_figure(ev.tree_drawing(run, max_depth=3))]
    for feature in run.prepared.feature_columns:
        dependence = ev.partial_dependence_data(run, feature)
        assert dependence.average.shape == (len(dependence.outputs), len(dependence.grid)) and len(dependence.grid)
        assert np.isfinite(dependence.average).all(), feature
        figure = mp.partial_dependence_figure(dependence)
        label_like = pd.api.types.is_bool_dtype(frame[feature]) or not pd.api.types.is_numeric_dtype(frame[feature])
        if label_like and kind != "date":  # one bar per label, not a line through text
            assert dependence.categorical and all(isinstance(trace, go.Bar) for trace in figure.data), feature
        drawn.append(figure)
    assert all(isinstance(figure, go.Figure) and figure.data for figure in drawn)


def test_partial_dependence_on_whole_numbers_stays_on_whole_numbers():
    frame, encodings = _kind_frame("integer", "regression")
    run = train_model(frame, TrainSettings(target="target", encodings=encodings, folds=3), "ridge", n_jobs=1)
    ages = ev.partial_dependence_data(run, "age", grid_resolution=10)
    assert np.all(np.mod(ages.grid, 1) == 0) and len(ages.grid) == 10
    assert np.all(np.diff(ages.average[0]) > 0), "the learned effect of age is positive"


def test_partial_dependence_over_a_date_column_is_a_line_over_time():
    frame, encodings = _kind_frame("date", "binary_text")
    run = train_model(frame, TrainSettings(target="target", encodings=encodings, folds=3),
                      "logistic_regression", n_jobs=1)
    dates = ev.partial_dependence_data(run, "when", grid_resolution=8)
    assert dates.kind == "date" and not dates.categorical and len(dates.grid) == 8
    assert pd.to_datetime(pd.Series(dates.grid)).is_monotonic_increasing
    assert dates.value_label == "Average probability of 'yes'"


def test_partial_dependence_on_many_labels_shows_the_most_common_and_says_so():
    frame, encodings = _kind_frame("kept_identifier", "regression")
    run = train_model(frame, TrainSettings(target="target", encodings=encodings, folds=3), "ridge", n_jobs=1)
    labels = ev.partial_dependence_data(run, "customer", grid_resolution=12)
    assert len(labels.grid) == 12 and "12 most common of 96 labels" in labels.note


# ----------------------------------------------------------------------------- positive class, bounds
def test_binary_metrics_include_the_positive_class_own_scores_and_name_it():
    p = _binary()
    got = p.metrics()
    truth, predicted = p.y_true == "yes", p.y_pred == "yes"
    assert got["precision_positive"] == pytest.approx(metrics.precision_score(truth, predicted))
    assert got["recall_positive"] == pytest.approx(metrics.recall_score(truth, predicted))
    assert got["f1_positive"] == pytest.approx(metrics.f1_score(truth, predicted))
    assert got["recall_positive"] != pytest.approx(got["recall_macro"]), "the class's own recall, not the mean"
    assert ev.positive_class_label(p.classes) == "yes" and ev.positive_class_label(np.array([0, 1])) == 1
    assert ev.metric_label("precision_positive", "yes") == "Precision of 'yes'"
    assert ev.metric_label("f1_macro") == "F1 (macro average)"
    assert "precision_positive" not in _multiclass().metrics()


def test_a_trained_binary_run_records_its_positive_class():
    frame, encodings = _kind_frame("float", "binary_text")
    run = train_model(frame, TrainSettings(target="target", encodings=encodings, folds=3), "logistic_regression",
                      n_jobs=1)
    assert run.record.positive_class == "yes" and '"positive_class": "yes"' in run.record.to_json()
    assert {"precision_positive", "recall_positive", "f1_positive"} <= set(run.record.cv)


def test_permutation_importance_on_a_wide_table_keeps_to_its_budget_and_says_so():
    import time

    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(400, 300)), columns=[f"f{i}" for i in range(300)])
    frame["target"] = 3 * frame["f7"] + rng.normal(size=400)
    run = train_model(frame, TrainSettings(target="target", folds=2), "random_forest",
                      {"n_estimators": 10}, n_jobs=1)
    seen = []
    started = time.perf_counter()
    importance = ev.permutation_importance_frame(run, time_budget_s=1.0,
                                                 progress=lambda done, message: seen.append((done, message)))
    elapsed = time.perf_counter() - started
    assert elapsed < 4.0, f"{elapsed:.1f} s for a 1 s budget"
    assert len(importance) < 300 and "columns that the model's own importance ranks highest" in \
        importance.attrs["note"]
    assert importance["feature"].iloc[0] == "f7", "the column the target depends on is kept and ranked first"
    assert seen[-1][0] == pytest.approx(1.0) and len(seen) >= len(importance), "progress after each column"


def test_learning_curve_on_a_large_table_samples_rows_and_says_so(signal_run):
    curve = ev.learning_curve_data(signal_run, train_sizes=(0.5, 1.0), n_jobs=1, max_rows=100, max_folds=2)
    assert max(curve.train_sizes) < 100 and "100 of the 240 training rows" in curve.note
    assert "first 2 of 3 folds" in curve.note
