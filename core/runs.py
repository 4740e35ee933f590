"""Records of finished work: one ``RunRecord`` per trained model, one ``LeaderboardRow`` per compared one.

Records are plain JSON-serialisable data (settings, recipe, data fingerprint, metrics, timings) so
they can be listed, compared side by side, saved and reloaded; the fitted pipeline that produced a
record is kept next to it in ``core.train.RunResult``, never inside it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from typing import Any, Protocol

import numpy as np
import pandas as pd

from core.metrics import LOWER_IS_BETTER, metric_label

STATUS_DONE, STATUS_FAILED, STATUS_SKIPPED, STATUS_CANCELLED = "done", "failed", "skipped", "cancelled"
STATUS_SAMPLED = "sampled"  # finished, but trained on a stratified sample of the rows to fit the time budget


class FittedRun(Protocol):
    """What curves and explanations read from a trained run (``core.train.RunResult`` is one).

    Typed structurally so that ``core.curves`` and ``core.explain`` need not import ``core.train``,
    which imports them: the dependency points one way, from training to evaluation.
    """

    record: RunRecord
    pipeline: Any  # the fitted scikit-learn Pipeline
    prepared: Any  # core.train_data.PreparedData: splits, folds, feature columns, test rows


def frame_fingerprint(frame: pd.DataFrame) -> str:
    """A content hash of a table (values, column names and types) that names the data a run saw."""
    digest = hashlib.sha256()
    digest.update(json.dumps([[str(name), str(dtype)] for name, dtype in frame.dtypes.items()]).encode())
    digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return digest.hexdigest()[:16]


def _utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _versions() -> dict[str, str]:
    import sklearn

    return {"scikit-learn": sklearn.__version__, "pandas": pd.__version__, "numpy": np.__version__}


@dataclass
class RunRecord:
    """Everything needed to list, compare and reproduce one trained model (no fitted objects).

    ``cv`` holds the cross-validation mean per metric and ``cv_std`` its spread; ``test`` holds the
    metrics of the model refitted on the whole training part, scored once on the hold-out test rows.
    ``positive_class`` names the class that ``precision_positive`` and its kin are about (two classes).
    """

    run_id: str
    model: str
    label: str
    task: str
    params: dict[str, Any]
    settings: dict[str, Any]
    data_fingerprint: str
    sort_by: str
    cv: dict[str, float | None]
    cv_std: dict[str, float | None]
    test: dict[str, float | None]
    timings: dict[str, float]
    rows: dict[str, int]
    recipe: list[dict[str, Any]] | None = None
    source_fingerprint: str | None = None
    notes: list[str] = field(default_factory=list)
    created: str = field(default_factory=_utc_now)
    versions: dict[str, str] = field(default_factory=_versions)
    positive_class: Any = None

    @property
    def fit_seconds(self) -> float:
        return self.timings.get("fit_seconds", 0.0)

    def caption(self) -> str:
        """One line a person reads: "1,176 training rows, 294 test rows, 5 folds · fit 0.42 s"."""
        parts = [f"{self.rows.get('train', 0):,} training rows", f"{self.rows.get('test', 0):,} test rows"]
        if self.settings.get("folds"):
            parts.append(f"{self.settings['folds']} folds")
        return f"{self.label} · {', '.join(parts)} · fit {self.fit_seconds:.2f} s"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, allow_nan=False, default=_json_default)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> RunRecord:
        known = {item.name for item in fields(cls)}
        return cls(**{key: value for key, value in values.items() if key in known})


def new_run_id(model: str, settings: dict[str, Any], fingerprint: str, params: dict[str, Any]) -> str:
    """Short id: the same model, parameters, settings and data give the same id (a run repeats exactly)."""
    text = json.dumps([model, settings, fingerprint, params], sort_keys=True, default=str)
    return f"{model}-{hashlib.sha256(text.encode()).hexdigest()[:8]}"


@dataclass
class LeaderboardRow:
    """One algorithm's result in a comparison.

    ``cv`` and ``cv_std`` are cross-validation mean and spread per metric. ``test`` is the score on
    the hold-out test rows of the model refitted on the whole training part (the figure "Train the
    best" then shows). ``fit_seconds`` is that refit's time. A model that failed keeps its row with
    ``status`` ``failed`` and the reason in ``error``; ``skipped`` and ``cancelled`` rows did not
    finish and ``note`` says why; ``sampled`` rows were trained on ``sample_rows`` rows of the
    training part (a stratified sample, to fit the time budget), as ``note`` says.
    """

    model: str
    label: str
    params: dict[str, Any]
    status: str = STATUS_DONE
    cv: dict[str, float | None] = field(default_factory=dict)
    cv_std: dict[str, float | None] = field(default_factory=dict)
    test: dict[str, float | None] = field(default_factory=dict)
    fit_seconds: float | None = None
    seconds: float | None = None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    note: str | None = None
    sample_rows: int | None = None

    @property
    def ok(self) -> bool:
        return self.status in (STATUS_DONE, STATUS_SAMPLED)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> LeaderboardRow:
        known = {item.name for item in fields(cls)}
        return cls(**{key: value for key, value in values.items() if key in known})


@dataclass
class Leaderboard:
    """Compared models, best first by ``sort_by`` (a cross-validation metric); failed rows last."""

    task: str
    sort_by: str
    rows: list[LeaderboardRow]
    order: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rows = sort_rows(self.rows, self.sort_by, self.order)

    def sorted_by(self, metric: str) -> Leaderboard:
        return Leaderboard(self.task, metric, list(self.rows), self.order)

    def best(self) -> LeaderboardRow | None:
        """The top finished row; the baseline is a reference, chosen only when no real model finished."""
        finished = [row for row in self.rows if row.ok and row.cv.get(self.sort_by) is not None]
        real = [row for row in finished if row.model != "baseline"]
        return (real or finished or [None])[0]

    def to_frame(self, metrics: list[str] | None = None, positive_class: Any = None) -> pd.DataFrame:
        """One row per model with headers a person reads: the sort metric first, then the others.

        Per metric: its cross-validation mean and spread over the folds and its test score;
        ``frame.attrs["help"]`` says what each column is, for tooltips. ``positive_class`` names the class
        of ``precision_positive`` and its kin in their headers.
        """
        names = list(metrics or dict.fromkeys([self.sort_by, *(k for row in self.rows for k in row.cv)]))
        records, help_texts = [], {"Fit seconds": "Seconds one fit of the model took.",
                                   "Note": "Why a model failed, was skipped or trained on a sample."}
        for name in names:
            help_texts.update(dict(zip(score_columns(name, None, None, None, positive_class), _SCORE_HELP,
                                       strict=True)))
        for row in self.rows:
            record: dict[str, Any] = {"Model": row.label, "Status": row.status}
            for name in names:
                record.update(score_columns(name, row.cv.get(name), row.cv_std.get(name), row.test.get(name),
                                            positive_class))
            note = getattr(row, "note", None) or row.error or ""
            record.update({"Fit seconds": row.fit_seconds, "Note": note})
            records.append(record)
        frame = pd.DataFrame(records)
        frame.attrs["help"] = help_texts
        return frame

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``python -m core compare`` (``cv`` holds means; extra keys are extras)."""
        return {"task": self.task, "sort_by": self.sort_by, "leaderboard": [
            {"model": row.model, "label": row.label, "status": row.status, "cv": row.cv, "cv_std": row.cv_std,
             "test": row.test, "fit_seconds": row.fit_seconds, "error": row.error, "note": row.note,
             "params": row.params, "warnings": row.warnings, "sample_rows": row.sample_rows}
            for row in self.rows]}


def sort_rows(rows: list[LeaderboardRow], metric: str,
              order: list[str] | None = None) -> list[LeaderboardRow]:
    """Finished rows by ``metric`` (best first, ties in catalogue order), then rows without it."""
    position = {name: index for index, name in enumerate(order or [])}
    sign = 1.0 if metric in LOWER_IS_BETTER else -1.0

    def key(row: LeaderboardRow) -> tuple[int, float, int, str]:
        value = row.cv.get(metric) if row.ok else None
        group = 0 if value is not None else (1 if row.ok else 2)
        score = sign * value if value is not None else 0.0
        return group, score, position.get(row.model, len(position)), row.model
    return sorted(rows, key=key)


_SCORE_HELP = ("Cross-validation: the mean of the score over the folds of the training rows.",
               "Cross-validation: the standard deviation of the score over the folds.",
               "The model refitted on all training rows, scored once on the hold-out test rows.")

# For a caption under the leaderboard.
LEADERBOARD_NOTE = ("CV: mean and standard deviation of the score over the cross-validation folds of the "
                    "training rows. Test: the model refitted on all training rows, scored once on the "
                    "hold-out test rows.")


def score_columns(metric: str, cv: float | None, cv_std: float | None, test: float | None,
                  positive_class: Any = None) -> dict[str, Any]:
    """Readable leaderboard columns for one metric: CV mean, CV standard deviation and test score."""
    label = metric_label(metric, positive_class)
    return {f"CV mean: {label}": cv, f"CV std: {label}": cv_std, f"Test, refitted: {label}": test}


def runs_table(records: list[RunRecord], metrics: list[str] | None = None) -> pd.DataFrame:
    """Finished runs side by side: one row per run with its settings, cv and test metrics and timings."""
    table = []
    for record in records:
        names = metrics or list(record.cv)
        row: dict[str, Any] = {"Run": record.run_id, "Model": record.label, "Created": record.created,
                               "Target": record.settings.get("target"), "Task": record.task,
                               "Training rows": record.rows.get("train"), "Test rows": record.rows.get("test"),
                               "Test share": record.settings.get("test_size"),
                               "Folds": record.settings.get("folds"), "Seed": record.settings.get("seed"),
                               "Recipe steps": len(record.recipe or []), "Data": record.data_fingerprint}
        for name in names:
            label = metric_label(name, record.positive_class)
            row[f"CV mean: {label}"] = record.cv.get(name)
            row[f"Test, refitted: {label}"] = record.test.get(name)
        row["Fit seconds"] = record.fit_seconds
        table.append(row)
    return pd.DataFrame(table)


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, tuple | set):
        return list(value)
    return str(value)
