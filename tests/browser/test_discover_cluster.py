"""Cluster in a real browser: cluster the default sample, see the projection and the profiles in words."""

from playwright.sync_api import expect

from tests.browser.server import wait_idle


def test_cluster_the_sample_and_see_the_projection_and_the_profiles(page, app_url):
    page.goto(f"{app_url}/discover_cluster")
    wait_idle(page)
    expect(page.get_by_role("heading", name="Cluster").first).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Distance-based methods", exact=False)).to_be_visible()
    stability = page.get_by_role("spinbutton", name="Stability runs (0 = skip)")
    stability.fill("2")
    stability.press("Enter")
    wait_idle(page)
    page.get_by_role("button", name="Cluster", exact=True).click()
    expect(page.get_by_text("What sets each cluster apart")).to_be_visible(timeout=120_000)
    expect(page.get_by_text("cluster 0:", exact=False).first).to_be_visible()
    expect(page.get_by_text("Stability:", exact=False)).to_be_visible()
    expect(page.locator('[data-testid="stPlotlyChart"]').first).to_be_visible(timeout=30_000)
    expect(page.get_by_text("coloured by its cluster", exact=False)).to_be_visible()
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
