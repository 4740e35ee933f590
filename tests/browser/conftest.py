"""Fixtures for real-browser tests: one app server per test module, one browser page per test.

Without Chromium the tests skip locally; in CI (CI=true), where .ci/run installs it, they fail.
"""

import os

import pytest

from tests.browser.server import chromium_path, launch_browser, start_server, stop_server


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
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    yield page
    context.close()
