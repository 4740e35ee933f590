"""``python -m core train --recipe``: the raw file goes in, the recipe's values are learnt inside the model."""

from __future__ import annotations

import json

from core.__main__ import main
from core.recipe import DeriveDateParts, FillMissing, GroupRare, Outliers, recipe_to_json
from tests.core.test_recipe_fitted import training_table


def test_train_with_a_recipe_learns_it_from_training_rows(capsys, tmp_path):
    data, recipe, out = tmp_path / "data.csv", tmp_path / "recipe.json", tmp_path / "model.json"
    training_table(150).to_csv(data, index=False)
    steps = [DeriveDateParts("when", ["month", "hour"], True), FillMissing("size", "mean"),
             Outliers("size", "iqr", 1.5, "clip"), GroupRare("colour", 0.1, "other")]
    recipe.write_text(recipe_to_json(steps))
    code = main(["train", str(data), "--target", "label", "--model", "logistic_regression", "--folds", "3",
                 "--recipe", str(recipe), "--out", str(out)])
    result = json.loads(capsys.readouterr().out)
    assert code == 0 and result["rows"] == {"train": 120, "test": 30}
    saved = json.loads(out.read_text())
    assert saved["recipe"] == saved["settings"]["recipe"] == [step.to_dict() for step in steps]


def test_compare_with_a_recipe_on_the_raw_file(capsys, tmp_path):
    data, recipe = tmp_path / "data.csv", tmp_path / "recipe.json"
    training_table(150).to_csv(data, index=False)
    recipe.write_text(recipe_to_json([FillMissing("size", "median"), DeriveDateParts("when", ["hour"], True)]))
    code = main(["compare", str(data), "--target", "label", "--folds", "3", "--models", "logistic_regression",
                 "--recipe", str(recipe)])
    board = json.loads(capsys.readouterr().out)["leaderboard"]
    assert code == 0 and all(row["error"] is None for row in board)
