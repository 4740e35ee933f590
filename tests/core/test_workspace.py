"""The workspace keeps results with the table and target they were made for."""

import pytest

from core.workspace import MAX_KEPT_LEADERBOARDS, MAX_KEPT_RUNS, Workspace


def loaded(name="a.csv", content="fp-a") -> Workspace:
    workspace = Workspace()
    workspace.replace_dataset(name, b"x,y\n1,2\n", content, {"delimiter": ","}, [])
    return workspace


def test_the_data_key_names_the_file_its_reading_and_its_recipe():
    workspace = loaded()
    first = workspace.data_key()
    workspace.recipe = [{"op": "drop_duplicates"}]
    assert workspace.data_key() != first, "a recipe makes another table"
    workspace.recipe = []
    assert workspace.data_key() == first
    workspace.read_options = {"delimiter": ";"}
    assert workspace.data_key() != first
    assert loaded(content="fp-b").data_key() != first


def test_a_leaderboard_is_found_only_for_the_data_target_and_task_it_was_made_for():
    workspace = loaded()
    key = workspace.result_key("species", "classification")
    workspace.start_leaderboard(key, {"folds": 5}).rows.append("row")
    assert workspace.leaderboard(key).rows == ["row"]
    assert workspace.leaderboard(workspace.result_key("island", "classification")) is None
    assert workspace.leaderboard(workspace.result_key("species", "regression")) is None
    workspace.replace_dataset("b.csv", b"x\n1\n", "fp-b", {}, [])
    assert workspace.leaderboard(workspace.result_key("species", "classification")) is None


def test_kept_leaderboards_are_bounded():
    workspace = loaded()
    for index in range(MAX_KEPT_LEADERBOARDS + 3):
        workspace.start_leaderboard(workspace.result_key(f"t{index}", "regression"), {})
    assert len(workspace.leaderboards) == MAX_KEPT_LEADERBOARDS


def test_runs_are_listed_by_the_table_they_were_made_on_with_its_name():
    workspace = loaded("penguins.csv")
    penguins = workspace.result_key("species", "classification")
    workspace.keep_run({"run_id": "tree-1"}, penguins)
    workspace.replace_dataset("houses.csv", b"x\n1\n", "fp-h", {}, [])
    houses = workspace.result_key("price", "regression")
    workspace.keep_run({"run_id": "ridge-1"}, houses)
    assert workspace.run_ids(workspace.data_key()) == ["ridge-1"]
    assert workspace.run_ids(key=penguins) == ["tree-1"]
    assert workspace.run_ids() == ["tree-1", "ridge-1"]
    assert workspace.dataset_of_run("tree-1") == "penguins.csv"


def test_a_new_table_forgets_the_target_guess_and_the_class_weight_choice():
    workspace = loaded()
    workspace.target_guess, workspace.balance_class_weights = ("y", "named like a target"), True
    workspace.replace_dataset("b.csv", b"x\n1\n", "fp-b", {}, [])
    assert workspace.target_guess is None and not workspace.balance_class_weights


@pytest.mark.parametrize("name, stem", [("Penguins 2024.csv", "Penguins_2024"), ("../../etc/passwd", "passwd"),
                                        ("a<b>|c.tsv", "a_b_c"), ("...", "dataset"), (None, "dataset"),
                                        ("sales.data.xlsx", "sales.data")])
def test_download_names_come_from_the_file_name_made_safe(name, stem):
    workspace = Workspace(dataset_name=name)
    assert workspace.download_stem() == stem


def test_run_records_are_bounded_keeping_the_newest():
    workspace = loaded()
    key = workspace.result_key("y", "regression")
    for index in range(MAX_KEPT_RUNS + 3):
        workspace.keep_run({"run_id": f"run-{index}"}, key)
    assert len(workspace.runs) == MAX_KEPT_RUNS == len(workspace.run_keys)
    assert workspace.run_ids()[0] == "run-3" and workspace.run_ids()[-1] == f"run-{MAX_KEPT_RUNS + 2}"
