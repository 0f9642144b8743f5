"""Browser tests: a real headless Chromium (Debian's) driven by Playwright's sync API
against pytest-django's live server.

Every test under tests/e2e is marked ``e2e`` and runs on a transactional database (the
live server thread only sees committed rows). Without /usr/bin/chromium the tests are
skipped, unless CI=true (then the top-level conftest already failed the session).
"""

import os

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run
# in a thread with a running loop unless told it is safe (it is: the loop is Playwright's).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import re  # noqa: E402
import shutil  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from playwright.sync_api import Page  # noqa: E402

from tests.conftest import CHROMIUM, REQUIRE_SERVICES  # noqa: E402

E2E_DIR = Path(__file__).resolve().parent
REPO_DIR = E2E_DIR.parent.parent
ARTIFACTS_DIR = REPO_DIR / "artifacts" / "e2e"
PASSWORD = "pass-word-123"
TIMEOUT_MS = 15_000

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def pytest_collection_modifyitems(config, items):
    chromium_missing = shutil.which(CHROMIUM) is None
    for item in items:
        if E2E_DIR not in Path(item.path).resolve().parents:
            continue
        item.add_marker(pytest.mark.e2e)
        item.add_marker(pytest.mark.django_db(transaction=True))
        if chromium_missing and not REQUIRE_SERVICES:
            item.add_marker(pytest.mark.skip(reason=f"{CHROMIUM} is missing"))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": ["--no-sandbox", "--disable-background-networking"],
    }


def _page(new_context, **context_args) -> Page:
    context = new_context(**context_args)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context.new_page()


@pytest.fixture
def phone_page(new_context) -> Page:
    """A rep's phone: 360x740, touch, Chinese browser."""
    return _page(new_context, viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")


@pytest.fixture
def desktop_page(new_context) -> Page:
    """An office PC: 1280x800, Chinese browser."""
    return _page(new_context, viewport=DESKTOP, locale="zh-CN")


def login(page: Page, live_server, username: str, password: str = PASSWORD) -> Page:
    """Log in through the login form; returns once the resulting page has loaded."""
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("[data-testid=login-submit]")
    return page


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot to artifacts/e2e/<name>.png."""
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@dataclass
class PageProblems:
    """Console errors, uncaught exceptions and failed static requests seen by a page.

    CSP violations and missing vendor files show up here."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)

    def attach(self, page: Page) -> "PageProblems":
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        page.on("requestfailed", self._on_request_failed)
        page.on("response", self._on_response)
        return self

    def _on_console(self, message) -> None:
        if message.type != "error":
            return
        url = message.location.get("url", "")
        self.console_errors.append(f"{message.text} @ {url}")

    def _on_request_failed(self, request) -> None:
        # ERR_ABORTED is the browser cancelling a load because the page navigated away
        # (a click that leaves the page while the favicon loads): not a missing file.
        # Missing files show up as HTTP errors in _on_response.
        if "/static/" in request.url and "ERR_ABORTED" not in (request.failure or ""):
            self.failed_requests.append(f"{request.url}: {request.failure}")

    def _on_response(self, response) -> None:
        if "/static/" in response.url and response.status >= 400:
            self.failed_requests.append(f"{response.url}: HTTP {response.status}")

    def all(self) -> list[str]:
        return [*self.console_errors, *self.page_errors, *self.failed_requests]


def watch(page: Page) -> PageProblems:
    return PageProblems().attach(page)
