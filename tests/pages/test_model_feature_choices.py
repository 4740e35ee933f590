"""The Model page's feature choices (moved out of pages/model.py into ui/model_state.py)."""

import pandas as pd

from core.preprocess import ColumnEncoding
from ui.model_state import left_out_table, with_feature_choice, with_prepared_choices


def model_defaults():
    return [ColumnEncoding("age", "numeric", reason="a number"),
            ColumnEncoding("leaky", "drop", reason="predicts the target almost perfectly"),
            ColumnEncoding("city", "categorical", reason="labels"),
            ColumnEncoding("row_id", "drop", reason="an identifier")]


def test_the_prepare_pages_choices_win_except_the_models_decision_to_leave_a_column_out():
    prepared = {"age": ColumnEncoding("age", "numeric", scaler="minmax", imputer="mean", reason="yours"),
                "leaky": ColumnEncoding("leaky", "numeric", scaler="robust")}
    defaults = model_defaults()
    merged = {e.column: e for e in with_prepared_choices(defaults, prepared)}
    assert (merged["age"].scaler, merged["age"].imputer, merged["age"].reason) == ("minmax", "mean", "a number")
    assert merged["leaky"].role == "drop" and merged["leaky"].reason.startswith("predicts the target")
    assert defaults[0].scaler == "standard"  # the cached defaults are not changed in place


def test_removed_features_are_dropped_and_kept_identifiers_get_a_valid_encoding():
    frame = pd.DataFrame({"age": [1.0, 2.0, 3.0], "leaky": [0, 1, 0], "city": ["a", "b", "a"],
                          "row_id": [10, 11, 12]})
    kinds = {"age": "numeric", "leaky": "numeric", "city": "categorical", "row_id": "identifier"}
    features = ["age", "row_id"]
    chosen = {e.column: e for e in with_feature_choice(model_defaults(), features, frame, kinds)}
    assert chosen["city"].role == "drop"
    assert chosen["row_id"].role == "numeric" and chosen["row_id"].reason == "kept by you"
    assert chosen["age"].role == "numeric"
    table = left_out_table(model_defaults(), features)
    assert table.to_dict("records") == [
        {"column": "leaky", "why": "predicts the target almost perfectly"},
        {"column": "city", "why": "you removed it"}]
