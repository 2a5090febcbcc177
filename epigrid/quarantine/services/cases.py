"""Observation cases: open, extend or shorten, close, edit; the follow-up slots they owe.

A case owes its slots from the moment it is opened: a case entered a few days after the
person went into quarantine (data entry lags at a village office) keeps its real start and
release dates, but no slot is owed retroactively, so nothing shows as "missed" (and no
missed-slot alert fires) for days before anyone was asked to follow up. Starts further back
than BACKDATE_DAYS, or further ahead than AHEAD_DAYS, are refused as likely typos.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from epigrid.accounts.access import Actor, require_can
from epigrid.accounts.roles import Capability
from epigrid.audit.services import audit_record, snapshot
from epigrid.core.writes import clean_text, versioned_update
from epigrid.geo.models import Jurisdiction, Kind
from epigrid.policy.registry import OBSERVATION_DAYS
from epigrid.policy.selectors import policy_snapshot
from epigrid.registry.models import Person, PersonCategory
from epigrid.workforce.models import Team, TeamKind

from .. import rules
from ..models import EndDateChange, EndReason, FollowUpSlot, ObservationCase, Regime

BACKDATE_DAYS = 7
AHEAD_DAYS = 30


class _Keep:
    """Marks an argument of case_update left as it is."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP: Any = _Keep()


def _today(now: dt.datetime) -> dt.date:
    return now.astimezone(rules.zone()).date()


def _parent_path(path: str) -> str:
    parts = path.rstrip(".").split(".")
    return ".".join(parts[:-1]) + "." if len(parts) > 1 else ""


def _check_team(team: Team | None, grid_path: str) -> None:
    """A case's team works in its grid (a three-person team) or in the grid's big grid (its
    stationed work group, for a grid without a team of its own), and is not dissolved."""
    if team is None:
        return
    if team.active_until is not None or team.jpath not in (grid_path, _parent_path(grid_path)):
        raise ValidationError(
            {"team": _("%(name)s does not work in this case's grid.") % {"name": team.name}}
        )


def default_team(grid: Jurisdiction) -> Team | None:
    """The grid's three-person team, when it has exactly one."""
    teams = list(
        Team.objects.filter(
            jpath=grid.path, kind=TeamKind.THREE_PERSON_TEAM, active_until__isnull=True
        )[:2]
    )
    return teams[0] if len(teams) == 1 else None


def _slot_rows(
    case: ObservationCase, first_day: dt.date, until_day: dt.date, not_before: dt.datetime
) -> list[FollowUpSlot]:
    return [
        FollowUpSlot(
            case=case,
            jpath=case.jpath,
            team_id=case.team_id,
            day=s.day,
            number=s.number,
            opens_at=s.opens_at,
            deadline=s.deadline,
            ends_at=s.ends_at,
        )
        for s in rules.plan_slots(case.policy, first_day, until_day, not_before)
    ]


def _open_case_of(person: Person, regime: str) -> ObservationCase | None:
    return (
        ObservationCase.objects.filter(person=person, regime=regime, closed_at__isnull=True)
        .order_by("id")
        .first()
    )


def _duplicate_error(existing: ObservationCase) -> ValidationError:
    return ValidationError(
        {
            "regime": _(
                "This person already has an open case of this kind (case %(id)s, from "
                "%(start)s). Change or close that case instead."
            )
            % {"id": existing.pk, "start": existing.start_date.isoformat()}
        }
    )


