"""A new user's first minutes: the app opens on a sample, takes their CSV, profiles it, refuses junk."""

from playwright.sync_api import expect

from tests.browser.server import wait_idle

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + bytes(200)


def metric_value(page, label):
    return page.locator('[data-testid="stMetric"]').filter(has_text=label).locator(
        '[data-testid="stMetricValue"]')


def expect_no_exception(page):
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)


def upload(page, path):
    page.locator('[data-testid="stFileUploader"] input[type=file]').first.set_input_files(str(path))
    wait_idle(page)


def test_opens_on_the_sample_dataset(page, app_url):
    page.goto(app_url)
    wait_idle(page)
    expect(page.get_by_role("heading", name="Load data")).to_be_visible()
    expect(metric_value(page, "Rows")).to_have_text("344", timeout=30_000)
    expect(page.get_by_text("penguins.csv").first).to_be_visible()
    expect_no_exception(page)


def test_deep_link_opens_inside_the_navigation(page, app_url):
    page.goto(f"{app_url}/explore")
    wait_idle(page)
    sidebar = page.locator('[data-testid="stSidebar"]')
    for title in ("Load data", "Explore", "Clean and encode"):
        expect(sidebar.get_by_role("link", name=title)).to_be_visible(timeout=30_000)
    expect(page.get_by_role("heading", name="Profile")).to_be_visible()
    expect_no_exception(page)


def test_upload_profile_and_bad_file(page, app_url, tmp_path):
    rows = ["city;price;rooms;kind"]
    for i in range(30):
        price = "" if i % 7 == 0 else f"{1000 + i * 13},{i % 10}"
        rows.append(f"{['Köln', 'Bonn', 'Essen'][i % 3]};{price};{1 + i % 4};{'flat' if i % 2 else 'house'}")
    good = tmp_path / "homes.csv"
    good.write_bytes("\n".join(rows).encode("cp1252"))

    page.goto(app_url)
    wait_idle(page)
    upload(page, good)
    expect(metric_value(page, "Rows")).to_have_text("30", timeout=30_000)
    expect(metric_value(page, "Columns")).to_have_text("4")

    page.locator('[data-testid="stSidebar"]').get_by_role("link", name="Explore").click()
    wait_idle(page)
    profile = page.locator('[data-testid="stDataFrame"]').first
    expect(profile).to_be_visible(timeout=30_000)
    expect(page.locator('[data-testid="stPlotlyChart"]').first).to_be_visible(timeout=30_000)
    # The grid draws on a canvas; its accessible cells exist but are not "visible".
    cells = set(profile.locator('[role="gridcell"]').all_inner_texts())
    assert {"city", "price", "rooms", "kind", "categorical", "numeric"} <= cells, sorted(cells)[:40]
    expect_no_exception(page)

    page.locator('[data-testid="stSidebar"]').get_by_role("link", name="Load data").click()
    wait_idle(page)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(PNG_BYTES)
    upload(page, bad)
    expect(page.locator('[data-testid="stAlert"]').filter(has_text="PNG").first).to_be_visible(timeout=30_000)
    expect(metric_value(page, "Rows")).to_have_text("30")
    expect_no_exception(page)
