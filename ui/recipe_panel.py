"""The Prepare page's recipe list, step form and preview, kept out of the page script."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.errors import DataError
from core.limits import RECIPE_MAX_STEPS
from core.recipe import STEP_TYPES, RecipeResult, Step, apply_recipe, changed_rows, recipe_from_json, step_from_dict
from core.workspace import Workspace
from ui.plain_text import md_escape
from ui.spec_widgets import render_specs

PREVIEW_SAMPLE_ROWS = 5_000


def move_step(workspace: Workspace, index: int, offset: int) -> None:
    target = index + offset
    if 0 <= target < len(workspace.recipe):
        steps = workspace.recipe
        steps[index], steps[target] = steps[target], steps[index]


def remove_step(workspace: Workspace, index: int) -> None:
    if 0 <= index < len(workspace.recipe):
        del workspace.recipe[index]


def add_step(workspace: Workspace, step: Step) -> None:
    workspace.recipe.append(step.to_dict())


def replay_recipe_file(workspace: Workspace, frame: pd.DataFrame, raw: bytes) -> tuple:
    """Replace the recipe with a recipe file's steps, or keep it when the file is not a recipe.

    Returns what the page reports: ``("error", message)``, or ``("ok", problems, step_count)``
    where each problem names a step that does not apply to ``frame`` (it is kept, and skipped).
    """
    try:
        steps = recipe_from_json(raw)
    except DataError as exc:
        return ("error", str(exc))
    replay = apply_recipe(frame, steps)
    workspace.recipe = [step.to_dict() for step in steps]
    problems = [f"step {outcome.index + 1} ({outcome.description}): {outcome.error}" for outcome in replay.problems]
    return ("ok", problems, len(steps))


def render_recipe(workspace: Workspace, result: RecipeResult) -> None:
    """One row per step: what it does, its effect or its problem, and move/remove buttons."""
    if not workspace.recipe:
        st.caption("No steps yet. Add one below, or apply a fix suggested by the data doctor.")
        return
    for outcome in result.outcomes:
        index = outcome.index
        with st.container(border=True):
            text, up, down, remove = st.columns([10, 1, 1, 1], vertical_alignment="center")
            badge = " :orange-badge[training only]" if outcome.training_only else ""
            text.markdown(f"**{index + 1}. {md_escape(outcome.description)}**{badge}")
            if outcome.error:
                text.error(f"Not applied: {md_escape(outcome.error)}", icon=":material/block:")
            else:
                text.caption(
                    f"rows {outcome.rows_before:,} → {outcome.rows_after:,} · columns "
                    f"{outcome.columns_before} → {outcome.columns_after} · missing cells "
                    f"{outcome.missing_before:,} → {outcome.missing_after:,}")
            up.button("", icon=":material/arrow_upward:", key=f"step_up_{index}", help="Move up",
                      disabled=index == 0, on_click=move_step, args=(workspace, index, -1))
            down.button("", icon=":material/arrow_downward:", key=f"step_down_{index}", help="Move down",
                        disabled=index == len(workspace.recipe) - 1, on_click=move_step,
                        args=(workspace, index, 1))
            remove.button("", icon=":material/delete:", key=f"step_remove_{index}", help="Remove this step",
                          on_click=remove_step, args=(workspace, index))


def render_step_form(workspace: Workspace, frame: pd.DataFrame) -> Step | None:
    """Pick a step type, fill its generated widgets, preview it on a sample, add it."""
    titles = {cls.title: op for op, cls in STEP_TYPES.items()}
    title = st.selectbox("Step", list(titles), key="new_step_type")
    op = titles[title]
    step_class = STEP_TYPES[op]
    if step_class.removes_rows:
        st.caption("Removes rows: applied to training data only, skipped when scoring new data.")
    values = render_specs(step_class.specs, [str(c) for c in frame.columns], key_prefix=f"new_{op}")
    try:
        step = step_from_dict({"op": op, **values})
    except DataError as exc:
        st.error(md_escape(exc))
        return None
    sample = frame.sample(min(len(frame), PREVIEW_SAMPLE_ROWS), random_state=0) if len(frame) else frame
    try:
        after = step.apply(sample)
    except DataError as exc:
        if str(exc).startswith("No columns chosen"):
            st.caption("Pick the columns to drop.")  # nothing chosen yet is not a problem to warn about
        else:
            st.warning(f"This step would not apply: {md_escape(exc)}", icon=":material/warning:")
        after = None
    except (ValueError, TypeError, KeyError) as exc:
        st.warning(f"This step would not apply: {md_escape(exc)}. Check its settings.", icon=":material/warning:")
        after = None
    if after is not None:
        render_preview(sample, after, sampled=len(sample) < len(frame))
    full = len(workspace.recipe) >= RECIPE_MAX_STEPS
    if full:
        st.caption(f"The recipe has the most steps it can hold ({RECIPE_MAX_STEPS}). Remove one to add another.")
    if st.button("Add step", type="primary", icon=":material/add:", disabled=after is None or full, key="add_step"):
        add_step(workspace, step)
        st.rerun()
    return step


def render_preview(before: pd.DataFrame, after: pd.DataFrame, sampled: bool) -> None:
    rows, columns, missing = st.columns(3)
    rows.metric("Rows", f"{len(after):,}", delta=f"{len(after) - len(before):,}", delta_color="off")
    columns.metric("Columns", after.shape[1], delta=after.shape[1] - before.shape[1], delta_color="off")
    missing_after, missing_before = int(after.isna().sum().sum()), int(before.isna().sum().sum())
    missing.metric("Missing cells", f"{missing_after:,}", delta=f"{missing_after - missing_before:,}",
                   delta_color="off")
    changes = changed_rows(before, after)
    if sampled:
        st.caption(f"Preview on a random sample of {len(before):,} rows.")
    if changes.empty:
        st.caption("No row changes on this sample.")
    else:
        st.caption("Rows this step changes (after the step; removed rows as they were):")
        st.dataframe(changes, height=220)
