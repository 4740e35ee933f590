"""The whole flow on the real public tables of scripts/build_real_tables.py, shared by the
``test_real_*.py`` files (issue 11, item 5; split per table so ``--dist loadfile`` spreads them).

For a table: upload it on Load data, open Explore, open Train and compare, pick the target, Compare
with a short budget, Train the best, open Evaluate and the evaluation views asked for; after a
second upload in the same session, check on every page that nothing of the previous table is shown
(column names, dataset name, leaderboard, runs). Any ``stException``, any "Traceback" text and any
``st.error`` not listed in EXPECTED_ERRORS is a failure.

Problems are collected per (table, step) and the flow goes on, so one run reports every failure.
KNOWN_FAILURES lists the product bugs this flow finds that other work is fixing: when only those
are seen the test is marked xfail with the full list (never skipped); anything else fails it.

Every locator sits in the helpers at the top, so page changes (a select box for the evaluation
views, a target guessed in advance, new metric labels) are adapted there.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from tests.browser.server import wait_idle

COMPARE_BUDGET_SECONDS = 20  # 10 s left only the baseline on digits on a busy 2-core machine
LARGE_TABLE_ROWS = 100_000
LARGE_TABLE_BUDGET_SECONDS = 90  # 336,776 rows: two quick models take ~40 s (folds), only baseline at 45 s under load
WIDE_TABLE_COLUMNS = 1_000  # the 1,108-column table's folds take 10-17 s to encode on a busy 2-core machine
SLOW = 180_000  # ms: reading the 336,776-row table, training on it
ALL_VIEWS = "all"  # every evaluation and explanation view of the task
# Quick algorithms for a table whose point is not the default set (covered on digits and cars).
QUICK_MODELS = {"classification": ["Logistic regression", "Decision tree", "Histogram gradient boosting"],
                "regression": ["Ridge regression", "Decision tree", "Random forest"]}

# ----------------------------------------------------------------------------- locators: adapt here


def settle(page: Page, timeout: float = SLOW) -> None:
    """Wait until the app's script has stopped (``wait_idle``), with the flow's long timeout."""
    wait_idle(page, timeout=timeout)


def go_to(page: Page, title: str) -> None:
    """Open a page by its sidebar link; its title is the link's (Load data, Explore, ...)."""
    page.locator('[data-testid="stSidebar"]').get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", name=title, exact=True).first).to_be_visible(timeout=SLOW)
    settle(page)


def upload(page: Page, path) -> None:
    page.locator('[data-testid="stFileUploader"] input[type=file]').first.set_input_files(str(path))
    expect(page.locator('[data-testid="stSidebar"]').get_by_text(path.name, exact=True)).to_be_visible(
        timeout=SLOW)
    settle(page)


def rows_metric(page: Page):
    return page.locator('[data-testid="stMetric"]').filter(has_text="Rows").locator('[data-testid="stMetricValue"]')


def pick_option(page: Page, label: str | re.Pattern, option: str) -> None:
    """Choose ``option`` in the select box labelled ``label`` (typing filters long lists)."""
    box = page.get_by_role("combobox", name=label).first
    box.click()
    box.fill(option)
    page.get_by_role("option", name=option, exact=True).first.click()
    settle(page)
    close_open_list(page)


def close_open_list(page: Page) -> None:
    """Close a select box's list left open (a rerun can reopen it): while it is open the rest of the
    page is hidden from role queries, so a step's buttons seem to be missing."""
    if page.get_by_role("listbox").count():
        page.keyboard.press("Escape")
        expect(page.get_by_role("listbox")).to_have_count(0)


def choose_target(page: Page, target: str, task: str) -> None:
    """Pick the target (it may already be guessed) and make sure the task is the expected one."""
    pick_option(page, re.compile(r"^Target"), target)
    expect(page.locator('[data-testid="stSidebar"]').get_by_text(re.compile(f"^Target: {re.escape(target)}$"))
           ).to_be_visible(timeout=SLOW)
    settle(page)
    task_radio = page.get_by_role("radio", name=task, exact=True)
    if task_radio.count() and not task_radio.first.is_checked():
        task_radio.first.check(force=True)
        settle(page)


