"""``python -m core anomalies``: the JSON of DESIGN.md, SCORED.csv, and exit code 2 on bad input."""

from __future__ import annotations

import json

import pandas as pd

from core.__main__ import main
from tests.core.test_anomaly import PLANTED, planted_table


def _run(capsys, *argv: str) -> tuple[int, dict | None, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, json.loads(captured.out) if captured.out.strip() else None, captured.err


def test_anomalies_json_and_scored_csv(capsys, tmp_path):
    data, out = tmp_path / "shop.csv", tmp_path / "scored.csv"
    frame = planted_table()
    frame.loc[5, "shop"] = "=HYPERLINK(1)"
    frame.to_csv(data, index=False)
    code, result, err = _run(capsys, "anomalies", str(data), "--algorithm", "isolation_forest",
                             "--contamination", "0.02", "--columns", "amount,items", "--seed", "4", "--out", str(out))
    assert code == 0 and err == ""
    assert result["algorithm"] == "isolation_forest" and result["n_flagged"] == 8
    assert set(result["top"][:3]) == set(PLANTED)
    scored = pd.read_csv(out)
    assert list(scored.columns) == [*frame.columns, "anomaly_score", "is_anomaly"]
    assert scored["is_anomaly"].sum() == 8
    assert scored["anomaly_score"].idxmax() == result["top"][0]
    assert scored.loc[5, "shop"].startswith("'=")  # formula-safe
    again = _run(capsys, "anomalies", str(data), "--algorithm", "isolation_forest", "--contamination", "0.02",
                 "--columns", "amount,items", "--seed", "4")[1]
    assert again["top"] == result["top"]


def test_anomalies_bad_input_exits_2_with_one_line(capsys, tmp_path):
    data = tmp_path / "one.csv"
    data.write_text("a,b\n1,2\n")
    code, result, err = _run(capsys, "anomalies", str(data), "--algorithm", "local_outlier_factor")
    assert code == 2 and result is None
    assert err.startswith("error: The table has 1 row(s)") and err.count("\n") == 1
    code, _, err = _run(capsys, "anomalies", "sample_data/iris.csv", "--algorithm", "nope")
    assert code == 2 and err.startswith("error:")
    code, _, err = _run(capsys, "anomalies", "sample_data/iris.csv", "--algorithm", "isolation_forest",
                        "--columns", "sepal_length_cm,wingspan")
    assert code == 2 and "Unknown column(s): 'wingspan'" in err