@transaction.atomic
def case_open(
    *,
    actor: Actor,
    person: Person,
    reason: PersonCategory,
    regime: str,
    jurisdiction: Jurisdiction,
    team: Team | None = None,
    start_date: dt.date,
    note: str = "",
) -> ObservationCase:
    """Puts `person` under observation in the small grid `jurisdiction` from `start_date`,
    under the policy in force that day (kept on the case): the release date is start +
    observation days, and the follow-up slots owed from now on are made. `team` defaults to
    the grid's only three-person team. One open case per person and regime."""
    require_can(actor, Capability.QUARANTINE_MANAGE, jurisdiction.path)
    if not (actor.system or actor.can(Capability.REGISTRY_VIEW, person.jpath)):
        raise Http404  # someone the actor cannot see in the register: as if unknown
    note = clean_text(note, "note", 500, required=False)
    now = timezone.now()
    today = _today(now)
    errors: dict[str, str] = {}
    if person.merged_into_id is not None:
        errors["person"] = _(
            "This record was merged into another one: open the case on the surviving record."
        )
    if regime not in Regime.values:
        errors["regime"] = _("Choose one of the allowed values.")
    if not reason.active:
        errors["reason"] = _("This key-person category is no longer in use.")
    if jurisdiction.kind != Kind.SMALL_GRID:
        errors["jurisdiction"] = _("A case belongs to a small grid.")
    elif jurisdiction.active_until is not None:
        errors["jurisdiction"] = _("This jurisdiction is no longer active.")
    if start_date < today - dt.timedelta(days=BACKDATE_DAYS):
        errors["start_date"] = _("The start date is more than %(n)d days ago: check the date.") % {
            "n": BACKDATE_DAYS
        }
    elif start_date > today + dt.timedelta(days=AHEAD_DAYS):
        errors["start_date"] = _(
            "The start date is more than %(n)d days ahead: check the date."
        ) % {"n": AHEAD_DAYS}
    if errors:
        raise ValidationError(errors)
    if team is None:
        team = default_team(jurisdiction)
    else:
        _check_team(team, jurisdiction.path)
    policy = policy_snapshot(rules.POLICY_KEYS, start_date)
    days = int(policy.get(OBSERVATION_DAYS.key, OBSERVATION_DAYS.default))
    end_date = start_date + dt.timedelta(days=days)
    if end_date <= today:
        raise ValidationError(
            {"start_date": _("An observation from this date would already be over.")}
        )
    existing = _open_case_of(person, regime)
    if existing is not None:
        raise _duplicate_error(existing)
    try:
        with transaction.atomic():
            case = ObservationCase.objects.create(
                person=person,
                reason=reason,
                regime=regime,
                jurisdiction=jurisdiction,
                jpath=jurisdiction.path,
                team=team,
                start_date=start_date,
                end_date=end_date,
                policy=policy,
                opened_at=now,
                opened_by=actor.user,
                note=note,
            )
    except IntegrityError as exc:  # a concurrent open of the same person won the race
        existing = _open_case_of(person, regime)
        if existing is None:
            raise
        raise _duplicate_error(existing) from exc
    slots = FollowUpSlot.objects.bulk_create(_slot_rows(case, start_date, end_date, now))
    audit_record(
        actor=actor,
        action="case.open",
        obj=case,
        jpath=case.jpath,
        after={**snapshot(case), "slots": len(slots)},
    )
    return case


def _locked(case: ObservationCase) -> ObservationCase:
    return ObservationCase.objects.select_for_update().get(pk=case.pk)


@transaction.atomic
def case_change_end(
    *, actor: Actor, case: ObservationCase, new_end: dt.date, reason: str, version: int
) -> ObservationCase:
    """Extends or shortens the observation to release on `new_end` (the previous date is
    kept as an EndDateChange): an extension adds the slots of the added days, owed from
    now on; a shortening deletes the not-done slots of the days dropped whose deadline has
    not passed (missed ones stay as history)."""
    require_can(actor, Capability.QUARANTINE_MANAGE, case.jpath)
    reason = clean_text(reason, "reason", 200)
    locked = _locked(case)
    now = timezone.now()
    today = _today(now)
    if locked.closed_at is not None:
        raise ValidationError({"new_end": _("This case is closed.")})
    if new_end <= locked.start_date:
        raise ValidationError({"new_end": _("The release date must be after the start date.")})
    if new_end < today:
        raise ValidationError(
            {"new_end": _("The release date cannot be before today: close the case instead.")}
        )
    if new_end == locked.end_date:
        raise ValidationError({"new_end": _("This is already the release date.")})
    previous = locked.end_date
    before = snapshot(locked)
    versioned_update(locked, version, end_date=new_end)
    if new_end > previous:
        # A slot done early on a day an earlier shortening dropped is still there.
        kept = set(
            FollowUpSlot.objects.filter(case=locked, day__gte=previous).values_list("day", "number")
        )
        rows = [
            s for s in _slot_rows(locked, previous, new_end, now) if (s.day, s.number) not in kept
        ]
        changed = len(FollowUpSlot.objects.bulk_create(rows))
    else:
        changed = -FollowUpSlot.objects.filter(
            case=locked, day__gte=new_end, done_at__isnull=True, deadline__gt=now
        ).delete()[0]
    EndDateChange.objects.create(
        case=locked,
        previous_end=previous,
        new_end=new_end,
        reason=reason,
        changed_by=actor.user,
    )
    audit_record(
        actor=actor,
        action="case.change_end",
        obj=locked,
        jpath=locked.jpath,
        before=before,
        after={**snapshot(locked), "reason": reason, "slots_changed": changed},
    )
    case.refresh_from_db()
    return case


