"""Every evaluation view is reachable on a laptop and on a wide screen (the old row of buttons was clipped)."""

from playwright.sync_api import expect

from tests.browser.server import new_watched_page, wait_idle

VIEWS = ["Confusion matrix", "ROC", "Precision-recall", "Calibration", "Threshold", "Report",
         "Permutation importance", "Built-in importance", "Partial dependence", "Learning curve", "Tree"]


def open_select(page, name):
    """Click a select box until its options show (a box that kept focus from a rerun needs two clicks)."""
    for _ in range(3):
        page.get_by_role("combobox", name=name).click()
        try:
            expect(page.get_by_role("option").first).to_be_visible(timeout=2_000)
            return
        except AssertionError:
            continue
    raise AssertionError(f"The select box '{name}' did not open.")


WIDTHS = [1280, 1920]  # a laptop and a wide screen: one model trained, both widths checked


def test_every_evaluation_view_can_be_chosen(browser, app_url):
    page = new_watched_page(browser, viewport={"width": WIDTHS[0], "height": 900})
    try:
        page.goto(f"{app_url}/model")
        wait_idle(page)
        page.get_by_role("radio", name="Train one").or_(page.get_by_role("button", name="Train one")).first.click()
        wait_idle(page)
        page.get_by_role("combobox", name="Algorithm").click()
        page.get_by_role("option", name="Decision tree").click()
        wait_idle(page)
        page.get_by_role("button", name="Train", exact=True).click()
        wait_idle(page, timeout=120_000)
        expect(page.get_by_text("Trained Decision tree", exact=False)).to_be_visible(timeout=60_000)
        expect(page.locator('[data-testid="stPlotlyChart"]').first).to_be_visible(timeout=30_000)
        wait_idle(page)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            wait_idle(page)
            open_select(page, "View")
            for name in VIEWS:
                option = page.get_by_role("option", name=name, exact=True)
                expect(option).to_have_count(1)
                option.scroll_into_view_if_needed()
                box = option.bounding_box()
                assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, (width, name, box)
            page.keyboard.press("Escape")
        open_select(page, "View")
        page.get_by_role("option", name="Tree", exact=True).click()
        wait_idle(page)
        expect(page.locator('[data-testid="stPlotlyChart"]').first).to_be_visible(timeout=30_000)
        expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    finally:
        page.context.close()
