"""Enterprise needs and liaisons, through the API and the services: who raises, who works
on a need, the refusals (a resolved need without a resolution, a stale version, an
enterprise user changing status) with nothing written, the list's order and filters in a
constant number of queries."""

import pytest

from epigrid.audit.models import AuditEvent
from epigrid.enterprises.models import Liaison, Need
from epigrid.enterprises.services.liaisons import liaison_assign
from epigrid.enterprises.services.needs import need_raise
from tests.access_runner import db_fingerprint

from .fld_world import api, fworld_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def raise_need(world, key="a", who="desk", kind="supplies", text="缺口罩两千只"):
    return need_raise(
        actor=world.actor(who), enterprise=world.enterprises[key], kind=kind, description=text
    )


def test_an_enterprise_raises_its_own_need_and_follows_it(fworld):
    ent = api(fworld, "ent_a")
    r = ent.send("POST", "/needs", {"kind": "transport", "description": " 员工返岗 需要包车 "})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["enterprise"] == fworld.enterprises["a"].pk
    assert (body["status"], body["description"], body["version"]) == (
        "open",
        "员工返岗 需要包车",
        1,
    )
    assert AuditEvent.objects.filter(action="need.raise", actor_username="ent_a").count() == 1
    # Another enterprise's id: as if it did not exist.
    before = db_fingerprint()
    r = ent.send(
        "POST",
        "/needs",
        {"enterprise": fworld.enterprises["b"].pk, "kind": "other", "description": "x"},
    )
    assert r.status_code == 404
    # It may not change status or owner of its own need.
    r = ent.send("PATCH", f"/needs/{body['id']}", {"version": 1, "status": "in_progress"})
    assert r.status_code == 403
    assert db_fingerprint() == before
    # The desk resolves it; the enterprise sees the resolution.
    desk = api(fworld, "desk")
    r = desk.send(
        "PATCH",
        f"/needs/{body['id']}",
        {
            "version": 1,
            "status": "resolved",
            "resolution": "已安排公交专线",
            "owner": fworld.users["desk"].pk,
        },
    )
    assert r.status_code == 200, r.content
    seen = ent.get(f"/needs/{body['id']}").json()
    assert (seen["status"], seen["resolution"], seen["owner"]["username"]) == (
        "resolved",
        "已安排公交专线",
        "desk",
    )
    assert seen["resolved_at"] is not None and seen["version"] == 2


def test_refusals_write_nothing(fworld):
    need = raise_need(fworld)
    desk = api(fworld, "desk")
    before = db_fingerprint()
    r = desk.send("PATCH", f"/needs/{need.pk}", {"version": 1, "status": "resolved"})
    assert r.status_code == 422
    assert r.json()["errors"] == {"resolution": ["Say how the need was resolved."]}
    r = desk.send("PATCH", f"/needs/{need.pk}", {"version": 1, "status": "closed"})
    assert r.status_code == 422
    assert list(r.json()["errors"]) == ["status"]
    r = desk.send(
        "POST",
        "/needs",
        {"enterprise": fworld.enterprises["a"].pk, "kind": "other", "description": "  "},
    )
    assert r.status_code == 422
    assert r.json()["errors"] == {"description": ["This field is required."]}
    r = desk.send("PATCH", f"/needs/{need.pk}", {"version": 1, "owner": fworld.users["ent_a"].pk})
    assert r.status_code == 422
    assert list(r.json()["errors"]) == ["owner"]
    # analyst reads but may not change; worker_b does not see grid A's need.
    r = api(fworld, "analyst").send(
        "PATCH", f"/needs/{need.pk}", {"version": 1, "status": "in_progress"}
    )
    assert r.status_code == 403
    assert api(fworld, "worker_b").get(f"/needs/{need.pk}").status_code == 404
    assert db_fingerprint() == before
    # A stale version: the second editor loses with a conflict message.
    assert (
        desk.send("PATCH", f"/needs/{need.pk}", {"version": 1, "status": "in_progress"}).status_code
        == 200
    )
    before = db_fingerprint()
    r = desk.send(
        "PATCH", f"/needs/{need.pk}", {"version": 1, "status": "resolved", "resolution": "好"}
    )
    assert r.status_code == 409
    assert "Someone else changed this record" in r.json()["detail"]
    assert db_fingerprint() == before


def test_reopening_clears_resolved_at_and_keeps_the_history(fworld):
    need = raise_need(fworld)
    desk = api(fworld, "desk")
    desk.send(
        "PATCH", f"/needs/{need.pk}", {"version": 1, "status": "resolved", "resolution": "已解决"}
    )
    r = desk.send("PATCH", f"/needs/{need.pk}", {"version": 2, "status": "open"})
    assert r.status_code == 200
    assert (r.json()["status"], r.json()["resolved_at"], r.json()["resolution"]) == (
        "open",
        None,
        "已解决",
    )
    assert AuditEvent.objects.filter(action="need.update", entity_id=str(need.pk)).count() == 2


