"""Every data-doctor finding comes with a one-click remedy, the imbalance one included."""

import numpy as np
import pandas as pd

from core.doctor import EXPLANATIONS, diagnose
from core.profile import profile_table

ROWS = 200


def troubled_table() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({
        "row_id": [f"id{i:05d}" for i in range(ROWS)],
        "constant": ["same"] * ROWS,
        "nearly": ["a"] * (ROWS - 2) + ["b", "c"],
        "mostly_missing": [1.0 if i % 5 == 0 else None for i in range(ROWS)],
        "many_labels": [f"label{i % 120}" for i in range(ROWS)],
        "mixed": [str(i) if i % 40 else "n/a" for i in range(ROWS)],
        "skewed": rng.lognormal(0, 2.5, ROWS),
        "when": pd.date_range("2020-01-01", periods=ROWS).astype(str),
        "outcome": ["rare" if i % 25 == 0 else "common" for i in range(ROWS)],
    })
    frame["copy_of_outcome"] = frame["outcome"]
    return pd.concat([frame, frame.head(5)], ignore_index=True)


def test_every_finding_has_a_fix_or_a_setting_to_turn_on():
    frame = troubled_table()
    findings = diagnose(frame, profile_table(frame, target="outcome"))
    kinds = {finding.kind for finding in findings}
    assert {"imbalance", "duplicate_rows", "constant", "identifier", "leakage", "datetime_future"} <= kinds
    for finding in findings:
        assert finding.has_action and finding.fix_label, finding.kind


def test_imbalance_offers_balanced_class_weights():
    frame = troubled_table()
    imbalance = next(f for f in diagnose(frame, profile_table(frame, target="outcome")) if f.kind == "imbalance")
    assert imbalance.fix is None
    assert imbalance.setting == "balance_class_weights"
    assert "Balance class weights" in imbalance.fix_label


def test_every_explained_kind_is_one_the_doctor_can_remedy():
    from core.doctor import SETTING_FIXES, _fix_for

    for kind in EXPLANATIONS:
        has_step = _fix_for(kind, "column")[0] is not None or kind == "datetime_future"
        assert has_step or kind in SETTING_FIXES, kind
