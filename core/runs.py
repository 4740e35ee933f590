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
from typing import Any

import numpy as np
import pandas as pd

from core.evaluate import LOWER_IS_BETTER

STATUS_DONE, STATUS_FAILED, STATUS_SKIPPED, STATUS_CANCELLED = "done", "failed", "skipped", "cancelled"
STATUS_SAMPLED = "sampled"  # finished, but trained on a stratified sample of the rows to fit the time budget


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

    @property
    def fit_seconds(self) -> float:
        return self.timings.get("fit_seconds", 0.0)

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

    def to_frame(self, metrics: list[str] | None = None) -> pd.DataFrame:
        """One row per model: cv mean and spread per metric, the refitted model's test score, fit time, status."""
        records = []
        for row in self.rows:
            names = metrics or list(row.cv) or []
            record: dict[str, Any] = {"model": row.model, "label": row.label, "status": row.status}
            for name in names:
                record[f"cv_{name}"] = row.cv.get(name)
                record[f"cv_{name}_std"] = row.cv_std.get(name)
                record[f"test_{name}"] = row.test.get(name)
            record.update({"fit_seconds": row.fit_seconds, "error": row.error, "note": row.note})
            records.append(record)
        return pd.DataFrame(records)

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


def runs_table(records: list[RunRecord], metrics: list[str] | None = None) -> pd.DataFrame:
    """Finished runs side by side: one row per run with its settings, cv and test metrics and timings."""
    table = []
    for record in records:
        names = metrics or list(record.cv)
        row: dict[str, Any] = {"run": record.run_id, "model": record.label, "created": record.created,
                               "target": record.settings.get("target"), "task": record.task,
                               "test share": record.settings.get("test_size"),
                               "folds": record.settings.get("folds"), "seed": record.settings.get("seed"),
                               "recipe steps": len(record.recipe or []), "data": record.data_fingerprint}
        row.update({f"cv_{name}": record.cv.get(name) for name in names})
        row.update({f"test_{name}": record.test.get(name) for name in names})
        row["fit_seconds"] = record.fit_seconds
        table.append(row)
    return pd.DataFrame(table)


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, tuple | set):
        return list(value)
    return str(value)
