"""Generated code that is true: every step's code, and a fitted recipe's code, give exactly what the workbench gives.

Run on a table with missing values, dates with mixed UTC offsets, labels and booleans, read from a CSV
file as a student would.
"""

import os

import numpy as np
import pandas as pd
import pytest

from core.recipe import STEP_TYPES, ChangeType, apply_recipe, recipe_code
from core.recipe_fit import RecipeTransformer
from tests.core.test_recipe_fitted import EVERY_STEP_RECIPE, ROW_STEPS, VALUE_STEPS, training_table

STEPS = VALUE_STEPS + ROW_STEPS


@pytest.fixture
def read(tmp_path):
    training_table(90).to_csv(tmp_path / "data.csv", index=False)
    return pd.read_csv(tmp_path / "data.csv")


def _exec(code: str, df: pd.DataFrame | None = None, folder=None) -> pd.DataFrame:
    namespace = {} if df is None else {"df": df.copy(), "pd": pd, "np": np}
    cwd = os.getcwd()
    if folder is not None:
        os.chdir(folder)
    try:
        exec(code, namespace)
    finally:
        os.chdir(cwd)
    return namespace["df"]


def test_every_step_type_is_checked_here_and_offered_on_the_page():
    from core.recipe_steps import _STEP_TYPES

    assert {step.op for step in STEPS} == set(STEP_TYPES) == set(_STEP_TYPES)


@pytest.mark.parametrize("step", STEPS, ids=[f"{step.op}-{index}" for index, step in enumerate(STEPS)])
def test_each_steps_code_gives_what_apply_gives(step, read, tmp_path):
    produced = _exec(recipe_code([step]), folder=tmp_path)
    pd.testing.assert_frame_equal(produced, step.apply(read))


@pytest.mark.parametrize("step", STEPS, ids=[f"{step.op}-{index}" for index, step in enumerate(STEPS)])
def test_each_steps_learnt_code_gives_what_the_fitted_step_gives_on_new_rows(step, read):
    learnt = step.learn(read.iloc[:60])
    new = read.iloc[60:]
    pd.testing.assert_frame_equal(_exec(step.learnt_code(learnt), new), step.apply_learnt(new, learnt))


def test_the_whole_recipes_code_gives_what_the_replay_gives(read, tmp_path):
    produced = _exec(recipe_code(EVERY_STEP_RECIPE), folder=tmp_path)
    pd.testing.assert_frame_equal(produced, apply_recipe(read, EVERY_STEP_RECIPE).frame)


def test_a_fitted_recipes_code_gives_what_the_transformer_gives(read):
    transformer = RecipeTransformer([step.to_dict() for step in EVERY_STEP_RECIPE]).fit(read.iloc[:60])
    code = transformer.code()
    assert "learnt from the training rows" in code
    for rows in (read.iloc[60:], read.iloc[[61]]):
        pd.testing.assert_frame_equal(_exec(code, rows)[list(transformer.feature_names_out_)],
                                      transformer.transform(rows))


def test_change_type_boolean_code_reads_what_apply_reads():
    """The issue saw [nan, nan, True, nan] from the code where apply gave [True, False, True, True]."""
    for values in (["yes", "no", "True", "1"], [True, False, True, True], [1.0, 0.0, 1.0, 1.0], [1, 0, 1, 1]):
        frame = pd.DataFrame({"flag": values})
        step = ChangeType("flag", "boolean")
        assert _exec(step.code(), frame)["flag"].tolist() == step.apply(frame)["flag"].tolist() == [True, False,
                                                                                                   True, True]


def test_learnt_values_from_hostile_cells_stay_data_in_the_code(tmp_path):
    """Kept labels and fill values come from the user's cells: the code carries them only as literals."""
    from core.recipe import FillMissing, GroupRare
    from tests.core.test_recipe import HOSTILE_TEXTS

    names = [f"c{text}" for text in HOSTILE_TEXTS]
    frame = pd.DataFrame({name: [text, text, None, "x"] for name, text in zip(names, HOSTILE_TEXTS, strict=True)})
    steps = [step for name in names for step in (FillMissing(name, "most_frequent"), GroupRare(name, 0.3, name))]
    transformer = RecipeTransformer([step.to_dict() for step in steps]).fit(frame)
    code = transformer.code()
    assert code.splitlines() == code.split("\n")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        produced = _exec(code, frame)
    finally:
        os.chdir(cwd)
    pd.testing.assert_frame_equal(produced, transformer.transform(frame))
    assert list(tmp_path.iterdir()) == []  # no payload wrote a file
