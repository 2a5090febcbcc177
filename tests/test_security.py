"""Login, passwords, cookies and headers."""

import pytest
from django.conf import settings as live_settings
from django.test import Client

from .world import PASSWORD


def test_passwords_are_hashed_with_argon2_in_production():
    # The suite swaps in a fast hasher; the configured list is what a deployment uses.
    from importlib import reload

    import epigrid.settings as module

    reload(module)
    assert module.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


@pytest.mark.django_db
def test_argon2_hash_is_stored(world, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    user = world.users["hq"]
    user.set_password("another-strong-pass-1")
    user.save()
    user.refresh_from_db()
    assert user.password.startswith("argon2$")


def _login(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


@pytest.mark.django_db
def test_login_and_logout(world):
    client = Client()
    response = _login(client, "worker_a", PASSWORD)
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert client.get("/accounts/logout/").status_code == 405  # logout is POST only
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_login_is_throttled_after_repeated_failures(world):
    client = Client()
    for _ in range(live_settings.LOGIN_THROTTLE_FAILURES):
        response = _login(client, "worker_a", "wrong")
        assert response.status_code == 401
        assert "不正确" in response.content.decode() or "not correct" in response.content.decode()
    response = _login(client, "worker_a", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another user from another address is not locked.
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert _login(other, "worker_b", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_login_refuses_an_open_redirect(world):
    client = Client()
    response = client.post(
        "/accounts/login/?next=https://evil.example/",
        {"username": "hq", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_login_form_errors_are_fields_not_500(world):
    response = Client().post("/accounts/login/", {"username": "", "password": ""})
    assert response.status_code == 400
    response = Client().post("/accounts/login/", {"username": "x" * 10_000, "password": "y"})
    assert response.status_code == 400


@pytest.mark.django_db
def test_headers(world, web):
    response = web("hq").get("/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_cookies_are_secure_outside_debug():
    from importlib import reload

    import epigrid.settings as module

    reload(module)
    if not module.DEBUG and "EPIGRID_SECURE_COOKIES" not in __import__("os").environ:
        assert module.SESSION_COOKIE_SECURE and module.CSRF_COOKIE_SECURE
    assert module.SESSION_COOKIE_HTTPONLY


@pytest.mark.django_db
def test_csrf_is_enforced(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["hq"])
    response = client.post(
        f"/grids/{world.nodes['grid_a'].code}/rename/", {"name": "x", "version": 1}
    )
    assert response.status_code == 403


@pytest.mark.django_db
def test_one_mistyping_user_does_not_lock_the_whole_office(world):
    office = Client(REMOTE_ADDR="10.1.1.1")
    for _ in range(live_settings.LOGIN_THROTTLE_FAILURES):
        assert _login(office, "worker_a", "wrong").status_code == 401
    assert _login(office, "worker_a", PASSWORD).status_code == 429
    assert _login(Client(REMOTE_ADDR="10.1.1.1"), "secretary", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_very_many_failures_from_one_address_lock_it(world, settings):
    settings.LOGIN_THROTTLE_ADDRESS_FAILURES = 8
    client = Client(REMOTE_ADDR="10.2.2.2")
    for i in range(8):
        assert _login(client, f"guess{i}", "wrong").status_code == 401
    assert _login(client, "hq", PASSWORD).status_code == 429
    assert _login(Client(REMOTE_ADDR="10.3.3.3"), "hq", PASSWORD).status_code == 302
