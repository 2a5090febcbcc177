"""Writes for grid workers, teams and grid responsibilities. Each is audited."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from epigrid.accounts.access import Actor, require_can
from epigrid.accounts.roles import Capability
from epigrid.audit.services import audit_record, snapshot
from epigrid.core.phones import normalize_phone
from epigrid.core.writes import check_end_date, clean_text, versioned_update
from epigrid.geo.models import Jurisdiction

from .models import (
    TEAM_SIZE_LIMITS,
    GridResponsibility,
    ResponsibilityKind,
    StaffCategory,
    StaffMember,
    Team,
    TeamKind,
    TeamMembership,
)


def _check_node(node: Jurisdiction, on: dt.date) -> None:
    if not node.is_active_on(on):
        raise ValidationError({"jurisdiction": _("This jurisdiction is not active on that date.")})


# --- grid workers -------------------------------------------------------------------------


@transaction.atomic
def staff_create(
    *,
    actor: Actor,
    jurisdiction: Jurisdiction,
    name: str,
    category: str,
    title: str = "",
    phone: str = "",
    is_party_member: bool = False,
    active_from: dt.date | None = None,
) -> StaffMember:
    """Adds a grid worker to a node inside the actor's scope."""
    require_can(actor, Capability.STAFF_MANAGE, jurisdiction.path)
    if category not in StaffCategory.values:
        raise ValidationError({"category": _("Choose one of the allowed values.")})
    active_from = active_from or timezone.localdate()
    _check_node(jurisdiction, active_from)
    member = StaffMember.objects.create(
        name=clean_text(name, "name", 50),
        category=category,
        title=clean_text(title, "title", 50, required=False),
        phone=normalize_phone(phone),
        is_party_member=is_party_member,
        jurisdiction=jurisdiction,
        jpath=jurisdiction.path,
        active_from=active_from,
    )
    audit_record(
        actor=actor, action="staff.create", obj=member, jpath=member.jpath, after=snapshot(member)
    )
    return member


@transaction.atomic
def staff_update(
    *,
    actor: Actor,
    member: StaffMember,
    version: int,
    name: str,
    category: str,
    title: str = "",
    phone: str = "",
    is_party_member: bool = False,
) -> StaffMember:
    """Edits a grid worker's details (moving to another grid is deactivate + create)."""
    require_can(actor, Capability.STAFF_MANAGE, member.jpath)
    if category not in StaffCategory.values:
        raise ValidationError({"category": _("Choose one of the allowed values.")})
    before = snapshot(member)
    versioned_update(
        member,
        version,
        name=clean_text(name, "name", 50),
        category=category,
        title=clean_text(title, "title", 50, required=False),
        phone=normalize_phone(phone),
        is_party_member=is_party_member,
    )
    audit_record(
        actor=actor,
        action="staff.update",
        obj=member,
        jpath=member.jpath,
        before=before,
        after=snapshot(member),
    )
    return member


@transaction.atomic
def staff_deactivate(
    *, actor: Actor, member: StaffMember, version: int, on: dt.date | None = None
) -> StaffMember:
    """Takes a grid worker off duty from `on`; ends their team memberships too. History kept."""
    require_can(actor, Capability.STAFF_MANAGE, member.jpath)
    on = on or timezone.localdate()
    if member.active_until is not None:
        raise ValidationError({"member": _("Already off duty.")})
    check_end_date(member.active_from, on)
    if GridResponsibility.objects.filter(staff=member, active_until__isnull=True).exists():
        raise ValidationError(
            {"member": _("This person is responsible for a grid. Hand it to someone else first.")}
        )
    before = snapshot(member)
    versioned_update(member, version, active_until=on)
    TeamMembership.objects.filter(staff=member, active_until__isnull=True).update(active_until=on)
    Team.objects.filter(leader=member).update(leader=None, updated_at=timezone.now())
    audit_record(
        actor=actor,
        action="staff.deactivate",
        obj=member,
        jpath=member.jpath,
        before=before,
        after=snapshot(member),
    )
    return member


# --- teams --------------------------------------------------------------------------------


