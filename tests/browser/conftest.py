"""Browser tests: Debian's Chromium driven by Playwright, pages checked by axe-core."""

import os
import shutil
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client
from playwright.sync_api import sync_playwright

from tests.factories import login_verified

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the test itself
# (arranging data) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: `make test` installs Debian's chromium package.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        locale="fr-FR", viewport={"width": 1280, "height": 900}, base_url=live_server.url
    )
    page = context.new_page()
    yield page
    context.close()


def session_cookie(user, url: str) -> dict:
    """The session cookie of `user` signed in as after a password and a TOTP code, for `url`."""
    client = login_verified(Client(), user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": url,
    }


def role_cookies(world, role: str, url: str) -> list[dict]:
    """The cookies of the permission world's `role` signed in (none for « anonymous »)."""
    return [] if role == "anonymous" else [session_cookie(world.users[role], url)]


@pytest.fixture
def sign_in(page, live_server):
    """`sign_in(user)`: the page's browser goes on as `user` (signing in again replaces the last one)."""

    def sign(user) -> None:
        page.context.clear_cookies()
        page.context.add_cookies([session_cookie(user, live_server.url)])

    return sign


@pytest.fixture(autouse=True)
def close_every_context(browser):
    """Contexts a test opens itself (one per signed-in user) are closed with it: a page left open
    would go on polling the live server (htmx progress bars) while the next tests use the database."""
    yield
    for context in list(browser.contexts):
        context.close()


@pytest.fixture(scope="session")
def axe():
    return Axe()


@pytest.fixture
def look(axe):
    """Save a full-page screenshot for people to look at (unless told another test already keeps
    one of the page), and fail on any axe-core violation."""

    def check(page, name: str, *, screenshot: bool = True) -> None:
        if screenshot:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        results = axe.run(page)
        assert results.violations_count == 0, results.generate_report()

    return check
