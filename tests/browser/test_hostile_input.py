"""A file whose name, column names and cells are hostile, driven through every page in Chromium.

Nothing from the data may run (no dialog), reach outside (no request to another host) or render as
markup (no live link, outside image, bold payload or typeset maths), and no page shows a traceback.
"""

from __future__ import annotations

import csv
import io
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from tests.browser.server import wait_idle

BOLD = "boldpayload"
LINK = '<a href="javascript:alert(1)">link</a>'
IMAGE = "<img src=http://example.invalid/x.png>"
MARKDOWN_IMAGE = "![t](http://example.invalid/i.png)"
MATHS = "$x^2$"
JS_LINK = "[js](javascript:alert(2))"
CONTROL = "ctl\x07bell\x1b[31m\u202eflip"
LONG = "L" * 10_000
FILE_NAME = f"{IMAGE} **{BOLD}** {MATHS} [f](javascript:alert(4)).csv"
RENAMED = f"**{BOLD}2** <img src=http://example.invalid/r.png> $y$"
VIEWS = ["Column", "Correlations", "Scatter", "Scatter matrix", "Missing values", "Target"]


def hostile_csv() -> bytes:
    header = [LINK, IMAGE, f"**{BOLD}**", MARKDOWN_IMAGE, MATHS, JS_LINK, CONTROL, LONG, "label"]
    cells = ['<a href="javascript:alert(3)">c</a>', "![c](http://example.invalid/c.png)", "$y$", f"**{BOLD}**"]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for i in range(60):
        writer.writerow([i * 1.5, (i * 7) % 11, i % 5, cells[i % 4], (i * 3) % 7 + 0.5, i % 9,
                         "" if i % 6 == 0 else i, cells[(i + 1) % 4],
                         "**yes**" if i % 3 else "<img src=http://example.invalid/t.png>"])
    return out.getvalue().encode("utf-8")


@pytest.fixture
def watched(page):
    """The page, with every dialog and every request to another host recorded."""
    dialogs: list[str] = []
    outside: list[str] = []

    def on_dialog(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    def on_request(request):
        url = urlparse(request.url)
        if url.scheme in {"http", "https", "ws", "wss"} and url.hostname not in {"localhost", "127.0.0.1"}:
            outside.append(request.url)

    page.on("dialog", on_dialog)
    page.on("request", on_request)
    page.dialogs, page.outside = dialogs, outside
    return page


def assert_safe(page, where: str) -> None:
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    rendered = {
        "javascript link": 'a[href^="javascript" i]',
        "outside link": 'a[href*="example.invalid"]',
        "outside image": 'img[src*="example.invalid"], image[href*="example.invalid"]',
        "typeset maths": ".katex, mjx-container",
    }
    for what, selector in rendered.items():
        found = page.locator(selector)
        assert found.count() == 0, f"{what} rendered on {where}: " + found.first.evaluate(
            "e => { let p = e; while (p && !(p.dataset && p.dataset.testid)) p = p.parentElement;"
            " return (p ? p.dataset.testid + ': ' : '') + e.outerHTML.slice(0, 300); }")
    # Our own bold may hold the payload, but then with its asterisks shown: '**boldpayload**' as typed.
    bold = page.locator(f'strong:has-text("{BOLD}"), b:has-text("{BOLD}")').all_inner_texts()
    assert all(f"**{BOLD}" in text for text in bold), f"bold payload rendered on {where}: {bold}"
    assert page.dialogs == [], f"dialog on {where}: {page.dialogs}"
    assert page.outside == [], f"request to another host on {where}: {page.outside}"


def go(page, title: str) -> None:
    page.locator('[data-testid="stSidebar"]').get_by_role("link", name=title).click()
    wait_idle(page)


def pick(page, combobox: str, option: str) -> None:
    page.get_by_role("combobox", name=combobox).click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_idle(page)


def test_hostile_names_and_cells_stay_plain_text_on_every_page(watched, app_url):
    page = watched
    page.goto(app_url)
    wait_idle(page)
    page.locator('[data-testid="stFileUploader"] input[type=file]').first.set_input_files(
        {"name": FILE_NAME, "mimeType": "text/csv", "buffer": hostile_csv()})
    wait_idle(page)
    rows = page.locator('[data-testid="stMetric"]').filter(has_text="Rows").locator('[data-testid="stMetricValue"]')
    expect(rows).to_have_text("60", timeout=30_000)
    expect(page.locator('[data-testid="stSidebar"]').get_by_text(f"**{BOLD}**", exact=False)).to_be_visible()
    assert_safe(page, "Load data")

    go(page, "Explore")
    pick(page, "Target column (optional): what you want to predict", "label")
    for view in VIEWS:
        page.get_by_role("radio", name=view, exact=True).or_(
            page.get_by_role("button", name=view, exact=True)).first.click()
        wait_idle(page)
        if view != "Missing values":
            expect(page.locator('[data-testid="stPlotlyChart"]').first).to_be_visible(timeout=30_000)
        assert_safe(page, f"Explore / {view}")

    go(page, "Clean and encode")
    pick(page, "Step", "Rename a column")
    new_name = page.get_by_role("textbox", name="New name")
    new_name.fill(RENAMED)
    new_name.press("Enter")
    wait_idle(page)
    page.get_by_role("button", name="Add step").click()
    wait_idle(page)
    expect(page.get_by_text(f"**{BOLD}2**", exact=False).first).to_be_visible(timeout=30_000)
    page.get_by_text("Equivalent Python code").click()
    wait_idle(page)
    # The page holds other code blocks in closed expanders: look inside the one just opened.
    code_expander = page.locator('[data-testid="stExpander"]').filter(has_text="Equivalent Python code")
    expect(code_expander.locator('[data-testid="stCode"]').first).to_be_visible(timeout=30_000)
    assert_safe(page, "Clean and encode")

    go(page, "Train and compare")
    budget = page.get_by_role("spinbutton", name="Time budget, seconds (0 = none)")
    budget.fill("5")
    budget.press("Enter")
    wait_idle(page)
    page.get_by_role("button", name="Compare", exact=True).click()
    expect(page.get_by_role("button", name="Train the best", exact=False)).to_be_visible(timeout=60_000)
    wait_idle(page)
    assert_safe(page, "Train and compare")
