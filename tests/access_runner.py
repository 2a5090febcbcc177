"""Running an access matrix (tests/access_cases.py and each app's own cases): one case sent
as one actor, and the checks every matrix makes: a read answers as expected (an anonymous
page read goes to the login page); an allowed write changes something and is audited in the
actor's name; a refused write changes nothing at all."""

from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.test import Client

from .conftest import Api

FINGERPRINT_SKIP = {
    ("accounts", "apitoken"): {"last_used_at"},
    ("accounts", "user"): {"last_login"},
}
# An API write succeeds with one of these; a page write redirects (a 200 re-shows the form
# with its refusal).
API_SUCCESS = (200, 201, 204)


def db_fingerprint() -> dict:
    """Every row of every epigrid table (small test world), minus usage timestamps."""
    state = {}
    for model in apps.get_models():
        if not model.__module__.startswith("epigrid."):
            continue
        skip = FINGERPRINT_SKIP.get((model._meta.app_label, model._meta.model_name), set())
        fields = [f.attname for f in model._meta.concrete_fields if f.attname not in skip]
        state[model._meta.label] = sorted(
            tuple(str(v) for v in row) for row in model.objects.values_list(*fields)
        )
    return state


def matrix(cases):
    return [pytest.param(c, a, id=f"{c.name}-{a}") for c in cases for a in c.expect]


def send(case, actor: str, world, values: dict[str, Any]):
    """The case's request, placeholders filled from `values`, as `actor` ("anon": nobody)."""
    from .access_cases import fill

    path, body = fill(case.path, values), fill(case.body, values)
    if case.api:
        client = Api(world.tokens.get(actor))
        if case.method == "GET":
            return client.client.get(f"/api/v1{path}", headers=client.headers)
        return client.send(case.method, path, body)
    web = Client()
    if actor != "anon":
        web.force_login(world.users[actor])
    return web.get(path) if case.method == "GET" else web.post(path, body)


def assert_read(response, case, actor: str) -> None:
    assert response.status_code == case.expect[actor], response.content[:300]
    if case.expect[actor] == 302:
        assert "/accounts/login/" in response["Location"]


def assert_write(
    case, actor: str, request: Callable[[], Any], *, refusal_audits_nothing: bool = False
):
    """Sends the write through `request()` and checks what it changed; returns the answer."""
    from epigrid.audit.models import AuditEvent

    before = db_fingerprint()
    audit_before = AuditEvent.objects.count()
    response = request()
    expected = case.expect[actor]
    assert response.status_code == expected, response.content[:500]
    succeeded = expected in API_SUCCESS if case.api else (expected == 302 and actor != "anon")
    if succeeded:
        if not case.api:
            assert "/accounts/login/" not in response["Location"]
        assert db_fingerprint() != before
        assert AuditEvent.objects.count() > audit_before, "a write left no audit event"
        assert AuditEvent.objects.order_by("-id").first().actor_username == actor
    else:
        assert db_fingerprint() == before, "a refused write changed something"
        if refusal_audits_nothing:
            assert AuditEvent.objects.count() == audit_before
        if actor == "anon" and not case.api:
            assert "/accounts/login/" in response["Location"]
    return response
