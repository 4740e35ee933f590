"""Train one model: cross-validate it, refit it on the whole training part, score it on the test rows.

The pipeline and the fold work live in ``core.folds``, the fits run on the job's own workers
(``core.engine``), the comparison of many models in ``core.compare``; their names stay importable
from here. Long work takes a ``RunContext`` (progress, cancel, deadline, workers), or the same as
keyword arguments.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sklearn.pipeline import Pipeline

from core import evaluate
from core.engine import (  # noqa: F401 - Progress, ShouldCancel, default_n_jobs, warm_up_workers: importable from here
    Cancelled,
    Progress,
    RunContext,
    ShouldCancel,
    default_n_jobs,
    run_tasks,
    running_job,
    warm_up_workers,
)
from core.errors import DataError
from core.folds import (  # noqa: F401 - moved there; still importable from here
    SHARED_PREPROCESSING_MAX_BYTES,
    FoldData,
    _fit_pipeline,
    _fold_tasks,
    _summarise,
    make_pipeline,
    prepare_folds,
    seeded_preprocessor,
    stratified_sample,
)
from core.models import ModelSpec, get_model
from core.runs import (
    LeaderboardRow,
    RunRecord,
    new_run_id,
)
from core.train_data import (  # noqa: F401 - moved there; still importable from here
    MAX_FOLDS,
    PreparedData,
    TrainSettings,
    default_feature_encodings,
    prepare_xy,
)


# ----------------------------------------------------------------------------- train one model
@dataclass
class RunResult:
    """A trained model: its JSON record, the fitted pipeline and its test-set predictions."""

    record: RunRecord
    pipeline: Pipeline = field(repr=False)
    predictions: evaluate.Predictions | None = field(repr=False)
    prepared: PreparedData = field(repr=False)

    @property
    def task(self) -> str:
        return self.record.task


def train_model(frame: pd.DataFrame, settings: TrainSettings, model_name: str,
                params: dict[str, Any] | None = None, progress: Progress | None = None,
                should_cancel: ShouldCancel | None = None,
                n_jobs: int | None = None, recipe: list[dict[str, Any]] | None = None,
                source_fingerprint: str | None = None, reuse_cv: LeaderboardRow | None = None,
                prepared: PreparedData | None = None, context: RunContext | None = None) -> RunResult:
    """Cross-validate one model, refit it on the whole training part and score it on the test rows.

    ``reuse_cv`` takes a finished leaderboard row of the same model and parameters and skips the
    cross-validation it already did. ``context`` replaces ``progress``, ``should_cancel`` and
    ``n_jobs`` (a tune passes its own, so the refit runs on the tune's workers). Raises
    ``Cancelled`` when the work is cancelled.
    """
    started = time.perf_counter()
    context = context or RunContext(progress, should_cancel, n_jobs=n_jobs)
    with running_job(context) as job:
        data = prepared or prepare_xy(frame, settings)
        spec = get_model(model_name, data.task)
        params = spec.resolve_params(params)
        pipeline = make_pipeline(data.encodings, spec, params, data.settings.seed, data.settings.class_weight,
                                 data.recipe_steps)
        reuse = reuse_cv is not None and reuse_cv.ok and reuse_cv.model == spec.name and reuse_cv.params == params
        sample = None
        if reuse and reuse_cv.sample_rows:  # a row trained on a sample is refitted on the same sample
            sample = stratified_sample(data.y_train, reuse_cv.sample_rows, data.settings.seed,
                                       data.classes is not None)
        tasks: list[tuple[Any, ...]] = [("refit", _fit_pipeline, pipeline, data.X_train, data.y_train, sample)]
        if not reuse:
            tasks += _fold_tasks(data, spec.name, pipeline, prepare_folds(data, job))
        outcomes: list[dict[str, Any]] = []
        refit: dict[str, Any] = {}
        cancelled = False

        def stop() -> bool:
            nonlocal cancelled
            cancelled = job.cancelled()
            return cancelled

        for key, outcome in run_tasks(tasks, job, stop):
            if key == "refit":
                refit = outcome
            else:
                if outcome["error"]:
                    raise DataError(f"{spec.label} failed on this data: {outcome['error']}. Try other settings.")
                outcomes.append({**outcome, "fold": key[1]})
            job.report((len(outcomes) + bool(refit)) / len(tasks), f"{spec.label}: {len(outcomes)} fold(s) done")
    if cancelled or not refit:
        raise Cancelled("Training was cancelled before it finished.")
    cv, cv_std = (reuse_cv.cv, reuse_cv.cv_std) if reuse else _summarise(outcomes, "validation")
    warnings_seen = sorted({w for o in outcomes for w in o["warnings"]})
    sampled = [reuse_cv.note] if sample is not None and reuse_cv.note else []
    return _finish_run(data, spec, params, refit, cv, cv_std, started, outcomes, recipe, source_fingerprint,
                       [*data.notes, *sampled, *warnings_seen])


def _finish_run(data: PreparedData, spec: ModelSpec, params: dict[str, Any], refit: dict[str, Any],
                cv: dict, cv_std: dict, started: float, outcomes: list[dict[str, Any]],
                recipe: list[dict[str, Any]] | None, source_fingerprint: str | None,
                notes: list[str]) -> RunResult:
    pipeline = refit["pipeline"]
    predictions = evaluate.predict(pipeline, data.X_test, data.y_test, data.task, data.classes)
    settings = data.settings.to_dict()
    record = RunRecord(
        run_id=new_run_id(spec.name, settings, data.fingerprint, params), model=spec.name, label=spec.label,
        task=data.task, params=params, settings=settings, data_fingerprint=data.fingerprint,
        sort_by=evaluate.default_sort_metric(data.task, data.n_classes), cv=cv, cv_std=cv_std,
        test=predictions.metrics(),
        timings={"fit_seconds": round(refit["fit_seconds"], 4),
                 "cv_fit_seconds": round(sum(o.get("fit_seconds", 0.0) for o in outcomes), 4),
                 "total_seconds": round(time.perf_counter() - started, 4)},
        rows={"train": len(data.y_train), "test": len(data.y_test)}, recipe=recipe,
        source_fingerprint=source_fingerprint, notes=notes,
        positive_class=evaluate.positive_class_label(data.classes))
    return RunResult(record, pipeline, predictions, data)