@transaction.atomic
def case_close(
    *, actor: Actor, case: ObservationCase, end_reason: str, note: str = "", version: int
) -> ObservationCase:
    """Closes the case now with `end_reason`: its slots leave every worklist (case_open is
    cleared), and the slots not yet open are deleted; done and missed ones stay as history.
    "Completed" needs the observation period to be over."""
    require_can(actor, Capability.QUARANTINE_MANAGE, case.jpath)
    note = clean_text(note, "note", 200, required=False)
    locked = _locked(case)
    now = timezone.now()
    if locked.closed_at is not None:
        raise ValidationError({"end_reason": _("This case is already closed.")})
    if end_reason not in EndReason.values:
        raise ValidationError({"end_reason": _("Choose one of the allowed values.")})
    if end_reason == EndReason.COMPLETED and _today(now) < locked.end_date:
        raise ValidationError(
            {
                "end_reason": _(
                    "The observation period runs until %(end)s: choose another end reason, "
                    "or shorten the period first."
                )
                % {"end": locked.end_date.isoformat()}
            }
        )
    before = snapshot(locked)
    versioned_update(locked, version, closed_at=now, end_reason=end_reason, close_note=note)
    removed = FollowUpSlot.objects.filter(
        case=locked, done_at__isnull=True, opens_at__gt=now
    ).delete()[0]
    FollowUpSlot.objects.filter(case=locked).update(case_open=False)
    audit_record(
        actor=actor,
        action="case.close",
        obj=locked,
        jpath=locked.jpath,
        before=before,
        after={**snapshot(locked), "slots_removed": removed},
    )
    case.refresh_from_db()
    return case


@transaction.atomic
def case_update(
    *,
    actor: Actor,
    case: ObservationCase,
    version: int,
    team: Team | None = KEEP,
    note: str = KEEP,
) -> ObservationCase:
    """Changes the responsible team (its slots not yet done move to the new team's
    worklist) and/or the note; arguments left out stay as they are."""
    require_can(actor, Capability.QUARANTINE_MANAGE, case.jpath)
    locked = _locked(case)
    changes: dict[str, Any] = {}
    if note is not KEEP:
        changes["note"] = clean_text(note, "note", 500, required=False)
    if team is not KEEP:
        if locked.closed_at is not None:
            raise ValidationError({"team": _("This case is closed.")})
        _check_team(team, locked.jpath)
        changes["team"] = team
    before = snapshot(locked)
    versioned_update(locked, version, **changes)
    if "team" in changes:
        FollowUpSlot.objects.filter(case=locked, done_at__isnull=True).update(team=changes["team"])
    audit_record(
        actor=actor,
        action="case.update",
        obj=locked,
        jpath=locked.jpath,
        before=before,
        after=snapshot(locked),
    )
    case.refresh_from_db()
    return case


def move_cases(survivor: Person, duplicate: Person) -> int:
    """Registered with the register's merge: the duplicate's cases move to the survivor.

    When both records have an open case of the same regime the merge is refused: which of
    the two is the real observation (dates, team, follow-ups) is for a person to decide, by
    closing one of them first; closing one here would silently drop a team's worklist."""
    clash = (
        ObservationCase.objects.filter(person=duplicate, closed_at__isnull=True)
        .filter(
            regime__in=ObservationCase.objects.filter(
                person=survivor, closed_at__isnull=True
            ).values("regime")
        )
        .order_by("id")
        .first()
    )
    if clash is not None:
        other = _open_case_of(survivor, clash.regime)
        raise ValidationError(
            {
                "duplicate": _(
                    "Both records have an open observation case of the same kind (cases "
                    "%(a)s and %(b)s): close one of them before merging."
                )
                % {"a": other.pk if other else "?", "b": clash.pk}
            }
        )
    return ObservationCase.objects.filter(person=duplicate).update(person=survivor)
