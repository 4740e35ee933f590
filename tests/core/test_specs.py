"""``ParamSpec.check``: the one validator for algorithm parameters and recipe settings."""

import math

import numpy as np
import pytest

from core.errors import DataError
from core.limits import RECIPE_MAX_LIST_ITEMS, RECIPE_MAX_TEXT_CHARS
from core.models import TASKS, get_model, list_models
from core.recipe import STEP_TYPES, step_from_dict
from core.specs import KINDS, ParamSpec

BINS = ParamSpec("bins", "int", 4, low=2, high=50)
SHARE = ParamSpec("share", "float", 0.1, low=0.0, high=0.5)
DEPTH = ParamSpec("max_depth", "int", None, low=1, high=50, optional=True)
P = ParamSpec("p", "choice", 2, choices=(1, 2))
LAYERS = ParamSpec("layers", "choice", (100,), choices=((50,), (100,), (100, 50)))
PARTS = ParamSpec("parts", "multichoice", ["year"], choices=("year", "month"))


def check(spec, value):
    return spec.check(value, "Step 'test'", "Fix it.")


@pytest.mark.parametrize("spec, value, expected", [
    (BINS, 3, 3), (BINS, 3.0, 3), (BINS, np.int64(7), 7), (SHARE, 0, 0.0), (SHARE, np.float32(0.25), 0.25),
    (DEPTH, None, None), (P, 1, 1), (P, 2.0, 2), (LAYERS, [100, 50], (100, 50)), (PARTS, ["month"], ["month"]),
    (ParamSpec("flag", "bool", True), np.bool_(False), False), (ParamSpec("value", "text", ""), 0, "0"),
    (ParamSpec("column", "column", None), None, ""), (ParamSpec("columns", "columns", []), None, []),
])
def test_accepted_values_come_back_in_the_type_the_parameter_takes(spec, value, expected):
    checked = check(spec, value)
    assert checked == expected and type(checked) is type(expected)


@pytest.mark.parametrize("spec, value, message", [
    (BINS, 10**9, "'bins' must be between 2 and 50, not 1000000000"),
    (BINS, 2.5, "must be a whole number"),
    (BINS, math.inf, "must be a whole number"),
    (SHARE, math.nan, "must be a number, not nan"),
    (SHARE, "x", "must be a number, not 'x'"),
    (SHARE, True, "must be a number"),
    (P, True, "must be one of 1, 2, not True"),
    (P, "2", "must be one of 1, 2"),
    (PARTS, ["year", "hour"], "must be a list of year, month"),
    (ParamSpec("flag", "bool", True), "yes", "must be true or false"),
    (ParamSpec("column", "column", None), ["a"], "must be a column name"),
    (BINS, None, "'bins' needs a value"),
    (ParamSpec("name", "text", ""), "x" * (RECIPE_MAX_TEXT_CHARS + 1), "characters long; the limit is"),
    (ParamSpec("columns", "columns", []), ["a"] * (RECIPE_MAX_LIST_ITEMS + 1), "a list of 25,001 items"),
])
def test_refused_values_get_one_message_that_names_the_owner_the_rule_and_the_fix(spec, value, message):
    with pytest.raises(DataError, match="^Step 'test': setting ") as raised:
        check(spec, value)
    assert message in str(raised.value) and str(raised.value).endswith("Fix it.")
    assert len(str(raised.value)) < 300  # a huge value is quoted short


def test_models_and_recipes_apply_the_same_rule_with_the_same_words():
    with pytest.raises(DataError) as from_model:
        get_model("random_forest", "classification").resolve_params({"n_estimators": 5000})
    with pytest.raises(DataError) as from_recipe:
        step_from_dict({"op": "bin", "column": "a", "bins": 5000})
    assert "setting 'n_estimators' must be between 10 and 500, not 5000" in str(from_model.value)
    assert "setting 'bins' must be between 2 and 50, not 5000" in str(from_recipe.value)


@pytest.mark.parametrize("value", [math.nan, math.inf])
def test_a_model_parameter_that_is_not_finite_is_refused(value):
    # the models' own validator let NaN through (NaN is neither below nor above a bound) and
    # raised OverflowError, not a message, for an infinite whole number
    with pytest.raises(DataError, match="must be a number"):
        get_model("svm_rbf", "classification").resolve_params({"C": value})
    with pytest.raises(DataError, match="must be a whole number"):
        get_model("random_forest", "classification").resolve_params({"n_estimators": value})


def test_every_declared_spec_has_a_known_kind_and_an_unknown_kind_is_a_bug_not_a_user_error():
    specs = [spec for task in TASKS for model in list_models(task) for spec in model.params]
    specs += [spec for step in STEP_TYPES.values() for spec in step.specs]
    assert {spec.kind for spec in specs} <= set(KINDS)
    with pytest.raises(ValueError, match="unknown kind"):
        check(ParamSpec("x", "colour", None), "red")


def test_every_default_passes_its_own_check():
    specs = [spec for task in TASKS for model in list_models(task) for spec in model.params]
    specs += [spec for step in STEP_TYPES.values() for spec in step.specs]
    for spec in specs:
        check(spec, spec.default)
