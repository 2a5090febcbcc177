"""The repeat-visitor lookup: latest check by plate, phone or ID in the actor's scope;
names and masked document numbers only, never a full ID number or a phone."""

import json

import pytest
from django.core import signing
from django.test import Client

from epigrid.checkpoints.selectors import lookup as selectors
from epigrid.checkpoints.selectors.lookup import people_from_refs, visitor_lookup

from .field_world import PHONE_A, PHONE_B, RID_A, RID_B, RID_C, check, person, store

pytestmark = pytest.mark.django_db


@pytest.fixture
def seen(cworld):
    """湘A12345 passed grid A's gate twice (the later one with two people); a walker with
    RID_C passed grid B's gate."""
    store(
        cworld,
        check(person("旧司机", RID_B, PHONE_B), plate="湘A12345", minutes_ago=90, origin="长沙"),
        check(
            person("张三", RID_A, PHONE_A),
            person("李四", "", PHONE_B),
            plate="湘A12345",
            minutes_ago=10,
            origin="长沙",
            destination="恩城",
        ),
    )
    store(cworld, check(person("王五", RID_C, "13700137000")), who="worker_b", point="b")
    return cworld


def _flat(sightings) -> str:
    return json.dumps([repr(s) for s in sightings], ensure_ascii=False)


def test_plate_finds_the_latest_check_with_all_its_people_masked(seen):
    actor, cp = seen.actor("worker_a"), seen.checkpoints["a"]
    [s] = visitor_lookup(actor=actor, checkpoint=cp, plate="湘a 12345")
    assert (s.matched, s.plate, s.mode, s.origin, s.destination) == (
        "plate",
        "湘A12345",
        "vehicle",
        "长沙",
        "恩城",
    )
    assert s.checkpoint == "锦岗村口"
    assert [(p.name, p.doc_type, p.doc_masked) for p in s.people] == [
        ("张三", "resident_id", "440785********1233"),
        ("李四", "", ""),
    ]
    text = _flat([s])
    for secret in (RID_A, PHONE_A, PHONE_B, RID_B):
        assert secret not in text


def test_phone_and_id_find_that_person_only(seen):
    actor, cp = seen.actor("worker_a"), seen.checkpoints["a"]
    [by_phone] = visitor_lookup(actor=actor, checkpoint=cp, phone="138 0013 8000")
    assert [p.name for p in by_phone.people] == ["张三"]
    assert by_phone.matched == "phone"
    [by_doc] = visitor_lookup(actor=actor, checkpoint=cp, doc_number=RID_B.lower())
    assert [p.name for p in by_doc.people] == ["旧司机"]
    # PHONE_B was given by two people; the latest check wins.
    [latest] = visitor_lookup(actor=actor, checkpoint=cp, phone=PHONE_B)
    assert [p.name for p in latest.people] == ["李四"]


def test_out_of_scope_finds_nothing(seen):
    # worker_a (grid A) does not find the walker seen only in grid B; worker_b does.
    a, b = seen.actor("worker_a"), seen.actor("worker_b")
    assert visitor_lookup(actor=a, checkpoint=seen.checkpoints["a"], doc_number=RID_C) == []
    assert visitor_lookup(actor=b, checkpoint=seen.checkpoints["b"], plate="湘A12345") == []
    [found] = visitor_lookup(actor=b, checkpoint=seen.checkpoints["b"], doc_number=RID_C)
    assert found.people[0].name == "王五"
    # Headquarters searches the whole city.
    hq = seen.actor("hq")
    assert len(visitor_lookup(actor=hq, checkpoint=seen.checkpoints["b"], plate="湘A12345")) == 1


def test_unreadable_input_finds_nothing(seen):
    actor, cp = seen.actor("worker_a"), seen.checkpoints["a"]
    for kwargs in (
        {"plate": "not a plate"},
        {"phone": "12"},
        {"doc_number": "   "},
        {"plate": "湘A1234" * 20},
        {},
    ):
        assert visitor_lookup(actor=actor, checkpoint=cp, **kwargs) == []


def test_lookup_runs_in_a_constant_number_of_queries(seen, django_assert_max_num_queries):
    actor, cp = seen.actor("worker_a"), seen.checkpoints["a"]
    with django_assert_max_num_queries(4):
        found = visitor_lookup(
            actor=actor, checkpoint=cp, plate="湘A12345", phone=PHONE_A, doc_number=RID_B
        )
    assert [s.matched for s in found] == ["plate", "phone", "doc"]


