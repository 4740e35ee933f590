"""The session's state as plain data: which table is loaded, how it was read, the user's choices.

Pages read and change one ``Workspace``; nothing else is global. It holds no streamlit objects,
so a workspace can later be saved and restored as a file. Results (leaderboards, runs) belong to
the data and the target/task they were made for (a ``ResultKey``), so a page can show only those
of what is loaded now, and an old leaderboard is never trained against a new table.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

MAX_KEPT_LEADERBOARDS = 8  # a classroom server holds one workspace per session: keep it bounded
MAX_KEPT_RUNS = 200  # run records (small JSON); their fitted pipelines are capped far lower, in ui/model_state


@dataclass(frozen=True)
class ResultKey:
    """What a result was made for: the prepared data (file, reading, recipe), the target and the task."""

    data: str
    target: str
    task: str


@dataclass
class ComparedBoard:
    """One comparison: the settings it ran with and its rows, appended as each model finishes."""

    settings: dict[str, Any]
    rows: list[Any] = field(default_factory=list)  # core.runs.LeaderboardRow


@dataclass
class Workspace:
    """Everything the user has chosen so far about the loaded table.

    ``source_bytes`` keeps the uploaded file so it can be re-read with other options; the parsed
    table itself is cached by ``fingerprint`` outside the workspace.
    """

    dataset_name: str | None = None
    fingerprint: str | None = None
    source_bytes: bytes | None = field(default=None, repr=False)
    read_options: dict[str, Any] | None = None
    read_notes: list[str] = field(default_factory=list)
    kind_overrides: dict[str, str] = field(default_factory=dict)
    target: str | None = None
    recipe: list[dict[str, Any]] = field(default_factory=list)
    encoding_overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    runs: list[dict[str, Any]] = field(default_factory=list)  # RunRecord.to_dict() of each finished run
    run_keys: dict[str, ResultKey] = field(default_factory=dict)  # run id -> what it was made for
    leaderboards: dict[ResultKey, ComparedBoard] = field(default_factory=dict)
    dataset_names: dict[str, str] = field(default_factory=dict)  # data key -> "name" or "name + N steps"
    target_guess: tuple[str | None, str] | None = None  # (column, reason) while the guess stands
    balance_class_weights: bool = False

    @property
    def has_data(self) -> bool:
        return self.source_bytes is not None

    def replace_dataset(self, name: str, raw: bytes, fingerprint: str, read_options: dict[str, Any],
                        notes: list[str]) -> None:
        """Switch to a new table; choices tied to the old table's columns are forgotten."""
        self.dataset_name = name
        self.source_bytes = raw
        self.fingerprint = fingerprint
        self.read_options = read_options
        self.read_notes = notes
        self.kind_overrides = {}
        self.target = None
        self.target_guess = None
        self.recipe = []
        self.encoding_overrides = {}
        self.balance_class_weights = False

    def data_key(self) -> str | None:
        """Names the prepared table: the file's content, how it was read and the recipe."""
        if self.fingerprint is None:
            return None
        text = json.dumps([self.fingerprint, self.read_options, self.recipe], sort_keys=True, default=str)
        key = hashlib.sha256(text.encode()).hexdigest()[:16]
        steps = len(self.recipe)
        self.dataset_names.setdefault(key, f"{self.dataset_name}" + (f" + {steps} recipe step(s)" if steps else ""))
        return key

    def result_key(self, target: str, task: str) -> ResultKey:
        return ResultKey(self.data_key() or "", target, task)

    def start_leaderboard(self, key: ResultKey, settings: dict[str, Any]) -> ComparedBoard:
        """A fresh board for ``key`` (replacing its last one); the oldest boards are forgotten."""
        self.leaderboards.pop(key, None)
        while len(self.leaderboards) >= MAX_KEPT_LEADERBOARDS:
            self.leaderboards.pop(next(iter(self.leaderboards)))
        board = self.leaderboards[key] = ComparedBoard(settings)
        return board

    def leaderboard(self, key: ResultKey) -> ComparedBoard | None:
        """The last comparison made for exactly this data, target and task, if any."""
        return self.leaderboards.get(key)

    def keep_run(self, record: dict[str, Any], key: ResultKey) -> None:
        """Store a finished run's record (``RunRecord.to_dict()``) with what it was made for; the
        oldest records beyond ``MAX_KEPT_RUNS`` are forgotten."""
        self.runs = [r for r in self.runs if r["run_id"] != record["run_id"]] + [record]
        self.run_keys[record["run_id"]] = key
        for forgotten in self.runs[:-MAX_KEPT_RUNS]:
            self.run_keys.pop(forgotten["run_id"], None)
        self.runs = self.runs[-MAX_KEPT_RUNS:]

    def run_ids(self, data_key: str | None = None, key: ResultKey | None = None) -> list[str]:
        """Ids of runs made on ``data_key`` (or for exactly ``key``), oldest first; all runs when neither."""
        ids = []
        for record in self.runs:
            made_for = self.run_keys.get(record["run_id"])
            if key is not None and made_for != key:
                continue
            if data_key is not None and (made_for is None or made_for.data != data_key):
                continue
            ids.append(record["run_id"])
        return ids

    def dataset_of_run(self, run_id: str) -> str:
        """The name of the table a run was made on, as the user knows it."""
        made_for = self.run_keys.get(run_id)
        return self.dataset_names.get(made_for.data, "another table") if made_for else "another table"

    def download_stem(self) -> str:
        """The loaded file's name without its extension, safe as a file name ('my data.csv' -> 'my_data')."""
        stem = PurePath(str(self.dataset_name or "")).stem
        safe = re.sub(r"[^0-9A-Za-z._-]+", "_", stem).strip("._-")[:80]
        return safe or "dataset"
