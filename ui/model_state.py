"""Model-page state: the fitted runs of this session, kept with what they were made for.

The workspace holds each run's record and its ``ResultKey`` (data, target, task); the fitted
pipelines sit here beside it, so a page lists only the runs of the table loaded now.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

import pandas as pd
import streamlit as st

from core.errors import DataError
from core.runs import RunRecord
from core.train import RunResult, TrainSettings, default_feature_encodings
from core.workspace import ResultKey, Workspace
from ui.plain_text import md_escape


@st.cache_data(max_entries=16, show_spinner="Choosing features (checking for leakage)...")
def cached_feature_encodings(content: str, recipe_json: str, target: str, task: str, kinds_json: str,
                             group_column: str | None, _frame: pd.DataFrame):
    return default_feature_encodings(_frame, target, task, json.loads(kinds_json), group_column)


def session_id() -> str:
    """A per-session id so background jobs of different browser sessions never mix."""
    return st.session_state.setdefault("session_id", uuid.uuid4().hex[:12])


def fitted_runs() -> dict[str, RunResult]:
    """Fitted pipelines by run id; they live beside the workspace's JSON run records."""
    return st.session_state.setdefault("fitted_runs", {})


def keep_run(workspace: Workspace, key: ResultKey, result: RunResult) -> None:
    run_keeper(workspace, key)(result)


def run_keeper(workspace: Workspace, key: ResultKey) -> Callable[[RunResult], None]:
    """A callback that stores a finished run made for ``key``; safe to call from a job's thread,
    because it holds the session's objects rather than looking them up in ``st.session_state``."""
    store = fitted_runs()

    def keep(result: RunResult) -> None:
        store[result.record.run_id] = result
        workspace.keep_run(result.record.to_dict(), key)
    return keep


def fitted_runs_of(workspace: Workspace, data_key: str | None) -> dict[str, RunResult]:
    """This session's fitted runs made on ``data_key`` (all of them when None), newest first."""
    store = fitted_runs()
    return {run_id: store[run_id] for run_id in workspace.run_ids(data_key)[::-1] if run_id in store}


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
