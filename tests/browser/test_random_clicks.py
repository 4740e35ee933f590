"""A short seeded run of scripts/browser_monkey.py: random clicks on each page must never show a traceback.

The long runs (hundreds of actions, several seeds) are ``.venv/bin/python scripts/browser_monkey.py``.
"""

import pytest

from scripts.browser_monkey import run_monkey

STEPS_PER_PAGE = 12  # 36 actions in all, under a minute with the server start


@pytest.mark.parametrize("page_name", ["data", "explore", "prepare"])
def test_random_clicks_show_no_traceback_and_never_hang(browser, app_url, page_name):
    problems, done = run_monkey(browser, app_url, seed=7, page_name=page_name, steps=STEPS_PER_PAGE,
                                log=lambda message: None)
    assert done >= STEPS_PER_PAGE // 2, f"only {done} of {STEPS_PER_PAGE} clicks landed; the monkey lost its way"
    assert not problems, "\n\n".join(
        f"{problem.kind} after: {' -> '.join(problem.actions)}\n{problem.detail}\n(screenshot {problem.screenshot})"
        for problem in problems)