def choose(page: Page, name: str) -> None:
    """Click one choice of a segmented control / radio group, or pick it in a select box."""
    close_open_list(page)
    choice = page.get_by_role("radio", name=name, exact=True).or_(
        page.get_by_role("button", name=name, exact=True))
    box = page.get_by_role("combobox", name=re.compile(r"^(Show|View|Step|Evaluation)"))
    try:
        expect(choice.or_(box).first).to_be_visible(timeout=30_000)
    except AssertionError:
        raise AssertionError(f"no '{name}' to choose on this page") from None
    if choice.count():
        choice.first.click()
    elif box.first.input_value() == name:
        pass  # already the chosen view (the first one is chosen when Evaluate opens)
    else:
        pick_option(page, re.compile(r"^(Show|View|Step|Evaluation)"), name)
    settle(page)


def has_steps(page: Page) -> bool:
    """The Model page shows its steps (Compare, Evaluate...) only once the settings are valid."""
    return page.get_by_role("radio", name="Evaluate", exact=True).or_(
        page.get_by_role("button", name="Evaluate", exact=True)).count() > 0


def compare_button(page: Page):
    return page.get_by_role("button", name="Compare", exact=True).last  # the first is the step's name


def choose_models(page: Page, labels: list[str]) -> None:
    """Compare only these algorithms (by label): empty the algorithm picker, then pick each one."""
    picker = page.locator('[data-testid="stMultiSelect"]').filter(has_text=re.compile("^Algorithms"))
    box = picker.locator("input").first
    picker.get_by_role("button", name="Clear all").click()
    settle(page)
    for label in labels:
        box.click()
        box.fill(label)
        page.get_by_role("option", name=label, exact=True).first.click()
        settle(page)
    page.keyboard.press("Escape")
    chosen = [tag.get_attribute("aria-label") or tag.inner_text() for tag in picker.locator("[data-tag]").all()]
    assert len(chosen) == len(labels), f"the algorithm picker holds {chosen}, not {labels}"


def set_budget(page: Page, seconds: int) -> None:
    budget = page.get_by_role("spinbutton", name=re.compile("Time budget"))
    budget.fill(str(seconds))
    budget.press("Enter")
    settle(page)


def cancel_button(page: Page):
    return page.get_by_role("button", name=re.compile("Cancel"))


def cancel_running_job(page: Page) -> None:
    if cancel_button(page).count():
        cancel_button(page).first.click()
        expect(cancel_button(page)).to_have_count(0, timeout=SLOW)
        settle(page)


def train_best_button(page: Page):
    return page.get_by_role("button", name=re.compile(r"Train the best"))


def train_best_label(page: Page) -> str:
    """The button's words without its icon's name ("star")."""
    text = " ".join(train_best_button(page).first.inner_text().split())
    return text[text.find("Train the best"):]


def run_picker(page: Page):
    return page.locator('[data-testid="stMultiSelect"]').filter(has_text=re.compile("Runs"))


def run_choices(page: Page) -> list[str]:
    """Every run the Evaluate step offers: the chips of its run picker and the rest of its list."""
    picker = run_picker(page)
    if not picker.count():
        return []
    chips = [tag.get_attribute("aria-label") or "" for tag in picker.first.locator("[data-tag]").all()]
    picker.first.locator("input").click()
    page.wait_for_timeout(300)
    offered = page.get_by_role("option").all_inner_texts()
    page.keyboard.press("Escape")
    return [text.strip() for text in [*chips, *offered] if text.strip() not in ("", "No results", "Select all")]