def _check_member_fits(team_path: str, member: StaffMember) -> None:
    # A member works in the team's area: inside it, or above it (a subdistrict cadre
    # stationed in a grid's team).
    if not (member.jpath.startswith(team_path) or team_path.startswith(member.jpath)):
        raise ValidationError(
            {"staff": _("%(name)s does not work in this team's area.") % {"name": member.name}}
        )
    if member.active_until is not None:
        raise ValidationError({"staff": _("%(name)s is off duty.") % {"name": member.name}})


@transaction.atomic
def team_create(
    *,
    actor: Actor,
    jurisdiction: Jurisdiction,
    kind: str,
    name: str,
    leader: StaffMember | None = None,
    active_from: dt.date | None = None,
) -> Team:
    """Forms a team in a node inside the actor's scope; the leader joins it."""
    require_can(actor, Capability.TEAMS_MANAGE, jurisdiction.path)
    if kind not in TeamKind.values:
        raise ValidationError({"kind": _("Choose one of the allowed values.")})
    active_from = active_from or timezone.localdate()
    _check_node(jurisdiction, active_from)
    if leader is not None:
        _check_member_fits(jurisdiction.path, leader)
    team = Team.objects.create(
        name=clean_text(name, "name", 100),
        kind=kind,
        jurisdiction=jurisdiction,
        jpath=jurisdiction.path,
        leader=leader,
        active_from=active_from,
    )
    if leader is not None:
        TeamMembership.objects.create(team=team, staff=leader, active_from=active_from)
    audit_record(
        actor=actor,
        action="team.create",
        obj=team,
        jpath=team.jpath,
        after={**snapshot(team), "members": [leader.pk] if leader else []},
    )
    return team


@transaction.atomic
def team_update(
    *, actor: Actor, team: Team, version: int, name: str, leader: StaffMember | None
) -> Team:
    """Renames a team or changes its leader (who must be a current member)."""
    require_can(actor, Capability.TEAMS_MANAGE, team.jpath)
    if (
        leader is not None
        and not TeamMembership.objects.filter(
            team=team, staff=leader, active_until__isnull=True
        ).exists()
    ):
        raise ValidationError({"leader": _("The leader must be a member of the team.")})
    before = snapshot(team)
    versioned_update(team, version, name=clean_text(name, "name", 100), leader=leader)
    audit_record(
        actor=actor,
        action="team.update",
        obj=team,
        jpath=team.jpath,
        before=before,
        after=snapshot(team),
    )
    return team


@transaction.atomic
def team_member_add(
    *, actor: Actor, team: Team, member: StaffMember, on: dt.date | None = None
) -> TeamMembership:
    """Adds a grid worker to a team, within the team's size limit."""
    require_can(actor, Capability.TEAMS_MANAGE, team.jpath)
    # Lock the team row so two people adding the fourth member at once cannot both succeed.
    team = Team.objects.select_for_update().get(pk=team.pk)
    if team.active_until is not None:
        raise ValidationError({"team": _("This team has been dissolved.")})
    _check_member_fits(team.jpath, member)
    current = TeamMembership.objects.filter(team=team, active_until__isnull=True)
    if current.filter(staff=member).exists():
        raise ValidationError(
            {"staff": _("%(name)s is already in this team.") % {"name": member.name}}
        )
    limit = TEAM_SIZE_LIMITS.get(team.kind)
    if limit is not None and current.count() >= limit:
        raise ValidationError({"staff": _("This team already has %(n)d members.") % {"n": limit}})
    membership = TeamMembership.objects.create(
        team=team, staff=member, active_from=on or timezone.localdate()
    )
    Team.objects.filter(pk=team.pk).update(version=team.version + 1, updated_at=timezone.now())
    audit_record(
        actor=actor,
        action="team.member_add",
        obj=team,
        jpath=team.jpath,
        after={"staff": member.pk, "name": member.name},
    )
    return membership


