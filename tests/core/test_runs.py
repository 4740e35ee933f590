"""Run records and leaderboards read as a person reads them: labels, not internal keys or raw dicts."""

from __future__ import annotations

import pytest

from core.runs import Leaderboard, LeaderboardRow, RunRecord, runs_table


def _record(**changes) -> RunRecord:
    values = dict(run_id="random_forest-1a2b3c4d", model="random_forest", label="Random forest",
                  task="classification", params={}, settings={"target": "churn", "folds": 5, "test_size": 0.2,
                                                             "seed": 0},
                  data_fingerprint="abc", sort_by="roc_auc",
                  cv={"balanced_accuracy": 0.8, "precision_macro": 0.7, "precision_positive": 0.4},
                  cv_std={"balanced_accuracy": 0.02, "precision_macro": 0.03, "precision_positive": 0.05},
                  test={"balanced_accuracy": 0.79, "precision_macro": 0.69, "precision_positive": 0.42},
                  timings={"fit_seconds": 0.4242}, rows={"train": 1176, "test": 294}, positive_class="yes")
    return RunRecord(**{**values, **changes})


def test_the_run_caption_reads_as_words_not_a_dict():
    caption = _record().caption()
    assert "1,176 training rows, 294 test rows, 5 folds" in caption
    assert caption.startswith("Random forest") and "fit 0.42 s" in caption
    assert "{" not in caption and "'train'" not in caption


def test_the_leaderboard_has_readable_headers_and_names_each_model_once():
    rows = [LeaderboardRow("random_forest", "Random forest", {}, cv={"balanced_accuracy": 0.8, "roc_auc": 0.9},
                           cv_std={"balanced_accuracy": 0.02, "roc_auc": 0.01},
                           test={"balanced_accuracy": 0.78, "roc_auc": 0.88}, fit_seconds=1.5),
            LeaderboardRow("svm_rbf", "SVM (RBF kernel)", {}, status="failed", error="MemoryError")]
    frame = Leaderboard("classification", "balanced_accuracy", rows).to_frame()
    assert list(frame.columns[:5]) == ["Model", "Status", "CV mean: Balanced accuracy", "CV std: Balanced accuracy",
                                       "Test, refitted: Balanced accuracy"]
    assert not [column for column in frame.columns if "_" in column], "no internal names such as cv_accuracy_std"
    assert frame["Model"].tolist() == ["Random forest", "SVM (RBF kernel)"]
    assert "random_forest" not in frame.to_string(), "the model shows once, by its label"
    assert frame.loc[1, "Note"] == "MemoryError"
    assert "folds" in frame.attrs["help"]["CV mean: ROC AUC"]
    assert "hold-out" in frame.attrs["help"]["Test, refitted: ROC AUC"]


def test_the_positive_class_is_named_in_headers():
    table = runs_table([_record()])
    assert "CV mean: Precision of 'yes'" in table.columns
    assert "Test, refitted: Precision (macro average)" in table.columns
    assert table.loc[0, "Test, refitted: Precision of 'yes'"] == pytest.approx(0.42)
    assert table.loc[0, "Training rows"] == 1176 and table.loc[0, "Folds"] == 5
    assert not [column for column in table.columns if "_" in column]


def test_a_record_saved_before_the_positive_class_was_kept_still_loads():
    old = _record().to_dict()
    del old["positive_class"]
    assert RunRecord.from_dict(old).positive_class is None