def evaluation_views(task: str) -> list[str]:
    """The evaluation and explanation views the page offers for this task."""
    from ui import model_evaluate

    shown = model_evaluate.CLASSIFICATION_VIEWS if task == "classification" else model_evaluate.REGRESSION_VIEWS
    return [*shown, *model_evaluate.EXPLAIN_VIEWS]


def press_if_present(page: Page, name: re.Pattern) -> None:
    """Views that compute on demand (the learning curve) start with a button."""
    button = page.get_by_role("button", name=name)
    if button.count():
        button.first.click()
        settle(page)


def page_text(page: Page) -> str:
    """Everything a user can read about the loaded data: the page's text plus the cells and headers
    of every data grid (drawn on a canvas; their accessible cells are in the DOM but not "visible"),
    less the sample picker, which describes a bundled sample whatever is loaded."""
    cells = page.locator('[role="gridcell"], [role="columnheader"]').all_inner_texts()
    text = page.locator("body").inner_text()
    picker = page.locator('[data-testid="stColumn"]').filter(
        has=page.get_by_role("combobox", name=re.compile("sample dataset")))
    for part in picker.all_inner_texts():
        text = text.replace(part, "")
    return text + "\n" + "\n".join(cells)


def problems_on_page(page: Page) -> list[str]:
    """Tracebacks and error boxes now on the page."""
    found = [f"stException: {text[:600]}" for text in
             page.locator('[data-testid="stException"]').all_inner_texts()]
    if "Traceback" in page.locator("body").inner_text() and not found:
        found.append("'Traceback' text on the page")
    found += [f"st.error: {text[:600]}" for text in page.locator(
        '[data-testid="stAlertContentError"]:not([data-testid="stException"] *)').all_inner_texts()]
    return found


# ----------------------------------------------------------------------------- expectations
# (table file, step) -> a regular expression an st.error is allowed to match there.
EXPECTED_ERRORS: dict[tuple[str, str], str] = {}

# Product bugs this test finds and other work is fixing: (table, step, message) regular expressions
# and what was seen, with the issue-11 item that fixes it. Remove an entry once its fix is merged.
KNOWN_FAILURES: list[tuple[str, str, str, str]] = []


@dataclass
class Problem:
    table: str
    step: str
    message: str

    def known(self) -> str | None:
        for table, step, message, why in KNOWN_FAILURES:
            if (re.fullmatch(table, self.table) and re.fullmatch(step, self.step)
                    and re.search(message, self.message, re.S)):
                return why
        return None


@dataclass
class FlowLog:
    problems: list[Problem] = field(default_factory=list)
    seconds: dict[tuple[str, str], float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)
    screenshots: Path | None = None

    def check(self, page: Page, table: str, step: str) -> None:
        allowed = EXPECTED_ERRORS.get((table, step))
        for message in problems_on_page(page):
            if allowed and message.startswith("st.error") and re.search(allowed, message):
                continue
            self.problems.append(Problem(table, step, message))

    def step(self, page: Page, table: str, step: str, action) -> bool:
        """Run one step; a timeout or failed expectation is a problem of that step, then the page is checked."""
        started = time.perf_counter()
        before = len(self.problems)
        ok = True
        try:
            action()
        except (PlaywrightError, AssertionError) as exc:
            self.problems.append(Problem(table, step, f"{type(exc).__name__}: {str(exc).splitlines()[0][:400]}"))
            ok = False
            if self.screenshots is not None:
                shot = self.screenshots / f"{table}-{len(self.problems)}.png"
                page.screenshot(path=shot, full_page=True)
                self.problems[-1].message += f" (screenshot {shot})"
        self.seconds[(table, step)] = time.perf_counter() - started
        try:
            self.check(page, table, step)
        except PlaywrightError as exc:
            self.problems.append(Problem(table, step, f"page unreadable: {exc}"))
        print(f"  {table} / {step}: {self.seconds[(table, step)]:.1f} s"  # live progress under -s
              + "".join(f"\n    PROBLEM {p.message}" for p in self.problems[before:]), flush=True)
        return ok


