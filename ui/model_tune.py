"""The Tune view: a parameter search run as a background job, with progress, Cancel and its trials."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pandas as pd
import streamlit as st

from core.errors import DataError
from core.metrics import metric_label
from core.models import ModelSpec
from core.train import TrainSettings
from core.tune import TUNE_METHODS, TuneResult, tune_model
from core.workspace import ResultKey, Workspace
from ui.jobs import get_job, job_id_for, one_result, start_job
from ui.model_state import run_keeper, session_id
from ui.plain_text import md_escape

_STOPPED = {"time": "the time budget ran out", "cancelled": "you cancelled it"}


def render_tune(frame: pd.DataFrame, settings: TrainSettings, spec: ModelSpec, workspace: Workspace,
                key: ResultKey, run_kwargs: dict[str, Any]) -> None:
    """Search settings, the Tune button, then the progress or result of the search made for ``key``."""
    a, b, c = st.columns(3)
    method = a.radio("Search", TUNE_METHODS, horizontal=True, key="tune_method",
                     help="random: try settings drawn at random. halving: race many settings on growing "
                          "samples of rows and keep the best third each round.")
    trials = b.number_input("Trials", 2, 500, 20, key="tune_trials")
    seconds = c.number_input("Time budget, seconds (0 = none)", 0, 3600, 60, key="tune_seconds")
    job_id = job_id_for("tune", session_id(), key)
    job = get_job(job_id)
    running = bool(job and job.is_running)
    if st.button("Tune", type="primary", icon=":material/tune:", disabled=running,
                 help="Runs in the background: you can change page meanwhile, and Cancel keeps the trials done."):
        try:
            job = start_job(job_id, spec.label, one_result(tune_model), frame, settings, spec.name,
                            n_trials=int(trials), time_budget_s=seconds or None, method=method, **run_kwargs,
                            on_result=_keep_best_run(workspace, key), summarise=_without_run,
                            session=session_id())
        except DataError as exc:
            st.error(md_escape(exc))

    @st.fragment(run_every=1.0 if job and job.is_running else None)
    def progress_or_result() -> None:
        job = get_job(job_id)
        if job is None:
            st.caption("Press Tune to search this algorithm's settings by cross-validation on the training part.")
            return
        if job.is_running:
            st.progress(job.progress, text=f"Tuning {job.label}: {job.message} ({job.elapsed:.0f} s)")
            if st.button("Cancel", icon=":material/stop:", key="tune_cancel"):
                job.cancel()
        elif job.error:
            st.error(md_escape(job.error))
        if job.results:
            _show_result(job.results[-1], job.label)
        if not job.is_running and st.session_state.get(f"polled_{job_id}") != job.finished:
            st.session_state[f"polled_{job_id}"] = job.finished
            st.rerun(scope="app")  # stop polling once the job has ended

    progress_or_result()


def _keep_best_run(workspace: Workspace, key: ResultKey):
    keep = run_keeper(workspace, key)

    def on_result(result: TuneResult) -> None:
        if result.run is not None:
            keep(result.run)
    return on_result


def _without_run(result: TuneResult) -> tuple[TuneResult, bool]:
    """What the page shows of a search: everything but the fitted run (kept once, with the session's
    runs, where the cap on fitted runs applies), and whether the best setting was trained."""
    return replace(result, run=None), result.run is not None


def _show_result(summary: tuple[TuneResult, bool], label: str) -> None:
    result, trained = summary
    if result.best_score is None:
        st.warning(f"No trial of {label} finished, so there is no best setting. Raise the time budget.")
    else:
        stopped = f" Stopped early: {_STOPPED[result.stopped]}." if result.stopped else ""
        st.markdown(f"**Best {metric_label(result.metric)} of {label}: {result.best_score:.4g}** (cross-validated, "
                    f"{len(result.trials)} trials in {result.seconds:.1f} s).{stopped}")
        if result.note:
            st.info(md_escape(result.note), icon=":material/timer:")
        st.json(result.best_params, expanded=True)
        if trained:
            st.success("The best setting was trained on the whole training part: open Evaluate to see it.")
    st.dataframe(result.trials, hide_index=True)
