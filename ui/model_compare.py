"""The Compare view: a live leaderboard of the loaded table and target, and "Train the best".

The leaderboard, its job and its button belong to one ``ResultKey`` (data, target, task): after
another upload, recipe or target the old board is not shown and cannot be trained on the new table.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from core.compare import compare_models
from core.errors import DataError
from core.metrics import default_sort_metric, metric_label, metric_names
from core.models import ModelSpec, default_compare_set
from core.runs import LEADERBOARD_NOTE, Leaderboard
from core.train import RunResult, TrainSettings
from core.workspace import ComparedBoard, ResultKey, Workspace
from ui.jobs import get_job, job_id_for, start_job
from ui.model_state import session_id
from ui.plain_text import md_escape


def best_real_model(board: ComparedBoard | None, task: str) -> str | None:
    """The comparison's winner (never the baseline), to preselect in Train one and Tune."""
    if board is None or not board.rows:
        return None
    best = Leaderboard(task, default_sort_metric(task), list(board.rows)).best()
    return best.model if best is not None and best.model != "baseline" else None


def render_compare(frame: pd.DataFrame, settings: TrainSettings, models: dict[str, ModelSpec], workspace: Workspace,
                   key: ResultKey, train: Callable[..., RunResult | None]) -> None:
    """Algorithm choice, the Compare button, then the job's progress and the board made for ``key``."""
    task = key.task
    label = {name: spec.label for name, spec in models.items()}.get
    chosen = st.multiselect("Algorithms (the baseline is always added)", list(models),
                            default=default_compare_set(task, len(frame)), format_func=label, key=f"cmp_{task}")
    budget = st.number_input("Time budget, seconds (0 = none)", 0, 3600, 120, key="cmp_budget")
    job_id = job_id_for("compare", session_id(), key)
    job = get_job(job_id)
    if st.button("Compare", type="primary", icon=":material/play_arrow:", disabled=bool(job and job.is_running)):
        board = workspace.start_leaderboard(key, settings.to_dict())
        try:
            job = start_job(job_id, "compare", compare_models, frame, settings, chosen or None,
                            time_budget_s=budget or None, on_result=board.rows.append, session=session_id())
        except DataError as exc:
            st.error(md_escape(exc))

    @st.fragment(run_every=1.0 if job and job.is_running else None)
    def leaderboard() -> None:
        job = get_job(job_id)
        board = workspace.leaderboard(key)
        if board is None:
            st.caption("Press Compare to cross-validate the chosen algorithms on the same folds.")
            return
        if job is not None and job.is_running:
            st.progress(job.progress, text=f"{job.message} ({job.elapsed:.0f} s)")
            if st.button("Cancel", icon=":material/stop:"):
                job.cancel()
        elif job is not None and job.error:
            st.error(md_escape(job.error))
        names = list(metric_names(task))
        metric = st.selectbox("Sort by", names, key="cmp_sort", index=names.index(default_sort_metric(task)),
                              format_func=metric_label)
        if board.rows:
            _show_board(Leaderboard(task, metric, list(board.rows)), board, settings,
                        running=bool(job and job.is_running), train=train)
        if job is not None and not job.is_running and st.session_state.get(f"polled_{job_id}") != job.finished:
            st.session_state[f"polled_{job_id}"] = job.finished
            st.rerun(scope="app")  # stop polling once the job has ended

    leaderboard()


def _show_board(ranked: Leaderboard, board: ComparedBoard, settings: TrainSettings, running: bool,
                train: Callable[..., RunResult | None]) -> None:
    every_metric = st.toggle("Show every metric", key="cmp_every_metric",
                             help="By default the table shows the metric it is sorted by.")
    table = ranked.to_frame(None if every_metric else [ranked.sort_by])
    st.dataframe(table, hide_index=True, column_config={
        column: st.column_config.Column(help=text) for column, text in table.attrs.get("help", {}).items()})
    st.caption(LEADERBOARD_NOTE)
    best = ranked.best()
    if best is None or running:
        return
    same_settings = board.settings == settings.to_dict()
    if not same_settings:
        st.caption("The validation or feature settings changed since this comparison: training the best "
                   "cross-validates it again with the current settings.")
    if st.button(f"Train the best ({best.label}) on the whole training part", icon=":material/star:"):
        trained = train(best.model, best.params, f"the best model ({best.label})",
                        reuse_cv=best if same_settings else None)
        if trained is not None:
            st.success("Done: open Evaluate to see its plots.")