# ----------------------------------------------------------------------------- the flow
def _assert_not_baseline(best_label: str) -> None:
    assert "baseline" not in best_label.lower(), f"within the time budget only the baseline finished: '{best_label}'"


def compare_budget(table: dict) -> int:
    if table.get("rows", 0) > LARGE_TABLE_ROWS or table.get("columns", 0) > WIDE_TABLE_COLUMNS:
        return LARGE_TABLE_BUDGET_SECONDS
    return COMPARE_BUDGET_SECONDS


def _assert_one(runs: list[str]) -> None:
    assert len(runs) == 1, f"one run trained on this table, but Evaluate offers {runs}"


LEFTOVER_PAGES = ("Load data", "Explore", "Clean and encode", "Train and compare")


def distinctive_names(columns: list[str], current: list[str]) -> list[str]:
    """Previous column names that cannot be ordinary words of the page or names in the new table."""
    return [name for name in columns if name not in current
            and (len(name) >= 6 or re.search(r"[_\d]|[A-Z]", name)) and name.lower() not in PAGE_WORDS]


# Column names of real tables that are also words the pages print ("default because", "Weather").
PAGE_WORDS = {"origin", "weather", "default"}


def leftovers(page: Page, previous: dict, current: dict) -> list[str]:
    """What of the previous table the current page shows."""
    text = page_text(page)
    found = [f"dataset name '{previous['file']}'" for _ in [0] if previous["file"] in text]
    names = distinctive_names(previous["column_names"], current["column_names"])
    found += [f"column '{name}'" for name in names if re.search(rf"(?<![\w.]){re.escape(name)}(?![\w.])", text)]
    for label in previous.get("run_labels", []):
        if label in text:
            found.append(f"run '{label}'")
    if train_best_button(page).count():
        found.append(f"leaderboard ('{train_best_label(page)}')")
    if cancel_button(page).count():
        found.append("a running job (its Cancel button)")
    return found


def check_nothing_left(page: Page, log: FlowLog, previous: dict, current: dict) -> None:
    """Right after an upload, before any work on the new table: every page and Model step."""
    for title in LEFTOVER_PAGES:
        def visit(title=title):
            go_to(page, title)
            shown = leftovers(page, previous, current)
            if title == "Train and compare" and has_steps(page):
                for step in ("Compare", "Evaluate", "Runs"):
                    choose(page, step)
                    shown += [f"{step}: {item}" for item in leftovers(page, previous, current)]
                    shown += [f"{step}: run '{label}'" for label in run_choices(page)]
            assert not shown, f"after uploading {current['file']}, {title} still shows {previous['file']}: " + \
                "; ".join(dict.fromkeys(shown))
        log.step(page, current["file"], f"nothing left of the previous table on {title}", visit)


