"""Replaying a recipe file (moved out of pages/prepare.py into ui/recipe_panel.replay_recipe_file)."""

import json

import pandas as pd

from core.workspace import Workspace
from ui.recipe_panel import replay_recipe_file


def test_a_recipe_file_replaces_the_recipe_and_names_the_steps_that_do_not_apply():
    workspace = Workspace(recipe=[{"op": "drop_duplicates"}])
    frame = pd.DataFrame({"a": [1.0, None, 3.0], "b": ["x", "y", "x"]})
    raw = json.dumps({"steps": [{"op": "fill_missing", "column": "a", "strategy": "median"},
                                {"op": "drop_columns", "columns": ["gone"]}]}).encode()
    status, problems, count = replay_recipe_file(workspace, frame, raw)
    assert (status, count) == ("ok", 2)
    assert [step["op"] for step in workspace.recipe] == ["fill_missing", "drop_columns"]
    assert len(problems) == 1 and problems[0].startswith("step 2 (") and "gone" in problems[0]


def test_a_file_that_is_not_a_recipe_keeps_the_current_recipe():
    workspace = Workspace(recipe=[{"op": "drop_duplicates"}])
    status, message = replay_recipe_file(workspace, pd.DataFrame({"a": [1]}), b"not json")
    assert status == "error" and "not valid JSON" in message
    assert workspace.recipe == [{"op": "drop_duplicates"}]
