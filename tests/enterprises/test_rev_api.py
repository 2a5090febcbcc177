"""The review and batches over the API: decisions with 200/409/422 and nothing written on
refusal, the history, the green channel as multipart, publishing, and the public answers,
which carry enterprise names and dates and no other field."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from epigrid.enterprises.models import Application, ApplicationEvent, Batch
from tests.access_runner import db_fingerprint
from tests.conftest import Api

from .rev_world import NOW, frozen, make_application

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n"


def api(world, name):
    client = Api(world.tokens[name])
    client.headers["Accept-Language"] = "en"
    return client


def decide(client, pk, **body):
    with frozen():
        return client.send("POST", f"/applications/{pk}/reviews", body)


def test_a_review_from_start_to_approval(eworld):
    app = make_application(eworld)
    desk = api(eworld, "desk")
    before = db_fingerprint()
    bad = decide(desk, app.pk, action="return", version=1, items=["bogus"], deadline="2020-02-01")
    assert bad.status_code == 422
    assert bad.json()["errors"] == {
        "items": ["Not an item of this application's checklist: bogus."],
        "deadline": ["The deadline cannot be in the past."],
    }
    assert decide(desk, app.pk, action="dance", version=1).status_code == 422
    assert decide(desk, app.pk, action="reject", version=1, note="").json()["errors"] == {
        "reason": ["This field is required."]
    }
    assert db_fingerprint() == before
    started = decide(desk, app.pk, action="start", version=1)
    assert started.status_code == 200
    assert (started.json()["status"], started.json()["version"]) == ("in_review", 2)
    stale = decide(desk, app.pk, action="approve", version=1)
    assert stale.status_code == 409
    assert stale.json()["detail"].startswith("Someone else changed this record")
    approved = decide(desk, app.pk, action="approve", version=2, note="同意")
    assert approved.status_code == 200
    body = approved.json()
    assert (body["status"], body["decision_note"], body["due_at"]) == ("approved", "同意", None)
    again = decide(desk, app.pk, action="reject", version=3, note="x")
    assert again.status_code == 409
    assert "already decided" in again.json()["detail"]
    history = desk.get(f"/applications/{app.pk}/reviews").json()
    assert [(e["action"], e["actor"]) for e in history] == [
        ("start_review", "desk"),
        ("approve", "desk"),
    ]
    # The enterprise reads its own history, without the names of the desk's staff.
    own = api(eworld, "ent_a").get(f"/applications/{app.pk}/reviews").json()
    assert [(e["action"], e["actor"]) for e in own] == [("start_review", None), ("approve", None)]
    assert api(eworld, "ent_b").get(f"/applications/{app.pk}/reviews").status_code == 404


def test_return_through_the_api_sets_items_and_deadline(eworld):
    app = make_application(eworld)
    answer = decide(
        api(eworld, "desk"),
        app.pk,
        action="return",
        version=1,
        items=["training"],
        deadline="2020-02-12",
    )
    assert answer.status_code == 200
    assert (answer.json()["missing_items"], answer.json()["supplement_by"]) == (
        ["training"],
        "2020-02-12",
    )
    history = api(eworld, "ent_a").get(f"/applications/{app.pk}/reviews").json()
    assert (history[0]["items"], history[0]["deadline"]) == (["training"], "2020-02-12")


def test_the_queue_over_the_api(eworld):
    make_application(eworld, "a", due_at=NOW + dt.timedelta(hours=30))
    make_application(eworld, "b", due_at=NOW - dt.timedelta(hours=1))
    with frozen():
        body = api(eworld, "desk").get("/review-queue", limit=1).json()
    assert [r["enterprise"] for r in body["items"]] == ["郁文制衣厂"]
    assert body["items"][0]["clock"]["overdue"] is True
    assert body["items"][0]["round"] == 1
    with frozen():
        rest = api(eworld, "desk").get("/review-queue", limit=1, cursor=body["next"]).json()
    assert [r["enterprise"] for r in rest["items"]] == ["锦岗五金厂"] and rest["next"] is None
    bad = api(eworld, "desk").get("/review-queue", status="nonsense")
    assert bad.status_code == 422
    assert api(eworld, "desk").get("/review-queue", cursor="%%%").status_code == 422


def test_green_channel_multipart(eworld, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    app = make_application(eworld, status="returned", missing_items=["training"])
    desk = api(eworld, "desk")

    def post(data):
        with frozen():
            return desk.client.post(
                f"/api/v1/applications/{app.pk}/green-channel", data, headers=desk.headers
            )

    missing = post({"version": "1"})
    assert missing.status_code == 422
    assert "Record a file for every missing item" in missing.json()["errors"]["files"][0], (
        missing.json()
    )
    stale = post({"version": "5", "training": SimpleUploadedFile("t.pdf", PDF)})
    assert stale.status_code == 409
    ok = post({"version": "1", "note": "现场", "training": SimpleUploadedFile("t.pdf", PDF)})
    assert ok.status_code == 200, ok.content
    assert (ok.json()["status"], ok.json()["green_channel"]) == ("approved", True)
    assert ApplicationEvent.objects.get(application=app).action == "green_channel"


def test_publish_and_read_batches(eworld):
    desk = api(eworld, "desk")
    sub = eworld.nodes["sub"].code
    with frozen():
        none = desk.send("POST", "/batches", {"subdistrict": sub})
    assert none.status_code == 422
    assert none.json()["errors"] == {
        "subdistrict": ["There is no approved application waiting to be published."]
    }
    wrong = desk.send("POST", "/batches", {"subdistrict": eworld.nodes["village_a"].code})
    assert wrong.json()["errors"] == {
        "subdistrict": ["No subdistrict with this code where you may publish."]
    }
    make_application(eworld, "a", status="approved", decided_at=NOW, green_channel=True)
    make_application(eworld, "b", status="approved", decided_at=NOW + dt.timedelta(minutes=5))
    with frozen():
        made = desk.send("POST", "/batches", {"subdistrict": sub, "title": "第一批"})
    assert made.status_code == 201
    batch = made.json()
    assert (batch["number"], batch["title"], batch["size"]) == (1, "第一批", 2)
    entries = desk.get(f"/batches/{batch['id']}/entries").json()["items"]
    assert [(e["enterprise"], e["green_channel"]) for e in entries] == [
        ("锦岗五金厂", True),
        ("郁文制衣厂", False),
    ]
    assert [b["id"] for b in api(eworld, "secretary").get("/batches").json()["items"]] == [
        batch["id"]
    ]
    assert Batch.objects.count() == 1
    assert Application.objects.filter(batch_id=batch["id"]).count() == 2


def test_public_answers_carry_names_and_dates_only(eworld):
    make_application(eworld, "a", status="approved", decided_at=NOW)
    with frozen():
        made = api(eworld, "desk").send(
            "POST", "/batches", {"subdistrict": eworld.nodes["sub"].code}
        )
    code = made.json()["public_code"]
    anonymous = Api(None)
    listing = anonymous.get("/public/batches").json()
    assert set(listing) == {"items", "next"}
    assert [set(b) for b in listing["items"]] == [{"code", "number", "title", "published_on"}]
    one = anonymous.get(f"/public/batches/{code}").json()
    assert set(one) == {"code", "number", "title", "published_on", "entries", "next"}
    assert one["entries"] == [{"enterprise": "锦岗五金厂", "approved_on": "2020-02-10"}]
    text = anonymous.get(f"/public/batches/{code}").content.decode()
    for secret in ("91440785", "陈法人", "李联系", "13712345678", "desk"):
        assert secret not in text
    assert anonymous.get("/public/batches/00000000-0000-0000-0000-000000000000").status_code == 404
