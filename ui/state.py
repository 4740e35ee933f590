"""The session's one ``Workspace`` and the cached work derived from it.

Expensive results are cached by content (the file's fingerprint plus the settings), never by
object identity, so a rerun after a widget change recomputes nothing.
"""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from core.errors import DataError
from core.explore import correlation_matrix, feature_target_association, strongest_columns, strongest_pairs
from core.io import LoadedTable, ReadOptions, fingerprint_bytes, read_csv_robust
from core.profile import TableProfile, profile_table
from core.samples import SampleDataset
from core.workspace import Workspace

_WORKSPACE_KEY = "workspace"
# Every cache is bounded by entries and by age (docs/limits.md lists each bound): a classroom
# server never holds more than a few tables, and an idle hour releases even those.
CACHE_TTL_S = 3600
TABLE_CACHE_ENTRIES = 4  # read tables, prepared tables and plot samples, each


def get_workspace() -> Workspace:
    """The session's one workspace."""
    if _WORKSPACE_KEY not in st.session_state:
        st.session_state[_WORKSPACE_KEY] = Workspace()
    return st.session_state[_WORKSPACE_KEY]


@st.cache_resource(max_entries=TABLE_CACHE_ENTRIES, ttl=CACHE_TTL_S, show_spinner="Reading the file...")
def _read_table(fingerprint: str, options_json: str, _raw: bytes) -> LoadedTable:
    """Shared read-only table per (content, options); pages must never modify the frame."""
    options = ReadOptions.from_dict(json.loads(options_json)) if options_json else None
    return read_csv_robust(_raw, options)


def load_dataset(name: str, raw: bytes, options: ReadOptions | None = None) -> str | None:
    """Read ``raw`` into the workspace; return an error message and keep the old data if it fails."""
    workspace = get_workspace()
    fingerprint = fingerprint_bytes(raw)
    options_json = json.dumps(options.to_dict()) if options else ""
    try:
        table = _read_table(fingerprint, options_json, raw)
    except DataError as exc:
        return str(exc)
    if workspace.fingerprint == fingerprint and options is not None:
        workspace.read_options = table.options.to_dict()
        workspace.read_notes = table.notes
        workspace.kind_overrides = {
            k: v for k, v in workspace.kind_overrides.items() if k in table.frame.columns
        }
        if workspace.target not in table.frame.columns:
            workspace.target = None
    else:
        workspace.replace_dataset(name, raw, fingerprint, table.options.to_dict(), table.notes)
    return None


def load_sample(sample: SampleDataset) -> str | None:
    error = load_dataset(sample.file, sample.path.read_bytes())
    if error is None:
        get_workspace().target = sample.target
    return error


def current_table() -> LoadedTable | None:
    """The loaded table, re-read from the kept bytes if the cache dropped it."""
    workspace = get_workspace()
    if not workspace.has_data:
        return None
    options_json = json.dumps(workspace.read_options)
    return _read_table(workspace.fingerprint, options_json, workspace.source_bytes)


def current_frame() -> pd.DataFrame | None:
    table = current_table()
    return None if table is None else table.frame


@st.cache_data(max_entries=16, ttl=CACHE_TTL_S, show_spinner="Profiling columns...")
def _profile(fingerprint: str, options_json: str, overrides_json: str, target: str | None,
             _frame: pd.DataFrame) -> TableProfile:
    return profile_table(_frame, json.loads(overrides_json), target)


def current_profile(with_target: bool = True) -> TableProfile | None:
    workspace = get_workspace()
    frame = current_frame()
    if frame is None:
        return None
    target = workspace.target if with_target else None
    return _profile(workspace.fingerprint, json.dumps(workspace.read_options),
                    json.dumps(workspace.kind_overrides, sort_keys=True), target, frame)


