"""Task forces: set up, edit, end (ENTERPRISES_MANAGE over the area, audited); the list
with its counts in a constant number of queries and the viewer's own first; a task
force's enterprises in working order. Clock: 2020-02-16 09:30."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from epigrid.audit.models import AuditEvent
from epigrid.enterprises.models import Enterprise, TaskForce
from epigrid.enterprises.selectors.taskforces import task_force_enterprises, task_force_list
from epigrid.enterprises.services.inspections import inspection_record
from epigrid.enterprises.services.taskforces import task_force_create, task_force_update
from tests.access_runner import db_fingerprint
from tests.enterprises.world import make_enterprise

from .fld_world import DAY, all_ok, api, fworld_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def inspect(world, key, on=DAY, **failing):
    return inspection_record(
        actor=world.actor("hq"),
        enterprise=world.enterprises[key],
        task_force=None,
        inspected_on=on,
        results=all_ok(**failing),
    )


def test_create_update_and_refusals(fworld):
    n, u = fworld.nodes, fworld.users
    hq = fworld.actor("hq")
    before = db_fingerprint()
    with pytest.raises(ValidationError) as exc:
        task_force_create(actor=hq, name="x", jurisdiction=n["grid_a"], leader=u["hq"])
    assert exc.value.message_dict == {
        "jurisdiction": ["A task force covers a subdistrict, a village or a community."]
    }
    with pytest.raises(ValidationError) as exc:
        task_force_create(
            actor=hq, name="x", jurisdiction=n["village_b"], leader=u["ent_a"], members=[u["ent_b"]]
        )
    assert exc.value.message_dict == {
        "leader": ["The leader must be a staff user with a role."],
        "members": ["Not staff users with a role: ent_b."],
    }
    with pytest.raises(PermissionDenied):
        task_force_create(
            actor=fworld.actor("desk"), name="x", jurisdiction=n["village_b"], leader=u["hq"]
        )
    with pytest.raises(Http404):  # the secretary manages village A only
        task_force_create(
            actor=fworld.actor("secretary"), name="x", jurisdiction=n["village_b"], leader=u["hq"]
        )
    assert db_fingerprint() == before
    tf = task_force_create(
        actor=hq,
        name=" 郁文村专班 ",
        jurisdiction=n["village_b"],
        leader=u["worker_b"],
        members=[u["worker_b"], u["analyst"]],
    )
    assert (tf.name, tf.jpath, tf.active_from) == ("郁文村专班", n["village_b"].path, DAY)
    assert [m.username for m in tf.members.all()] == ["analyst"]  # the leader is not repeated
    tf = task_force_update(actor=hq, task_force=tf, members=[u["desk"]], leader=u["hq"])
    assert (tf.leader.username, [m.username for m in tf.members.all()]) == ("hq", ["desk"])
    event = AuditEvent.objects.filter(action="task_force.update").latest("id")
    assert (event.before["members"], event.after["members"]) == ([u["analyst"].pk], [u["desk"].pk])


def test_the_list_counts_in_constant_queries_and_puts_mine_first(fworld, django_assert_num_queries):
    inspect(fworld, "a", supplies="缺口罩")  # village A: a inspected with a rectification open
    body = api(fworld, "inspector").get("/task-forces").json()
    assert [(t["name"], t["mine"]) for t in body["items"]] == [("锦岗村复工检查专班", True)]
    t = body["items"][0]
    assert (
        t["enterprises"],
        t["uninspected"],
        t["inspections_done"],
        t["rectifications_open"],
    ) == (
        2,
        1,
        0,
        1,
    )
    names = [
        (t["name"], t["mine"], t["enterprises"])
        for t in api(fworld, "desk").get("/task-forces").json()["items"]
    ]
    assert names == [("恩城街道第一专班", True, 3), ("锦岗村复工检查专班", False, 2)]
    assert api(fworld, "ent_a").get("/task-forces").status_code == 403
    assert api(fworld, "worker_b").get("/task-forces").json()["items"] == []

    hq = fworld.actor("hq")

    def run():
        return [
            (t.leader.username, t.jurisdiction.code, t.enterprise_count, t.open_rectification_count)
            for t in task_force_list(actor=hq)
        ]

    with django_assert_num_queries(1):
        run()
    for i in range(4):
        task_force_create(
            actor=fworld.actor("hq"),
            name=f"专班{i}",
            jurisdiction=fworld.nodes["community_c"],
            leader=fworld.users["analyst"],
            members=[fworld.users["desk"]],
        )
    with django_assert_num_queries(1):
        assert len(run()) == 6


def test_enterprises_in_working_order(fworld):
    n = fworld.nodes
    extra = {
        key: make_enterprise(fworld, key=key, grid="grid_a", name=name, uscc=uscc)
        for key, name, uscc in (
            ("c", "甲厂", "91440785MA4UJ8XZ0J"),
            ("d", "乙厂", "91440785MA4UJ8Y00X"),
        )
    }
    fworld.enterprises.update(extra)
    Enterprise.objects.filter(pk__in=[e.pk for e in extra.values()]).update(
        approved_on=dt.date(2020, 2, 11)
    )
    Enterprise.objects.create(
        name="未批准厂",
        uscc="91440785MA4UJ8Y11Y",
        address="x",
        jurisdiction=n["grid_a"],
        jpath=n["grid_a"].path,
        industry="other",
        size="micro",
        legal_rep="x",
        contact_name="x",
        contact_phone="13700000000",
    )
    # a: rectification due 2020-02-15 (overdue); c: due 2020-02-19; d: inspected, all in order.
    inspect(fworld, "a", on=dt.date(2020, 2, 12), plans="无预案")
    inspect(fworld, "c", on=DAY, plans="无预案")
    inspect(fworld, "d")
    rows = list(task_force_enterprises(task_force=fworld.task_forces["a"]))
    assert [(e.name, e.group, e.overdue, e.open_rectifications) for e in rows] == [
        ("锦岗食品厂", 0, 0, 0),  # a2: not inspected yet
        ("锦岗五金厂", 1, 1, 1),
        ("甲厂", 1, 0, 1),
        ("乙厂", 2, 0, 0),
    ]
    body = (
        api(fworld, "inspector")
        .get(f"/task-forces/{fworld.task_forces['a'].pk}/enterprises")
        .json()
    )
    assert [(e["name"], e["group"], e["overdue"]) for e in body["items"]] == [
        ("锦岗食品厂", "uninspected", False),
        ("锦岗五金厂", "rectifying", True),
        ("甲厂", "rectifying", False),
        ("乙厂", "inspected", False),
    ]
    assert (
        api(fworld, "worker_b")
        .get(f"/task-forces/{fworld.task_forces['a'].pk}/enterprises")
        .status_code
        == 404
    )


def test_api_create_patch_and_end(fworld):
    hq = api(fworld, "hq")
    u = fworld.users
    r = hq.send(
        "POST",
        "/task-forces",
        {
            "name": "<b>青云</b>专班",
            "jurisdiction": fworld.nodes["community_c"].code,
            "leader": u["analyst"].pk,
            "members": [u["desk"].pk],
        },
    )
    assert r.status_code == 201, r.content
    tf = r.json()
    assert [m["username"] for m in tf["members"]] == ["desk"]
    r = hq.send(
        "POST", "/task-forces", {"name": "x", "jurisdiction": "nowhere", "leader": u["hq"].pk}
    )
    assert r.status_code == 422
    assert r.json()["errors"] == {
        "jurisdiction": ["No subdistrict, village or community with this code in your area."]
    }
    r = hq.send("PATCH", f"/task-forces/{tf['id']}", {"members": [u["ent_a"].pk]})
    assert r.status_code == 422 and list(r.json()["errors"]) == ["members"]
    r = hq.send(
        "PATCH", f"/task-forces/{tf['id']}", {"name": "青云社区专班", "end_on": "2020-02-16"}
    )
    assert r.status_code == 200
    assert (r.json()["name"], r.json()["active_until"]) == ("青云社区专班", "2020-02-16")
    assert (
        api(fworld, "secretary")
        .send("PATCH", f"/task-forces/{tf['id']}", {"name": "y"})
        .status_code
        == 404
    )
    assert TaskForce.objects.get(pk=tf["id"]).name == "青云社区专班"
    assert (
        AuditEvent.objects.filter(action__startswith="task_force.", entity_id=str(tf["id"])).count()
        == 3
    )
