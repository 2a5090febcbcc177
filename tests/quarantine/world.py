"""The quarantine part of a test world (tests/world.py).

`make_case` writes a case and its slots straight to the tables, from the same slot rules the
service uses (epigrid.quarantine.rules), so tests of one part do not depend on another part's
services. Tests of the case services themselves open cases through the services.
"""

import datetime as dt
import itertools

from django.utils import timezone
from stdnum.cn import ric

from epigrid.accounts.access import SYSTEM
from epigrid.policy.selectors import policy_snapshot
from epigrid.quarantine import rules
from epigrid.quarantine.models import FollowUpSlot, ObservationCase, Regime
from epigrid.registry import services as reg
from epigrid.registry.models import PersonCategory
from epigrid.registry.services import PersonInput

_seq = itertools.count(100)


def resident_id(birth: str = "19850101") -> str:
    # Sequence numbers are three digits: wrap (each test's database starts empty).
    body = f"440785{birth}{100 + next(_seq) % 900:03d}"
    return body + ric.calc_check_digit(body + "0")


def local(day: dt.date, hour: int = 0, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def make_case(
    world,
    *,
    grid: str = "grid_a",
    name: str = "隔离甲",
    start: dt.date = dt.date(2020, 2, 3),
    days: int = 14,
    regime: str = Regime.HOME_QUARANTINE,
    opened_at: dt.datetime | None = None,
    policy: dict | None = None,
    phone: str = "",
) -> ObservationCase:
    node = world.nodes[grid]
    person = reg.person_register(
        actor=SYSTEM,
        jurisdiction=node,
        data=PersonInput(name=name, doc_number=resident_id(), phone=phone),
    )
    policy = policy or policy_snapshot(rules.POLICY_KEYS, start)
    opened_at = opened_at or local(start, 8)
    case = ObservationCase.objects.create(
        person=person,
        reason=PersonCategory.objects.get(code="source_area"),
        regime=regime,
        jurisdiction=node,
        jpath=node.path,
        team=world.teams.get(grid),
        start_date=start,
        end_date=start + dt.timedelta(days=days),
        policy=policy,
        opened_at=opened_at,
    )
    FollowUpSlot.objects.bulk_create(
        FollowUpSlot(
            case=case,
            jpath=case.jpath,
            team=case.team,
            day=s.day,
            number=s.number,
            opens_at=s.opens_at,
            deadline=s.deadline,
            ends_at=s.ends_at,
        )
        for s in rules.plan_slots(policy, case.start_date, case.end_date, opened_at)
    )
    return case


# --- helpers of the case and follow-up tests ----------------------------------------------


def link_logins(world) -> None:
    """worker_a logs in as grid A's cadre, worker_b as grid B's: their teams' worklists."""
    from epigrid.workforce.models import StaffMember

    for username, key in (("worker_a", "grid_a.cadre"), ("worker_b", "grid_b.cadre")):
        StaffMember.objects.filter(pk=world.staff[key].pk).update(user=world.users[username])
        world.staff[key].refresh_from_db()


def new_person(world, *, grid: str = "grid_a", name: str = "观察乙", phone: str = ""):
    """A person of the register in `grid`, for a case opened through the services."""
    return reg.person_register(
        actor=SYSTEM,
        jurisdiction=world.nodes[grid],
        data=PersonInput(name=name, doc_number=resident_id(), phone=phone),
    )


def frozen(now: dt.datetime):
    """The services' clock stopped at `now` (any zone)."""
    from unittest import mock

    return mock.patch("django.utils.timezone.now", return_value=now)


def quarantine_state() -> dict:
    """Every row of the quarantine tables and the audit trail's length: equal before and
    after a refused write."""
    from epigrid.audit.models import AuditEvent
    from epigrid.quarantine import models as q

    state: dict = {"audit": AuditEvent.objects.count()}
    for model in (q.ObservationCase, q.EndDateChange, q.FollowUpSlot, q.FollowUp, q.Alert):
        fields = [f.attname for f in model._meta.concrete_fields]
        state[model.__name__] = sorted(
            tuple(str(v) for v in row) for row in model.objects.values_list(*fields)
        )
    return state
