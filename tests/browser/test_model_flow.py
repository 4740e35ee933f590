"""Model in a real browser: train a model on the default sample and see its confusion matrix."""

from playwright.sync_api import expect

from tests.browser.server import wait_idle


def open_step(page, app_url, step):
    """Open the Model page on the default sample and pick one of its steps (Compare, Train one, Tune...)."""
    page.goto(f"{app_url}/model")
    wait_idle(page)
    expect(page.get_by_role("heading", name="Train and compare")).to_be_visible(timeout=30_000)
    page.get_by_role("radio", name=step).or_(page.get_by_role("button", name=step)).first.click()
    wait_idle(page)


def test_train_a_model_and_see_its_confusion_matrix(page, app_url):
    open_step(page, app_url, "Train one")
    page.get_by_role("button", name="Train", exact=True).click()
    wait_idle(page, timeout=120_000)
    expect(page.get_by_text("Trained Histogram gradient boosting", exact=False)).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Confusion matrix").first).to_be_visible()
    expect(page.locator('[data-testid="stPlotlyChart"]').first).to_be_visible(timeout=30_000)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)


def test_tune_runs_in_the_background_and_shows_the_best_setting(page, app_url):
    open_step(page, app_url, "Tune")
    trials = page.get_by_role("spinbutton", name="Trials")
    trials.fill("4")
    trials.press("Enter")
    wait_idle(page)
    page.get_by_role("button", name="Tune", exact=True).last.click()
    expect(page.get_by_text("Best ", exact=False).first).to_be_visible(timeout=120_000)
    expect(page.get_by_text("open Evaluate to see it", exact=False)).to_be_visible(timeout=30_000)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
