"""Model-page state: the fitted runs of this session, kept with what they were made for.

The workspace holds each run's record and its ``ResultKey`` (data, target, task); the fitted
pipelines sit here beside it, so a page lists only the runs of the table loaded now.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import fields, replace

import pandas as pd
import streamlit as st

from core.errors import DataError
from core.preprocess import ColumnEncoding, encoding_for_kept_column
from core.runs import RunRecord
from core.train import RunResult, TrainSettings, default_feature_encodings
from core.workspace import ResultKey, Workspace
from ui.plain_text import md_escape
from ui.state import CACHE_TTL_S


@st.cache_data(max_entries=16, ttl=CACHE_TTL_S, show_spinner="Choosing features (checking for leakage)...")
def cached_feature_encodings(content: str, recipe_json: str, target: str, task: str, kinds_json: str,
                             group_column: str | None, _frame: pd.DataFrame):
    return default_feature_encodings(_frame, target, task, json.loads(kinds_json), group_column)


def session_id() -> str:
    """A per-session id so background jobs of different browser sessions never mix."""
    return st.session_state.setdefault("session_id", uuid.uuid4().hex[:12])


MAX_FITTED_RUNS = 10  # fitted pipelines a session keeps (each holds its training data); records stay


class FittedRuns(dict):
    """Fitted runs by run id, oldest first, at most ``limit``: keeping one more releases the oldest
    pipeline (its record stays in the workspace's runs table) and notes its id in ``released``."""

    def __init__(self, limit: int = MAX_FITTED_RUNS) -> None:
        super().__init__()
        self.limit = limit
        self.released: list[str] = []

    def keep(self, result: RunResult) -> None:
        run_id = result.record.run_id
        self.pop(run_id, None)
        self[run_id] = result
        while len(self) > self.limit:
            oldest = next(iter(self))
            del self[oldest]
            self.released.append(oldest)


def fitted_runs() -> FittedRuns:
    """Fitted pipelines by run id; they live beside the workspace's JSON run records."""
    store = st.session_state.get("fitted_runs")
    if not isinstance(store, FittedRuns):
        store = st.session_state["fitted_runs"] = FittedRuns()
    return store


def keep_run(workspace: Workspace, key: ResultKey, result: RunResult) -> None:
    run_keeper(workspace, key)(result)


def run_keeper(workspace: Workspace, key: ResultKey) -> Callable[[RunResult], None]:
    """A callback that stores a finished run made for ``key``; safe to call from a job's thread,
    because it holds the session's objects rather than looking them up in ``st.session_state``."""
    store = fitted_runs()

    def keep(result: RunResult) -> None:
        workspace.keep_run(result.record.to_dict(), key)
        store.keep(result)
    return keep


def fitted_runs_of(workspace: Workspace, data_key: str | None) -> dict[str, RunResult]:
    """This session's fitted runs made on ``data_key`` (all of them when None), newest first."""
    store = fitted_runs()
    return {run_id: store[run_id] for run_id in workspace.run_ids(data_key)[::-1] if run_id in store}


def released_runs_note(workspace: Workspace, data_key: str | None) -> str | None:
    """Says that older runs' fitted models were released (when some of ``data_key``'s were)."""
    released = set(fitted_runs().released) & set(workspace.run_ids(data_key))
    if not released:
        return None
    return (f"The fitted models of {len(released)} older run(s) were released to save memory (a session keeps "
            f"the last {fitted_runs().limit}); their records and metrics stay under Runs. Train them again to "
            "evaluate them.")


def with_prepared_choices(encodings: list[ColumnEncoding],
                          prepared: dict[str, ColumnEncoding]) -> list[ColumnEncoding]:
    """The model's default encodings with the Prepare page's per-column choices laid over them.

    The model's own decision to leave a column out (a leakage suspect, the group column) stands,
    and so does its reason for each column.
    """
    merged = []
    for encoding in encodings:
        chosen = prepared.get(encoding.column)
        if chosen is not None and encoding.role != "drop":
            encoding = replace(encoding, **{f.name: getattr(chosen, f.name) for f in fields(chosen)
                                            if f.name not in ("column", "reason")})
        merged.append(encoding)
    return merged


def left_out_table(encodings: list[ColumnEncoding], features: list[str]) -> pd.DataFrame:
    """The columns not used as features, and why: the model's reason, or that the user removed it."""
    return pd.DataFrame([{"column": e.column, "why": e.reason if e.role == "drop" else "you removed it"}
                         for e in encodings if e.column not in features], columns=["column", "why"])


def with_feature_choice(encodings: list[ColumnEncoding], features: list[str], frame: pd.DataFrame,
                        kinds: dict[str, str]) -> list[ColumnEncoding]:
    """Encodings after the user's pick of features: a removed column is dropped; a column left out
    by default but kept by the user gets settings valid for the role it now takes."""
    chosen = []
    for encoding in encodings:
        if encoding.column not in features:
            encoding = replace(encoding, role="drop")
        elif encoding.role == "drop":
            encoding = encoding_for_kept_column(frame, encoding.column, kinds.get(encoding.column, "categorical"))
        chosen.append(encoding)
    return chosen


def validate(frame: pd.DataFrame, settings: TrainSettings, replayed=None) -> str | None:
    """The user-facing problem with these settings, or None (cheap: no fitting; ``replayed`` is the
    cached recipe replay of ``frame``, so a rerun does not replay the recipe again)."""
    from core.train import prepare_xy

    try:
        prepare_xy(frame, settings, replayed)
    except DataError as exc:
        return str(exc)
    return None


def train_and_keep(workspace: Workspace, key: ResultKey, frame: pd.DataFrame, settings: TrainSettings,
                   run_kwargs: dict, name: str, params: dict | None, what: str, **extra) -> RunResult | None:
    """Train ``name`` on the loaded table for ``key`` and keep the run; a problem with the data
    (a ``DataError``, cancellation included) is shown with ``st.error``, never as a traceback."""
    from core.train import train_model

    try:
        with st.spinner(f"Training {what}..."):
            trained = train_model(frame, settings, name, params, **run_kwargs, **extra)
    except DataError as exc:
        st.error(md_escape(exc))
        return None
    keep_run(workspace, key, trained)
    return trained


def run_title(workspace: Workspace, record: RunRecord, data_key: str | None) -> str:
    """How a run is listed: model, target and time, plus its table's name when it is not the loaded one."""
    made_for = workspace.run_keys.get(record.run_id)
    title = f"{record.label} · {record.settings.get('target')} · {record.created[11:19]}"
    if made_for is None or made_for.data != data_key:
        title += f" · {workspace.dataset_of_run(record.run_id)}"
    return title