def run_table(page: Page, log: FlowLog, table: dict, path, previous: dict | None = None,
              views: list[str] | str = ALL_VIEWS, models: list[str] | None = None) -> dict:
    """Upload, check nothing of ``previous`` is left, explore, compare, train the best, evaluate.

    ``views``: the evaluation views to open (``ALL_VIEWS``: every one of the task); ``models``: the
    algorithms to compare by label (None: the page's default set).
    """
    name, target, task = table["file"], table["target"], table["task"]
    log.tables.append(name)
    shown = {"file": name, "column_names": table["column_names"], "run_labels": []}

    def load():
        go_to(page, "Load data")
        upload(page, path)
        expect(rows_metric(page)).to_have_text(f"{table['rows']:,}", timeout=SLOW)
    if not log.step(page, name, "upload", load):
        return shown
    if previous is not None:
        check_nothing_left(page, log, previous, shown)
    log.step(page, name, "explore", lambda: (go_to(page, "Explore"), expect(
        page.locator('[data-testid="stDataFrame"]').first).to_be_visible(timeout=SLOW)))

    def model_page():
        go_to(page, "Train and compare")
        choose_target(page, target, task)
        choose(page, "Compare")
        if models is not None:
            choose_models(page, models)
    if not log.step(page, name, "pick the target", model_page):
        return shown

    best = {}

    def compare():
        set_budget(page, compare_budget(table))
        if not compare_button(page).is_enabled():
            cancel_running_job(page)
            raise AssertionError("Compare is disabled: a comparison started on an earlier table is still running")
        compare_button(page).click()
        expect(train_best_button(page)).to_have_count(0, timeout=SLOW)  # the new comparison cleared the board
        try:
            expect(train_best_button(page)).to_be_visible(timeout=compare_budget(table) * 1000 + SLOW)
        finally:
            cancel_running_job(page)  # over time: stop it, or it slows every later table
        settle(page)
        best["label"] = train_best_label(page)
        log.notes.append(f"{name}: {best['label']}")
    if not log.step(page, name, "compare", compare):
        return shown
    log.step(page, name, "compare finished a real model", lambda: _assert_not_baseline(best["label"]))

    def train_best():
        train_best_button(page).first.click()
        expect(page.get_by_text(re.compile("open Evaluate")).first).to_be_visible(timeout=SLOW)
        settle(page)
    if not log.step(page, name, "train the best", train_best):
        return shown

    if not log.step(page, name, "open Evaluate", lambda: (choose(page, "Evaluate"), expect(
            run_picker(page).first).to_be_visible(timeout=SLOW), settle(page))):
        return shown
    shown["run_labels"] = run_choices(page)
    log.step(page, name, "Evaluate offers only this table's one run", lambda: _assert_one(shown["run_labels"]))
    for view in evaluation_views(task) if views == ALL_VIEWS else views:
        def open_view(view=view):
            choose(page, view)
            press_if_present(page, re.compile("^Compute"))
        log.step(page, name, f"view {view}", open_view)
    return shown


def open_app(page: Page, app_url: str, tmp_path: Path) -> FlowLog:
    """Open the app (on its default sample) and start a log whose screenshots go to ``tmp_path``."""
    page.set_default_timeout(60_000)
    page.goto(app_url)
    expect(page.get_by_role("heading", name="Load data")).to_be_visible(timeout=SLOW)
    settle(page)
    return FlowLog(screenshots=tmp_path)


def table_named(corpus, file: str) -> tuple[dict, Path]:
    folder, tables = corpus
    table = next(table for table in tables if table["file"] == file)
    return table, folder / file


def report(log: FlowLog, started: float) -> None:
    """Print the timings and problems (under ``-s``), fail on a new problem, xfail on known ones only."""
    print(f"\nwhole flow on {len(log.tables)} table(s): {time.perf_counter() - started:.0f} s")
    for (table, step), seconds in log.seconds.items():
        print(f"  {table:24} {step:60} {seconds:6.1f} s")
    for note in log.notes:
        print(f"  best: {note}")
    known = [(problem, problem.known()) for problem in log.problems]
    for problem, why in known:
        print(f"  {'KNOWN' if why else 'NEW  '} {problem.table} / {problem.step}: {problem.message}"
              + (f"  [{why}]" if why else ""))
    new = [problem for problem, why in known if why is None]
    assert not new, f"{len(new)} new problem(s):\n" + "\n".join(
        f"{p.table} / {p.step}: {p.message}" for p in new)
    if known:
        pytest.xfail(f"{len(known)} known failure(s) (KNOWN_FAILURES): " + "; ".join(
            f"{p.table} / {p.step}: {why}" for p, why in known))


def first_sample_shown() -> dict:
    """What the app shows on a first visit (its first sample), as ``run_table`` returns for a table."""
    from core.samples import list_samples

    sample = list_samples()[0]
    return {"file": sample.file, "run_labels": [],
            "column_names": list(sample.path.read_text().splitlines()[0].split(","))}
