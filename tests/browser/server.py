"""Start the workbench with ``streamlit run app.py`` and drive it in headless Debian Chromium.

Shared by the browser tests and ``scripts/take_screenshots.py``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]


def chromium_path() -> str | None:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(timeout: float = 90.0) -> tuple[subprocess.Popen, str]:
    """Run the app on a free port and wait until its health check answers."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--browser.gatherUsageStats", "false"],
        cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    url = f"http://localhost:{port}"
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited early:\n{process.stdout.read()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return process, url
        except OSError:
            time.sleep(0.3)
    stop_server(process)
    raise RuntimeError(f"streamlit did not answer on {url} within {timeout:.0f} s")


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def launch_browser(playwright):
    return playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)


class RunWatch:
    """Whether the app's script is running, read from the page's websocket messages.

    The page asks for a run with a ``rerun_script`` message and the server answers
    ``session_status_changed`` when a run starts and stops (fragment runs too). Both are seen here
    in the order they happened, so a click whose run has not started yet already counts as busy:
    no fixed sleep can promise that. Attach it before the page opens the app (``watch_runs``).
    """

    def __init__(self) -> None:
        self.running = False
        self.requested = 0  # counts rerun requests sent by the browser...
        self.finished = 0  # ...and, at each stop the server reports, how many had been sent by then
        self.loaded = False  # a run has stopped since the page (re)loaded: its socket is up and answering

    def attach(self, page) -> None:
        page.on("websocket", self._watch)
        page.on("framenavigated", lambda frame: self._navigated(page, frame))

    def _navigated(self, page, frame) -> None:
        if frame == page.main_frame:  # a new document: busy until its own first run has stopped
            self.loaded = False

    def _watch(self, socket) -> None:
        socket.on("framesent", self._sent)
        socket.on("framereceived", self._received)

    def _sent(self, payload) -> None:
        from streamlit.proto.BackMsg_pb2 import BackMsg

        if isinstance(payload, bytes) and BackMsg.FromString(payload).WhichOneof("type") == "rerun_script":
            self.requested += 1

    def _received(self, payload) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        if not isinstance(payload, bytes):
            return
        message = ForwardMsg.FromString(payload)
        if message.WhichOneof("type") == "session_status_changed":
            self.running = message.session_status_changed.script_is_running
            if not self.running:
                self.finished = self.requested
                self.loaded = True

    def unanswered(self) -> bool:
        """A rerun was asked for, the server is not running, and no stop has answered it yet."""
        return self.loaded and not self.running and self.requested > self.finished

    def forget_unanswered(self) -> None:
        self.finished = self.requested

    def busy(self) -> bool:
        return not self.loaded or self.running or self.requested > self.finished


def watch_runs(page):
    """Attach a ``RunWatch`` to ``page`` (before its ``goto``) for ``wait_idle`` to read; returns the page."""
    watch = RunWatch()
    watch.attach(page)
    page._run_watch = watch
    return page


def new_watched_page(browser, **context_options):
    """A page in a new browser context (a new app session), its runs watched; close it with ``page.context``."""
    context = browser.new_context(**{"viewport": {"width": 1400, "height": 1000}, **context_options})
    return watch_runs(context.new_page())


# Without a RunWatch, the run state Streamlit writes on its root element (whatever the toolbar shows:
# this app's minimal toolbar hides the running-man status widget, so that cannot be waited on).
_IDLE_FOR = """([quietMs, token]) => {
    const app = document.querySelector('[data-testid="stApp"]');
    const idle = app !== null && app.dataset.testScriptState === "notRunning"
        && app.dataset.testConnectionState === "CONNECTED";
    if (window.__idleWait === undefined || window.__idleWait.token !== token) {
        window.__idleWait = {token: token, since: null};
    }
    const wait = window.__idleWait;
    if (!idle) { wait.since = null; return false; }
    if (wait.since === null) { wait.since = performance.now(); }
    return performance.now() - wait.since >= quietMs;
}"""


def wait_idle(page, timeout: float = 60_000, quiet: float = 300) -> None:
    """Wait until the app's script has stopped and stayed stopped for ``quiet`` ms.

    The quiet spell covers a run that starts another (``st.rerun``, a fragment polling a job every
    second). On a watched page (``watch_runs``) a rerun asked for but not yet started counts as
    running; otherwise ``stApp``'s ``data-test-script-state`` is read, which only changes once the
    server answers. Raises an ``AssertionError`` (or playwright's ``TimeoutError``) after ``timeout`` ms.
    """
    watch: RunWatch | None = getattr(page, "_run_watch", None)
    if watch is None:
        page.wait_for_timeout(100)  # let a click's rerun reach the server and come back as "running"
        page.wait_for_function(_IDLE_FOR, arg=[quiet, time.monotonic_ns()], timeout=timeout, polling=50)
        return
    deadline = time.monotonic() + timeout / 1000
    quiet_since = time.monotonic()
    unanswered_since = None
    page.wait_for_timeout(30)  # lets playwright deliver the websocket events of the last action
    while time.monotonic() - quiet_since < quiet / 1000:
        if time.monotonic() > deadline:
            raise AssertionError(f"the app was still running after {timeout / 1000:.0f} s")
        if watch.unanswered():
            unanswered_since = unanswered_since or time.monotonic()
            if time.monotonic() - unanswered_since > UNANSWERED_SECONDS and _dom_idle(page):
                watch.forget_unanswered()
        else:
            unanswered_since = None
        if watch.busy():
            quiet_since = time.monotonic()
        page.wait_for_timeout(50)


# A fragment's timer (run_every) can fire once more after its fragment is gone; the server drops that
# request without a status message. After this long with nothing running on either side, it is stale.
UNANSWERED_SECONDS = 5.0


def _dom_idle(page) -> bool:
    return page.evaluate("""() => {
        const app = document.querySelector('[data-testid="stApp"]');
        return app !== null && app.dataset.testScriptState === "notRunning"
            && app.dataset.testConnectionState === "CONNECTED";
    }""")
