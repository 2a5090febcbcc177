"""Inspections and rectifications (services): the checklist in force is answered item by
item; a failing item needs a finding and opens a rectification; a re-inspection closes
exactly the items now in order. Every refusal writes nothing. Clock: 2020-02-16 09:30."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from epigrid.audit.models import AuditEvent
from epigrid.enterprises.models import Enterprise, Inspection, Rectification
from epigrid.enterprises.services.inspections import inspection_record
from epigrid.enterprises.services.taskforces import task_force_end
from tests.access_runner import db_fingerprint

from .fld_world import CODES, DAY, all_ok, fworld_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def record(world, who="inspector", key="a", **kwargs):
    kwargs.setdefault("inspected_on", DAY)
    kwargs.setdefault("results", all_ok())
    kwargs.setdefault("task_force", world.task_forces["a"])
    return inspection_record(actor=world.actor(who), enterprise=world.enterprises[key], **kwargs)


def refused(world, message_field, message, **kwargs):
    before = db_fingerprint()
    with pytest.raises(ValidationError) as exc:
        record(world, **kwargs)
    assert exc.value.message_dict[message_field] == [message]
    assert db_fingerprint() == before


def test_a_first_inspection_opens_a_rectification_per_failing_item(fworld):
    inspection = record(
        fworld,
        results={
            **all_ok(),
            "supplies": {"ok": False, "finding": "口罩不足"},
            "isolation_room": {"ok": False, "finding": "未设隔离室", "deadline": "2020-02-20"},
        },
        note="  首次检查 ",
    )
    assert inspection.kind == "first"
    assert inspection.passed is False
    assert [c["code"] for c in inspection.checklist] == CODES
    assert inspection.results["supplies"] == {"ok": False, "note": "口罩不足"}
    assert inspection.results["plans"] == {"ok": True, "note": ""}
    assert inspection.note == "首次检查"
    rows = {r.item: r for r in Rectification.objects.filter(inspection=inspection)}
    assert set(rows) == {"supplies", "isolation_room"}
    assert rows["supplies"].deadline == DAY + dt.timedelta(days=3)
    assert rows["isolation_room"].deadline == dt.date(2020, 2, 20)
    assert all(r.closed_at is None for r in rows.values())
    assert Enterprise.objects.get(pk=fworld.enterprises["a"].pk).last_inspected_on == DAY
    event = AuditEvent.objects.get(action="inspection.record")
    assert event.actor_username == "inspector"
    assert event.after["rectifications_opened"] == ["supplies", "isolation_room"]


def test_a_recheck_closes_exactly_the_items_now_in_order(fworld):
    first = record(
        fworld,
        inspected_on=DAY - dt.timedelta(days=3),
        results=all_ok(supplies="口罩不足", plans="无应急预案", staggered="未错峰"),
    )
    recheck = record(fworld, results=all_ok(plans="预案仍未制定", door_checks="门口无人测温"))
    assert recheck.kind == "recheck"
    rows = {r.item: r for r in Rectification.objects.all()}
    # supplies and staggered are in order now: closed by the recheck.
    assert rows["supplies"].closed_by_id == recheck.pk and rows["supplies"].closed_at
    assert rows["staggered"].closed_by_id == recheck.pk
    assert rows["supplies"].version == 2
    # plans still fails: the first rectification stays open, no second one beside it.
    assert rows["plans"].closed_at is None and rows["plans"].inspection_id == first.pk
    assert Rectification.objects.filter(item="plans").count() == 1
    # door checks failed for the first time: a new rectification.
    assert rows["door_checks"].inspection_id == recheck.pk and rows["door_checks"].closed_at is None
    assert Rectification.objects.filter(closed_at__isnull=True).count() == 2
    event = AuditEvent.objects.filter(action="inspection.record").latest("id")
    assert event.after["rectifications_closed"] == ["staggered", "supplies"]
    # A third, all in order: everything closes and it passes.
    third = record(fworld)
    assert third.passed and third.kind == "recheck"
    assert Rectification.objects.filter(closed_at__isnull=True).count() == 0


def test_an_unanswered_item_is_refused_and_nothing_written(fworld):
    results = all_ok()
    del results["screening"]
    refused(fworld, "results.screening", "Answer this item: in order or not.", results=results)


def test_a_failing_item_without_a_finding_is_refused(fworld):
    results = {**all_ok(), "plans": {"ok": False, "finding": "   "}}
    refused(fworld, "results.plans", "Describe what is wrong (the finding).", results=results)


def test_a_future_day_is_refused(fworld):
    refused(
        fworld,
        "inspected_on",
        "An inspection cannot be in the future.",
        inspected_on=DAY + dt.timedelta(days=1),
    )


def test_a_deadline_before_the_inspection_is_refused(fworld):
    results = {**all_ok(), "plans": {"ok": False, "finding": "x", "deadline": "2020-02-15"}}
    refused(
        fworld, "results.plans", "The deadline cannot be before the inspection.", results=results
    )


def test_an_unknown_item_is_refused(fworld):
    results = {**all_ok(), "karaoke": {"ok": True}}
    refused(fworld, "results", "Not on the checklist: karaoke.", results=results)


def test_an_enterprise_outside_the_task_force_area_is_refused(fworld):
    refused(
        fworld,
        "task_force",
        "This enterprise lies outside the task force's area.",
        who="hq",
        key="b",
    )


def test_an_ended_task_force_is_refused(fworld):
    from epigrid.accounts.access import SYSTEM

    task_force_end(actor=SYSTEM, task_force=fworld.task_forces["a"], on=dt.date(2020, 2, 12))
    refused(fworld, "task_force", "This task force was not active on that day.")


def test_who_may_record(fworld):
    before = db_fingerprint()
    with pytest.raises(Http404):
        record(fworld, who="inspector", key="b", task_force=None)  # outside village A
    with pytest.raises(PermissionDenied):
        record(fworld, who="analyst", task_force=None)  # sees it, may not record
    with pytest.raises(PermissionDenied):
        record(fworld, who="desk", task_force=None)
    with pytest.raises(Http404):
        record(fworld, who="ent_b", task_force=None)
    with pytest.raises(PermissionDenied):
        record(fworld, who="ent_a", task_force=None)  # its own: it cannot inspect itself
    assert db_fingerprint() == before
    assert record(fworld, who="inspector", key="a2").kind == "first"  # grid A2: yes
    assert record(fworld, who="secretary").kind == "first"
    assert Inspection.objects.count() == 2
