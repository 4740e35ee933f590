"""Model: pick a target, compare algorithms live, train and tune one, evaluate and explain runs."""

import json

import pandas as pd
import streamlit as st

from core.errors import DataError
from core.evaluate import default_sort_metric, metric_names
from core.models import default_compare_set, get_model, list_models
from core.recipe import recipe_to_json
from core.runs import Leaderboard, RunRecord, runs_table
from core.schema import detect_task
from core.train import TrainSettings, compare_models, train_model
from ui.encoding_table import current_encodings
from ui.jobs import get_job, start_job
from ui.model_evaluate import render_evaluation
from ui.model_state import cached_feature_encodings, fitted_runs, keep_run, session_id, validate
from ui.model_tune import render_tune
from ui.spec_widgets import render_specs
from ui.state import content_key, current_prepared, current_prepared_profile, ensure_app_navigation, get_workspace

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

st.subheader("Set-up")
left, right = st.columns(2)
target = left.selectbox("Target: the column to predict", columns,
                        index=columns.index(workspace.target) if workspace.target in columns else len(columns) - 1,
                        key="model_target")
workspace.target = target
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
                                                        key="model_balanced")

try:
    encodings = cached_feature_encodings(content_key(), recipe_to_json([]) + json.dumps(workspace.recipe), target,
                                         task, kinds_json, group, frame)
except DataError as exc:
    st.error(str(exc))
    st.stop()
prepared_choices = {e.column: e for e in current_encodings(workspace, frame, profile)}
for encoding in encodings:  # the Prepare page's per-column choices win, except the leakage/group decisions
    chosen = prepared_choices.get(encoding.column)
    if chosen is not None and encoding.role != "drop":
        encoding.__dict__.update({k: v for k, v in chosen.__dict__.items() if k != "reason"})
default_features = [e.column for e in encodings if e.role != "drop"]
features = st.multiselect("Features", [e.column for e in encodings], default=default_features,
                          key=f"model_features_{target}_{task}")
left_out = [e for e in encodings if e.column not in features]
if left_out:
    with st.expander(f"{len(left_out)} column(s) left out, and why", icon=":material/visibility_off:"):
        st.dataframe(pd.DataFrame([{"column": e.column, "why": e.reason if e.role == "drop" else "you removed it"}
                                   for e in left_out]), hide_index=True)
for encoding in encodings:
    if encoding.column not in features:
        encoding.role = "drop"
    elif encoding.role == "drop":
        encoding.role = "categorical" if profile.kinds().get(encoding.column) != "numeric" else "numeric"
settings = TrainSettings(target=target, task=task, encodings=encodings, test_size=test_percent / 100,
                         folds=int(folds), seed=int(seed), group_column=group, time_ordered=time_ordered,
                         class_weight="balanced" if balanced else None)
problem = validate(frame, settings)
if problem:
    st.error(problem)
    st.stop()

view = st.segmented_control("Step", ["Compare", "Train one", "Tune", "Evaluate", "Runs"], default="Compare",
                            key="model_view") or "Compare"
models = {spec.name: spec for spec in list_models(task)}
label = {name: spec.label for name, spec in models.items()}.get
run_kwargs = {"recipe": workspace.recipe, "source_fingerprint": workspace.fingerprint}

if view == "Compare":
    chosen = st.multiselect("Algorithms (the baseline is always added)", list(models),
                            default=default_compare_set(task, len(frame)), format_func=label, key=f"cmp_{task}")
    budget = st.number_input("Time budget, seconds (0 = none)", 0, 3600, 120, key="cmp_budget")
    job_id = f"compare-{session_id()}"
    job = get_job(job_id)
    if st.button("Compare", type="primary", icon=":material/play_arrow:", disabled=bool(job and job.is_running)):
        rows = st.session_state["leaderboard_rows"] = []
        st.session_state["leaderboard_task"] = task
        job = start_job(job_id, "compare", compare_models, frame, settings, chosen or None,
                        time_budget_s=budget or None, on_result=rows.append)

    @st.fragment(run_every=1.0 if job and job.is_running else None)
    def leaderboard():
        job = get_job(job_id)
        rows = st.session_state.get("leaderboard_rows", [])
        if job is None and not rows:
            st.caption("Press Compare to cross-validate the chosen algorithms on the same folds.")
            return
        if job is not None and job.is_running:
            st.progress(job.progress, text=f"{job.message} ({job.elapsed:.0f} s)")
            if st.button("Cancel", icon=":material/stop:"):
                job.cancel()
        elif job is not None and job.error:
            st.error(job.error)
        board_task = st.session_state.get("leaderboard_task", task)
        metric = st.selectbox("Sort by", metric_names(board_task), key="cmp_sort",
                              index=metric_names(board_task).index(default_sort_metric(board_task)))
        if rows:
            board = Leaderboard(board_task, metric, list(rows))
            st.dataframe(board.to_frame(), hide_index=True)
            best = board.best()
            if best is not None and not (job and job.is_running) and st.button(
                    f"Train the best ({best.label}) on the whole training part", icon=":material/star:"):
                with st.spinner("Refitting the best model..."):
                    keep_run(workspace, train_model(frame, settings, best.model, best.params, reuse_cv=best,
                                                    **run_kwargs))
                st.success("Done: open Evaluate to see its plots.")
        if job is not None and not job.is_running and st.session_state.get("polled") != job.finished:
            st.session_state["polled"] = job.finished
            st.rerun(scope="app")  # stop polling once the job has ended

    leaderboard()

elif view in ("Train one", "Tune"):
    names = list(models)
    name = st.selectbox("Algorithm", names, format_func=label, key=f"one_{task}_{view}",
                        index=names.index("hist_gradient_boosting") if "hist_gradient_boosting" in names else 0)
    spec = get_model(name, task)
    st.caption(spec.help)
    if view == "Train one":
        params = render_specs(spec.params, columns, key_prefix=f"param_{task}_{name}")
        if st.button("Train", type="primary", icon=":material/play_arrow:"):
            try:
                with st.spinner(f"Training {spec.label}..."):
                    trained = train_model(frame, settings, name, params, **run_kwargs)
                keep_run(workspace, trained)
                st.session_state["last_trained"] = trained.record.run_id
                st.success(f"Trained {spec.label}. Its evaluation is below and under Evaluate.")
            except DataError as exc:
                st.error(str(exc))
        last = fitted_runs().get(st.session_state.get("last_trained", ""))
        if last is not None and last.task == task:
            render_evaluation(last, key="train_one")
    else:
        render_tune(frame, settings, spec, workspace, run_kwargs)

elif view == "Evaluate":
    fitted = fitted_runs()
    if not fitted:
        st.info("No trained model yet in this session. Train one, or train the best from Compare.")
    else:
        ids = list(fitted)[::-1]
        title = {i: f"{fitted[i].record.label} · {fitted[i].record.created[11:19]}" for i in ids}.get
        chosen = st.multiselect("Runs (pick two to see them side by side)", ids, default=ids[:1],
                                max_selections=2, format_func=title, key="eval_runs")
        if len(chosen) == 2:
            st.dataframe(runs_table([fitted[i].record for i in chosen]))
        for index, column in zip(chosen, st.columns(len(chosen)) if chosen else [], strict=False):
            with column:
                render_evaluation(fitted[index], key=f"eval_{index}")

else:
    if not workspace.runs:
        st.info("No runs yet.")
    else:
        st.dataframe(runs_table([RunRecord(**record) for record in workspace.runs]))
