"""Browser-test fixtures: a live server and real Chromium pages (Playwright).

Stable names, for every browser test in this folder:

- `live_server` — the normal `app` fixture (so the test runs on SQLite and, with
  KIEMTRA_TEST_POSTGRES=1, on PostgreSQL) served by werkzeug in a background
  thread on 127.0.0.1 and a free port. Attributes: `url` ("http://127.0.0.1:PORT"),
  `app`. Commit what you create before the browser looks at it (the server
  runs its own sessions).
- `chromium` (session) — Debian's /usr/bin/chromium launched headless through
  Playwright (never `playwright install`).
- `browser_page(locale="vi", **context_options)` — a factory: a new page in a
  new context at a 390×844 phone viewport whose base URL is the live server,
  so `page.goto("/app")` works. Extra options go to `browser.new_context`
  (e.g. `geolocation={"latitude": .., "longitude": .., "accuracy": 20},
  permissions=["geolocation"]`). `page.context` gives the context
  (`set_offline`, ...). Contexts are closed after the test.
- `login(page, username, password=PASSWORD, next="/app")` — a plain function
  (import it: `from tests.browser.conftest import login`) that signs in through
  the /login form and waits for the page it leads to (`next`) to load. Also exposed as the `login`
  fixture for tests that prefer fixtures.
- `SCREENS` — benchmarks/out/screens/, where tests save screenshots (git-ignored).

Mark browser tests `@pytest.mark.browser`.
"""
from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright
from werkzeug.serving import make_server

from tests.factories import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PHONE = {"width": 390, "height": 844}
SCREENS = Path(__file__).resolve().parents[2] / "benchmarks" / "out" / "screens"


def _closing_at_once(app):
    """The app, with each response body read whole and closed before it is sent.

    The development server skips closing a response when the browser has already
    hung up (its clean-up reads the dead socket first and raises), which leaves a
    static file open until some later garbage collection reports it in whichever
    test runs then. The pages these tests load are small and never streamed.
    """
    def wsgi(environ, start_response):
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
    return wsgi


class LiveServer:
    def __init__(self, app):
        self.app = app
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.server = make_server("127.0.0.1", port, _closing_at_once(app), threaded=True)
        self.url = f"http://127.0.0.1:{port}"
        self.thread = threading.Thread(target=self.server.serve_forever, name="live-server", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@pytest.fixture
def live_server(app):
    server = LiveServer(app)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def chromium():
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# An assertion waits as long as an action does: on a loaded CI machine (a browser, a
# database and a server per worker) a screen can take more than expect()'s default 5 s.
expect.set_options(timeout=15_000)


@pytest.fixture
def browser_page(chromium, live_server):
    contexts = []

    def new_page(locale: str = "vi", **options) -> Page:
        context = chromium.new_context(base_url=live_server.url, viewport=PHONE, locale=locale,
                                       device_scale_factor=1, is_mobile=True, has_touch=True, **options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield new_page
    for context in contexts:
        context.close()


def login(page: Page, username: str, password: str = PASSWORD, next: str = "/app") -> None:
    """Sign in through the /login form and wait for `next` to load."""
    page.goto(f"/login?next={next}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    page.wait_for_load_state()


@pytest.fixture(name="login")
def login_fixture():
    return login
