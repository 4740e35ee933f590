"""The per-column encoding table: defaults by kind, edited by the user, stored as overrides."""

from __future__ import annotations

import copy
import json

import pandas as pd
import streamlit as st

from core.errors import DataError
from core.preprocess import (
    CATEGORICAL_IMPUTERS,
    ENCODERS,
    NUMERIC_IMPUTERS,
    SCALERS,
    ColumnEncoding,
    validate_encoding,
)
from core.profile import TableProfile
from core.workspace import Workspace
from ui.plain_text import md_escape

EDITABLE = ["role", "imputer", "add_indicator", "scaler", "encoder", "rare_min_frequency"]


def current_encodings(workspace: Workspace, frame: pd.DataFrame, profile: TableProfile) -> list[ColumnEncoding]:
    """Defaults for the prepared table's columns with the user's edits laid over them."""
    from ui.state import prepared_default_encodings

    encodings = copy.deepcopy(prepared_default_encodings(frame, profile.kinds(), workspace.target))
    for encoding in encodings:
        for name, value in workspace.encoding_overrides.get(encoding.column, {}).items():
            setattr(encoding, name, value)
    return encodings


def render_encoding_table(workspace: Workspace, frame: pd.DataFrame, profile: TableProfile) -> None:
    encodings = current_encodings(workspace, frame, profile)
    if not encodings:
        st.info("No feature columns: every column is the target.")
        return
    from ui.state import prepared_default_encodings

    defaults = {e.column: e for e in prepared_default_encodings(frame, profile.kinds(), workspace.target)}
    kinds = profile.kinds()
    table = pd.DataFrame([{**e.to_dict(), "kind": kinds.get(e.column, "")} for e in encodings])
    # Encoder settings mean nothing for numbers and dates; show them blank rather than misleading.
    not_categorical = table["role"] != "categorical"
    table["encoder"] = table["encoder"].where(~not_categorical, None)
    table["rare_min_frequency"] = table["rare_min_frequency"].where(~not_categorical, None)
    table = table[["column", "kind", *EDITABLE, "reason"]]
    key = "encoding_editor_" + str(abs(hash(json.dumps(list(table["column"])))))
    edited = st.data_editor(
        table, key=key, hide_index=True, disabled=["column", "kind", "reason"],
        column_config={
            "role": st.column_config.SelectboxColumn(
                "role", options=["numeric", "categorical", "datetime", "drop"], required=True),
            "imputer": st.column_config.SelectboxColumn(
                "impute with", options=sorted({*NUMERIC_IMPUTERS, *CATEGORICAL_IMPUTERS}), required=True),
            "add_indicator": st.column_config.CheckboxColumn("missing indicator"),
            "scaler": st.column_config.SelectboxColumn("scaling", options=list(SCALERS), required=True),
            "encoder": st.column_config.SelectboxColumn("encoding", options=list(ENCODERS),
                                                        help="For categorical columns only"),
            "rare_min_frequency": st.column_config.NumberColumn(
                "group labels under", min_value=0.0, max_value=0.5, step=0.01, format="%.2f"),
            "reason": st.column_config.TextColumn("default because"),
        },
    )
    overrides: dict[str, dict] = {}
    problems = []
    for row in edited.to_dict("records"):
        default = defaults[row["column"]]
        for name in ("encoder", "rare_min_frequency"):
            if row[name] is None or (isinstance(row[name], float) and pd.isna(row[name])):
                row[name] = getattr(default, name)
        changed = {name: row[name] for name in EDITABLE if row[name] != getattr(default, name)}
        if changed:
            overrides[row["column"]] = changed
        try:
            validate_encoding(ColumnEncoding(**{k: row[k] for k in ["column", *EDITABLE]}))
        except (DataError, TypeError) as exc:
            problems.append(str(exc))
    workspace.encoding_overrides = overrides
    for problem in problems:
        st.error(md_escape(problem))
    if overrides and st.button("Reset encodings to defaults", icon=":material/restart_alt:"):
        workspace.encoding_overrides = {}
        st.session_state.pop(key, None)
        st.rerun()


def encoding_code(encodings: list[ColumnEncoding]) -> str:
    """The encoding table as scikit-learn code, written from the transformer ``build_preprocessor`` makes."""
    from core.preprocess import build_preprocessor
    from core.preprocess_code import preprocessor_code
    from core.recipe import comment_text

    try:
        return preprocessor_code(build_preprocessor(encodings))
    except DataError as exc:
        return f"# No preprocessing to show: {comment_text(str(exc))}"
