"""Prepare: a cleaning recipe, the data doctor's findings, and the leak-free encoding table."""

import streamlit as st

from core.doctor import diagnose
from core.limits import RECIPE_MAX_BYTES
from core.recipe import recipe_code, recipe_to_json
from ui.encoding_table import current_encodings, encoding_code, render_encoding_table
from ui.plain_text import md_escape
from ui.recipe_panel import add_step, render_recipe, render_step_form, replay_recipe_file
from ui.shell import ensure_app_navigation
from ui.state import (
    current_frame,
    current_prepared,
    current_prepared_profile,
    get_workspace,
    prepared_csv_bytes,
    recipe_steps,
)

SEVERITY_ICONS = {"critical": ":material/error:", "warning": ":material/warning:", "info": ":material/info:"}

ensure_app_navigation()
RECIPE_LEARNS_CAPTION = ("The preview shows each step on the whole table. The model learns fill values, clip "
                         "bounds, bins and kept labels from its training rows only, and reuses them on test rows "
                         "and new data; steps that remove rows apply to training data only.")

st.title("Clean and encode")
workspace = get_workspace()
result = current_prepared()
if result is None:
    st.info("No dataset loaded yet.")
    st.page_link("pages/data.py", label="Load data", icon=":material/upload_file:")
    st.stop()

frame = result.frame
profile = current_prepared_profile()
st.caption(f"{md_escape(workspace.dataset_name)}: {len(frame):,} rows x {frame.shape[1]} columns after "
           f"{len(workspace.recipe)} step(s).")

recipe_column, doctor_column = st.columns([3, 2], gap="large")
with recipe_column:
    st.subheader("Recipe")
    st.caption(RECIPE_LEARNS_CAPTION)
    render_recipe(workspace, result)
    with st.expander("Add a step", expanded=not workspace.recipe, icon=":material/add_circle:"):
        render_step_form(workspace, frame)

with doctor_column:
    st.subheader("Data doctor")
    if workspace.target not in frame.columns:
        st.caption("Choose a target on the Explore page to also check imbalance and leakage.")
    findings = diagnose(frame, profile)
    if not findings:
        st.success("No problems found.", icon=":material/check_circle:")
    for number, finding in enumerate(findings):
        title = f"{finding.kind.replace('_', ' ')}" + (f": {md_escape(finding.column)}" if finding.column else "")
        with st.expander(title, icon=SEVERITY_ICONS.get(finding.severity)):
            st.markdown(md_escape(finding.message))
            st.caption(md_escape(finding.explanation))
            if finding.setting is not None and getattr(workspace, finding.setting):
                st.caption("Done: the Model page trains with this setting on (its Validation box can turn it off).")
            elif finding.has_action and st.button(md_escape(finding.fix_label), key=f"fix_{number}",
                                                 icon=":material/build:"):
                if finding.fix is not None:
                    add_step(workspace, finding.fix)
                else:
                    setattr(workspace, finding.setting, True)
                st.rerun()

st.subheader("Encoding and scaling")
st.caption("How each column becomes model input. These steps are learnt on training rows only, "
           "inside the model pipeline, so test rows never shape them. Edit any cell to change a column.")
render_encoding_table(workspace, frame, profile)

st.subheader("Take it away")
left, middle, right = st.columns(3)
stem = workspace.download_stem()
left.download_button("Download cleaned CSV", prepared_csv_bytes(), file_name=f"{stem}_cleaned.csv", mime="text/csv",
                     icon=":material/download:", help="Every field is quoted, and cells and column names that start "
                     "with = + - @ (also after a line break) get a ' so spreadsheets do not run them as formulas.")
middle.download_button("Download recipe (JSON)", recipe_to_json(recipe_steps()), file_name=f"{stem}_recipe.json",
                       mime="application/json", icon=":material/download:")
recipe_file = right.file_uploader("Replay a recipe (JSON)", type=["json"], key="recipe_upload",
                                  max_upload_size=max(1, RECIPE_MAX_BYTES // 2**20))
if recipe_file is not None and st.session_state.get("last_recipe_id") != recipe_file.file_id:
    st.session_state["last_recipe_id"] = recipe_file.file_id
    st.session_state["recipe_report"] = replay_recipe_file(workspace, current_frame(), recipe_file.getvalue())
    if st.session_state["recipe_report"][0] == "ok":
        st.rerun()
report = st.session_state.get("recipe_report")
if report and report[0] == "error":
    st.error(f"Could not load that recipe. {md_escape(report[1])} Your current recipe is unchanged.")
elif report:
    _, problems, count = report
    if problems:
        st.warning(f"Recipe loaded: {count - len(problems)} of {count} steps apply to this table. "
                   "Steps that do not apply are kept but skipped:\n\n- " + "\n- ".join(map(md_escape, problems)))
    else:
        st.success(f"Recipe loaded: all {count} steps apply to this table.")

with st.expander("Equivalent Python code", icon=":material/code:"):
    st.code(recipe_code(recipe_steps()) + "\n\n" + encoding_code(current_encodings(workspace, frame, profile)),
            language="python")
