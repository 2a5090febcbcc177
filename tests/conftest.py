import os
import shutil

import pytest
from django.test import Client

from .world import World, build_world


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    # Argon2 is what production uses (asserted in test_security); tests that only need a
    # login use a fast hasher so the suite stays quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path_factory):
    # Uploaded materials go to a throw-away folder, never into the project's data/.
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _english_for_direct_service_calls():
    # Services speak the active language (Chinese by default). Tests that call them directly
    # match English messages; requests through a client still pick the language per request.
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _empty_cache(request):
    # The cache lives in a database table that transactional tests do not flush: start every
    # database test with no leftover login lock-outs.
    marker = request.node.get_closest_marker("django_db")
    if marker is not None or {"db", "transactional_db", "live_server"} & set(request.fixturenames):
        from django.core.cache import cache

        transactional = "transactional_db" in request.fixturenames or bool(
            marker and (marker.kwargs.get("transaction") or marker.args[:1] == (True,))
        )
        request.getfixturevalue("transactional_db" if transactional else "db")
        cache.clear()
        _restore_migration_data()
    yield


def _restore_migration_data() -> None:
    """Transactional tests flush every table, including rows the migrations put there (the
    default key-person categories): put them back, as a migrated database has them."""
    from importlib import import_module

    from django.apps import apps

    defaults = import_module("epigrid.registry.migrations.0002_default_categories")
    if not apps.get_model("registry", "PersonCategory").objects.exists():
        defaults.create(apps, None)


@pytest.fixture
def world(db) -> World:
    return build_world()


class Api:
    """An API client for one actor (None: no token)."""

    def __init__(self, token: str | None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str, **params):
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def send(self, method: str, path: str, body: dict | None = None):
        return getattr(self.client, method.lower())(
            f"/api/v1{path}",
            data=body or {},
            content_type="application/json",
            headers=self.headers,
        )

    def all(self, path: str, **params) -> list[dict]:
        """Every item of a paginated list, following `next`."""
        items, cursor = [], None
        while True:
            response = self.get(path, **params, **({"cursor": cursor} if cursor else {}))
            assert response.status_code == 200, response.content
            body = response.json()
            items += body["items"]
            cursor = body["next"]
            if not cursor:
                return items


@pytest.fixture
def api(world):
    def make(username: str | None) -> Api:
        return Api(world.tokens.get(username) if username else None)

    return make


@pytest.fixture
def web(world):
    def make(username: str | None) -> Client:
        client = Client()
        if username:
            client.force_login(world.users[username])
        return client

    return make


def chromium_path() -> str | None:
    return shutil.which("chromium") or (
        "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None
    )