def test_the_need_list_orders_filters_and_scopes_in_constant_queries(
    fworld, django_assert_num_queries
):
    a1 = raise_need(fworld, text="一")
    a2 = raise_need(fworld, key="a2", kind="staff", text="二")
    b1 = raise_need(fworld, key="b", text="三")
    desk = fworld.actor("desk")
    from epigrid.enterprises.services.needs import need_update

    need_update(actor=desk, need=a1, version=1, status="resolved", resolution="好")
    need_update(actor=desk, need=b1, version=1, status="in_progress")
    desk_api = api(fworld, "desk")
    ids = [n["id"] for n in desk_api.get("/needs").json()["items"]]
    assert ids == [a2.pk, b1.pk, a1.pk]  # open, being solved, resolved
    assert [n["id"] for n in desk_api.get("/needs", status="unresolved").json()["items"]] == [
        a2.pk,
        b1.pk,
    ]
    assert [n["id"] for n in desk_api.get("/needs", kind="staff").json()["items"]] == [a2.pk]
    assert [n["id"] for n in desk_api.get("/needs", q="郁文").json()["items"]] == [b1.pk]
    assert [n["id"] for n in api(fworld, "ent_a").get("/needs").json()["items"]] == [a1.pk]
    assert [n["id"] for n in api(fworld, "inspector").get("/needs").json()["items"]] == [
        a2.pk,
        a1.pk,
    ]
    assert api(fworld, "ent_a").get(f"/needs/{a2.pk}").status_code == 404
    assert api(fworld, None).get("/needs").status_code == 401
    from epigrid.enterprises.selectors.needs import need_list

    def run():
        return [(n.enterprise.name, n.owner, n.raised_by) for n in need_list(actor=desk)]

    with django_assert_num_queries(1):
        run()
    for i in range(5):
        raise_need(fworld, key="b", text=f"更多{i}")
    with django_assert_num_queries(1):
        assert len(run()) == 8


def test_liaisons_assign_end_and_my_enterprises(fworld):
    hq = api(fworld, "hq")
    inspector = fworld.users["inspector"]
    r = hq.send(
        "POST",
        "/liaisons",
        {"enterprise": fworld.enterprises["a"].pk, "leader": inspector.pk, "note": "包联"},
    )
    assert r.status_code == 201, r.content
    liaison_id = r.json()["id"]
    before = db_fingerprint()
    r = hq.send(
        "POST", "/liaisons", {"enterprise": fworld.enterprises["a"].pk, "leader": inspector.pk}
    )
    assert r.status_code == 422
    assert r.json()["errors"] == {"leader": ["This leader is already this enterprise's liaison."]}
    # Grid B lies outside what the inspector sees: not a liaison there.
    r = hq.send(
        "POST", "/liaisons", {"enterprise": fworld.enterprises["b"].pk, "leader": inspector.pk}
    )
    assert r.status_code == 422
    assert r.json()["errors"] == {
        "leader": ["A liaison must be a staff user who can see this enterprise."]
    }
    assert api(fworld, "desk").send("DELETE", f"/liaisons/{liaison_id}").status_code == 403
    assert db_fingerprint() == before
    # The liaison raises a need of its enterprise; its page lists it with one open need.
    raise_need(fworld, who="inspector")
    from epigrid.enterprises.selectors.liaisons import my_enterprises

    mine = list(my_enterprises(actor=fworld.actor("inspector")))
    assert [(e.name, e.open_needs) for e in mine] == [("锦岗五金厂", 1)]
    assert [
        x["enterprise_name"] for x in api(fworld, "ent_a").get("/liaisons").json()["items"]
    ] == ["锦岗五金厂"]
    assert api(fworld, "ent_b").get("/liaisons").json()["items"] == []
    assert hq.send("DELETE", f"/liaisons/{liaison_id}").status_code == 204
    assert Liaison.objects.get(pk=liaison_id).active_until is not None
    assert hq.get("/liaisons").json()["items"] == []
    assert list(my_enterprises(actor=fworld.actor("inspector"))) == []
    assert AuditEvent.objects.filter(action__startswith="liaison.").count() == 2
    assert Need.objects.count() == 1


def test_liaison_assign_service_refuses_outsiders(fworld):
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    with pytest.raises(PermissionDenied):
        liaison_assign(
            actor=fworld.actor("desk"),
            enterprise=fworld.enterprises["a"],
            leader=fworld.users["hq"],
        )
    with pytest.raises(Http404):
        liaison_assign(
            actor=fworld.actor("ent_b"),
            enterprise=fworld.enterprises["a"],
            leader=fworld.users["hq"],
        )
    assert Liaison.objects.count() == 0
