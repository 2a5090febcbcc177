"""Helpers of the field tests (logging page, repeat-visitor lookup, self-fill): checks made
through the ingest service as a gate phone would send them."""

import datetime as dt
import uuid

from django.utils import timezone

from epigrid.checkpoints.services.checks import checks_ingest

# Valid resident identity numbers (check digits right) and mobile numbers.
RID_A = "440785199001011233"
RID_B = "430102198505052012"
RID_C = "11010519491231002X"
PHONE_A = "13800138000"
PHONE_B = "13912345678"


def when(minutes_ago: int = 5) -> str:
    """A check time a few minutes ago, as a phone writes it (ISO with offset)."""
    return timezone.localtime(timezone.now() - dt.timedelta(minutes=minutes_ago)).isoformat(
        timespec="seconds"
    )


def person(name: str = "", doc: str = "", phone: str = "", temperature: float = 36.5) -> dict:
    return {
        "name": name,
        "doc_type": "resident_id" if doc else "",
        "doc_number": doc,
        "phone": phone,
        "temperature": temperature,
    }


def check(*people: dict, plate: str = "", minutes_ago: int = 5, **extra) -> dict:
    body = {
        "uuid": str(uuid.uuid4()),
        "checked_at": when(minutes_ago),
        "mode": "vehicle" if plate else "foot",
        "plate": plate,
        "origin": "",
        "destination": "",
        "result": "passed",
        "note": "",
        "people": list(people) or [person(temperature=36.5)],
    }
    body.update(extra)
    return body


def store(world, *items: dict, who: str = "worker_a", point: str = "a") -> list[dict]:
    answers = checks_ingest(
        actor=world.actor(who),
        checkpoint=world.checkpoints[point],
        items=list(items),
        source="device",
    )
    assert [a["status"] for a in answers] == ["stored"] * len(items), answers
    return answers
