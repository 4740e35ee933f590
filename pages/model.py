"""Model: pick a target, compare algorithms live, train and tune one, evaluate and explain runs."""

import json
from functools import partial

import streamlit as st

from core.errors import DataError
from core.models import get_model, list_models
from core.recipe import recipe_to_json
from core.runs import RunRecord, runs_table
from core.schema import detect_task
from core.target_guess import PROMPT, suggest_target
from core.train import TrainSettings
from ui.encoding_table import current_encodings
from ui.model_compare import best_real_model, render_compare
from ui.model_evaluate import render_evaluation
from ui.model_state import (
    cached_feature_encodings,
    fitted_runs_of,
    left_out_table,
    released_runs_note,
    run_title,
    train_and_keep,
    validate,
    with_feature_choice,
    with_prepared_choices,
)
from ui.model_tune import render_tune
from ui.plain_text import md_escape
from ui.shell import ensure_app_navigation
from ui.spec_widgets import render_specs
from ui.state import content_key, current_frame, current_prepared, current_prepared_profile, get_workspace

ensure_app_navigation()
st.title("Train and compare")
workspace = get_workspace()
result = current_prepared()
if result is None:
    st.info("No dataset loaded yet.")
    st.page_link("pages/data.py", label="Load data", icon=":material/upload_file:")
    st.stop()
frame, profile = result.frame, current_prepared_profile()
columns = [str(c) for c in frame.columns]

STEPS = ["Compare", "Train one", "Tune", "Evaluate", "Runs"]
st.subheader("Set-up")
data_key = workspace.data_key()
if st.session_state.get("model_target_data") != data_key:  # a new table or recipe: forget the old pick
    st.session_state.pop("model_target", None)
    st.session_state["model_target_data"] = data_key
if workspace.target not in columns and st.session_state.get("model_target_guessed") != data_key:
    workspace.target, reason = suggest_target(frame, profile.kinds())  # once per table and recipe
    workspace.target_guess = (workspace.target, reason)
    st.session_state["model_target_guessed"] = data_key
left, right = st.columns(2)
target = left.selectbox("Target: the column to predict", columns, placeholder=PROMPT,
                        index=columns.index(workspace.target) if workspace.target in columns else None,
                        key="model_target")
workspace.target = target
guessed, reason = workspace.target_guess or (None, "")
if target is not None and target == guessed:
    left.caption(f"Suggested: {md_escape(reason)} Pick another column above to change it.")
if target is None:
    st.segmented_control("Step", STEPS, default="Compare", key="model_view")
    st.info(md_escape(reason) if guessed is None and reason else PROMPT)
    st.stop()
detected = detect_task(frame[target])
task = right.radio("Task", ["classification", "regression"], index=0 if detected == "classification" else 1,
                   horizontal=True, key=f"model_task_{target}", help=f"Detected: {detected}.")
kinds_json = json.dumps(profile.kinds())  # table order: tree models depend on column order
with st.expander("Validation", icon=":material/rule:"):
    a, b, c, d = st.columns(4)
    test_percent = a.slider("Test rows %", 10, 50, 20, 5, key="model_test_size")
    folds = b.number_input("Cross-validation folds", 2, 20, 5, key="model_folds")
    seed = c.number_input("Seed", 0, 10_000, 0, key="model_seed", help="The same seed repeats a run exactly.")
    group = d.selectbox("Group column (optional)", [None, *[x for x in columns if x != target]],
                        format_func=lambda x: "(none)" if x is None else x, key="model_group",
                        help="Rows of one group stay together in one fold.")
    time_ordered = st.checkbox("Rows are in time order (test on the latest rows, train on the past)",
                               key="model_time_ordered")
    balanced = task == "classification" and st.checkbox("Balance class weights (for imbalanced targets)",
                                                        value=workspace.balance_class_weights, key="model_balanced")
    if task == "classification":
        workspace.balance_class_weights = balanced

try:
    encodings = cached_feature_encodings(content_key(), recipe_to_json([]) + json.dumps(workspace.recipe), target,
                                         task, kinds_json, group, frame)
except DataError as exc:
    st.error(md_escape(exc))
    st.stop()
prepared_choices = {e.column: e for e in current_encodings(workspace, frame, profile)}
encodings = with_prepared_choices(encodings, prepared_choices)
default_features = [e.column for e in encodings if e.role != "drop"]
features = st.multiselect("Features", [e.column for e in encodings], default=default_features,
                          key=f"model_features_{target}_{task}")