@st.cache_data(max_entries=16, ttl=CACHE_TTL_S)
def cached_correlations(fingerprint: str, kinds_json: str, method: str,
                        _frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """The heatmap's part of the correlation matrix, the strongest pairs and the number of columns
    (ranking the pairs of 1,500 columns takes most of a second, so it is done once per table)."""
    correlations = correlation_matrix(_frame, json.loads(kinds_json), method)
    return strongest_columns(correlations), strongest_pairs(correlations), len(correlations)


@st.cache_data(max_entries=16, ttl=CACHE_TTL_S)
def cached_association(fingerprint: str, kinds_json: str, target: str, task: str,
                       _frame: pd.DataFrame) -> pd.Series:
    return feature_target_association(_frame, target, json.loads(kinds_json), task)


def content_key() -> str:
    """Key that changes whenever the table's content or reading changes."""
    workspace = get_workspace()
    return f"{workspace.fingerprint}:{json.dumps(workspace.read_options, sort_keys=True)}"


@st.cache_resource(max_entries=TABLE_CACHE_ENTRIES, ttl=CACHE_TTL_S)
def _plot_sample(content: str, _frame: pd.DataFrame):
    from core.explore import sample_for_plot

    return sample_for_plot(_frame)


def current_plot_sample():
    """The seeded plotting sample of the loaded table (shared, read-only)."""
    frame = current_frame()
    return None if frame is None else _plot_sample(content_key(), frame)


def recipe_steps():
    """The workspace's recipe as step objects (it is stored as plain dicts)."""
    from core.recipe import step_from_dict

    return [step_from_dict(step) for step in get_workspace().recipe]


@st.cache_resource(max_entries=TABLE_CACHE_ENTRIES, ttl=CACHE_TTL_S, show_spinner="Applying the recipe...")
def _prepared(content: str, recipe_json: str, _frame: pd.DataFrame):
    from core.recipe import apply_recipe, recipe_from_json

    return apply_recipe(_frame, recipe_from_json(recipe_json))


def current_prepared():
    """The loaded table after the recipe (a ``RecipeResult``), cached by content and recipe."""
    from core.recipe import recipe_to_json

    frame = current_frame()
    if frame is None:
        return None
    return _prepared(content_key(), recipe_to_json(recipe_steps()), frame)


@st.cache_data(max_entries=16, ttl=CACHE_TTL_S, show_spinner="Checking the data...")
def _prepared_profile(content: str, recipe_json: str, overrides_json: str, target: str | None,
                      _frame: pd.DataFrame) -> TableProfile:
    return profile_table(_frame, json.loads(overrides_json), target)


def current_prepared_profile() -> TableProfile | None:
    """Profile of the prepared table, with the user's kinds for columns that still exist."""
    from core.recipe import recipe_to_json

    result = current_prepared()
    if result is None:
        return None
    workspace = get_workspace()
    overrides = {k: v for k, v in workspace.kind_overrides.items() if k in result.frame.columns}
    target = workspace.target if workspace.target in result.frame.columns else None
    return _prepared_profile(content_key(), recipe_to_json(recipe_steps()),
                             json.dumps(overrides, sort_keys=True), target, result.frame)


@st.cache_data(max_entries=2, ttl=CACHE_TTL_S, show_spinner=False)
def _safe_csv(content: str, recipe_json: str, _frame: pd.DataFrame) -> bytes:
    from core.export import to_safe_csv

    return to_safe_csv(_frame)


def prepared_csv_bytes() -> bytes:
    """The cleaned table as a download, built once per table and recipe (not on every rerun)."""
    from core.recipe import recipe_to_json

    return _safe_csv(content_key(), recipe_to_json(recipe_steps()), current_prepared().frame)


@st.cache_data(max_entries=8, ttl=CACHE_TTL_S, show_spinner=False)
def _default_encodings(content: str, recipe_json: str, kinds_json: str, target: str | None, _frame: pd.DataFrame):
    from core.preprocess import default_encodings

    return default_encodings(_frame, json.loads(kinds_json), target)


def prepared_default_encodings(frame: pd.DataFrame, kinds: dict[str, str], target: str | None):
    """Per-kind default encodings of the prepared table, cached (they scan every column)."""
    from core.recipe import recipe_to_json

    return _default_encodings(content_key(), recipe_to_json(recipe_steps()), json.dumps(kinds),
                              target, frame)
