"""Helpers of the ingest tests: a valid check as a device sends it, and the figures the
database holds (to compare before and after)."""

import uuid

from django.db.models import Sum

from epigrid.audit.models import AuditEvent
from epigrid.checkpoints.models import Check, CheckHour, CheckPerson

DAY = "2020-02-10"
AT = f"{DAY}T08:15:00+08:00"
# Valid resident ID numbers (region 440785 恩平, check digits right).
RID = "440785199001011233"
RID2 = "440785198506120027"


def item(**over) -> dict:
    """A valid check on foot with one person, unless `over` says otherwise."""
    body = {
        "uuid": str(uuid.uuid4()),
        "checked_at": AT,
        "mode": "foot",
        "plate": "",
        "origin": "江门",
        "destination": "恩城",
        "result": "passed",
        "note": "",
        "people": [{"name": "张三", "doc_type": "resident_id", "doc_number": RID, "phone": "",
                    "temperature": 36.5}],
    }  # fmt: skip
    body.update(over)
    return body


def vehicle(plate: str = "粤J12345", temps=(36.5,), **over) -> dict:
    people = [{"name": f"乘客{i}", "temperature": t} for i, t in enumerate(temps)]
    return item(mode="vehicle", plate=plate, people=people, **over)


def figures() -> dict:
    """Row counts of what ingest writes, and the sums of the hourly figures."""
    sums = CheckHour.objects.aggregate(
        checks=Sum("checks"),
        persons=Sum("persons"),
        vehicles=Sum("vehicles"),
        nonlocal_vehicles=Sum("nonlocal_vehicles"),
        fevers=Sum("fevers"),
        turned_back=Sum("turned_back"),
    )
    return {
        "checks": Check.objects.count(),
        "persons": CheckPerson.objects.count(),
        "hours": CheckHour.objects.count(),
        "audit": AuditEvent.objects.filter(action="checks.ingest").count(),
        **{f"hour_{k}": v or 0 for k, v in sums.items()},
    }


def expected_hour_sums() -> dict:
    """The hourly figures recomputed from the checks themselves."""
    checks = Check.objects.all()
    return {
        "hour_checks": checks.count(),
        "hour_persons": checks.aggregate(n=Sum("persons"))["n"] or 0,
        "hour_vehicles": checks.filter(mode="vehicle").count(),
        "hour_nonlocal_vehicles": checks.filter(nonlocal_vehicle=True).count(),
        "hour_fevers": CheckPerson.objects.filter(fever=True).count(),
        "hour_turned_back": checks.filter(result="turned_back").count(),
    }
