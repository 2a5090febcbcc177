"""Helpers of the checkpoint-register tests: a stopped clock, checks written straight to
their tables (so the check list and detail are tested without the ingest service), and the
state of the register's tables to compare before and after a refusal."""

import datetime as dt
import uuid
from decimal import Decimal
from unittest import mock

from django.utils import timezone

from epigrid.checkpoints.models import (
    Check,
    CheckPerson,
    Checkpoint,
    CheckpointPost,
    CheckResult,
    Mode,
    Source,
)

from .world import local

DAY = dt.date(2020, 2, 10)  # the day the register tests stand on
NOW = local(DAY, 9, 30)


def frozen(now: dt.datetime = NOW):
    """The services' clock stopped at `now`."""
    return mock.patch("django.utils.timezone.now", return_value=now)


def make_check(
    checkpoint: Checkpoint,
    *,
    at: dt.datetime | None = None,
    mode: str = Mode.FOOT,
    plate: str = "",
    nonlocal_vehicle: bool = False,
    result: str = CheckResult.PASSED,
    source: str = Source.DEVICE,
    origin: str = "",
    destination: str = "",
    people: list[dict] | None = None,
) -> Check:
    """A check with its people, written directly (as the ingest service would store it)."""
    at = at or local(DAY, 8, 0)
    people = people or [
        {
            "name": "张三",
            "doc_number": "440785199001011234",
            "phone": "13912345678",
            "temperature": "36.5",
        }
    ]
    check = Check.objects.create(
        uuid=uuid.uuid4(),
        checkpoint=checkpoint,
        jpath=checkpoint.jpath,
        checked_at=at,
        received_at=at,
        mode=mode,
        plate=plate,
        plate_prefix=plate[:2] if plate else "",
        nonlocal_vehicle=nonlocal_vehicle,
        persons=len(people),
        origin=origin,
        destination=destination,
        result=result,
        source=source,
    )
    CheckPerson.objects.bulk_create(
        CheckPerson(
            check_row=check,
            seq=i,
            name=p.get("name", ""),
            doc_type="resident_id" if p.get("doc_number") else "",
            doc_number=p.get("doc_number", ""),
            phone=p.get("phone", ""),
            temperature=Decimal(str(p.get("temperature", "36.5"))),
            fever=bool(p.get("fever", False)),
        )
        for i, p in enumerate(people, start=1)
    )
    return check


def register_state() -> dict:
    """Every row of the checkpoint and roster tables, and the audit trail's length."""
    from epigrid.audit.models import AuditEvent
    from epigrid.rosters.models import Post, Shift

    state: dict = {"audit": AuditEvent.objects.count()}
    for model in (Checkpoint, CheckpointPost, Post, Shift, Check):
        fields = [f.attname for f in model._meta.concrete_fields if f.attname != "updated_at"]
        state[model.__name__] = sorted(
            tuple(str(v) for v in row) for row in model.objects.values_list(*fields)
        )
    return state


def last_audit(action: str):
    from epigrid.audit.models import AuditEvent

    return AuditEvent.objects.filter(action=action).order_by("-id").first()


def today() -> dt.date:
    return timezone.localdate()
