"""The follow-up policy over the API: the quarantine keys in force on a day with their
history, and (headquarters) a new value put in force from a date."""

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Schema, Status

from epigrid.accounts.access import request_actor, requires
from epigrid.accounts.roles import Capability
from epigrid.api.routing import CapabilityRouter
from epigrid.policy import selectors as policy
from epigrid.policy import services as policy_services
from epigrid.policy.registry import KEYS

from .. import rules

router = CapabilityRouter()

QuarantineKey = Literal[
    "observation_days", "followup_deadlines", "fever_threshold", "fever_inclusive", "symptoms"
]
assert set(QuarantineKey.__args__) == set(rules.POLICY_KEYS)  # type: ignore[attr-defined]


class HistoryOut(Schema):
    value: Any
    active_from: dt.date
    note: str
    created_at: dt.datetime


class PolicyOut(Schema):
    key: str
    label: str
    value: Any = Field(description="The value in force on the day asked for.")
    default: Any
    history: list[HistoryOut]


class PolicyFilters(Schema):
    on: dt.date | None = Field(None, description="Default: today.")


class PolicyIn(Schema):
    key: QuarantineKey
    value: Any
    active_from: dt.date
    note: str = Field("", max_length=200)


def _out(key: str, on: dt.date) -> PolicyOut:
    spec = KEYS[key]
    return PolicyOut(
        key=key,
        label=str(spec.label),
        value=policy.policy_value(key, on),
        default=spec.default,
        history=[
            HistoryOut(
                value=row.value,
                active_from=row.active_from,
                note=row.note,
                created_at=row.created_at,
            )
            for row in policy.policy_history(key)
        ],
    )


@router.get("/policies", response=list[PolicyOut])
@requires(Capability.QUARANTINE_VIEW)
def policy_list(request: HttpRequest, filters: Query[PolicyFilters]):
    """The follow-up policy: each key's value in force on `on`, and its dated history."""
    on = filters.on or timezone.localdate()
    return [_out(key, on) for key in rules.POLICY_KEYS]


@router.post("/policies", response={201: PolicyOut})
@requires(Capability.POLICY_MANAGE)
def policy_set(request: HttpRequest, payload: PolicyIn):
    """Puts a new value of a quarantine key in force from `active_from`; cases already open
    keep the policy they were opened under."""
    row = policy_services.policy_set(
        actor=request_actor(request),
        key=str(payload.key),
        value=payload.value,
        active_from=payload.active_from,
        note=payload.note,
    )
    return Status(201, _out(row.key, row.active_from))
