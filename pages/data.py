"""Load data: upload a CSV or pick a sample, adjust how it is read, check column kinds."""

import streamlit as st

from core.errors import DataError
from core.io import DELIMITERS, ReadOptions
from core.samples import list_samples
from core.schema import KIND_HELP, ColumnKind, check_kind_fits
from core.units import format_bytes
from ui.plain_text import md_escape
from ui.shell import ensure_app_navigation
from ui.state import current_profile, current_table, get_workspace, load_dataset, load_sample

DELIMITER_LABELS = {",": "comma ,", ";": "semicolon ;", "\t": "tab", "|": "pipe |"}
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1252", "latin-1"]
THOUSANDS = {None: "none", ",": "comma ,", ".": "dot .", " ": "space", "'": "apostrophe '"}
PREVIEW_MAX_COLUMNS = 500  # a wider preview is megabytes for the browser to lay out

ensure_app_navigation()
st.title("Load data")
workspace = get_workspace()

upload_column, sample_column = st.columns([3, 2])
with upload_column:
    uploaded = st.file_uploader(
        "Upload a CSV file (drag and drop)", key="csv_upload",
        help="Comma, semicolon, tab or pipe separated; any common encoding. "
             "Excel files: save as CSV first.",
    )
    # Read each upload once; a rerun (any click) must not re-read or undo later choices.
    if uploaded is not None and st.session_state.get("last_upload_id") != uploaded.file_id:
        st.session_state["last_upload_id"] = uploaded.file_id
        st.session_state["upload_error"] = load_dataset(uploaded.name, uploaded.getvalue())
    if uploaded is None:
        st.session_state.pop("last_upload_id", None)
        st.session_state.pop("upload_error", None)
    if st.session_state.get("upload_error"):
        kept = (f" The dataset already loaded ({md_escape(workspace.dataset_name)}) is unchanged."
                if workspace.has_data else "")
        st.error(f"Could not load that file. {md_escape(st.session_state['upload_error'])}{kept}")

with sample_column:
    samples = {sample.name: sample for sample in list_samples()}
    chosen = st.selectbox("Or pick a sample dataset", list(samples), key="sample_choice")
    sample = samples[chosen]
    st.caption(f"{sample.description} Target: **{sample.target}** ({sample.task}).")
    if st.button("Load sample", icon=":material/dataset:"):
        st.session_state["upload_error"] = load_sample(sample)
        st.rerun()

table = current_table()
if table is None:
    st.info("Upload a CSV file or load a sample dataset to begin.")
    st.stop()

frame = table.frame
options = table.options
key = workspace.fingerprint  # widget keys per dataset, so options reset when the data changes

with st.expander("Loading options", icon=":material/tune:"):
    st.caption("Detected from the file. Change any of them and press **Re-read** if the table looks wrong.")
    left, middle, right = st.columns(3)
    delimiter = left.selectbox(
        "Delimiter", DELIMITERS, index=DELIMITERS.index(options.delimiter),
        format_func=DELIMITER_LABELS.get, key=f"delimiter_{key}")
    encodings = ENCODINGS if options.encoding in ENCODINGS else [options.encoding, *ENCODINGS]
    encoding = middle.selectbox("Encoding", encodings, index=encodings.index(options.encoding),
                                key=f"encoding_{key}")
    decimal = right.selectbox("Decimal mark", [".", ","], index=[".", ","].index(options.decimal),
                              key=f"decimal_{key}")
    thousands = left.selectbox("Thousands separator", list(THOUSANDS),
                               index=list(THOUSANDS).index(options.thousands), format_func=THOUSANDS.get,
                               key=f"thousands_{key}")
    has_header = middle.checkbox("The file has a header row", value=options.header_row is not None,
                                 key=f"has_header_{key}")
    header_row = right.number_input("Header row (0 = first line)", min_value=0, max_value=1000,
                                    value=options.header_row or 0, disabled=not has_header,
                                    key=f"header_row_{key}")
    markers = st.text_input(
        "Missing-value markers (comma separated; empty cells always count as missing)",
        value=", ".join(m for m in options.missing_markers if m), key=f"markers_{key}")
    if st.button("Re-read with these options", icon=":material/refresh:"):
        try:
            new_options = ReadOptions.from_choices(delimiter, encoding, decimal, thousands,
                                                   int(header_row) if has_header else None, markers)
        except DataError as exc:
            st.error(md_escape(exc))
        else:
            error = load_dataset(workspace.dataset_name, workspace.source_bytes, new_options)
            if error:
                st.error(f"Could not re-read the file with these options. {md_escape(error)} "
                         "The table below is unchanged.")
            else:
                st.rerun()

for note in workspace.read_notes or table.notes:  # the notes of the read that chose these options
    st.info(md_escape(note), icon=":material/info:")

rows, columns = frame.shape
memory_bytes = frame.memory_usage(deep=True).sum()
first, second, third = st.columns(3)
first.metric("Rows", f"{rows:,}")
second.metric("Columns", f"{columns:,}")
third.metric("Memory", format_bytes(memory_bytes))

st.subheader("Preview")
st.dataframe(frame.iloc[:200, :PREVIEW_MAX_COLUMNS], height=300)
st.caption(f"First {min(200, rows)} of {rows:,} rows."
           + (f" First {PREVIEW_MAX_COLUMNS:,} of {columns:,} columns." if columns > PREVIEW_MAX_COLUMNS else ""))

st.subheader("Column kinds")
profile = current_profile(with_target=False)
kinds = profile.kinds()
st.dataframe(
    [{"column": name, "kind": kind, "meaning": KIND_HELP[ColumnKind(kind)],
      "set by": "you" if name in workspace.kind_overrides else "detected"}
     for name, kind in kinds.items()],
    hide_index=True,
)
kind_values = [str(kind) for kind in ColumnKind]
with st.form("kind_override", border=False):
    left, middle, right = st.columns([2, 2, 1], vertical_alignment="bottom")
    column = left.selectbox("Column", list(kinds), key=f"override_column_{key}")
    kind = middle.selectbox("Treat it as", kind_values, key=f"override_kind_{key}")
    if right.form_submit_button("Set kind"):
        try:
            check_kind_fits(frame[column], kind)
        except DataError as exc:
            st.error(md_escape(exc))
        else:
            workspace.kind_overrides[column] = kind
            st.rerun()
if workspace.kind_overrides and st.button("Reset all kinds to detected"):
    workspace.kind_overrides.clear()
    st.rerun()
