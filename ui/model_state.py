"""Model-page state: training settings from widgets, finished runs, and the compare job."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

import pandas as pd
import streamlit as st

from core.errors import DataError
from core.train import RunResult, TrainSettings, default_feature_encodings
from core.workspace import Workspace


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


def keep_run(workspace: Workspace, result: RunResult) -> None:
    run_keeper(workspace)(result)


def run_keeper(workspace: Workspace) -> Callable[[RunResult], None]:
    """A callback that stores a finished run in this session; safe to call from a job's thread,
    because it holds the session's objects rather than looking them up in ``st.session_state``."""
    store = fitted_runs()

    def keep(result: RunResult) -> None:
        store[result.record.run_id] = result
        workspace.runs = [r for r in workspace.runs if r["run_id"] != result.record.run_id] + [
            result.record.to_dict()]
    return keep


def validate(frame: pd.DataFrame, settings: TrainSettings) -> str | None:
    """The user-facing problem with these settings, or None (cheap: no fitting)."""
    from core.train import prepare_xy

    try:
        prepare_xy(frame, settings)
    except DataError as exc:
        return str(exc)
    return None
