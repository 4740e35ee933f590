"""``python -m core train`` and ``compare``: the JSON that outside checks rely on, and exit code 2."""

from __future__ import annotations

import json

import pytest

from core.__main__ import main
from core.recipe import DropColumns, recipe_to_json

IRIS = "sample_data/iris.csv"
DIABETES = "sample_data/diabetes.csv"


def _run(capsys, *argv: str) -> tuple[int, dict | None, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, json.loads(captured.out) if captured.out.strip() else None, captured.err


def test_train_prints_the_run_and_writes_its_summary(capsys, tmp_path):
    out = tmp_path / "model.json"
    code, result, err = _run(capsys, "train", IRIS, "--target", "species", "--model", "random_forest",
                             "--folds", "3", "--seed", "1", "--out", str(out))
    assert code == 0 and err == ""
    assert {"task", "model", "cv", "test", "fit_seconds"} <= set(result)
    assert result["task"] == "classification" and result["model"] == "random_forest"
    assert result["cv"]["accuracy"] > 0.85 and result["test"]["accuracy"] > 0.85
    assert set(result["cv"]) >= {"accuracy", "balanced_accuracy", "f1_macro", "f1_weighted", "precision_macro",
                                 "recall_macro", "roc_auc", "log_loss", "mcc"}
    assert result["positive_class"] is None, "three classes: no single positive class"
    saved = json.loads(out.read_text())
    assert saved["model"] == "random_forest" and saved["settings"]["seed"] == 1
    assert saved["cv"] == result["cv"] and saved["params"]["n_estimators"] == 100
    assert saved["data_fingerprint"] and saved["source_fingerprint"]


def test_train_repeats_exactly_with_the_same_seed(capsys, tmp_path):
    args = ["train", DIABETES, "--target", "disease_progression", "--model", "ridge", "--folds", "3",
            "--out", str(tmp_path / "m.json")]
    first, second = _run(capsys, *args)[1], _run(capsys, *args)[1]
    assert first["task"] == "regression" and set(first["cv"]) == {"r2", "mae", "rmse", "mape", "median_ae"}
    assert (first["cv"], first["test"]) == (second["cv"], second["test"])


def test_compare_prints_the_leaderboard_best_first(capsys):
    code, result, _ = _run(capsys, "compare", DIABETES, "--target", "disease_progression", "--folds", "3")
    assert code == 0
    assert result["task"] == "regression" and result["sort_by"] == "r2"
    board = result["leaderboard"]
    assert all({"model", "cv", "test", "fit_seconds", "error"} <= set(row) for row in board)
    assert "baseline" in {row["model"] for row in board}
    scores = [row["cv"]["r2"] for row in board if row["error"] is None]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0.3


def test_compare_sorts_by_another_metric_and_replays_a_recipe(capsys, tmp_path):
    recipe = tmp_path / "recipe.json"
    recipe.write_text(recipe_to_json([DropColumns(columns=["petal_length_cm", "petal_width_cm"])]))
    code, result, _ = _run(capsys, "compare", IRIS, "--target", "species", "--folds", "3",
                           "--recipe", str(recipe), "--sort-by", "log_loss")
    assert code == 0 and result["sort_by"] == "log_loss"
    losses = [row["cv"]["log_loss"] for row in result["leaderboard"] if row["cv"].get("log_loss") is not None]
    assert losses == sorted(losses)
    best = result["leaderboard"][0]
    assert best["cv"]["accuracy"] < 0.9  # sepals alone separate the species far less well than petals


def test_compare_takes_the_models_and_a_time_budget(capsys):
    code, result, _ = _run(capsys, "compare", IRIS, "--target", "species", "--folds", "3",
                           "--models", "logistic_regression, naive_bayes", "--time-budget", "60")
    assert code == 0
    rows = result["leaderboard"]
    assert {row["model"] for row in rows} == {"logistic_regression", "naive_bayes", "baseline"}
    assert all({"model", "status", "cv", "test", "fit_seconds", "error", "note"} <= set(row) for row in rows)
    assert all(row["status"] == "done" and row["error"] is None for row in rows)
    assert result["seconds"] < 60 * 1.1
    assert rows[-1]["model"] == "baseline"  # a real model that beats the reference ranks above it


@pytest.mark.parametrize(("argv", "message"), [
    (["compare", IRIS, "--target", "species", "--models", "ridge"], "Unknown classification model 'ridge'"),
    (["compare", IRIS, "--target", "species", "--models", ","], "--models is empty"),
    (["compare", IRIS, "--target", "species", "--time-budget", "0"], "positive number of seconds"),
    (["compare", IRIS, "--target", "species", "--time-budget", "soon"], "invalid float value"),
    (["compare", IRIS, "--target", "colour"], "Target column 'colour' is not in the table"),
    (["compare", "missing.csv", "--target", "species"], "File not found"),
    (["compare", DIABETES, "--target", "sex", "--task", "regression"], "Regression needs a numeric target"),
    (["compare", IRIS, "--target", "species", "--folds", "1"], "folds"),
    (["compare", IRIS, "--target", "species", "--folds", "60"], "from 2 to 20"),
    (["compare", IRIS, "--target", "species", "--sort-by", "r2"], "Cannot sort"),
    (["compare", IRIS, "--target", "species", "--recipe", "nope.json"], "Recipe file not found"),
    (["train", IRIS, "--target", "species", "--model", "ridge", "--out", "x.json"],
     "Unknown classification model"),
    (["train", IRIS, "--target", "species"], "--out"),
    (["compare", IRIS, "--target", "species", "--folds", "three"], "invalid int value"),
])
def test_bad_input_exits_2_with_one_error_line(capsys, argv, message):
    code, result, err = _run(capsys, *argv)
    assert code == 2 and result is None
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]


def test_one_class_and_rare_class_targets_are_refused(capsys, tmp_path):
    data = tmp_path / "one.csv"
    data.write_text("x,y\n" + "".join(f"{i},same\n" for i in range(30)))
    code, _, err = _run(capsys, "train", str(data), "--target", "y", "--out", str(tmp_path / "m.json"))
    assert code == 2 and "only one class" in err
    data.write_text("x,y\n" + "".join(f"{i % 7},{'rare' if i < 4 else 'common'}\n" for i in range(60)))
    code, _, err = _run(capsys, "compare", str(data), "--target", "y")
    assert code == 2 and "Class 'rare' has only 3 row(s) for training" in err
    assert "Lower the number of folds to 3" in err
