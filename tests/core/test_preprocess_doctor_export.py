"""Leak-free encoding, the data doctor's findings and fixes, and formula-safe CSV export."""

import io

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import KFold, cross_validate
from sklearn.pipeline import Pipeline

from core.doctor import diagnose
from core.errors import DataError
from core.export import to_safe_csv
from core.preprocess import (
    CATEGORICAL_IMPUTERS,
    ENCODERS,
    NUMERIC_IMPUTERS,
    SCALERS,
    ColumnEncoding,
    build_preprocessor,
    default_encodings,
    validate_encoding,
)
from core.profile import profile_table
from core.recipe import apply_recipe

rng = np.random.default_rng(0)


def mixed(n=60):
    return pd.DataFrame({
        "x": np.where(np.arange(n) % 7 == 0, np.nan, rng.normal(size=n)),
        "c": np.where(np.arange(n) % 5 == 0, None, rng.choice(["a", "b", "c"], n)),
        "d": pd.date_range("2024-01-01", periods=n).astype(str),
    })


def test_defaults_per_kind():
    frame = mixed().assign(row_id=range(60), many=[f"label{i % 40}" for i in range(60)])
    kinds = {"x": "numeric", "c": "categorical", "d": "datetime", "row_id": "identifier", "many": "categorical"}
    by_column = {e.column: e for e in default_encodings(frame, kinds)}
    assert by_column["row_id"].role == "drop" and "identifier" in by_column["row_id"].reason
    assert by_column["x"].add_indicator  # it has missing values
    assert by_column["many"].encoder == "target"
    assert by_column["c"].encoder == "onehot"


@pytest.mark.parametrize("imputer", NUMERIC_IMPUTERS)
@pytest.mark.parametrize("scaler", SCALERS)
def test_every_numeric_choice_fits(imputer, scaler):
    pre = build_preprocessor([ColumnEncoding("x", "numeric", imputer, True, scaler),
                              ColumnEncoding("d", "datetime", "median", False, scaler)])
    out = pre.fit_transform(mixed())
    assert not np.isnan(out).any()


@pytest.mark.parametrize("imputer", CATEGORICAL_IMPUTERS)
@pytest.mark.parametrize("encoder", ENCODERS)
def test_every_categorical_choice_fits_and_takes_unseen_labels(imputer, encoder):
    pre = build_preprocessor([ColumnEncoding("c", "categorical", imputer, False, "none", encoder, 0.05)])
    frame = mixed()
    pre.fit(frame, rng.normal(size=len(frame)))
    out = pre.transform(frame.assign(c=["never seen"] * len(frame)))
    assert out.shape[0] == len(frame) and not np.isnan(out).any()


def test_bad_choices_and_no_features():
    with pytest.raises(DataError, match="cannot use the imputer"):
        validate_encoding(ColumnEncoding("c", "categorical", "mean"))
    with pytest.raises(DataError, match="No feature"):
        build_preprocessor([ColumnEncoding("x", "drop")])


def test_imputation_and_scaling_are_learnt_on_training_folds_only():
    n = 100
    x = np.arange(n, dtype=float)
    x[80:] = 1e6  # the last fold's rows are extreme: if they leaked, every fold's statistics would show it
    x[::9] = np.nan
    frame = pd.DataFrame({"x": x})
    pipeline = Pipeline([("preprocess", build_preprocessor([ColumnEncoding("x", "numeric", "mean", False,
                                                                          "standard")])),
                         ("model", LinearRegression())])
    result = cross_validate(pipeline, frame, np.arange(n, dtype=float), cv=KFold(5), return_estimator=True,
                            return_indices=True)
    whole_mean = np.nanmean(x)
    for fitted, train_rows in zip(result["estimator"], result["indices"]["train"], strict=True):
        steps = fitted.named_steps["preprocess"].named_transformers_["numeric_0"].named_steps
        train_values = x[train_rows]
        expected_mean = np.nanmean(train_values)
        assert steps["impute"].statistics_[0] == pytest.approx(expected_mean)
        imputed = np.where(np.isnan(train_values), expected_mean, train_values)
        assert steps["scale"].mean_[0] == pytest.approx(imputed.mean())
        if 80 not in train_rows:  # the fold that holds out the extreme rows never saw them
            assert steps["impute"].statistics_[0] < 100 < whole_mean


def clean(n=200):
    return pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(10, 2, n),
                         "colour": rng.choice(["red", "green", "blue"], n), "y": rng.choice(["p", "q"], n)})


def findings(frame, target="y"):
    return diagnose(frame, profile_table(frame, target=target))


def test_doctor_is_quiet_on_clean_data():
    assert findings(clean()) == []


@pytest.mark.parametrize("plant, kind, fix", [
    (lambda f: pd.concat([f, f.head(10)], ignore_index=True), "duplicate_rows", "drop_duplicates"),
    (lambda f: f.assign(k=7), "constant", "drop_columns"),
    (lambda f: f.assign(k=["x"] * (len(f) - 1) + ["z"]), "near_constant", "drop_columns"),
    (lambda f: f.assign(k=range(len(f))), "identifier", "drop_columns"),
    (lambda f: f.assign(k=np.where(np.arange(len(f)) % 4 == 0, 1.0, np.nan)), "high_missing", "drop_columns"),
    (lambda f: f.assign(k=[f"city{i % 90}" for i in range(len(f))]), "high_cardinality", "group_rare"),
    (lambda f: f.assign(k=[str(i) if i % 9 else "n/k" for i in range(len(f))]), "mixed_types", "change_type"),
    (lambda f: f.assign(k=np.exp(rng.normal(0, 2, len(f)))), "skewed", "transform"),
    (lambda f: f.assign(k=f["y"]), "leakage", "drop_columns"),
    (lambda f: f.assign(k=pd.date_range("2020-01-01", periods=len(f))), "datetime_future", "date_parts"),
])
def test_doctor_finds_each_pitfall_and_its_fix_works(plant, kind, fix):
    frame = plant(clean())
    found = [f for f in findings(frame) if f.kind == kind]
    assert found, [f.kind for f in findings(frame)]
    assert found[0].explanation and found[0].fix.op == fix
    fixed = apply_recipe(frame, [found[0].fix]).frame
    assert not [f for f in findings(fixed) if f.kind == kind and f.column == found[0].column]


def test_doctor_flags_imbalance_and_regression_leakage():
    frame = clean().assign(y=["rare" if i < 8 else "common" for i in range(200)])
    assert any(f.kind == "imbalance" and f.severity == "critical" for f in findings(frame))
    numbers = clean().assign(y=rng.normal(size=200))
    numbers["y_scaled"] = numbers["y"] * 2 + 1
    assert any(f.kind == "leakage" and f.column == "y_scaled" for f in findings(numbers))


def test_export_neutralises_formulas_only():
    frame = pd.DataFrame({"t": ["=SUM(A1)", "+1", "-x", "@me", "plain"], "n": [-1.5, 2, 3, 4, 5]})
    back = pd.read_csv(io.BytesIO(to_safe_csv(frame)))
    assert back["t"].tolist() == ["'=SUM(A1)", "'+1", "'-x", "'@me", "plain"]
    assert back["n"].tolist() == [-1.5, 2, 3, 4, 5]
