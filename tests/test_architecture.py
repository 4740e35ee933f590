"""The layering the design promises, checked by reading the source with ``ast``.

``core`` and ``ui`` form an import graph without cycles (every import counts: module level,
inside functions and under ``TYPE_CHECKING``, because each is a dependency a reader has to hold
in mind); no module in core/, ui/ or pages/ grows past ``MAX_MODULE_LINES``; ``core`` never
imports streamlit; pages stay thin scripts (short functions, no object surgery).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("core", "ui")
MAX_MODULE_LINES = 400
MAX_PAGE_FUNCTION_LINES = 40

def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for package in PACKAGES for path in sorted((ROOT / package).glob("*.py"))}


def imported_names(tree: ast.AST) -> list[str]:
    """Every module a file imports, anywhere in it; ``from core import evaluate`` names core.evaluate."""
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
            names.extend(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def import_graph() -> dict[str, set[str]]:
    known = modules()
    graph = {}
    for name, path in known.items():
        targets = {target for target in imported_names(ast.parse(path.read_text())) if target in known}
        graph[name] = targets - {name, name.split(".")[0]}  # the package __init__ is not a cycle
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of modules (first repeated at the end), or None."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return path[path.index(target):] + [target]
            if target not in state and (cycle := visit(target)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_cycle_finder_names_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_imports_read_from_the_source_count_from_core_import_module_as_that_module():
    tree = ast.parse("from core import evaluate\nimport ui.state\ndef f():\n    from core.io import ReadOptions\n")
    names = imported_names(tree)
    assert {"core.evaluate", "ui.state", "core.io"} <= set(names)


def test_core_and_ui_have_no_import_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def python_files(*folders: str) -> list[Path]:
    return [path for folder in folders for path in sorted((ROOT / folder).glob("*.py"))]


@pytest.mark.parametrize("path", python_files("core", "ui", "pages"), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_is_over_the_line_limit(path):
    lines = len(path.read_text().splitlines())
    relative = str(path.relative_to(ROOT))
    assert lines <= MAX_MODULE_LINES, f"{relative} has {lines} lines; split it (limit {MAX_MODULE_LINES})."


def test_core_never_imports_streamlit():
    offenders = [str(path.relative_to(ROOT)) for path in python_files("core")
                 if any(name.split(".")[0] == "streamlit" for name in imported_names(ast.parse(path.read_text())))]
    assert offenders == [], f"core modules importing streamlit: {offenders}"


@pytest.mark.parametrize("path", python_files("pages"), ids=lambda p: str(p.relative_to(ROOT)))
def test_pages_hold_widgets_not_logic(path):
    tree = ast.parse(path.read_text())
    long_functions = [f"{node.name} ({node.end_lineno - node.lineno + 1} lines)" for node in ast.walk(tree)
                      if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                      and node.end_lineno - node.lineno + 1 > MAX_PAGE_FUNCTION_LINES]
    classes = [node.name for node in ast.walk(tree) if isinstance(node, ast.ClassDef)]
    object_surgery = [node.lineno for node in ast.walk(tree)
                      if isinstance(node, ast.Attribute) and node.attr == "__dict__"]
    assert long_functions == [], f"move these into ui/ or core/: {long_functions}"
    assert classes == [], f"pages define no classes; move {classes} into ui/ or core/"
    assert object_surgery == [], f"__dict__ used at lines {object_surgery}: use a named function in ui/ or core/"
