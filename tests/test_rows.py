"""core.rows: the cached single-row INSERT/UPDATE store what save() and update() would."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from epigrid.accounts.access import SYSTEM
from epigrid.audit.models import AuditEvent
from epigrid.audit.services import audit_record
from epigrid.core.rows import update_one


@pytest.mark.django_db
def test_an_audit_event_keeps_null_and_json_apart():
    audit_record(
        actor=SYSTEM, action="policy.set", jpath="440785.", before=None, after={"a": [1, "二"]}
    )
    audit_record(actor=SYSTEM, action="policy.set", jpath="440785.", before={}, after=None)
    first, second = AuditEvent.objects.order_by("id")
    assert (first.before, first.after) == (None, {"a": [1, "二"]})
    assert (second.before, second.after) == ({}, None)
    assert AuditEvent.objects.filter(before__isnull=True).count() == 1
    assert first.jurisdiction_code == "440785" and first.actor_username == "system"
    assert abs(first.at - timezone.now()) < dt.timedelta(minutes=1)


@pytest.mark.django_db
def test_update_one_changes_one_row_and_honours_the_null_guard(world):
    from epigrid.quarantine.models import FollowUpSlot, ObservationCase
    from tests.quarantine.world import make_case

    case = make_case(world)
    slot = FollowUpSlot.objects.filter(case=case).order_by("deadline").first()
    when = timezone.now()
    assert update_one(FollowUpSlot, slot.pk, {"done_at": when}, only_if_null="done_at") == 1
    assert update_one(FollowUpSlot, slot.pk, {"done_at": when}, only_if_null="done_at") == 0
    assert FollowUpSlot.objects.get(pk=slot.pk).done_at == when
    assert FollowUpSlot.objects.filter(done_at__isnull=False).count() == 1
    update_one(ObservationCase, case.pk, {"last_temperature": Decimal("37.4"), "team": None})
    case.refresh_from_db()
    assert (case.last_temperature, case.team_id) == (Decimal("37.4"), None)
