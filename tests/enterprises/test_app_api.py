"""Applications and materials over the API: the enterprise's flow end to end, per-field
422s, 409 on a stale version, and an enterprise user finding nothing of another
enterprise's (404) by any endpoint."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from epigrid.audit.models import AuditEvent
from epigrid.enterprises.models import Application, Material

from ..access_runner import db_fingerprint
from ..conftest import Api
from .app_helpers import HTML, PDF, draft, file_items, hire, submitted, upload

pytestmark = pytest.mark.django_db


def api_en(token: str) -> Api:
    """An API client reading the answers in English (the messages asserted below)."""
    client = Api(token)
    client.client = Client(HTTP_ACCEPT_LANGUAGE="en")
    return client


def planned(days: int = 3) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def post_file(world, who: str, app_id: int, item: str, name: str, content: bytes, **extra):
    return Client(HTTP_ACCEPT_LANGUAGE="en").post(
        f"/api/v1/applications/{app_id}/materials",
        {"item": item, "file": upload(name, content), **extra},
        headers={"Authorization": f"Bearer {world.tokens[who]}"},
    )


def test_the_enterprise_applies_uploads_and_submits_over_the_api(eworld):
    ent = api_en(eworld.tokens["ent_a"])
    response = ent.send("POST", "/applications", {"planned_on": planned(), "masks": 300})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["enterprise_name"], body["status"], body["clock"]) == ("锦岗五金厂", "draft", None)
    app_id = body["id"]
    hire(eworld)
    for code in file_items():
        answer = post_file(eworld, "ent_a", app_id, code, f"{code}.pdf", PDF)
        assert answer.status_code == 201, answer.content
    materials = ent.get(f"/applications/{app_id}/materials").json()
    assert sorted(m["item"] for m in materials) == sorted(file_items())
    download = ent.client.get(f"/api/v1/materials/{materials[0]['id']}/file", headers=ent.headers)
    assert download.status_code == 200 and download["X-Content-Type-Options"] == "nosniff"
    response = ent.send("POST", f"/applications/{app_id}/submit", {"version": body["version"]})
    assert response.status_code == 200, response.content
    done = response.json()
    assert done["status"] == "submitted" and done["clock"]["overdue"] is False
    assert done["staff_count"] == 1
    # A second submit with the old version: the status no longer allows it.
    again = ent.send("POST", f"/applications/{app_id}/submit", {"version": body["version"]})
    assert again.status_code == 422
    assert "cannot be changed this way" in again.json()["errors"]["__all__"][0]


def test_bad_input_gets_422_by_field_and_nothing_changes(eworld):
    ent = api_en(eworld.tokens["ent_a"])
    before = db_fingerprint()
    response = ent.send(
        "POST", "/applications", {"planned_on": "2020-01-01", "masks": -5, "note": "x" * 3000}
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"masks", "note"}
    response = ent.send("POST", "/applications", {"planned_on": "2020-01-01"})
    assert response.status_code == 422
    assert "cannot be in the past" in response.json()["errors"]["planned_on"][0]
    assert db_fingerprint() == before


def test_submit_refusal_names_the_missing_items(eworld):
    app = draft(eworld)
    response = Api(eworld.tokens["ent_a"]).send(
        "POST", f"/applications/{app.pk}/submit", {"version": app.version}
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    # The request speaks Chinese (the default language): the message and the items in the
    # checklist's words.
    assert errors["materials"][0].startswith("请上传尚缺的材料：")
    assert "疫情防控应急预案" in errors["materials"][0]
    assert "roster" in errors


def test_a_stale_version_is_a_409(eworld):
    app = draft(eworld)
    ent = Api(eworld.tokens["ent_a"])
    assert (
        ent.send("PATCH", f"/applications/{app.pk}", {"version": 1, "masks": 5}).status_code == 200
    )
    before = db_fingerprint()
    response = ent.send("PATCH", f"/applications/{app.pk}", {"version": 1, "masks": 6})
    assert response.status_code == 409
    assert "已有他人修改" in response.json()["detail"]  # the default language: Chinese
    assert db_fingerprint() == before


def test_a_bad_upload_is_a_422_and_stores_nothing(eworld):
    app = draft(eworld)
    before = db_fingerprint()
    response = post_file(eworld, "ent_a", app.pk, "mechanism", "plan.pdf", HTML)
    assert response.status_code == 422
    assert "not accepted" in response.json()["errors"]["file"][0]
    missing = Client(HTTP_ACCEPT_LANGUAGE="en").post(
        f"/api/v1/applications/{app.pk}/materials",
        {"item": "mechanism"},
        headers={"Authorization": f"Bearer {eworld.tokens['ent_a']}"},
    )
    assert missing.status_code == 422
    assert db_fingerprint() == before


def test_withdraw_and_remove_over_the_api(eworld):
    app = draft(eworld)
    ent = api_en(eworld.tokens["ent_a"])
    material = post_file(eworld, "ent_a", app.pk, "mechanism", "m.pdf", PDF).json()
    assert ent.send("DELETE", f"/materials/{material['id']}").status_code == 204
    assert ent.get(f"/materials/{material['id']}").json()["removed_at"] is not None
    assert ent.get(f"/applications/{app.pk}/materials").json() == []
    assert len(ent.get(f"/applications/{app.pk}/materials", include_removed=True).json()) == 1
    response = ent.send("POST", f"/applications/{app.pk}/withdraw", {"version": app.version})
    assert response.json()["status"] == "withdrawn"


def test_lists_are_scoped_and_filtered(eworld):
    mine = submitted(eworld, "a")
    theirs = submitted(eworld, "b")
    neighbour = draft(eworld, "a2")

    def ids(who, **params):
        return sorted(i["id"] for i in api_en(eworld.tokens[who]).all("/applications", **params))

    assert ids("ent_a") == [mine.pk]
    assert ids("ent_b") == [theirs.pk]
    assert ids("desk") == sorted([mine.pk, theirs.pk, neighbour.pk])
    assert ids("secretary") == sorted([mine.pk, neighbour.pk])
    assert ids("desk", status="draft") == [neighbour.pk]
    assert ids("desk", q="郁文") == [theirs.pk]
    assert ids("desk", within=eworld.nodes["grid_a2"].code) == [neighbour.pk]
    assert ids("desk", enterprise=eworld.enterprises["a"].pk) == [mine.pk]
    listed = api_en(eworld.tokens["worker_b"]).get("/applications").json()["items"]
    assert listed[0]["id"] == theirs.pk
    assert Api(None).get("/applications").status_code == 401


def test_an_enterprise_user_finds_nothing_of_another_enterprise(eworld):
    for key in ("b", "a2"):
        app = draft(eworld, key)
        material = Material.objects.create(
            application=app,
            jpath=app.jpath,
            item="mechanism",
            file="materials/x.pdf",
            original_name="x.pdf",
            content_type="application/pdf",
            size=3,
            sha256="0" * 64,
            uploaded_at=timezone.now(),
        )
        ent = api_en(eworld.tokens["ent_a"])
        before = db_fingerprint()
        audits = AuditEvent.objects.count()
        answers = [
            ent.get(f"/applications/{app.pk}"),
            ent.get(f"/applications/{app.pk}/materials"),
            ent.get(f"/materials/{material.pk}"),
            ent.client.get(f"/api/v1/materials/{material.pk}/file", headers=ent.headers),
            ent.send("PATCH", f"/applications/{app.pk}", {"version": 1, "masks": 1}),
            ent.send("POST", f"/applications/{app.pk}/submit", {"version": 1}),
            ent.send("POST", f"/applications/{app.pk}/supplement", {"version": 1}),
            ent.send("POST", f"/applications/{app.pk}/withdraw", {"version": 1}),
            ent.send("DELETE", f"/materials/{material.pk}"),
            post_file(eworld, "ent_a", app.pk, "mechanism", "m.pdf", PDF),
            ent.send(
                "POST",
                "/applications",
                {"enterprise": eworld.enterprises[key].pk, "planned_on": planned()},
            ),
        ]
        assert [a.status_code for a in answers] == [404] * len(answers), key
        assert db_fingerprint() == before
        assert AuditEvent.objects.count() == audits
    assert Application.objects.filter(enterprise=eworld.enterprises["a"]).count() == 0
