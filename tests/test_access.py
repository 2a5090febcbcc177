"""Deny by default, on both axes, for every page and endpoint; refused writes change nothing."""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from epigrid.accounts.access import declared_capability

from .access_cases import API_READS, API_WRITES, PAGE_READS, PAGE_WRITES, placeholders
from .access_runner import assert_read, assert_write, matrix, send
from .conftest import Api


def run(case, actor, world):
    return send(case, actor, world, placeholders(world))


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "actor"), matrix(API_READS + PAGE_READS))
def test_reads(world, case, actor):
    assert_read(run(case, actor, world), case, actor)


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "actor"), matrix(API_WRITES + PAGE_WRITES))
def test_writes(world, case, actor):
    assert_write(case, actor, lambda: run(case, actor, world))


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
    # The public operations: a self-report link's secret token is its credential (no
    # bearer token); it answers 404 for a wrong token (tests/quarantine/test_selfreport*.py).
    # The work-resumption desk's FAQ carries no personal data (tests/enterprises/test_fld_*).
    # The published batches of approvals: enterprise names and dates only
    # (tests/enterprises/test_rev_api.py).
    assert sorted(public) == [
        "GET /api/v1/public/batches",
        "GET /api/v1/public/batches/{code}",
        "GET /api/v1/public/faq",
        "POST /api/v1/quarantine/selfreport/{token}",
    ]


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
