"""Writes of sweep campaigns: start, assign, close, and the visits that make "no one missed"
a fact. Each service validates, runs in one transaction and writes an audit event."""

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from epigrid.accounts.access import Actor, require_can
from epigrid.accounts.roles import Capability
from epigrid.audit.services import audit_record, snapshot
from epigrid.core.writes import clean_text, versioned_update
from epigrid.geo.models import Jurisdiction, within_q
from epigrid.registry import selectors as registry
from epigrid.registry import services as register
from epigrid.registry.models import Person, RentalKind, ResidencyRole, UnitUse
from epigrid.registry.services import PersonInput
from epigrid.workforce.models import StaffMember, Team, TeamKind, TeamMembership

from . import selectors
from .models import Campaign, CampaignUnit, Outcome, Visit, VisitPerson

STRATEGIES = ("balanced", "teams")
MAX_PERSONS = 20
# A phone's clock may run a little ahead of the server's.
CLOCK_SKEW = dt.timedelta(minutes=5)


def _parent_path(path: str) -> str:
    parts = path.rstrip(".").split(".")
    return ".".join(parts[:-1]) + "." if len(parts) > 1 else ""


def _require_manage(actor: Actor, campaign: Campaign, path: str) -> None:
    """403 when the actor may see the campaign but not manage `path`; 404 when they may not
    even see it."""
    if actor.can(Capability.SWEEPS_MANAGE, path):
        return
    if path == campaign.jpath:
        visible = selectors.campaign_visible(actor, campaign)
    else:
        visible = actor.sees(path)
    if visible:
        raise PermissionDenied
    raise Http404


def _manage_path(actor: Actor, campaign: Campaign, within: Jurisdiction | None) -> str:
    """The part of the campaign an action applies to: all of it, or the node `within`."""
    path = campaign.jpath
    if within is not None:
        if within.path.startswith(campaign.jpath):
            path = within.path
        elif not campaign.jpath.startswith(within.path):
            raise ValidationError({"within": _("This jurisdiction is outside the campaign.")})
    _require_manage(actor, campaign, path)
    return path


# --- campaigns ----------------------------------------------------------------------------


def _add_units(campaign: Campaign, units: QuerySet) -> int:
    """Puts `units` into the campaign with one INSERT ... SELECT: a subdistrict has thousands
    of rentals and a city a million, none of which need to pass through Python. Plain SQL
    that SQLite and PostgreSQL both run."""
    select, params = units.order_by("id").values_list("id", "jpath").query.sql_with_params()
    table = connection.ops.quote_name(CampaignUnit._meta.db_table)
    columns = ", ".join(
        connection.ops.quote_name(c)
        for c in ("campaign_id", "unit_id", "jpath", "visits_count", "last_outcome")
    )
    sql = (
        f"INSERT INTO {table} ({columns}) "  # noqa: S608 - identifiers quoted, values bound
        f"SELECT %s, u.id, u.jpath, 0, '' FROM ({select}) u"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, (campaign.pk, *params))
        return cursor.rowcount


@transaction.atomic
def campaign_start(
    *,
    actor: Actor,
    jurisdiction: Jurisdiction,
    name: str,
    rental_kinds: Sequence[str] = (),
    starts_on: dt.date | None,
    ends_on: dt.date | None = None,
) -> Campaign:
    """Starts a sweep over the rental units inside `jurisdiction` (of `rental_kinds`; all
    rentals when empty): every such unit joins the campaign, unassigned."""
    require_can(actor, Capability.SWEEPS_MANAGE, jurisdiction.path)
    name = clean_text(name, "name", 100)
    kinds = sorted(set(rental_kinds or ()))
    errors: dict[str, str] = {}
    if any(k not in RentalKind.values for k in kinds):
        errors["rental_kinds"] = _("Choose one of the allowed values.")
    if starts_on is None:
        errors["starts_on"] = _("This field is required.")
    elif ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = _("The end date must not be before the start date.")
    if jurisdiction.active_until is not None:
        errors["jurisdiction"] = _("This jurisdiction is no longer active.")
    if errors:
        raise ValidationError(errors)
    assert starts_on is not None
    campaign = Campaign.objects.create(
        name=name,
        jurisdiction=jurisdiction,
        jpath=jurisdiction.path,
        rental_kinds=kinds,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=actor.user,
    )
    units = registry.unit_list(actor=actor, within=jurisdiction.code, use=UnitUse.RENTAL)
    if kinds:
        units = units.filter(rental_kind__in=kinds)
    added = _add_units(campaign, units)
    audit_record(
        actor=actor,
        action="campaign.start",
        obj=campaign,
        jpath=campaign.jpath,
        after={**snapshot(campaign), "units": added},
    )
    campaign.units_added = added  # type: ignore[attr-defined]
    return campaign


