"""Helpers of the fever tests: checks written straight to their tables, as the ingest
service leaves them before it calls `fever_found`."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from epigrid.checkpoints.models import Check, CheckPerson, Checkpoint, CheckResult, Mode, Source

from .world import local

DAY = dt.date(2020, 2, 10)
THRESHOLD = Decimal("37.3")


def make_check(
    checkpoint: Checkpoint,
    *,
    at: dt.datetime | None = None,
    people: list[dict] | None = None,
    plate: str = "",
    result: str = CheckResult.PASSED,
    recorded_by=None,
) -> tuple[Check, list[CheckPerson]]:
    """A check with its persons; a person's `fever` follows the default threshold, and a
    fever makes the check a fever check."""
    people = people or [{"name": "路人", "temperature": "36.5"}]
    fever = any(Decimal(str(p["temperature"])) >= THRESHOLD for p in people)
    check = Check.objects.create(
        checkpoint=checkpoint,
        jpath=checkpoint.jpath,
        checked_at=at or local(DAY, 8, 15),
        received_at=timezone.now(),
        mode=Mode.VEHICLE if plate else Mode.FOOT,
        plate=plate,
        plate_prefix=plate[:2],
        persons=len(people),
        result=CheckResult.FEVER if fever else result,
        source=Source.DEVICE,
        recorded_by=recorded_by,
    )
    entries = [
        CheckPerson.objects.create(
            check_row=check,
            seq=i,
            name=p.get("name", ""),
            doc_type=p.get("doc_type", "resident_id"),
            doc_number=p.get("doc_number", ""),
            phone=p.get("phone", ""),
            temperature=Decimal(str(p["temperature"])),
            fever=Decimal(str(p["temperature"])) >= THRESHOLD,
            person=p.get("person"),
        )
        for i, p in enumerate(people, start=1)
    ]
    return check, entries