left_out = left_out_table(encodings, features)
if len(left_out):
    with st.expander(f"{len(left_out)} column(s) left out, and why", icon=":material/visibility_off:"):
        st.dataframe(left_out, hide_index=True)
encodings = with_feature_choice(encodings, features, frame, profile.kinds())
settings = TrainSettings(target=target, task=task, encodings=encodings, test_size=test_percent / 100,
                         folds=int(folds), seed=int(seed), group_column=group, time_ordered=time_ordered,
                         class_weight="balanced" if balanced else None,
                         recipe=[dict(step) for step in workspace.recipe] or None)
# With a recipe the model gets the raw table: it learns the recipe's values from its training rows.
frame = current_frame() if settings.recipe else frame
problem = validate(frame, settings, result)
view = st.segmented_control("Step", STEPS, default="Compare", key="model_view") or "Compare"
if problem:
    st.error(md_escape(problem))
    st.stop()
models = {spec.name: spec for spec in list_models(task)}
label = {name: spec.label for name, spec in models.items()}.get
run_kwargs = {"recipe": workspace.recipe, "source_fingerprint": workspace.fingerprint}
result_key = workspace.result_key(target, task)  # everything below belongs to this table, target and task
board = workspace.leaderboard(result_key)

kept = fitted_runs_of(workspace, data_key)  # runs of the table loaded now, newest first
train = partial(train_and_keep, workspace, result_key, frame, settings, run_kwargs)

if view == "Compare":
    render_compare(frame, settings, models, workspace, result_key, train)

elif view in ("Train one", "Tune"):
    names = list(models)
    best = best_real_model(board, task)  # the compare winner of this table and target, if any
    default = best or ("hist_gradient_boosting" if "hist_gradient_boosting" in names else names[0])
    name = st.selectbox("Algorithm", names, format_func=label, key=f"one_{task}_{view}",
                        index=names.index(default))
    if best is not None:
        st.caption(f"{label(best)} won the comparison for this table and target.")
    spec = get_model(name, task)
    st.caption(spec.help)
    if view == "Train one":
        params = render_specs(spec.params, columns, key_prefix=f"param_{task}_{name}")
        if st.button("Train", type="primary", icon=":material/play_arrow:"):
            trained = train(name, params, spec.label)
            if trained is not None:
                st.session_state["last_trained"] = trained.record.run_id
                st.success(f"Trained {spec.label}. Its evaluation is below and under Evaluate.")
        last_id = st.session_state.get("last_trained", "")
        if last_id in workspace.run_ids(key=result_key) and last_id in fitted_runs_of(workspace, data_key):
            render_evaluation(fitted_runs_of(workspace, data_key)[last_id], key="train_one")
    else:
        render_tune(frame, settings, spec, workspace, result_key, run_kwargs)

elif view == "Evaluate":
    others = st.toggle("Show runs of other datasets", key="eval_other_datasets",
                       help="Runs made on other tables (or with another recipe) of this session, named by their table.")
    fitted = fitted_runs_of(workspace, None) if others else kept
    if note := released_runs_note(workspace, None if others else data_key):
        st.caption(note)
    if not fitted:
        st.info("No trained model yet for this table. Train one, or train the best from Compare.")
    else:
        ids = list(fitted)
        title = {i: run_title(workspace, fitted[i].record, data_key) for i in ids}.get
        chosen = st.multiselect("Runs (pick two to see them side by side)", ids, default=ids[:1],
                                max_selections=2, format_func=title, key=f"eval_runs_{others}")
        if len(chosen) == 2:
            st.dataframe(runs_table([fitted[i].record for i in chosen]))
        for index, column in zip(chosen, st.columns(len(chosen)) if chosen else [], strict=False):
            with column:
                render_evaluation(fitted[index], key=f"eval_{index}")

else:
    others = st.toggle("Show runs of other datasets", key="runs_other_datasets")
    ids = set(workspace.run_ids(None if others else data_key))
    records = [RunRecord.from_dict(r) for r in workspace.runs if r["run_id"] in ids]
    if not records:
        st.info("No runs yet for this table. Train one, or compare algorithms and train the best.")
    else:
        table = runs_table(records)
        table.insert(1, "dataset", [workspace.dataset_of_run(r.run_id) for r in records])
        st.dataframe(table)
        if note := released_runs_note(workspace, None if others else data_key):
            st.caption(note)
