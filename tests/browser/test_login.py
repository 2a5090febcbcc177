"""Login throttling as a person at the login form sees it."""

import pytest

from tests.world import PASSWORD

from .conftest import PHONE

pytestmark = pytest.mark.browser

# English is the source language, so these are the exact texts whatever the translations say.
WRONG = "The user name or password is not correct."
LOCKED = "Too many failed attempts. Wait 15 minutes and try again."


def test_five_wrong_passwords_lock_the_account(live_world, browse, settings):
    settings.LOGIN_THROTTLE_FAILURES = 5
    b = browse(viewport=PHONE)
    page = b.page
    errors = page.locator("form .errors[role=alert]")

    b.goto("/accounts/login/")
    with page.expect_navigation():
        page.click("[data-testid=lang-switch]")
    assert b.html_lang() == "en"

    for attempt in range(1, 6):
        posted = b.login("secretary", f"wrong-password-{attempt}")
        assert posted.status == 401, attempt
        assert errors.inner_text().strip() == WRONG
        assert page.input_value("#id_username") == "secretary"
    b.shot("01-fifth-wrong-password")

    posted = b.login("secretary", PASSWORD)
    assert posted.status == 429
    assert errors.inner_text().strip() == LOCKED
    assert page.url.startswith(b.url("/accounts/login/"))
    assert page.locator("form[action='/accounts/logout/']").count() == 0  # not logged in
    b.shot("02-correct-password-refused")

    # Still locked: the dashboard sends them back to the login page.
    b.goto("/")
    assert page.url.startswith(b.url("/accounts/login/"))


def test_correct_password_logs_in_and_out(live_world, browse):
    """The control for the throttle test: the same user, the right password, no lock."""
    b = browse(viewport=PHONE)
    page = b.page

    posted = b.login("secretary")
    assert posted.status == 302
    assert page.url == b.url("/")
    assert (
        page.locator("[data-testid=dashboard-title]").evaluate(
            "el => el.firstChild.textContent.trim()"
        )
        == "锦岗村"
    )
    b.shot("01-dashboard")

    with page.expect_navigation():
        page.locator("form[action='/accounts/logout/'] button").click()
    assert page.url == b.url("/accounts/login/")
    b.shot("02-logged-out")
