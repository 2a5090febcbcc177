"""Applications of the review tests (tests/enterprises/test_rev_*.py), made directly as rows
in a given state so the desk's part is tested whatever the enterprise's side does; times
are fixed (NOW) and passed to the selectors or frozen for the services."""

import datetime as dt
from unittest import mock

from django.utils import timezone

from epigrid.enterprises.models import Application, Status
from epigrid.policy.selectors import policy_value

NOW = timezone.make_aware(dt.datetime(2020, 2, 10, 9, 30))


def frozen(now: dt.datetime = NOW):
    """The services' clock stopped at `now`."""
    return mock.patch("django.utils.timezone.now", return_value=now)


def checklist() -> list[dict]:
    return list(policy_value("resumption_checklist", NOW.date()))


def make_application(
    world,
    key: str = "a",
    *,
    status: str = Status.SUBMITTED,
    due_at: dt.datetime | None = None,
    submitted_at: dt.datetime | None = None,
    **fields,
) -> Application:
    enterprise = world.enterprises[key]
    submitted_at = submitted_at or NOW - dt.timedelta(hours=2)
    pending = status in (Status.SUBMITTED, Status.IN_REVIEW)
    return Application.objects.create(
        enterprise=enterprise,
        jpath=enterprise.jpath,
        status=status,
        planned_on=NOW.date() + dt.timedelta(days=3),
        checklist=checklist(),
        staff_count=1,
        submitted_at=submitted_at,
        first_submitted_at=submitted_at,
        due_at=(due_at or NOW + dt.timedelta(days=2)) if pending else due_at,
        **fields,
    )
