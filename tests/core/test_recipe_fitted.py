"""Scoring equals training: a fitted recipe transforms a row the same alone, in a batch and in training.

Also: its learnt values come from the training rows only (no leak from the test rows), and new data
it cannot handle is refused with a message naming the step, the column and what to do.
"""

import functools

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from core.errors import DataError
from core.recipe import (
    STEP_TYPES,
    Bin,
    ChangeType,
    DeriveDateParts,
    DropColumns,
    DropDuplicates,
    DropMissing,
    FillMissing,
    FilterRows,
    GroupRare,
    NormaliseLabels,
    Outliers,
    RenameColumn,
    Transform,
    apply_recipe,
)
from core.recipe_fit import RecipeTransformer
from core.train import TrainSettings, prepare_xy, train_model

ALL_PARTS = ["year", "month", "day", "weekday", "hour"]


def training_table(rows: int = 60) -> pd.DataFrame:
    """Numbers, labels, booleans, dates with mixed UTC offsets and text numbers, each with missing cells."""
    rng = np.random.default_rng(3)
    size = rng.normal(50, 10, rows).round(1)
    size[[4, 17]] = [1000.0, -400.0]  # outliers
    size[[5, 23, 40]] = np.nan
    colour = rng.choice(["red", "blue", "green"], rows).astype(object)
    colour[[2, 9]] = ["violet", "ochre"]  # rare labels
    colour[[3, 30]] = None
    colour[[6, 7]] = [" RED ", "Blue"]
    offsets = ["Z", "+03:00", "-05:00", ""]
    when = np.array([f"2024-{1 + i % 12:02d}-{1 + i % 27:02d}T{(i * 7) % 24:02d}:30:00{offsets[i % 4]}"
                     for i in range(rows)], dtype=object)
    when[[8, 33]] = None
    member = rng.choice(["yes", "no", "TRUE", "0"], rows).astype(object)
    member[[11]] = None
    count_text = np.array([str(int(value)) for value in rng.integers(0, 9, rows)], dtype=object)
    count_text[[12, 44]] = [None, "7,5"]
    label = np.where(np.nan_to_num(size, nan=50) + rng.normal(0, 5, rows) > 50, "high", "low")
    return pd.DataFrame({"size": size, "colour": colour, "when": when, "member": member,
                         "count_text": count_text, "id": np.arange(rows), "label": label})


VALUE_STEPS = [
    FillMissing("size", "mean"), FillMissing("size", "median"), FillMissing("colour", "most_frequent"),
    FillMissing("colour", "constant", "unknown"), Outliers("size", "iqr", 1.5, "clip"),
    Outliers("size", "zscore", 2.0, "clip"), Bin("size", 4, "quantile"), Bin("size", 3, "equal_width"),
    GroupRare("colour", 0.1, "other"), GroupRare("colour", 0.0, "other", 2),
    DeriveDateParts("when", ALL_PARTS, True), ChangeType("when", "datetime"), ChangeType("member", "boolean"),
    ChangeType("count_text", "numeric"), ChangeType("size", "text"), NormaliseLabels("colour", "lower"),
    Transform("id", "sqrt"), RenameColumn("colour", "color"), DropColumns(["id"]),
]
ROW_STEPS = [DropDuplicates(), DropMissing(["size"]), FilterRows("size", ">", "0"),
             Outliers("size", "iqr", 1.5, "drop")]
EVERY_STEP_RECIPE = [
    ChangeType("count_text", "numeric"), FillMissing("count_text", "median"), NormaliseLabels("colour", "lower"),
    GroupRare("colour", 0.1, "other"), FillMissing("colour", "most_frequent"), ChangeType("member", "boolean"),
    FillMissing("member", "constant", "false"), Outliers("size", "iqr", 1.5, "clip"), FillMissing("size", "mean"),
    Bin("size", 4, "quantile"), Transform("size", "log1p"), DeriveDateParts("when", ALL_PARTS, False),
    ChangeType("when", "datetime"), RenameColumn("when", "stamp"), RenameColumn("colour", "colour_group"),
    DropColumns(["id"]),
    DropDuplicates(), DropMissing(["label"]), FilterRows("label", "is not missing", ""),
    Outliers("count_text", "zscore", 10.0, "drop"),
]


