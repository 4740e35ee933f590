"""The data doctor: the profile's warnings explained for a beginner, each with a one-click fix.

It re-runs on every change of the recipe (it is cheap: the profile is cached by content) and adds
what the plain profile does not judge: near-constant columns and dates that may carry the future.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from core.profile import TableProfile
from core.recipe import ChangeType, DeriveDateParts, DropColumns, DropDuplicates, GroupRare, Step, Transform

NEAR_CONSTANT_SHARE = 0.98
SEVERITY_ORDER = {"critical": 0, "warning": 1, "info": 2}

EXPLANATIONS = {
    "duplicate_rows": "When a row and its copy fall on both sides of the train/test split, the model is "
                      "tested on rows it has already seen, so its score looks better than it is.",
    "constant": "A column with the same value everywhere cannot help tell rows apart.",
    "near_constant": "Almost every row has the same value, so the column carries very little "
                     "information and can make some models unstable.",
    "identifier": "IDs are unique per row. A model can memorise them but never generalise from them.",
    "high_missing": "With more than half the values missing, filling the gaps mostly invents data. "
                    "Drop the column, or keep it with a missing-value indicator if missingness itself "
                    "may mean something.",
    "high_cardinality": "Each distinct label becomes its own column in one-hot encoding. With many "
                        "labels that means many sparse columns; grouping rare labels or target "
                        "encoding keeps the model small.",
    "mixed_types": "A column of numbers with a few text cells is read as text, so its numbers are "
                   "treated as labels. Converting it to numbers turns the odd cells into missing values.",
    "skewed": "A long tail of large values dominates distances and linear fits; a log transform "
              "spreads the bulk of the values out.",
    "imbalance": "When one class is rare, always predicting the common class already scores a high "
                 "accuracy. Judge models by balanced accuracy or F1, split in a stratified way, and "
                 "weight the classes so the rare one counts as much as the common one.",
    "leakage": "A feature that predicts the target almost perfectly is usually a copy of it, or "
               "something recorded after the outcome was known. The model will look excellent and "
               "fail on real new data.",
    "datetime_future": "A date recorded at or after the moment you want to predict carries "
                       "information from the future. Check each date was known in time, and prefer "
                       "a time-ordered validation.",
}


# A finding whose remedy is a training setting rather than a recipe step: kind -> (setting, label).
SETTING_FIXES = {"imbalance": ("balance_class_weights", "Balance class weights when training")}


@dataclass
class Finding:
    """One problem, why it matters, and its one-click remedy: a recipe ``fix`` step or a workspace
    ``setting`` to turn on (``fix_label`` names either on its button)."""

    kind: str
    column: str | None
    severity: str
    message: str
    explanation: str
    fix: Step | None = None
    fix_label: str = ""
    setting: str | None = None

    def __post_init__(self) -> None:
        if self.fix is None and self.setting is None and self.kind in SETTING_FIXES:
            self.setting, self.fix_label = SETTING_FIXES[self.kind]

    @property
    def has_action(self) -> bool:
        return self.fix is not None or self.setting is not None


def diagnose(frame: pd.DataFrame, profile: TableProfile) -> list[Finding]:
    """Findings for the table, most severe first, each with an explanation and a fix when one exists."""
    findings = [
        Finding(w.kind, w.column, w.severity, w.message, EXPLANATIONS.get(w.kind, ""),
                *_fix_for(w.kind, w.column))
        for w in profile.warnings
    ]
    findings += _near_constant(frame, profile)
    if profile.target is not None:
        findings += _dates_that_may_leak(profile)
    return sorted(findings, key=lambda finding: SEVERITY_ORDER.get(finding.severity, 3))


def _fix_for(kind: str, column: str | None) -> tuple[Step | None, str]:
    if kind == "duplicate_rows":
        return DropDuplicates(), "Drop duplicate rows"
    if kind in ("constant", "near_constant", "identifier", "high_missing", "leakage") and column:
        return DropColumns([column]), f"Drop '{column}'"
    if kind == "high_cardinality" and column:
        return (GroupRare(column, 0.01, "other", max_labels=20),
                f"Keep the 20 most frequent labels of '{column}', group the rest")
    if kind == "mixed_types" and column:
        return ChangeType(column, "numeric"), f"Convert '{column}' to numbers"
    if kind == "skewed" and column:
        return Transform(column, "log1p"), f"Log-transform '{column}'"
    return None, ""


def _near_constant(frame: pd.DataFrame, profile: TableProfile) -> list[Finding]:
    findings = []
    for column in profile.columns:
        if column.kind in ("constant", "identifier", "text") or column.unique < 2 or not column.top_values:
            continue
        if column.name == profile.target:
            continue
        top_share = column.top_values[0][1] / max(profile.rows - column.missing, 1)
        if top_share >= NEAR_CONSTANT_SHARE:
            findings.append(Finding(
                "near_constant", column.name, "info",
                f"'{column.name}' is '{column.top_values[0][0]}' in {top_share:.1%} of rows.",
                EXPLANATIONS["near_constant"], *_fix_for("near_constant", column.name)))
    return findings


def _dates_that_may_leak(profile: TableProfile) -> list[Finding]:
    findings = []
    for column in profile.columns:
        if column.kind != "datetime" or column.name == profile.target:
            continue
        findings.append(Finding(
            "datetime_future", column.name, "warning",
            f"'{column.name}' is a date (from {column.minimum} to {column.maximum}). If it was recorded "
            f"after '{profile.target}' was known, it leaks the future.",
            EXPLANATIONS["datetime_future"], DeriveDateParts(column.name, ["year", "month", "weekday"], True),
            f"Replace '{column.name}' by its year, month and weekday"))
    return findings