def test_refs_resolve_only_for_their_worker_checkpoint_and_scope(seen):
    a, cp = seen.actor("worker_a"), seen.checkpoints["a"]
    [s] = visitor_lookup(actor=a, checkpoint=cp, plate="湘A12345")
    refs = [p.ref for p in s.people]
    found = people_from_refs(actor=a, checkpoint=cp, refs=refs)
    assert found[refs[0]].doc_number == RID_A and found[refs[0]].phone == PHONE_A
    assert found[refs[1]].name == "李四"
    # Another worker, another checkpoint, a forged or tampered reference: nothing.
    assert people_from_refs(actor=seen.actor("hq"), checkpoint=cp, refs=refs) == {}
    assert people_from_refs(actor=a, checkpoint=seen.checkpoints["b"], refs=refs) == {}
    forged = signing.dumps({"p": 1, "c": cp.pk, "u": 1}, salt="something else")
    assert people_from_refs(actor=a, checkpoint=cp, refs=[forged, refs[0][:-2] + "xx"]) == {}


def test_refs_expire(seen, monkeypatch):
    a, cp = seen.actor("worker_a"), seen.checkpoints["a"]
    [s] = visitor_lookup(actor=a, checkpoint=cp, plate="湘A12345")
    monkeypatch.setattr(selectors, "REF_MAX_AGE", -1)
    assert people_from_refs(actor=a, checkpoint=cp, refs=[s.people[0].ref]) == {}


def test_api_answers_masked_and_without_refs(seen, api):
    cp = seen.checkpoints["a"]
    response = api("worker_a").get(f"/checkpoints/{cp.pk}/lookup", plate="湘A12345")
    assert response.status_code == 200, response.content
    body = response.json()
    [match] = body["matches"]
    assert [p["name"] for p in match["people"]] == ["张三", "李四"]
    assert match["people"][0] == {
        "name": "张三",
        "doc_type": "resident_id",
        "doc_masked": "440785********1233",
    }
    text = response.content.decode()
    for secret in (RID_A, PHONE_A, PHONE_B):
        assert secret not in text
    by_phone = api("worker_a").get(f"/checkpoints/{cp.pk}/lookup", phone=PHONE_A).json()
    assert PHONE_A not in json.dumps(by_phone) and by_phone["matches"][0]["matched"] == "phone"


def test_api_scope_and_capability(seen, api):
    a, b = seen.checkpoints["a"], seen.checkpoints["b"]
    assert api("worker_b").get(f"/checkpoints/{a.pk}/lookup", plate="湘A12345").status_code == 404
    assert api("analyst").get(f"/checkpoints/{a.pk}/lookup", plate="湘A12345").status_code == 403
    assert api(None).get(f"/checkpoints/{a.pk}/lookup", plate="湘A12345").status_code == 401
    # worker_b at their own checkpoint: grid A's plate is not found.
    empty = api("worker_b").get(f"/checkpoints/{b.pk}/lookup", plate="湘A12345")
    assert empty.status_code == 200 and empty.json() == {"matches": []}
    too_long = api("worker_a").get(f"/checkpoints/{a.pk}/lookup", plate="湘" * 41)
    assert too_long.status_code == 422


def test_page_lookup_gives_refs_and_never_full_identifiers(seen):
    cp = seen.checkpoints["a"]
    client = Client()
    client.force_login(seen.users["worker_a"])
    response = client.get(f"/checkpoints/{cp.pk}/log/lookup/", {"doc": RID_A})
    assert response.status_code == 200
    [match] = response.json()["matches"]
    assert match["people"][0]["name"] == "张三" and match["people"][0]["ref"]
    text = response.content.decode()
    for secret in (RID_A, PHONE_A):
        assert secret not in text
    other = Client()
    other.force_login(seen.users["worker_b"])
    assert other.get(f"/checkpoints/{cp.pk}/log/lookup/", {"doc": RID_A}).status_code == 404
    analyst = Client()
    analyst.force_login(seen.users["analyst"])
    assert analyst.get(f"/checkpoints/{cp.pk}/log/lookup/", {"doc": RID_A}).status_code == 403
