"""Prepare in a real browser: add a cleaning step, see its preview, remove it again."""

from playwright.sync_api import expect

from tests.browser.server import wait_idle


def test_add_preview_and_remove_a_step(page, app_url):
    page.goto(f"{app_url}/prepare")
    wait_idle(page)
    expect(page.get_by_text("No steps yet")).to_be_visible(timeout=30_000)

    page.get_by_role("combobox", name="Step").click()
    page.get_by_role("option", name="Drop duplicate rows").click()
    wait_idle(page)
    preview_rows = page.locator('[data-testid="stMetric"]').filter(has_text="Rows")
    expect(preview_rows.first).to_be_visible()
    expect(page.get_by_text("Removes rows: applied to training data only")).to_be_visible()

    page.get_by_role("button", name="Add step").click()
    wait_idle(page)
    expect(page.get_by_text("1. Drop duplicate rows")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("No steps yet")).to_have_count(0)

    # The step's icon buttons are named by their icons: arrow_upward, arrow_downward, delete.
    page.get_by_role("button", name="delete").click()
    wait_idle(page)
    expect(page.get_by_text("No steps yet")).to_be_visible(timeout=30_000)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