def test_the_recipes_here_use_every_step_type():
    assert {step.op for step in VALUE_STEPS + ROW_STEPS} == set(STEP_TYPES)
    assert {step.op for step in EVERY_STEP_RECIPE} == set(STEP_TYPES)


def _same(produced: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Equal cell by cell (a one-row frame may hold a column in another, equivalent dtype)."""
    pd.testing.assert_frame_equal(produced, expected, check_dtype=False)


def _fitted_and_inside(steps, table):
    transformer = RecipeTransformer([step.to_dict() for step in steps])
    return transformer, transformer.fit_transform(table)


@pytest.mark.parametrize("steps", [[step] for step in VALUE_STEPS] + [EVERY_STEP_RECIPE],
                         ids=[f"{step.op}-{index}" for index, step in enumerate(VALUE_STEPS)] + ["every-step"])
def test_a_row_alone_in_a_batch_and_inside_training_is_transformed_the_same(steps):
    table = training_table()
    transformer, inside = _fitted_and_inside(steps, table)
    for row in range(len(table)):
        _same(transformer.transform(table.iloc[[row]]), inside.iloc[[row]])
    for rows in ([4, 17], [0, 8, 33, 2], list(range(10, 30))):  # outliers, missing dates, a rare label
        _same(transformer.transform(table.iloc[rows]), inside.iloc[rows])
    _same(transformer.transform(table), inside)


def test_new_rows_are_transformed_the_same_alone_and_in_a_batch():
    transformer, _ = _fitted_and_inside(EVERY_STEP_RECIPE, training_table())
    new = training_table(80).iloc[60:].copy()
    new.loc[new.index[0], "colour"] = "never seen"
    new.loc[new.index[1], "size"] = 5000.0
    batch = transformer.transform(new)
    for row in range(len(new)):
        _same(transformer.transform(new.iloc[[row]]), batch.iloc[[row]])
    assert batch["colour_group"].iloc[0] == "other"  # an unseen label is grouped, not a crash


def test_a_two_row_batch_gets_the_training_bounds_bins_and_labels():
    """What the issue saw: 1000 stayed 1000, Bin failed and a rare label stayed on a small batch."""
    table = training_table()
    steps = [Outliers("size", "iqr", 1.5, "clip"), Bin("size", 4, "quantile"), GroupRare("colour", 0.1, "other")]
    transformer, inside = _fitted_and_inside(steps, table[["size", "colour"]])
    batch = transformer.transform(pd.DataFrame({"size": [1000.0, 48.0], "colour": ["violet", "red"]}))
    high = inside["size"].max()
    assert batch["size"].tolist() == [high, 48.0] and high < 100
    assert batch["size_bin"].notna().all() and set(batch["size_bin"]) <= set(inside["size_bin"])
    assert batch["colour"].tolist() == ["other", "red"]


def test_the_whole_table_preview_equals_the_recipe_fitted_on_that_table():
    table = training_table()
    value_steps = [step for step in EVERY_STEP_RECIPE if not step.training_only]
    _, inside = _fitted_and_inside(value_steps, table)
    _same(inside, apply_recipe(table, value_steps).frame)


def test_row_steps_do_not_run_when_scoring():
    table = pd.concat([training_table(), training_table().iloc[:3]])
    transformer, inside = _fitted_and_inside(ROW_STEPS + [FillMissing("size", "median")], table)
    assert len(inside) == len(table) and [s.op for s in transformer.steps_] == ["fill_missing"]


def test_dates_with_mixed_offsets_get_one_hour_alone_and_in_a_batch():
    """The issue's case: hour 23 alone and 20 in a batch; the rule is UTC for every time with an offset."""
    table = pd.DataFrame({"when": ["2024-03-01T23:00:00+03:00", "2024-03-01T10:00:00Z", "2024-03-01T08:15:00"]})
    transformer, inside = _fitted_and_inside([DeriveDateParts("when", ["hour"], True)], table)
    assert inside["when_hour"].tolist() == [20, 10, 8]
    assert transformer.transform(table.iloc[[0]])["when_hour"].tolist() == [20]
    assert "UTC" in DeriveDateParts("when", ["hour"]).describe()


def test_learnt_values_come_from_training_rows_only():
    """The test rows (extreme on purpose) move neither the fill value, the bounds, the bins nor the labels."""
    table = training_table(100)
    table["label"] = np.tile(["a", "b"], 50)
    steps = [FillMissing("size", "mean"), Outliers("size", "zscore", 2.0, "clip"), Bin("size", 3, "equal_width"),
             GroupRare("colour", 0.05, "other")]
    settings = TrainSettings(target="label", folds=3, recipe=[step.to_dict() for step in steps])
    data = prepare_xy(table, settings)
    table.loc[data.X_test.index, "size"] = 10_000.0  # only the test rows change
    table.loc[data.X_test.index, "colour"] = "only in test rows"
    again = prepare_xy(table, settings)
    assert again.X_train.equals(data.X_train)
    run = train_model(table, settings, "logistic_regression", n_jobs=1, prepared=again)
    learnt = run.pipeline.named_steps["recipe"].learnt_
    train_sizes = again.X_train["size"]
    assert learnt[0]["fill"] == pytest.approx(train_sizes.mean())
    assert learnt[0]["fill"] != pytest.approx(table["size"].mean())
    assert learnt[2]["high"] < 10_000.0
    assert "only in test rows" not in learnt[3]["kept"]
    # The same recipe replayed on the whole table (the preview) would have learnt from the test rows.
    assert FillMissing("size", "mean").learn(table)["fill"] > 1_000


@functools.cache
def _train_with_every_step(model="logistic_regression"):
    """One run per model for the tests below (they only read it)."""
    table = training_table(120)
    settings = TrainSettings(target="label", folds=3, recipe=[step.to_dict() for step in EVERY_STEP_RECIPE])
    return train_model(table, settings, model, n_jobs=1)


def test_a_trained_pipeline_predicts_a_row_alone_as_in_a_batch_and_in_training():
    run = _train_with_every_step()
    assert [name for name, _ in run.pipeline.steps] == ["recipe", "preprocess", "model"]
    for X in (run.prepared.X_test, run.prepared.X_train):
        batch, probabilities = run.pipeline.predict(X), run.pipeline.predict_proba(X)
        for row in range(len(X)):
            assert run.pipeline.predict(X.iloc[[row]])[0] == batch[row]
            np.testing.assert_allclose(run.pipeline.predict_proba(X.iloc[[row]])[0], probabilities[row],
                                       rtol=1e-12, atol=1e-15)


def test_prepared_data_carries_raw_columns_and_the_value_steps():
    run = _train_with_every_step()
    data = run.prepared
    # X holds the file's own columns the recipe and the model need: the date as text, no id, no target.
    assert "when" in data.X_train.columns and "colour" in data.X_train.columns
    assert "id" not in data.X_train.columns and "label" not in data.X_train.columns
    assert "colour_group" in data.feature_columns and "when_hour" in data.feature_columns
    assert all(not STEP_TYPES[step["op"]].removes_rows for step in data.recipe_steps)
    assert data.input_columns == list(data.X_train.columns)


def test_the_fold_encoder_learns_the_recipe_on_each_folds_training_rows():
    from core.train import prepare_folds

    data = _train_with_every_step().prepared
    folds = prepare_folds(data)
    fills = [fold.preprocessor.named_steps["recipe"].learnt_[1]["fill"] for fold in folds]
    expected = [pd.to_numeric(data.X_train.iloc[fold.train_rows]["count_text"].str.replace(",", "."),
                              errors="coerce").median() for fold in folds]
    assert fills == pytest.approx(expected)


def test_steps_on_the_target_change_y_and_a_feature_made_from_the_target_is_refused():
    from core.preprocess import ColumnEncoding

    table = training_table()
    on_target = TrainSettings(target="label", folds=3, recipe=[NormaliseLabels("label", "upper").to_dict()])
    data = prepare_xy(table, on_target)
    assert set(data.y_train) == {"HIGH", "LOW"} and data.recipe_steps == []
    table["score"] = np.arange(len(table), dtype=float)
    encodings = [ColumnEncoding("size", "numeric"), ColumnEncoding("score_bin", "categorical", "most_frequent")]
    leaky = TrainSettings(target="score", folds=3, encodings=encodings, recipe=[Bin("score", 3).to_dict()])
    with pytest.raises(DataError, match="made from the target 'score'"):
        prepare_xy(table, leaky)


# ----------------------------------------------------------------------------- bad input
def test_a_missing_column_names_the_step_the_column_and_what_to_do():
    transformer, _ = _fitted_and_inside([FillMissing("size", "median"), GroupRare("colour", 0.1)], training_table())
    with pytest.raises(DataError, match=r"The recipe step 'Fill missing size with the median' needs the column "
                                        r"'size'.*Add the column"):
        transformer.transform(training_table().drop(columns=["size"]))


def test_a_date_that_cannot_be_read_names_the_step_and_the_column():
    transformer, _ = _fitted_and_inside([DeriveDateParts("when", ["month"], True)], training_table()[["when"]])
    with pytest.raises(DataError, match=r"The recipe step 'Split when into month.*: No value of 'when' parses as a "
                                        r"date.*written as dates"):
        transformer.transform(pd.DataFrame({"when": ["next tuesday-ish"]}))


def test_text_where_the_model_learnt_numbers_names_the_step():
    transformer, _ = _fitted_and_inside([FillMissing("size", "mean")], training_table()[["size"]])
    with pytest.raises(DataError, match=r"The recipe step 'Fill missing size with the mean': 'size' is not numeric"):
        transformer.transform(pd.DataFrame({"size": ["big"]}))


def test_a_pipeline_scoring_a_file_without_a_column_says_which():
    run = _train_with_every_step("decision_tree")
    with pytest.raises(DataError, match="needs the column 'when'"):
        run.pipeline.predict(run.prepared.X_test.drop(columns=["when"]))


def test_the_transformer_is_a_scikit_learn_transformer():
    table = training_table()
    transformer = RecipeTransformer([FillMissing("size", "mean").to_dict(), Bin("size", 3).to_dict()])
    transformer.set_output(transform="pandas")
    out = clone(transformer).fit(table).transform(table.iloc[:5])
    assert isinstance(out, pd.DataFrame) and list(out.columns) == [*table.columns, "size_bin"]
    assert list(transformer.fit(table).get_feature_names_out()) == list(out.columns)
    assert RecipeTransformer().fit_transform(table) is table  # no steps: the table passes through
    assert list(RecipeTransformer().fit(table).transform(table[["size"]]).columns) == ["size"]


def test_a_row_whose_number_cells_are_all_empty_is_scored():
    steps = [Outliers("size", "iqr", 1.5, "clip"), Bin("size", 3), FillMissing("size", "median")]
    transformer, inside = _fitted_and_inside(steps, training_table()[["size"]])
    out = transformer.transform(pd.DataFrame({"size": [None]}))  # read as text: an empty column has no type
    assert out["size"].tolist() == [inside["size"].median()] and out["size_bin"].isna().all()


def test_explanations_of_a_model_with_a_recipe_shuffle_and_vary_the_files_own_columns():
    from core.explain import partial_dependence_data, permutation_importance_frame

    run = _train_with_every_step("decision_tree")
    importance = permutation_importance_frame(run, n_repeats=2)
    assert set(importance["feature"]) == set(run.prepared.X_test.columns)
    dates = partial_dependence_data(run, "when", grid_resolution=5)
    assert dates.kind == "date" and len(dates.grid) >= 2
    labels = partial_dependence_data(run, "colour", grid_resolution=5)
    assert labels.kind == "category"


def test_a_model_trained_on_a_sample_still_learns_the_recipe_from_every_training_row():
    """A compare's sampled row: the recipe and the encoder learn from all rows, the model from the sample."""
    import pickle

    from core.models import get_model
    from core.train import _fit_pipeline, make_pipeline

    data = _train_with_every_step().prepared
    pipeline = make_pipeline(data.encodings, get_model("logistic_regression", data.task), None, 0, None,
                             data.recipe_steps)
    fitted = _fit_pipeline(pipeline, data.X_train, data.y_train, np.arange(0, len(data.y_train), 2))["pipeline"]
    whole = RecipeTransformer(data.recipe_steps).fit(data.X_train)
    assert fitted.named_steps["recipe"].learnt_ == whole.learnt_
    copy = pickle.loads(pickle.dumps(fitted))  # worker processes and saved models get the same object
    np.testing.assert_array_equal(copy.predict(data.X_test), fitted.predict(data.X_test))