@transaction.atomic
def team_member_remove(
    *, actor: Actor, team: Team, member: StaffMember, on: dt.date | None = None
) -> None:
    """Ends a grid worker's membership (kept as history); the leader cannot be removed."""
    require_can(actor, Capability.TEAMS_MANAGE, team.jpath)
    if team.leader_id == member.pk:
        raise ValidationError({"staff": _("Choose another leader before removing this one.")})
    on = on or timezone.localdate()
    membership = TeamMembership.objects.filter(
        team=team, staff=member, active_until__isnull=True
    ).first()
    if membership is None:
        raise ValidationError({"staff": _("%(name)s is not in this team.") % {"name": member.name}})
    if on < membership.active_from:
        raise ValidationError({"on": _("The end date must not be before the start date.")})
    # Removing on the day one joined erases the membership, which was a mistake.
    if on == membership.active_from:
        membership.delete()
    else:
        TeamMembership.objects.filter(pk=membership.pk).update(active_until=on)
    Team.objects.filter(pk=team.pk).update(version=team.version + 1, updated_at=timezone.now())
    audit_record(
        actor=actor,
        action="team.member_remove",
        obj=team,
        jpath=team.jpath,
        before={"staff": member.pk, "name": member.name},
    )


@transaction.atomic
def team_dissolve(*, actor: Actor, team: Team, version: int, on: dt.date | None = None) -> Team:
    """Dissolves a team from `on`, ending its memberships; history kept."""
    require_can(actor, Capability.TEAMS_MANAGE, team.jpath)
    on = on or timezone.localdate()
    if team.active_until is not None:
        raise ValidationError({"team": _("This team has been dissolved.")})
    check_end_date(team.active_from, on)
    before = snapshot(team)
    versioned_update(team, version, active_until=on)
    TeamMembership.objects.filter(team=team, active_until__isnull=True).update(active_until=on)
    audit_record(
        actor=actor,
        action="team.dissolve",
        obj=team,
        jpath=team.jpath,
        before=before,
        after=snapshot(team),
    )
    return team


# --- grid responsibilities ---------------------------------------------------------------


@transaction.atomic
def responsibility_assign(
    *,
    actor: Actor,
    jurisdiction: Jurisdiction,
    kind: str,
    member: StaffMember,
    on: dt.date | None = None,
) -> GridResponsibility:
    """Makes `member` the responsible leader / first responsible person of a node, ending
    whoever held it."""
    require_can(actor, Capability.STAFF_MANAGE, jurisdiction.path)
    if kind not in ResponsibilityKind.values:
        raise ValidationError({"kind": _("Choose one of the allowed values.")})
    on = on or timezone.localdate()
    _check_member_fits(jurisdiction.path, member)
    current = (
        GridResponsibility.objects.select_for_update()
        .filter(jurisdiction=jurisdiction, kind=kind, active_until__isnull=True)
        .first()
    )
    before = None
    if current is not None:
        if current.staff_id == member.pk:
            return current
        before = {"staff": current.staff_id}
        if on <= current.active_from:
            current.delete()
        else:
            GridResponsibility.objects.filter(pk=current.pk).update(active_until=on)
    row = GridResponsibility.objects.create(
        jurisdiction=jurisdiction, jpath=jurisdiction.path, kind=kind, staff=member, active_from=on
    )
    audit_record(
        actor=actor,
        action="responsibility.assign",
        obj=row,
        jpath=row.jpath,
        before=before,
        after={"staff": member.pk, "kind": kind},
    )
    return row


# --- logins -------------------------------------------------------------------------------


@transaction.atomic
def staff_login_create(
    *, actor: Actor, member: StaffMember, username: str, password: str, role: str
) -> StaffMember:
    """Gives a grid worker a login with `role` over their own jurisdiction."""
    from epigrid.accounts.services import role_grant, user_create

    require_can(actor, Capability.ACCOUNTS_MANAGE, member.jpath)
    if member.user_id is not None:
        raise ValidationError({"username": _("This person already has a login.")})
    if member.active_until is not None:
        raise ValidationError({"username": _("%(name)s is off duty.") % {"name": member.name}})
    user = user_create(
        actor=actor,
        username=username,
        password=password,
        full_name=member.name,
        phone=member.phone,
        jpath=member.jpath,
    )
    role_grant(actor=actor, user=user, role=role, jurisdiction=member.jurisdiction)
    before = snapshot(member)
    StaffMember.objects.filter(pk=member.pk).update(user=user, updated_at=timezone.now())
    member.refresh_from_db()
    audit_record(
        actor=actor,
        action="staff.login_create",
        obj=member,
        jpath=member.jpath,
        before=before,
        after=snapshot(member),
    )
    return member
