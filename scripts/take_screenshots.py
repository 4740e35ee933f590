"""Open the main pages in headless Chromium and save the small screenshots the README shows.

Run: `.venv/bin/python scripts/take_screenshots.py` (needs Debian's chromium). It writes
docs/screenshots/{data,explore,model}.png, each under MAX_BYTES (a 256-colour PNG of the visible
window), so they can be committed and a fresh clone shows them.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402  (installed with streamlit)
from playwright.sync_api import Page, sync_playwright  # noqa: E402

from tests.browser.server import launch_browser, start_server, stop_server, wait_idle  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
MAX_BYTES = 200_000
VIEWPORT = {"width": 1280, "height": 1400}  # Streamlit scrolls inside the page: the window is the shot


def compare_and_wait(page: Page) -> None:
    """Run the default comparison on the sample and wait for its leaderboard."""
    page.get_by_role("button", name="Compare", exact=True).click()
    page.get_by_role("button", name="Train the best").wait_for(timeout=240_000)
    wait_idle(page)


def wait_for_table(page: Page) -> None:
    """Wait until the page has drawn its first table (the profile is computed on the first visit)."""
    page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=120_000)
    wait_idle(page)


SHOTS = [("data", "", wait_for_table), ("explore", "explore", wait_for_table), ("model", "model", compare_and_wait)]


def save_small(png: bytes, target: Path) -> int:
    """Write ``png`` as a 256-colour PNG; screenshots of a light UI lose nothing visible."""
    target.write_bytes(png)
    Image.open(target).convert("RGB").quantize(colors=256).save(target, optimize=True)
    size = target.stat().st_size
    if size > MAX_BYTES:
        raise SystemExit(f"{target.name} is {size:,} bytes, over {MAX_BYTES:,}: use a smaller viewport")
    return size


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    process, url = start_server()
    try:
        with sync_playwright() as playwright:
            browser = launch_browser(playwright)
            page = browser.new_page(viewport=VIEWPORT)
            for name, path, action in SHOTS:
                page.goto(f"{url}/{path}")
                wait_idle(page)
                if action is not None:
                    action(page)
                page.wait_for_timeout(1500)
                target = OUT / f"{name}.png"
                print(target.relative_to(ROOT), f"{save_small(page.screenshot(), target):,} bytes")
            browser.close()
    finally:
        stop_server(process)


if __name__ == "__main__":
    main()
