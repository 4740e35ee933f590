"""Fixtures for real-browser tests: one app server per test module, one browser page per test.

Without Chromium the tests skip locally; in CI (CI=true), where .ci/run installs it, they fail.
"""

import os

import pytest

from tests.browser.server import chromium_path, launch_browser, new_watched_page, start_server, stop_server


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="module")
def app_url():
    if chromium_path() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is not installed, but CI must run the browser tests (.ci/run installs it).")
        pytest.skip("Chromium is not installed (Debian package 'chromium'); browser tests skipped.")
    process, url = start_server()
    yield url
    stop_server(process)


@pytest.fixture(scope="module")
def browser(app_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_browser(playwright)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A new session: a page in its own browser context, its runs watched for ``wait_idle``."""
    page = new_watched_page(browser)
    yield page
    page.context.close()


@pytest.fixture(scope="session")
def real_table_corpus():
    """The real public tables of scripts/build_real_tables.py: (folder, manifest rows + column names).

    Built by running the script (it writes nothing when its folder is up to date). Its packages are
    in requirements-dev.txt, so a failure here is an installation problem, never a skip.
    """
    import csv
    import json
    import subprocess
    import sys

    from tests.browser.server import PROJECT_ROOT

    folder = PROJECT_ROOT / ".cache" / "real_tables"
    built = subprocess.run([sys.executable, "scripts/build_real_tables.py", "--out", str(folder)],
                           cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, f"building the real-table corpus failed:\n{built.stderr[-3000:]}"
    tables = json.loads((folder / "manifest.json").read_text())["tables"]
    for table in tables:
        with open(folder / table["file"], newline="", encoding="utf-8") as handle:
            table["column_names"] = next(csv.reader(handle))
    return folder, tables
