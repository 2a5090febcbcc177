"""Writes of task forces (专班): set one up over an area (the subdistrict or a village or
community), change its name, leader and members, end it. ENTERPRISES_MANAGE over the area;
each write is one transaction with its audit event, and a refusal changes nothing.

Leader and members are staff: users holding a role other than the enterprise one (an
enterprise's account never joins a task force)."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from epigrid.accounts.access import Actor, require_can
from epigrid.accounts.models import RoleAssignment
from epigrid.accounts.roles import Capability, Role
from epigrid.audit.services import audit_record, snapshot
from epigrid.core.writes import clean_text
from epigrid.geo.models import Jurisdiction, Kind

from ..models import TaskForce

NAME_MAX = 100
AREA_KINDS = (Kind.SUBDISTRICT, Kind.VILLAGE, Kind.COMMUNITY)


def staff_ids(user_ids: Iterable[int]) -> set[int]:
    """Of `user_ids`, those holding an active staff (non-enterprise) role."""
    return set(
        RoleAssignment.objects.filter(user_id__in=list(user_ids), active=True, user__is_active=True)
        .exclude(role=Role.ENTERPRISE)
        .values_list("user_id", flat=True)
    )


def _people(leader: Any, members: Iterable[Any]) -> tuple[Any, list[Any]]:
    """Checks leader and members are staff; the leader is not repeated among the members."""
    if leader is None:
        raise ValidationError({"leader": _("This field is required.")})
    members = [m for m in dict.fromkeys(members) if m.pk != leader.pk]
    staff = staff_ids([leader.pk, *(m.pk for m in members)])
    errors: dict[str, str] = {}
    if leader.pk not in staff:
        errors["leader"] = _("The leader must be a staff user with a role.")
    outsiders = [m.username for m in members if m.pk not in staff]
    if outsiders:
        errors["members"] = _("Not staff users with a role: %(names)s.") % {
            "names": ", ".join(outsiders)
        }
    if errors:
        raise ValidationError(errors)
    return leader, members


def _area(jurisdiction: Jurisdiction, on: dt.date) -> None:
    if jurisdiction.kind not in AREA_KINDS:
        raise ValidationError(
            {"jurisdiction": _("A task force covers a subdistrict, a village or a community.")}
        )
    if not jurisdiction.is_active_on(on):
        raise ValidationError({"jurisdiction": _("This jurisdiction is not active on that date.")})


def _members_snapshot(task_force: TaskForce) -> dict[str, Any]:
    data = snapshot(task_force)
    data["members"] = sorted(task_force.members.values_list("pk", flat=True))
    return data


@transaction.atomic
def task_force_create(
    *,
    actor: Actor,
    name: str,
    jurisdiction: Jurisdiction,
    leader: Any,
    members: Iterable[Any] = (),
    active_from: dt.date | None = None,
) -> TaskForce:
    """Sets up a task force over `jurisdiction` led by `leader`; audited "task_force.create"."""
    require_can(actor, Capability.ENTERPRISES_MANAGE, jurisdiction.path)
    active_from = active_from or timezone.localdate()
    name = clean_text(name, "name", NAME_MAX)
    _area(jurisdiction, active_from)
    leader, people = _people(leader, members)
    task_force = TaskForce.objects.create(
        name=name,
        jurisdiction=jurisdiction,
        jpath=jurisdiction.path,
        leader=leader,
        active_from=active_from,
    )
    task_force.members.set(people)
    audit_record(
        actor=actor,
        action="task_force.create",
        obj=task_force,
        jpath=task_force.jpath,
        after=_members_snapshot(task_force),
    )
    return task_force


@transaction.atomic
def task_force_update(
    *,
    actor: Actor,
    task_force: TaskForce,
    name: str | None = None,
    leader: Any = None,
    members: Iterable[Any] | None = None,
) -> TaskForce:
    """Changes the name, leader and/or members given (None: unchanged); audited."""
    require_can(actor, Capability.ENTERPRISES_MANAGE, task_force.jpath)
    task_force = TaskForce.objects.select_for_update().get(pk=task_force.pk)
    if task_force.active_until is not None and task_force.active_until <= timezone.localdate():
        raise ValidationError(_("This task force has ended."))
    before = _members_snapshot(task_force)
    new_name = task_force.name if name is None else clean_text(name, "name", NAME_MAX)
    current = list(task_force.members.all()) if members is None else list(members)
    new_leader, people = _people(leader or task_force.leader, current)
    task_force.name = new_name
    task_force.leader = new_leader
    task_force.save(update_fields=["name", "leader"])
    task_force.members.set(people)
    audit_record(
        actor=actor,
        action="task_force.update",
        obj=task_force,
        jpath=task_force.jpath,
        before=before,
        after=_members_snapshot(task_force),
    )
    return task_force


@transaction.atomic
def task_force_end(*, actor: Actor, task_force: TaskForce, on: dt.date | None = None) -> TaskForce:
    """Ends the task force from `on` (default today); its inspections stay. Audited."""
    require_can(actor, Capability.ENTERPRISES_MANAGE, task_force.jpath)
    locked = TaskForce.objects.select_for_update().get(pk=task_force.pk)
    on = on or timezone.localdate()
    if locked.active_until is not None:
        raise ValidationError(_("This task force has already ended."))
    if on < locked.active_from:
        raise ValidationError({"on": _("The end date must not be before the start date.")})
    before = snapshot(locked)
    locked.active_until = task_force.active_until = on
    locked.save(update_fields=["active_until"])
    audit_record(
        actor=actor,
        action="task_force.end",
        obj=task_force,
        jpath=task_force.jpath,
        before=before,
        after=snapshot(task_force),
    )
    return task_force
