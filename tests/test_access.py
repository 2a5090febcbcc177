"""Deny by default, on both axes, for every page and endpoint; refused writes change nothing."""

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from epigrid.accounts.access import declared_capability

from .access_cases import API_READS, API_WRITES, PAGE_READS, PAGE_WRITES, fill, placeholders
from .conftest import Api

FINGERPRINT_SKIP = {
    ("accounts", "apitoken"): {"last_used_at"},
    ("accounts", "user"): {"last_login"},
}


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


def run(case, actor, world):
    values = placeholders(world)
    path = fill(case.path, values)
    body = fill(case.body, values)
    if case.api:
        client = Api(world.tokens.get(actor))
        if case.method == "GET":
            return client.client.get(f"/api/v1{path}", headers=client.headers)
        return client.send(case.method, path, body)
    client = Client()
    if actor != "anon":
        client.force_login(world.users[actor])
    if case.method == "GET":
        return client.get(path)
    return client.post(path, body)


def matrix(cases):
    return [pytest.param(c, a, id=f"{c.name}-{a}") for c in cases for a in c.expect]


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "actor"), matrix(API_READS + PAGE_READS))
def test_reads(world, case, actor):
    response = run(case, actor, world)
    assert response.status_code == case.expect[actor], response.content[:300]
    if case.expect[actor] == 302:
        assert "/accounts/login/" in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "actor"), matrix(API_WRITES + PAGE_WRITES))
def test_writes(world, case, actor):
    from epigrid.audit.models import AuditEvent

    before = db_fingerprint()
    audit_before = AuditEvent.objects.count()
    response = run(case, actor, world)
    expected = case.expect[actor]
    assert response.status_code == expected, response.content[:500]
    # An API write succeeds with 200/201; a page write redirects (a 200 re-shows the form
    # with its refusal).
    succeeded = expected in (200, 201) if case.api else (expected == 302 and actor != "anon")
    if succeeded:
        assert db_fingerprint() != before
        assert AuditEvent.objects.count() > audit_before, "a write left no audit event"
        assert AuditEvent.objects.order_by("-id").first().actor_username == actor
    else:
        assert db_fingerprint() == before, "a refused write changed something"


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.callback


def test_every_url_declares_a_capability_or_is_public():
    undeclared = []
    checked = 0
    for route, callback in _walk(get_resolver().url_patterns):
        if route.startswith("api/v1/"):
            continue  # API operations are checked through the OpenAPI schema below
        checked += 1
        if declared_capability(callback) is None:
            undeclared.append(route)
    assert checked > 20
    assert undeclared == []


def test_every_api_operation_declares_a_capability():
    from epigrid.api.urls import api

    schema = api.get_openapi_schema()
    operations = [
        (method.upper(), path, op)
        for path, item in schema["paths"].items()
        for method, op in item.items()
    ]
    assert len(operations) > 25
    missing = [f"{m} {p}" for m, p, op in operations if not op.get("x-capability")]
    assert missing == []
    public = [f"{m} {p}" for m, p, op in operations if op.get("x-capability") == "public"]
    # The one public operation: a self-report link's secret token is its credential (no
    # bearer token); it answers 404 for a wrong token (tests/quarantine/test_selfreport*.py).
    assert public == ["POST /api/v1/quarantine/selfreport/{token}"]


@pytest.mark.django_db
def test_openapi_document_is_served(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "epigrid API"


@pytest.mark.django_db
def test_user_without_assignment_sees_nothing(world):
    from epigrid.accounts.access import SYSTEM
    from epigrid.accounts.services import token_create, user_create

    user = user_create(actor=SYSTEM, username="nobody", password="x", jpath="", validate=False)
    api = Api(token_create(actor=SYSTEM, user=user))
    assert api.get("/jurisdictions").status_code == 403
    assert api.get("/staff").status_code == 403
    client = Client()
    client.force_login(user)
    assert client.get("/").status_code == 403
