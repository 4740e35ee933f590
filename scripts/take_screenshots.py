"""Open every page in headless Chromium and save full-page screenshots to docs/screenshots/.

Run: `.venv/bin/python scripts/take_screenshots.py` (needs Debian's chromium). The PNGs are
generated, not committed.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.browser.server import launch_browser, start_server, stop_server, wait_idle  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
PAGES = {"data": "", "explore": "explore", "prepare": "prepare", "model": "model"}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    process, url = start_server()
    try:
        with sync_playwright() as playwright:
            browser = launch_browser(playwright)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            for name, path in PAGES.items():
                page.goto(f"{url}/{path}")
                wait_idle(page)
                page.wait_for_timeout(1500)
                target = OUT / f"{name}.png"
                page.screenshot(path=str(target), full_page=True)
                print(target)
            browser.close()
    finally:
        stop_server(process)


if __name__ == "__main__":
    main()
