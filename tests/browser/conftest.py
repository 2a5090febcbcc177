"""Browser tests: the system Chromium driven by Playwright against pytest-django's live server.

Chromium is never downloaded: Debian's /usr/bin/chromium is used. Without it these tests
are skipped, unless EPIGRID_REQUIRE_BROWSER=1 (set in CI), in which case they fail.
"""

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Response

from tests.conftest import chromium_path
from tests.world import PASSWORD, World, build_world

# Playwright's sync API runs an event loop in the test thread; Django would otherwise refuse
# ORM calls made from the test (building the world) as "async unsafe".
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

NO_CHROMIUM = "Chromium is not installed (apt-get install chromium); browser tests skipped"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


def _require_chromium() -> str:
    path = chromium_path()
    if path is None:
        if os.environ.get("EPIGRID_REQUIRE_BROWSER") == "1":
            pytest.fail(NO_CHROMIUM, pytrace=False)
        pytest.skip(NO_CHROMIUM)
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One Chromium per test module."""
    executable = _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(autouse=True)
def _plain_http_cookies(settings):
    # The live server speaks plain http; Secure cookies would never be sent back.
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


@pytest.fixture
def live_world(transactional_db, live_server) -> Iterator[World]:
    """The test world, committed so the live server's thread sees it.

    The cache (the database cache table) is emptied before and after: transactional flushes
    and --reuse-db keep that table, and a login lock left in it by one test (or an earlier
    run) would refuse the next test's logins.
    """
    from django.core.cache import cache

    cache.clear()
    yield build_world(with_tokens=False)
    cache.clear()


@dataclass
class Browsing:
    """A page in its own browser context, with the live server's address and a screenshot helper."""

    page: Page
    base_url: str
    prefix: str
    problems: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base_url + path

    def goto(self, path: str) -> Response:
        response = self.page.goto(self.url(path))
        assert response is not None
        return response

    def shot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        target = ARTIFACTS / f"{self.prefix}-{name}.png"
        self.page.screenshot(path=str(target), full_page=True)
        return target

    def login(self, username: str, password: str = PASSWORD) -> Response:
        """Fill in and send the real login form; the response to the form's POST."""
        page = self.page
        if "/accounts/login/" not in page.url:
            self.goto("/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        with page.expect_response(
            lambda r: r.request.method == "POST" and "/accounts/login/" in r.url
        ) as posted:
            page.click("button[type=submit].primary")
        page.wait_for_load_state()
        return posted.value

    def html_lang(self) -> str:
        return self.page.evaluate("document.documentElement.lang")


@pytest.fixture
def browse(browser, live_server, request) -> Iterator[Callable[..., Browsing]]:
    """Open pages: browse(viewport=PHONE, locale="zh-CN") -> Browsing.

    Console errors and uncaught page errors (a CSP violation, a broken script) are collected
    and fail the test at teardown.
    """
    contexts = []
    pages: list[Browsing] = []
    test_name = re.sub(r"[^A-Za-z0-9_-]+", "_", request.node.name)

    def open_page(viewport=PHONE, locale="zh-CN") -> Browsing:
        context = browser.new_context(viewport=viewport, locale=locale)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        suffix = "" if not pages else f"-{len(pages) + 1}"
        browsing = Browsing(page=page, base_url=live_server.url, prefix=test_name + suffix)

        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                browsing.problems.append(message.text)

        page.on("console", on_console)
        page.on("pageerror", lambda error: browsing.problems.append(str(error)))
        pages.append(browsing)
        return browsing

    yield open_page
    for context in contexts:
        context.close()
    problems = [
        p
        for b in pages
        for p in b.problems
        # The browser logs every non-2xx answer; the tests assert on those statuses themselves.
        if "Failed to load resource" not in p
    ]
    assert not problems, f"browser console errors: {problems}"
