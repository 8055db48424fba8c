"""Browser tests: the embedded platform (`jobbridge serve`, demonstration data) driven by a real headless Chromium.

Debian's chromium is used through Playwright (never a browser download). `make test` installs it where apt can;
without it these tests are skipped with the reason printed, or fail under REQUIRE_SERVICES=1 (CI).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests import services

ROOT = Path(__file__).resolve().parents[2]
# The screenshots the README shows are refreshed with CONSOLE_SCREENSHOTS=1 (make screenshots); an ordinary test run
# takes them too, into a folder of its own, so it leaves the working tree as it was.
SHOTS = ROOT / "docs" / "console" if os.environ.get("CONSOLE_SCREENSHOTS") == "1" else \
    Path(tempfile.gettempdir()) / "jobbridge-console-screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
DEMO_PASSWORD = "xingan-demo-2026"
LOCAL_HOSTS = {"127.0.0.1"}
JWT_SECRET = "browser-test-secret-of-at-least-32-bytes"


def chromium_path() -> str | None:
    """CHROMIUM when set (only it), else Debian's /usr/bin/chromium or a chromium on PATH."""
    given = os.environ.get("CHROMIUM")
    candidates = [given] if given else ["/usr/bin/chromium", shutil.which("chromium")]
    return next((c for c in candidates if c and os.access(c, os.X_OK)), None)


def _unavailable(reason: str) -> None:
    print(f"\nbrowser tests: {reason}")
    if services.required():
        pytest.fail(f"{reason}, and REQUIRE_SERVICES is set")
    pytest.skip(f"{reason}; `make test` installs chromium where apt-get can")


# Module-scoped, not session-scoped: sync Playwright runs an event loop in this thread while it is open, and the
# asyncio tests that follow need the thread to themselves.
@pytest.fixture(scope="module")
def browser():
    path = chromium_path()
    if path is None:
        _unavailable(f"no chromium at {os.environ.get('CHROMIUM') or '/usr/bin/chromium'} "
                     "(apt-get install chromium chromium-driver)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - requirements.lock installs it
        _unavailable(f"playwright cannot be imported: {exc}")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


class Server:
    def __init__(self, url: str, log: Path) -> None:
        self.url, self.log = url, log


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`jobbridge serve` with the demonstration data, on a free port of 127.0.0.1, for the whole session."""
    data = tmp_path_factory.mktemp("console-browser")
    port = _free_port()
    log = data / "serve.log"
    env = {**os.environ, "DATA_DIR": str(data), "PORT": str(port), "DEMO": "1", "LOG_LEVEL": "WARNING",
           "CONSOLE_FAILED_SIGNIN_DELAY_SECONDS": "0.2", "JWT_SECRET": JWT_SECRET}
    for name in [k for k in env if k.endswith("_DATABASE_URL") or k in ("BUS", "CONSOLE_API_URL")]:
        env.pop(name)
    with open(log, "wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "jobbridge.cli", "serve", "--port", str(port)], cwd=ROOT,
                                   env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        # The demonstration accounts are printed once the platform has started; the port is listened on a moment
        # later (uvicorn binds it after the app's startup).
        while "accounts (password" not in log.read_text(errors="replace") or not _listening(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start; its log ends:\n{log.read_text()[-3000:]}")
            time.sleep(0.3)
        yield Server(f"http://127.0.0.1:{port}", log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


class Watched:
    """A page whose every request is recorded, so a test can tell that none left the machine."""

    def __init__(self, page) -> None:
        self.page = page
        self.requests: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))

    def off_machine(self) -> list[str]:
        return [url for url in self.requests
                if not url.startswith(("data:", "blob:")) and urlsplit(url).hostname not in LOCAL_HOSTS]


@pytest.fixture
def open_page(browser, server):
    """A new browser context (its own cookies) at a viewport; `sign_in` is done when a username is given."""
    contexts = []

    def make(username: str | None = None, *, width: int = 1366, height: int = 768, **options) -> Watched:
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN",
                                      base_url=server.url, **options)
        contexts.append(context)
        watched = Watched(context.new_page())
        if username:
            sign_in(watched.page, username)
        return watched

    yield make
    for context in contexts:
        context.close()


def sign_in(page, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/console/sign-in")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("domcontentloaded")


def shot(page, name: str) -> None:
    """A screenshot of the page for docs/console/ (shown in the README)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def weight(page) -> int:
    """Bytes the page and everything it loaded take (decoded), as the browser counted them."""
    return page.evaluate("""() => {
        const nav = performance.getEntriesByType('navigation')[0];
        const parts = performance.getEntriesByType('resource').map(r => r.decodedBodySize || r.transferSize || 0);
        return (nav ? nav.decodedBodySize : 0) + parts.reduce((a, b) => a + b, 0);
    }""")