@transaction.atomic
def campaign_close(
    *, actor: Actor, campaign: Campaign, version: int, on: dt.date | None = None
) -> Campaign:
    """Ends a campaign after `on` (default today): later visits are refused. History kept."""
    _require_manage(actor, campaign, campaign.jpath)
    on = on or timezone.localdate()
    if campaign.ends_on is not None and campaign.ends_on < timezone.localdate():
        raise ValidationError({"on": _("This campaign is already closed.")})
    if on < campaign.starts_on:
        raise ValidationError({"on": _("The end date must not be before the start date.")})
    before = snapshot(campaign)
    versioned_update(campaign, version, ends_on=on)
    audit_record(
        actor=actor,
        action="campaign.close",
        obj=campaign,
        jpath=campaign.jpath,
        before=before,
        after=snapshot(campaign),
    )
    return campaign


def _chunks(items: list[int], size: int) -> list[list[int]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _balanced(units: list[int], assignees: list[int]) -> dict[int, list[int]]:
    """Units (in street order) cut into consecutive runs whose sizes differ by at most one:
    neighbours stay with one person, and nobody carries two more than another."""
    base, extra = divmod(len(units), len(assignees))
    plan: dict[int, list[int]] = {}
    start = 0
    for i, who in enumerate(assignees):
        size = base + (1 if i < extra else 0)
        plan[who] = units[start : start + size]
        start += size
    return plan


@transaction.atomic
def campaign_assign(
    *,
    actor: Actor,
    campaign: Campaign,
    strategy: str = "balanced",
    within: Jurisdiction | None = None,
) -> dict[str, int]:
    """Assigns the campaign's units (inside `within`, if given) grid by grid: "balanced" to
    the grid's own grid workers, "teams" to its three-person teams, by equal counts. A grid
    with nobody of its own falls back on its big grid's people (or work groups); units of a
    grid never go to anyone else. Returns counts of what was assigned."""
    path = _manage_path(actor, campaign, within)
    if strategy not in STRATEGIES:
        raise ValidationError({"strategy": _("Choose one of the allowed values.")})
    if campaign.is_closed:
        raise ValidationError({"campaign": _("This campaign is closed.")})
    rows = list(
        CampaignUnit.objects.filter(campaign=campaign)
        .filter(within_q(path))
        .order_by("jpath", "unit__building_id", "unit__label", "unit_id")
        .values_list("id", "jpath")
    )
    units_by_grid: dict[str, list[int]] = {}
    for cu_id, jpath in rows:
        units_by_grid.setdefault(jpath, []).append(cu_id)
    parents = {g: _parent_path(g) for g in units_by_grid}
    paths = set(units_by_grid) | set(parents.values())
    people: list[tuple[int, str]]
    if strategy == "balanced":
        people = list(
            StaffMember.objects.filter(active_until__isnull=True, jpath__in=paths)
            .order_by("jpath", "id")
            .values_list("id", "jpath")
        )
    else:
        people = list(
            Team.objects.filter(active_until__isnull=True, jpath__in=paths)
            .filter(
                Q(kind=TeamKind.THREE_PERSON_TEAM)
                | Q(kind=TeamKind.STATIONED_WORK_GROUP, jpath__in=set(parents.values()))
            )
            .order_by("jpath", "id")
            .values_list("id", "jpath")
        )
    by_path: dict[str, list[int]] = {}
    for who, jpath in people:
        by_path.setdefault(jpath, []).append(who)
    field = "assignee_staff_id" if strategy == "balanced" else "assignee_team_id"
    other = "assignee_team_id" if strategy == "balanced" else "assignee_staff_id"
    assigned = unassigned = 0
    assignees: set[int] = set()
    for grid, units in units_by_grid.items():
        pool = by_path.get(grid) or by_path.get(parents[grid]) or []
        if not pool:
            unassigned += len(units)
            for chunk in _chunks(units, 500):
                CampaignUnit.objects.filter(pk__in=chunk).update(
                    assignee_staff_id=None, assignee_team_id=None
                )
            continue
        for who, share in _balanced(units, pool).items():
            if not share:
                continue
            assignees.add(who)
            assigned += len(share)
            for chunk in _chunks(share, 500):
                CampaignUnit.objects.filter(pk__in=chunk).update(**{field: who, other: None})
    summary = {
        "units": len(rows),
        "assigned": assigned,
        "unassigned": unassigned,
        "assignees": len(assignees),
    }
    audit_record(
        actor=actor,
        action="campaign.assign",
        obj=campaign,
        jpath=path,
        after={"strategy": strategy, "within": path.rstrip("."), **summary},
    )
    return summary


def _serves(path: str, grid_path: str) -> bool:
    """Someone placed at `path` may take units of the grid at `grid_path`: the grid itself
    or its big grid."""
    return path in (grid_path, _parent_path(grid_path))


@transaction.atomic
def campaign_unit_assign(
    *,
    actor: Actor,
    campaign_unit: CampaignUnit,
    staff: StaffMember | None = None,
    team: Team | None = None,
) -> CampaignUnit:
    """Hands one unit to a grid worker or a team of its grid (or its big grid); neither
    leaves it unassigned."""
    _require_manage(actor, campaign_unit.campaign, campaign_unit.jpath)
    if staff is not None and team is not None:
        raise ValidationError({"staff": _("Assign a grid worker or a team, not both.")})
    if staff is not None and (
        staff.active_until is not None or not _serves(staff.jpath, campaign_unit.jpath)
    ):
        raise ValidationError(
            {"staff": _("%(name)s does not work in this unit's grid.") % {"name": staff.name}}
        )
    if team is not None and (
        team.active_until is not None or not _serves(team.jpath, campaign_unit.jpath)
    ):
        raise ValidationError(
            {"team": _("%(name)s does not work in this unit's grid.") % {"name": team.name}}
        )
    before = {
        "assignee_staff": campaign_unit.assignee_staff_id,
        "assignee_team": campaign_unit.assignee_team_id,
    }
    CampaignUnit.objects.filter(pk=campaign_unit.pk).update(
        assignee_staff=staff, assignee_team=team
    )
    campaign_unit.refresh_from_db()
    audit_record(
        actor=actor,
        action="campaign_unit.assign",
        obj=campaign_unit,
        jpath=campaign_unit.jpath,
        before=before,
        after={
            "assignee_staff": campaign_unit.assignee_staff_id,
            "assignee_team": campaign_unit.assignee_team_id,
        },
    )
    return campaign_unit


# --- visits -------------------------------------------------------------------------------


def _keyed(index: int, exc: ValidationError) -> dict[str, list[str]]:
    """A refusal about person number `index` of a visit, keyed persons.<index>.<field>."""
    if hasattr(exc, "error_dict"):
        return {
            f"persons.{index}.{field}": [str(m) for e in errors for m in e.messages]
            for field, errors in exc.error_dict.items()
        }
    return {f"persons.{index}.__all__": [str(m) for m in exc.messages]}


def _with_known_name(actor: Actor, data: PersonInput) -> PersonInput:
    """A blank name with the document number of someone the actor's register already holds
    takes that person's name: nobody is retyped. Someone outside the actor's area is not
    looked up (the answer would reveal them), so their name must be typed."""
    if data.name.strip() or not data.doc_number.strip():
        return data
    known = selectors.person_known(actor=actor, doc_type=data.doc_type, doc_number=data.doc_number)
    if known is None:
        return data
    return PersonInput(
        name=known.name,
        doc_type=data.doc_type,
        doc_number=data.doc_number,
        phone=data.phone,
        hukou_place=data.hukou_place,
        birth_date=data.birth_date,
        sex=data.sex,
    )


@transaction.atomic
def visit_record(
    *,
    actor: Actor,
    campaign_unit: CampaignUnit,
    visited_at: dt.datetime | None,
    outcome: str,
    note: str = "",
    persons: Sequence[tuple[PersonInput, str]] = (),
    visited_by: StaffMember | None = None,
) -> Visit:
    """Records one visit to a unit of a campaign. For "registered", each person found is
    upserted in the register by document number (never retyped) and starts living in the
    unit; the unit's stored facts (visits, latest outcome, first inspection) follow.
    `visited_by` defaults to the actor's own grid-worker record."""
    require_can(actor, Capability.VISITS_RECORD, campaign_unit.jpath)
    cu = (
        CampaignUnit.objects.select_for_update(of=("self",))
        .select_related("campaign", "unit__building__jurisdiction")
        .get(pk=campaign_unit.pk)
    )
    campaign, unit = cu.campaign, cu.unit
    errors: dict[str, str] = {}
    if outcome not in Outcome.values:
        errors["outcome"] = _("Choose one of the allowed values.")
    if visited_at is None:
        errors["visited_at"] = _("This field is required.")
    else:
        if timezone.is_naive(visited_at):
            visited_at = timezone.make_aware(visited_at)
        day = timezone.localtime(visited_at).date()
        if visited_at > timezone.now() + CLOCK_SKEW:
            errors["visited_at"] = _("A visit cannot be in the future.")
        elif day < campaign.starts_on:
            errors["visited_at"] = _("The campaign had not started on that day.")
        elif campaign.is_closed or campaign.is_closed_on(day):
            errors["visited_at"] = _("This campaign is closed.")
    try:
        note = clean_text(note, "note", 200, required=False)
    except ValidationError as exc:
        errors["note"] = " ".join(exc.messages)
    if outcome == Outcome.REGISTERED and not persons:
        errors["persons"] = _("Add the people found at the door.")
    elif outcome != Outcome.REGISTERED and persons:
        errors["persons"] = _("People are recorded only when the outcome is “registered”.")
    elif len(persons) > MAX_PERSONS:
        errors["persons"] = _("At most %(n)d people per visit.") % {"n": MAX_PERSONS}
    staff = visited_by or selectors.staff_of(actor)
    if staff is None:
        errors["visited_by"] = _("Choose the grid worker who made the visit.")
    elif staff.active_until is not None or not cu.jpath.startswith(staff.jpath):
        # Someone of the unit's grid or above it (a big grid's leader may go along).
        errors["visited_by"] = _("%(name)s does not work in this unit's grid.") % {
            "name": staff.name
        }
    if errors:
        raise ValidationError(errors)
    assert visited_at is not None and staff is not None
    day = timezone.localtime(visited_at).date()
    team = None
    if (
        cu.assignee_team_id
        and TeamMembership.objects.filter(
            team_id=cu.assignee_team_id, staff=staff, active_until__isnull=True
        ).exists()
    ):
        team = cu.assignee_team
    visit = Visit.objects.create(
        campaign=campaign,
        unit=unit,
        campaign_unit=cu,
        jpath=cu.jpath,
        visited_at=visited_at,
        visited_by=staff,
        team=team,
        outcome=outcome,
        note=note,
        recorded_by=actor.user,
    )
    found: list[VisitPerson] = []
    refused: dict[str, list[str]] = {}
    seen: set[int] = set()
    grid = unit.building.jurisdiction
    for index, (data, role) in enumerate(persons):
        if role not in ResidencyRole.values:
            refused[f"persons.{index}.role"] = [_("Choose one of the allowed values.")]
            continue
        try:
            person, status = register.person_upsert(
                actor=actor,
                jurisdiction=grid,
                data=_with_known_name(actor, data),
                recorded_on=day,
            )
            if person.pk in seen:
                raise ValidationError({"doc_number": _("This person is listed twice.")})
            seen.add(person.pk)
            register.residency_start(
                actor=actor, person=person, unit=unit, role=role, recorded_on=day
            )
        except ValidationError as exc:
            refused.update(_keyed(index, exc))
            continue
        found.append(
            VisitPerson(visit=visit, person=person, role=role, created=status == "created")
        )
    if refused:
        raise ValidationError(refused)  # nothing of the visit is kept
    VisitPerson.objects.bulk_create(found)
    updates: dict[str, object] = {"visits_count": F("visits_count") + 1}
    if cu.last_visit_at is None or visited_at >= cu.last_visit_at:
        updates.update(last_visit_at=visited_at, last_outcome=outcome)
    if outcome != Outcome.NOBODY_HOME and (
        cu.first_inspected_at is None or visited_at < cu.first_inspected_at
    ):
        updates["first_inspected_at"] = visited_at
    CampaignUnit.objects.filter(pk=cu.pk).update(**updates)
    audit_record(
        actor=actor,
        action="visit.record",
        obj=visit,
        jpath=visit.jpath,
        after={
            **snapshot(visit),
            "persons": [
                {"person": vp.person_id, "role": vp.role, "created": vp.created} for vp in found
            ],
        },
    )
    visit.found = found  # type: ignore[attr-defined]
    return visit


def campaign_facts_refresh(*, campaign: Campaign) -> int:
    """Recomputes every unit's stored facts from its visits (after a bulk load, or as a
    repair). Derived data only, so not audited. Returns the number of units."""
    visits = Visit.objects.filter(campaign_unit=OuterRef("pk"))
    counted = visits.order_by().values("campaign_unit").annotate(n=Count("pk")).values("n")[:1]
    latest = visits.order_by("-visited_at", "-id")
    inspected = visits.exclude(outcome=Outcome.NOBODY_HOME).order_by("visited_at")
    return CampaignUnit.objects.filter(campaign=campaign).update(
        visits_count=Coalesce(Subquery(counted), Value(0)),
        last_visit_at=Subquery(latest.values("visited_at")[:1]),
        last_outcome=Coalesce(Subquery(latest.values("outcome")[:1]), Value("")),
        first_inspected_at=Subquery(inspected.values("visited_at")[:1]),
    )


def move_visit_persons(survivor: Person, duplicate: Person) -> int:
    """Merge mover: the people found in visits point to the surviving record. A visit that
    listed both keeps one row."""
    both = VisitPerson.objects.filter(person=survivor).values("visit_id")
    VisitPerson.objects.filter(person=duplicate, visit_id__in=both).delete()
    return VisitPerson.objects.filter(person=duplicate).update(person=survivor)
