"""The algorithm catalogue: every algorithm learns on real data; specs validate and become search spaces."""

from __future__ import annotations

import json
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import ParameterSampler

from core import models
from core.errors import DataError
from core.io import read_csv_file
from core.models import (
    SMALL_DATA_ROWS,
    ModelSpec,
    default_compare_set,
    get_model,
    list_models,
    search_space,
)
from core.preprocess import default_encodings
from core.schema import infer_column_kinds
from core.specs import ParamSpec
from core.train import make_pipeline

CLASSIFIERS = [spec.name for spec in list_models("classification")]
REGRESSORS = [spec.name for spec in list_models("regression")]


def _split(path: str, target: str) -> tuple[pd.DataFrame, pd.DataFrame, list]:
    frame = read_csv_file(path).frame
    frame = frame[frame[target].notna()].sample(frac=1.0, random_state=0)
    kinds = {name: str(kind) for name, kind in infer_column_kinds(frame).items()}
    cut = int(len(frame) * 0.75)
    return frame.iloc[:cut], frame.iloc[cut:], default_encodings(frame, kinds, target)


@pytest.fixture(scope="module")
def penguins():
    return _split("sample_data/penguins.csv", "species")


@pytest.fixture(scope="module")
def diabetes():
    return _split("sample_data/diabetes.csv", "disease_progression")


@pytest.mark.parametrize("name", CLASSIFIERS)
def test_every_classifier_learns_penguin_species_despite_missing_values(penguins, name):
    train, test, encodings = penguins
    spec = get_model(name, "classification")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pipeline = make_pipeline(encodings, spec).fit(train.drop(columns="species"), train["species"])
    predicted = pipeline.predict(test.drop(columns="species"))
    assert len(predicted) == len(test)
    assert set(predicted) <= set(train["species"])
    accuracy = float(np.mean(predicted == test["species"].to_numpy()))
    majority = float(test["species"].value_counts(normalize=True).max())
    if name == "baseline":
        assert set(predicted) == {train["species"].mode()[0]}
    else:
        assert accuracy > majority + 0.2, f"{name} learned nothing: accuracy {accuracy:.2f}"


@pytest.mark.parametrize("name", REGRESSORS)
def test_every_regressor_predicts_disease_progression(diabetes, name):
    train, test, encodings = diabetes
    target = "disease_progression"
    spec = get_model(name, "regression")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pipeline = make_pipeline(encodings, spec).fit(train.drop(columns=target), train[target])
    predicted = pipeline.predict(test.drop(columns=target))
    assert predicted.shape == (len(test),) and np.isfinite(predicted).all()
    if name == "baseline":
        assert np.allclose(predicted, train[target].mean())
    else:
        correlation = np.corrcoef(predicted, test[target])[0, 1]
        assert correlation > 0.3, f"{name} predictions do not follow the target (r={correlation:.2f})"


def test_balanced_class_weight_finds_more_of_a_rare_class():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(600, 2))
    y = np.where(x[:, 0] + 0.5 * rng.normal(size=600) > 1.6, "rare", "common")
    frame = pd.DataFrame({"a": x[:, 0], "b": x[:, 1]})
    encodings = default_encodings(frame, {"a": "numeric", "b": "numeric"})
    spec = get_model("logistic_regression", "classification")
    recalls = {}
    for weight in (None, "balanced"):
        pipeline = make_pipeline(encodings, spec, class_weight=weight).fit(frame, y)
        recalls[weight] = np.mean(pipeline.predict(frame)[y == "rare"] == "rare")
    assert recalls["balanced"] > recalls[None] + 0.1


def test_class_weight_is_ignored_by_algorithms_without_it():
    knn = get_model("k_nearest_neighbors", "classification")
    assert not knn.class_weight
    assert "class_weight" not in knn.build(class_weight="balanced").get_params()
    forest = get_model("random_forest", "classification").build(class_weight="balanced")
    assert forest.class_weight == "balanced"


def test_unknown_parameter_and_out_of_range_value_are_explained():
    spec = get_model("random_forest", "classification")
    with pytest.raises(DataError, match="no parameter 'trees'.*n_estimators"):
        spec.resolve_params({"trees": 10})
    with pytest.raises(DataError, match="between 10 and 500"):
        spec.resolve_params({"n_estimators": 5000})
    with pytest.raises(DataError, match="whole number"):
        spec.resolve_params({"n_estimators": 10.5})
    with pytest.raises(DataError, match="one of sqrt, log2"):
        spec.resolve_params({"max_features": "most"})


