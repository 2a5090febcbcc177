"""The logging page and its JSON endpoints: the page itself, the sync endpoint (CSRF,
capability, scope, malformed bodies, repeat-visitor references and self-fill codes resolved
server-side, order kept), the self-fill take and the service worker."""

import datetime as dt
import json
import uuid

import pytest
from django.test import Client
from django.utils import timezone

from epigrid.checkpoints.models import Check, CheckPerson, SelfFill
from epigrid.checkpoints.selectors import lookup as lookup_selectors
from epigrid.checkpoints.services.selffill import selffill_create

from .field_world import PHONE_A, RID_A, check, person, store

pytestmark = pytest.mark.django_db

FILL = {
    "mode": "vehicle",
    "plate": "湘A12345",
    "origin": "长沙",
    "destination": "恩城",
    "people": [
        {"name": "自填甲", "doc_type": "resident_id", "doc_number": RID_A, "phone": PHONE_A},
        {"name": "自填乙"},
    ],
}


def login(world, who, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(world.users[who])
    return client


def page_config(html: str) -> dict:
    import re

    found = re.search(r'<script id="log-config" type="application/json">(.*?)</script>', html, re.S)
    assert found, "the page carries no config"
    return json.loads(found.group(1))


def sync_url(cp):
    return f"/checkpoints/{cp.pk}/log/sync/"


def post(client, cp, checks, **headers):
    return client.post(
        sync_url(cp),
        data=json.dumps({"checks": checks}),
        content_type="application/json",
        headers=headers,
    )


def csrf_client(world, who="worker_a"):
    """A logged-in client that enforces CSRF, with the token the page would read."""
    client = login(world, who, enforce_csrf_checks=True)
    page = client.get(f"/checkpoints/{world.checkpoints['a'].pk}/log/")
    assert page.status_code == 200
    return client, client.cookies["csrftoken"].value


# --------------------------------------------------------------------------- the page


def test_log_page_carries_its_config_and_no_personal_data(cworld):
    cp = cworld.checkpoints["a"]
    response = login(cworld, "worker_a").get(f"/checkpoints/{cp.pk}/log/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="log-config"' in html and "checkpoints/log.js" in html
    assert 'inputmode="decimal"' in html
    config = page_config(html)
    assert config["local_plates"] == ["粤J"] and config["default_province"] == "粤"
    assert config["fever"] == {"threshold": 37.3, "inclusive": True}
    assert config["queue_key"] == f"epigrid.checks.v1.{cworld.users['worker_a'].pk}.{cp.pk}"
    assert config["urls"]["sync"] == sync_url(cp)
    assert config["batch"] == 500


def test_plate_pattern_of_the_page_agrees_with_the_server(cworld):
    import re

    from epigrid.checkpoints import rules

    cp = cworld.checkpoints["a"]
    html = login(cworld, "worker_a").get(f"/checkpoints/{cp.pk}/log/").content.decode()
    pattern = re.compile(page_config(html)["plate_rest_pattern"])
    for plate in (
        "粤J12345",
        "湘AD12345",
        "粤J1234学",
        "粤JI2345",
        "粤J1234",
        "粤J1234567",
        "粤1A2345",
    ):
        assert bool(pattern.match(plate[1:])) == (rules.parse_plate(plate) is not None), plate


@pytest.mark.parametrize(
    ("who", "point", "status"),
    [("worker_a", "a", 200), ("worker_b", "a", 404), ("analyst", "a", 403), ("hq", "b", 200)],
)
def test_log_page_access(cworld, who, point, status):
    cp = cworld.checkpoints[point]
    assert login(cworld, who).get(f"/checkpoints/{cp.pk}/log/").status_code == status


def test_anonymous_is_sent_to_login(cworld):
    cp = cworld.checkpoints["a"]
    for path in ("", "sync/", "lookup/", "selffill/", "sw.js"):
        response = Client().get(f"/checkpoints/{cp.pk}/log/{path}")
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_service_worker_is_served_under_the_page(cworld):
    cp = cworld.checkpoints["a"]
    response = login(cworld, "worker_a").get(f"/checkpoints/{cp.pk}/log/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert b"caches" in response.content
    assert login(cworld, "worker_b").get(f"/checkpoints/{cp.pk}/log/sw.js").status_code == 404


# --------------------------------------------------------------------------- sync


def test_sync_stores_device_checks_and_answers_like_the_api(cworld):
    cp = cworld.checkpoints["a"]
    client, token = csrf_client(cworld)
    good = check(person("张三", RID_A, PHONE_A, 36.6), plate="湘A12345")
    bad = check(person(temperature=50))
    response = post(client, cp, [good, bad], **{"X-CSRFToken": token})
    assert response.status_code == 200
    body = response.json()
    assert (body["stored"], body["known"], body["refused"]) == (1, 0, 1)
    assert [r["status"] for r in body["results"]] == ["stored", "refused"]
    assert "people.0.temperature" in body["results"][1]["errors"]
    stored = Check.objects.get()
    assert (stored.source, stored.nonlocal_vehicle, stored.plate) == ("device", True, "湘A12345")
    assert stored.recorded_by == cworld.users["worker_a"]
    again = post(client, cp, [good], **{"X-CSRFToken": token}).json()
    assert again["known"] == 1 and Check.objects.count() == 1


def test_sync_requires_the_csrf_token(cworld):
    cp = cworld.checkpoints["a"]
    client, _token = csrf_client(cworld)
    response = post(client, cp, [check()])
    assert response.status_code == 403
    assert Check.objects.count() == 0


@pytest.mark.parametrize(("who", "status"), [("worker_b", 404), ("analyst", 403)])
def test_sync_requires_capability_and_scope(cworld, who, status):
    cp = cworld.checkpoints["a"]
    response = post(login(cworld, who), cp, [check()])
    assert response.status_code == status
    assert Check.objects.count() == 0
    anonymous = post(Client(), cp, [check()])
    assert anonymous.status_code == 302 and Check.objects.count() == 0


def test_sync_is_post_only(cworld):
    cp = cworld.checkpoints["a"]
    assert login(cworld, "worker_a").get(sync_url(cp)).status_code == 405


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        b"[]",
        b'{"checks": []}',
        b'{"checks": {"a": 1}}',
        json.dumps({"checks": [{}] * 501}).encode(),
        '{"checks": "\xff"}'.encode("latin-1"),
    ],
)
def test_sync_refuses_malformed_bodies_with_422(cworld, raw):
    cp = cworld.checkpoints["a"]
    response = login(cworld, "worker_a").post(
        sync_url(cp), data=raw, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["errors"]
    assert Check.objects.count() == 0


def test_sync_resolves_repeat_visitor_refs_server_side(cworld):
    cp = cworld.checkpoints["a"]
    store(cworld, check(person("张三", RID_A, PHONE_A), plate="湘A12345", minutes_ago=60))
    client = login(cworld, "worker_a")
    [match] = client.get(f"/checkpoints/{cp.pk}/log/lookup/", {"plate": "湘A12345"}).json()[
        "matches"
    ]
    ref = match["people"][0]["ref"]
    again = check(
        {"ref": ref, "temperature": 36.9}, person("新乘客", temperature=36.4), plate="湘A12345"
    )
    body = post(client, cp, [again]).json()
    assert body["stored"] == 1, body
    new = Check.objects.get(uuid=again["uuid"])
    people = list(CheckPerson.objects.filter(check_row=new).order_by("seq"))
    assert [(p.name, p.doc_number, p.phone, str(p.temperature)) for p in people] == [
        ("张三", RID_A, PHONE_A, "36.9"),
        ("新乘客", "", "", "36.4"),
    ]


def test_sync_refuses_a_bad_ref_and_stores_the_others(cworld):
    cp = cworld.checkpoints["a"]
    client = login(cworld, "worker_a")
    bad = check({"ref": "forged:ref", "temperature": 36.5})
    good = check()
    body = post(client, cp, [bad, good]).json()
    assert [r["status"] for r in body["results"]] == ["refused", "stored"]
    assert body["results"][0]["uuid"] == bad["uuid"]
    assert "people.0" in body["results"][0]["errors"]
    assert Check.objects.count() == 1


def test_a_resent_check_is_known_even_when_its_ref_expired(cworld, monkeypatch):
    cp = cworld.checkpoints["a"]
    store(cworld, check(person("张三", RID_A), plate="湘A12345", minutes_ago=60))
    client = login(cworld, "worker_a")
    ref = client.get(f"/checkpoints/{cp.pk}/log/lookup/", {"doc": RID_A}).json()["matches"][0][
        "people"
    ][0]["ref"]
    item = check({"ref": ref, "temperature": 36.5})
    assert post(client, cp, [item]).json()["stored"] == 1
    monkeypatch.setattr(lookup_selectors, "REF_MAX_AGE", -1)
    assert post(client, cp, [item]).json()["results"][0]["status"] == "known"


def test_sync_resolves_self_fill_codes_and_marks_the_fill_used(cworld):
    cp = cworld.checkpoints["a"]
    fill = selffill_create(checkpoint=cp, data=FILL, client="t")
    client = login(cworld, "worker_a")
    taken = client.get(f"/checkpoints/{cp.pk}/log/selffill/", {"code": fill.code})
    assert taken.status_code == 200
    assert [p["doc_masked"] for p in taken.json()["people"]] == ["440785********1233", ""]
    assert RID_A not in taken.content.decode() and PHONE_A not in taken.content.decode()

    before = Check.objects.count()
    device = check()
    filled = check(
        {"temperature": 36.6},
        {"temperature": 37.0},
        plate="湘A12345",
        selffill_code=fill.code.lower(),
    )
    filled["origin"], filled["destination"] = "", "开平"  # empty: the fill's; given: the worker's
    after = check()
    body = post(client, cp, [device, filled, after]).json()
    assert [r["status"] for r in body["results"]] == ["stored"] * 3, body
    assert [r["uuid"] for r in body["results"]] == [device["uuid"], filled["uuid"], after["uuid"]]
    assert Check.objects.count() == before + 3
    stored = Check.objects.get(uuid=filled["uuid"])
    assert (stored.source, stored.plate, stored.origin, stored.destination) == (
        "self_fill",
        "湘A12345",
        "长沙",
        "开平",
    )
    people = list(CheckPerson.objects.filter(check_row=stored).order_by("seq"))
    assert [(p.name, p.doc_number, p.phone, str(p.temperature)) for p in people] == [
        ("自填甲", RID_A, PHONE_A, "36.6"),
        ("自填乙", "", "", "37.0"),
    ]
    assert Check.objects.get(uuid=device["uuid"]).source == "device"
    fill.refresh_from_db()
    assert fill.used_at is not None and fill.check_row == stored

    # Sent again: known. The same code for another check: refused, nothing stored.
    assert post(client, cp, [filled]).json()["results"][0]["status"] == "known"
    reuse = check({"temperature": 36.5}, selffill_code=fill.code)
    answer = post(client, cp, [reuse]).json()["results"][0]
    assert answer["status"] == "refused" and "selffill_code" in answer["errors"]
    assert client.get(f"/checkpoints/{cp.pk}/log/selffill/", {"code": fill.code}).status_code == 404
    assert Check.objects.count() == before + 3


def test_sync_refuses_unknown_or_expired_codes(cworld):
    cp = cworld.checkpoints["a"]
    client = login(cworld, "worker_a")
    unknown = check({"temperature": 36.5}, selffill_code="ZZZZZZ")
    old = selffill_create(
        checkpoint=cp, data=FILL, client="t", now=timezone.now() - dt.timedelta(hours=7)
    )
    late = check({"temperature": 36.5}, selffill_code=old.code)  # made after the expiry
    early = check({"temperature": 36.5}, selffill_code=old.code, minutes_ago=6 * 60 + 30)
    other_point = selffill_create(checkpoint=cworld.checkpoints["b"], data=FILL, client="t")
    elsewhere = check({"temperature": 36.5}, selffill_code=other_point.code)
    body = post(client, cp, [unknown, late, elsewhere, early]).json()
    assert [r["status"] for r in body["results"]] == ["refused", "refused", "refused", "stored"]
    assert all("selffill_code" in r["errors"] for r in body["results"][:3])
    assert Check.objects.count() == 1
    assert SelfFill.objects.get(pk=other_point.pk).used_at is None


def test_selffill_take_scope_and_unknown_code(cworld):
    cp = cworld.checkpoints["a"]
    fill = selffill_create(checkpoint=cp, data=FILL, client="t")
    response = login(cworld, "worker_a").get(
        f"/checkpoints/{cp.pk}/log/selffill/", {"code": "nope"}
    )
    assert response.status_code == 404 and "code" in response.json()["errors"]
    other = login(cworld, "worker_b").get(
        f"/checkpoints/{cp.pk}/log/selffill/", {"code": fill.code}
    )
    assert other.status_code == 404
    assert "自填甲" not in other.content.decode()


def test_uuid_spelling_does_not_matter_for_known(cworld):
    cp = cworld.checkpoints["a"]
    client = login(cworld, "worker_a")
    item = check()
    assert post(client, cp, [item]).json()["stored"] == 1
    upper = {**item, "uuid": uuid.UUID(item["uuid"]).hex.upper()}
    assert post(client, cp, [upper]).json()["results"][0]["status"] == "known"


def test_a_closed_checkpoint_shows_no_form_but_still_uploads(cworld):
    cp = cworld.checkpoints["a"]
    cp.active_until = timezone.localdate()
    cp.save()
    client = login(cworld, "worker_a")
    html = client.get(f"/checkpoints/{cp.pk}/log/").content.decode()
    assert 'data-testid="ended"' in html and 'id="check-form"' not in html
    # Checks the phone queued while it was open still reach the server.
    body = post(client, cp, [check(minutes_ago=60 * 24 + 5)]).json()
    assert body["stored"] == 1, body
