"""Anomaly detection: every detector finds planted outliers, says why, and refuses bad input clearly."""

import numpy as np
import pandas as pd
import pytest

from core.anomaly import anomaly_code, anomaly_map, detect_anomalies, robust_z_scores
from core.anomaly_models import anomaly_models
from core.errors import DataError
from core.preprocess import ColumnEncoding

PLANTED = [7, 42, 99]


def planted_table(rows: int = 400) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"amount": rng.normal(100, 10, rows), "items": rng.normal(5, 1, rows),
                          "shop": rng.choice(["north", "south"], rows)})
    frame.loc[PLANTED, "amount"] = [400.0, -200.0, 500.0]
    return frame


@pytest.mark.parametrize("algorithm", [spec.name for spec in anomaly_models()])
def test_every_detector_ranks_the_planted_outliers_first(algorithm):
    result = detect_anomalies(planted_table(), algorithm, {"contamination": 0.01})
    assert set(result.top["row"].head(3)) == set(PLANTED)
    assert result.n_flagged == 4  # ceil(1 % of 400)
    assert result.flagged[PLANTED].all()


def test_reasons_name_the_odd_column_in_its_own_units():
    result = detect_anomalies(planted_table())
    why = dict(zip(result.top["row"], result.top["why"], strict=True))
    assert why[99].startswith("amount = 500 is unusually high")
    assert "amount = -200 is unusually low" in why[42]


def test_rare_label_is_a_reason():
    frame = planted_table(600)
    frame.loc[300, "shop"] = "moon base"
    frame.loc[300, "items"] = 40.0
    result = detect_anomalies(frame, top_rows=10)
    assert "shop = moon base is rare" in result.top.set_index("row").loc[300, "why"]


def test_scored_frame_and_json_follow_the_design():
    frame = planted_table()
    result = detect_anomalies(frame, seed=3)
    scored = result.scored_frame(frame)
    assert list(scored.columns) == [*frame.columns, "anomaly_score", "is_anomaly"]
    assert scored["is_anomaly"].sum() == result.n_flagged
    assert result.to_dict()["top"][:3] == list(result.top["row"].head(3))
    assert detect_anomalies(frame, seed=3).scores.tolist() == result.scores.tolist()


def test_one_class_svm_is_fitted_on_a_sample_of_a_large_table_and_says_so():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(6_000, 2)), columns=["a", "b"])
    result = detect_anomalies(frame, "one_class_svm")
    assert len(result.scores) == 6_000
    assert "sample of 5,000 of the 6,000 rows" in result.notes[0]


def test_generated_code_reproduces_the_flags(tmp_path, monkeypatch):
    frame = planted_table()
    frame.to_csv(tmp_path / "data.csv", index=False)
    result = detect_anomalies(frame, "elliptic_envelope")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(anomaly_code(result), namespace)
    assert namespace["is_anomaly"].tolist() == result.flagged.tolist()


def test_robust_z_scores_ignore_the_outlier_itself():
    z = robust_z_scores(pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0, 1000.0]}))
    assert z["x"].iloc[-1] > 100


@pytest.mark.parametrize("frame, message", [
    (pd.DataFrame({"a": [1.0]}), "1 row(s)"),
    (pd.DataFrame({"id": [f"r{i}" for i in range(50)], "note": ["same"] * 50}), "No usable feature"),
    (pd.DataFrame({"a": [1.0] * 30, "b": [2.0] * 30}), "No usable feature"),
])
def test_bad_input_is_a_clear_data_error(frame, message):
    with pytest.raises(DataError, match=message.replace("(", r"\(").replace(")", r"\)")):
        detect_anomalies(frame)


def test_identical_rows_in_the_chosen_columns_are_refused():
    frame = pd.DataFrame({"a": [1.0, 1.0, 1.0, 1.0], "b": ["x", "x", "x", "y"]})
    kept = [ColumnEncoding("a", "numeric"), ColumnEncoding("b", "drop")]  # a constant the user chose to keep
    with pytest.raises(DataError, match="Every row is identical"):
        detect_anomalies(frame, encodings=kept)


def test_unknown_column_and_bad_contamination_are_refused():
    with pytest.raises(DataError, match="Unknown column"):
        detect_anomalies(planted_table(), columns=["nope"])
    with pytest.raises(DataError, match="contamination"):
        detect_anomalies(planted_table(), params={"contamination": 0.9})


def test_anomaly_map_keeps_every_flagged_row_and_samples_the_rest():
    result = detect_anomalies(planted_table(), params={"contamination": 0.01})
    points = anomaly_map(result, max_points=50)
    assert len(points) == 50 + result.n_flagged
    assert set(PLANTED) <= set(points.loc[points["status"] == "anomaly", "row"])


def test_elliptic_envelope_on_one_hot_labels_says_its_fit_is_flat():
    result = detect_anomalies(planted_table(), "elliptic_envelope")
    assert any("linear combinations" in note for note in result.notes)
    assert not detect_anomalies(planted_table(), "elliptic_envelope", columns=["amount", "items"]).notes
