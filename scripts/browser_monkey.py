"""A seeded browser monkey: random clicks on the workbench's pages in headless Chromium.

Starts ``streamlit run app.py`` (as the browser tests do), then for each seed and page clicks
random visible controls (buttons, select boxes and their options, tabs, checkboxes, sliders,
expanders, number and text inputs), waiting for the app to be idle after each action. It records
every traceback element (``data-testid="stException"``) or 'Traceback' text, and every action
after which the app stays busy for more than 30 s, with a screenshot in /tmp/monkey/.

Run: ``.venv/bin/python scripts/browser_monkey.py --steps 100 --seeds 1 2 3`` (exit 1 on problems).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.browser.server import launch_browser, start_server, stop_server, wait_idle  # noqa: E402

OUT = Path("/tmp/monkey")
HANG_MS = 30_000
CLICK_MS = 2_500  # an element that cannot be clicked by then is covered or gone: a miss
PAGES = {"data": "", "explore": "explore", "prepare": "prepare", "model": "model"}
TEXTS = ["", "0", "-1", "2.5", "abc", "other", "=1+1", "ü名🎉", "nan", "x" * 200]
# Controls the monkey leaves alone: the file chooser (it would wait for a file) and app chrome.
SKIP_BUTTON_NAMES = ("Browse files", "Upload", "Deploy", "Main menu", "Collapse sidebar", "Expand sidebar")
NAV_SHARE = 0.1  # how often the monkey may also switch page
NAV_TITLES = {"data": "Load data", "explore": "Explore", "prepare": "Clean and encode", "model": "Train and compare"}
CONTROLS = {
    "button": '[data-testid="stMain"] button:not([kind="elementToolbar"])',
    "combobox": '[data-testid="stMain"] [role="combobox"]',
    "tab": '[data-testid="stMain"] [data-testid="stTab"]',
    "checkbox": '[data-testid="stMain"] [data-testid="stCheckbox"] label',
    "slider": '[data-testid="stMain"] [role="slider"]',
    "expander": '[data-testid="stMain"] [data-testid="stExpander"] summary',
    "number": '[data-testid="stMain"] [data-testid="stNumberInput"] input',
    "text": '[data-testid="stMain"] [data-testid="stTextInput"] input',
    "nav": '[data-testid="stSidebar"] [data-testid="stPageLink-NavLink"]',
}


@dataclass
class Problem:
    seed: int
    page: str
    step: int
    kind: str  # "exception" or "hang"
    detail: str
    screenshot: str
    actions: list[str] = field(default_factory=list)


_MARK_CONTROLS = """([controls, skip]) => {
  const found = [];
  let next = 0;
  document.querySelectorAll('[data-monkey-id]').forEach(e => e.removeAttribute('data-monkey-id'));
  for (const [kind, selector] of Object.entries(controls)) {
    for (const element of document.querySelectorAll(selector)) {
      const box = element.getBoundingClientRect();
      const style = getComputedStyle(element);
      if (box.width === 0 || box.height === 0 || style.visibility === 'hidden') continue;
      if (!element.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) continue;  // collapsed
      if (element.disabled || element.getAttribute('aria-disabled') === 'true') continue;
      // Plotly's mode bar, element toolbars and a select box's own arrow are not the app's controls.
      if (kind === 'button' && element.closest(
        '[data-testid="stPlotlyChart"], [data-testid="stElementToolbar"], [data-testid="stSelectbox"], '
        + '[data-testid="stMultiSelect"], [data-testid="stFileUploader"]')) continue;
      const label = (element.getAttribute('aria-label') || element.innerText || element.value || '')
        .replace(/\\s+/g, ' ').trim().slice(0, 60);
      if (kind === 'button' && skip.some(name => label.includes(name))) continue;
      element.setAttribute('data-monkey-id', String(next));
      found.push([next, kind, label, element.getAttribute('href') || '']);
      next += 1;
    }
  }
  return found;
}"""


def _candidates(page, allowed_pages: set[str]) -> list[tuple[str, object, str]]:
    """Visible, enabled controls as (kind, locator, label); marked in one pass in the page."""
    found = []
    for number, kind, label, _href in page.evaluate(_MARK_CONTROLS, [CONTROLS, list(SKIP_BUTTON_NAMES)]):
        if kind == "nav" and not any(label.endswith(title) for title in allowed_pages):
            continue
        found.append((kind, page.locator(f'[data-monkey-id="{number}"]'), label))
    return found


def _act(rng: random.Random, page, kind: str, element, label: str) -> str:
    """Do one random thing with ``element``; return it in words."""
    if kind == "combobox":
        element.click(timeout=CLICK_MS)
        options = page.get_by_role("option")
        try:
            options.first.wait_for(state="visible", timeout=2000)
        except Exception:
            pass
        count = options.count()
        if not count:
            page.keyboard.press("Escape")
            return f"open select {label!r} (no options)"
        option = options.nth(rng.randrange(count))
        chosen = " ".join(option.inner_text(timeout=2000).split())[:60]
        option.click(timeout=CLICK_MS)
        page.keyboard.press("Escape")
        return f"choose {chosen!r} in {label!r}"
    if kind == "slider":
        element.focus()
        key = rng.choice(["ArrowLeft", "ArrowRight", "Home", "End"])
        for _ in range(rng.randint(1, 5)):
            page.keyboard.press(key)
        return f"slider {label!r} {key}"
    if kind == "number":
        value = rng.choice(["0", "1", "-5", "3", "1000", "0.5", "99999"])
        element.fill(value, timeout=CLICK_MS)
        element.press("Enter")
        return f"type {value!r} into number {label!r}"
    if kind == "text":
        value = rng.choice(TEXTS)
        element.fill(value, timeout=CLICK_MS)
        element.press("Enter")
        return f"type {value[:20]!r} into {label!r}"
    element.click(timeout=CLICK_MS)
    return f"click {kind} {label!r}"


def _problems_on_page(page) -> str | None:
    exceptions = page.locator('[data-testid="stException"]')
    if exceptions.count():
        return exceptions.first.inner_text(timeout=CLICK_MS)[:1500]
    main = page.locator('[data-testid="stMain"]')
    if main.count() and "Traceback (most recent call last)" in main.inner_text(timeout=CLICK_MS):
        return "the page shows 'Traceback' text"
    return None


def _open_app(page, url: str) -> None:
    page.goto(url)
    page.locator('[data-testid="stMain"] h1').first.wait_for(state="visible", timeout=60_000)
    wait_idle(page)


def run_monkey(browser, url: str, seed: int, page_name: str, steps: int, upload: Path | None = None,
               log=print) -> tuple[list[Problem], int]:
    """Click ``steps`` random controls starting on ``page_name``; return problems and actions done."""
    rng = random.Random(f"{seed}-{page_name}")
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    problems: list[Problem] = []
    trail: list[str] = []
    done = 0
    allowed = set(NAV_TITLES.values())
    try:
        _open_app(page, url)
        if upload is not None:
            page.locator('[data-testid="stFileUploader"] input[type=file]').first.set_input_files(str(upload))
            wait_idle(page)
            trail.append(f"upload {upload.name}")
        if PAGES[page_name]:
            page.locator(CONTROLS["nav"]).filter(has_text=NAV_TITLES[page_name]).first.click()
            wait_idle(page)
        trail.append(f"open {page_name}")
        for step in range(steps):
            candidates = _candidates(page, allowed)
            if not candidates:  # the page may still be drawing: give it one more moment
                page.wait_for_timeout(1000)
                candidates = _candidates(page, allowed)
            if not candidates:
                trail.append("nothing to click")
                break
            on_page = [candidate for candidate in candidates if candidate[0] != "nav"]
            pool = candidates if not on_page or rng.random() < NAV_SHARE else on_page
            kind, element, label = rng.choice(pool)
            try:
                trail.append(_act(rng, page, kind, element, label))
            except Exception as exc:  # an element that vanished or is covered: a miss, not an app bug
                trail.append(f"missed {kind}: {type(exc).__name__}")
                log(f"missed {kind} {label!r}: {str(exc)[:300]}")
                page.keyboard.press("Escape")
                continue
            done += 1
            started = time.monotonic()
            try:
                wait_idle(page, timeout=HANG_MS)
                detail, what = _problems_on_page(page), "exception"
            except Exception:
                detail, what = f"still running after {time.monotonic() - started:.0f} s", "hang"
            if detail:
                shot = OUT / f"seed{seed}-{page_name}-step{step}.png"
                OUT.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(shot), full_page=True)
                problems.append(Problem(seed, page_name, step, what, detail, str(shot), list(trail)))
                log(f"PROBLEM seed={seed} page={page_name} step={step} {what}: {detail[:200]}")
                _open_app(page, url)  # start again from a fresh session so one bug is not counted twice
                trail = [f"reload after problem at step {step}"]
    finally:
        context.close()
    return problems, done


def _awkward_files(directory: Path) -> list[Path]:
    files = {
        "one_column.csv": "value\n" + "\n".join(str(i % 7) for i in range(30)),
        "two_rows.csv": "a,b,c\n1,x,2020-01-01\n2,y,2020-01-02\n",
        "dates_missing.csv": "when,amount,group\n" + "\n".join(
            f"2021-{1 + i % 12:02d}-{1 + i % 28:02d},{'' if i % 3 else i * 1.5},{'' if i % 4 == 0 else 'abc'[i % 3]}"
            for i in range(40)),
        "dup_unicode.csv": "名前,名前,Größe,rows\n" + "\n".join(f"Ünï {i % 3},{i},{i * 0.5},{'ab'[i % 2]}"
                                                               for i in range(20)),
    }
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in files.items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=60, help="actions per seed and page")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--pages", nargs="+", default=list(PAGES), choices=list(PAGES))
    parser.add_argument("--uploads", action="store_true", help="start some runs from an awkward upload")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    uploads = _awkward_files(OUT / "files") if args.uploads else []
    process, url = start_server()
    problems: list[Problem] = []
    actions = 0
    started = time.monotonic()
    try:
        with sync_playwright() as playwright:
            browser = launch_browser(playwright)
            for seed in args.seeds:
                for page_name in args.pages:
                    upload = uploads[(seed + len(page_name)) % len(uploads)] if uploads else None
                    found, done = run_monkey(browser, url, seed, page_name, args.steps, upload)
                    problems += found
                    actions += done
                    print(f"seed {seed} {page_name}: {done} actions, {len(found)} problem(s)", flush=True)
            browser.close()
    finally:
        stop_server(process)
    report = {"actions": actions, "seconds": round(time.monotonic() - started),
              "problems": [asdict(problem) for problem in problems]}
    (OUT / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(json.dumps({k: v for k, v in report.items() if k != "problems"} | {"problems": len(problems)}))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