def test_parameters_read_back_from_json_are_accepted():
    spec = get_model("mlp", "classification")
    params = json.loads(json.dumps(spec.resolve_params({"hidden_layer_sizes": (100, 50), "max_iter": 200.0})))
    resolved = spec.resolve_params(params)
    assert resolved["hidden_layer_sizes"] == (100, 50)
    assert resolved["max_iter"] == 200 and isinstance(resolved["max_iter"], int)
    assert get_model("random_forest", "regression").resolve_params({"max_features": 1})["max_features"] == 1.0


def test_unknown_model_lists_the_known_ones():
    with pytest.raises(DataError, match="Unknown regression model 'svm_rbf'.*svr"):
        get_model("svm_rbf", "regression")
    with pytest.raises(DataError, match="Unknown task"):
        list_models("no_such_family")


def test_catalogue_names_defaults_and_json():
    for task in ("classification", "regression"):
        specs = list_models(task)
        assert specs[0].name == "baseline"
        assert len({spec.name for spec in specs}) == len(specs)
        for spec in specs:
            assert re.fullmatch(r"[a-z][a-z_]*", spec.name)
            assert spec.label and spec.help
            json.dumps(spec.to_dict())
            for param in spec.params:
                if param.kind in ("int", "float") and param.default is not None:
                    assert param.low <= param.default <= param.high, (spec.name, param.name)
                if param.kind == "choice":
                    assert param.default in param.choices


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_search_spaces_only_draw_valid_settings(task):
    from scipy.stats._distn_infrastructure import rv_continuous_frozen

    for spec in list_models(task):
        space = search_space(spec)
        assert set(space) == {param.name for param in spec.params if param.tunable}
        for param in spec.params:
            if param.tunable and param.kind == "float" and param.log:
                assert isinstance(space[param.name], rv_continuous_frozen)
                assert space[param.name].dist.name == "loguniform"
        for sample in ParameterSampler(space, n_iter=8, random_state=0) if space else []:
            spec.build(spec.resolve_params(sample))


def test_default_compare_set_drops_slow_algorithms_on_bigger_tables():
    small = default_compare_set("classification", 300)
    big = default_compare_set("classification", SMALL_DATA_ROWS * 5)
    assert set(small) == set(CLASSIFIERS)
    assert {"svm_rbf", "mlp", "extra_trees"}.isdisjoint(big)
    assert {"baseline", "hist_gradient_boosting", "random_forest", "logistic_regression"} <= set(big)
    assert "svr" not in default_compare_set("regression", 50_000)


def _kmeans_spec():
    from sklearn.cluster import KMeans

    return ModelSpec("kmeans", "clustering", "k-means", lambda params, seed, _: KMeans(random_state=seed, **params),
                     (ParamSpec("n_clusters", "int", 3, low=2, high=50),))


def test_a_new_task_family_joins_the_catalogue_without_touching_the_supervised_one(monkeypatch):
    # Only the supervised families: the Discover modules register theirs when they are imported.
    monkeypatch.setattr(models, "_FAMILIES", {family: list(sources) for family, sources in models._FAMILIES.items()
                                              if family in models.TASKS})
    supervised_before = {task: [spec.name for spec in list_models(task)] for task in models.TASKS}
    with pytest.raises(DataError, match="Unknown task 'clustering'"):
        list_models("clustering")
    models.register("clustering", _kmeans_spec())
    assert [spec.name for spec in list_models("clustering")] == ["kmeans"]
    estimator = get_model("kmeans", "clustering").build({"n_clusters": 4}, seed=1)
    assert (estimator.n_clusters, estimator.random_state) == (4, 1)
    with pytest.raises(DataError, match="between 2 and 50"):
        get_model("kmeans", "clustering").build({"n_clusters": 500})
    assert models.families() == ["classification", "regression", "clustering"]
    assert {task: [spec.name for spec in list_models(task)] for task in models.TASKS} == supervised_before
    with pytest.raises(ValueError, match="already registered"):
        models.register("clustering", _kmeans_spec())
    with pytest.raises(ValueError, match="is for 'clustering', not 'anomaly'"):
        models.register("anomaly", _kmeans_spec())
