"""Pure rules of home quarantine, judged under the policy a case keeps (no database here).

Slots: each observation day (start_date .. end_date - 1) owes one follow-up per deadline of
`followup_deadlines`. Slot n opens at the previous deadline (the first at local midnight) and
is due by its deadline, inclusive; its day ends at the next local midnight. All times are in
the deployment's zone (settings.TIME_ZONE), whatever the server clock's zone.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

from epigrid.policy.registry import (
    FEVER_INCLUSIVE,
    FEVER_THRESHOLD,
    FOLLOWUP_DEADLINES,
    OBSERVATION_DAYS,
    SYMPTOMS,
)

POLICY_KEYS = [
    OBSERVATION_DAYS.key,
    FOLLOWUP_DEADLINES.key,
    FEVER_THRESHOLD.key,
    FEVER_INCLUSIVE.key,
    SYMPTOMS.key,
]

# Readings outside this range are refused as impossible (a thermometer misread, a typo).
TEMPERATURE_MIN = Decimal("34.0")
TEMPERATURE_MAX = Decimal("43.0")


def zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=zone())


def _value(policy: dict[str, Any], key: str, default: Any) -> Any:
    return policy.get(key, default)


def deadlines(policy: dict[str, Any]) -> list[dt.time]:
    values = _value(policy, FOLLOWUP_DEADLINES.key, FOLLOWUP_DEADLINES.default)
    return [dt.time.fromisoformat(v) for v in values]


@dataclass(frozen=True)
class PlannedSlot:
    day: dt.date
    number: int
    opens_at: dt.datetime
    deadline: dt.datetime
    ends_at: dt.datetime


def plan_slots(
    policy: dict[str, Any],
    first_day: dt.date,
    until_day: dt.date,
    not_before: dt.datetime | None = None,
) -> list[PlannedSlot]:
    """The slots owed on days first_day .. until_day - 1, leaving out those whose deadline
    is at or before `not_before` (a case opened at 15:00 does not owe that morning's)."""
    times = deadlines(policy)
    slots: list[PlannedSlot] = []
    day = first_day
    while day < until_day:
        midnight = local_midnight(day)
        ends_at = local_midnight(day + dt.timedelta(days=1))
        opens_at = midnight
        for number, t in enumerate(times, start=1):
            deadline = dt.datetime.combine(day, t, tzinfo=zone())
            if not_before is None or deadline > not_before:
                slots.append(PlannedSlot(day, number, opens_at, deadline, ends_at))
            opens_at = deadline
        day += dt.timedelta(days=1)
    return slots


def fever_threshold(policy: dict[str, Any]) -> Decimal:
    return Decimal(str(_value(policy, FEVER_THRESHOLD.key, FEVER_THRESHOLD.default)))


def is_fever(policy: dict[str, Any], temperature: Decimal | None) -> bool:
    """At or over the threshold when the policy says >=, over it when it says >."""
    if temperature is None:
        return False
    threshold = fever_threshold(policy)
    if _value(policy, FEVER_INCLUSIVE.key, FEVER_INCLUSIVE.default):
        return temperature >= threshold
    return temperature > threshold


def symptom_list(policy: dict[str, Any]) -> list[dict[str, Any]]:
    return list(_value(policy, SYMPTOMS.key, SYMPTOMS.default))


def serious_symptoms(policy: dict[str, Any], codes: list[str]) -> list[str]:
    serious = {s["code"] for s in symptom_list(policy) if s.get("serious")}
    return [c for c in codes if c in serious]


def unknown_symptoms(policy: dict[str, Any], codes: list[str]) -> list[str]:
    known = {s["code"] for s in symptom_list(policy)}
    return [c for c in codes if c not in known]


def symptom_label(policy: dict[str, Any], code: str, language: str) -> str:
    for s in symptom_list(policy):
        if s["code"] == code:
            return s["en"] if language.startswith("en") else s["zh"]
    return code
