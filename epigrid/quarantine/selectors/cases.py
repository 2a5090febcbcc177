"""Reads of observation cases, scoped to the actor: lists with filters, one case with its
slots, end-date changes and follow-ups."""

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone, translation

from epigrid.accounts.access import Actor, get_for_actor, scope
from epigrid.accounts.roles import Capability
from epigrid.core.queries import prefix_q
from epigrid.geo.models import Jurisdiction, Kind, path_of, within_q
from epigrid.registry.normalize import name_norm
from epigrid.workforce.models import Team

from .. import rules
from ..models import (
    CaseStatus,
    EndDateChange,
    FollowUp,
    FollowUpSlot,
    ObservationCase,
    SlotState,
)

STATUSES = ("open", *CaseStatus.values)


def local_today(now: dt.datetime | None = None) -> dt.date:
    """Today in the deployment's zone, whatever zone `now` (or the server clock) is in."""
    return (now or timezone.now()).astimezone(rules.zone()).date()


def status_q(status: str, today: dt.date) -> Q:
    """The derived status as a filter (see ObservationCase.status_at)."""
    if status == CaseStatus.CLOSED:
        return Q(closed_at__isnull=False)
    open_ = Q(closed_at__isnull=True)
    if status == CaseStatus.UPCOMING:
        return open_ & Q(start_date__gt=today)
    if status == CaseStatus.ACTIVE:
        return open_ & Q(start_date__lte=today, end_date__gt=today)
    if status == CaseStatus.ENDED:
        return open_ & Q(end_date__lte=today)
    return open_


def case_list(
    *,
    actor: Actor,
    status: str | None = None,
    regime: str | None = None,
    team: int | None = None,
    within: str | None = None,
    q: str | None = None,
    now: dt.datetime | None = None,
) -> QuerySet[ObservationCase]:
    """Cases in the actor's scope; `status` is one of STATUSES (derived from dates and
    closing), `within` a jurisdiction code, `q` a prefix of the person's name."""
    qs = scope(
        ObservationCase.objects.select_related("person", "jurisdiction", "team", "reason"),
        actor,
        Capability.QUARANTINE_VIEW,
    )
    if status in STATUSES:
        qs = qs.filter(status_q(status, local_today(now)))
    if regime:
        qs = qs.filter(regime=regime)
    if team:
        qs = qs.filter(team_id=team)
    if within:
        qs = qs.filter(within_q(path_of(within)))
    if q and q.strip():
        qs = qs.filter(prefix_q("person__name_norm", name_norm(q.strip()[:32])))
    return qs


def case_get(
    *, actor: Actor, pk: int, capability: Capability = Capability.QUARANTINE_VIEW
) -> ObservationCase:
    """One case in the actor's scope, else 404 (unknown and hidden answer alike)."""
    return get_for_actor(
        ObservationCase.objects.select_related(
            "person", "jurisdiction", "team", "reason", "opened_by"
        ),
        actor,
        capability,
        pk=pk,
    )


def case_slots(*, case: ObservationCase) -> QuerySet[FollowUpSlot]:
    """The slots of a case the caller already read through case_get, by deadline."""
    return FollowUpSlot.objects.filter(case=case).order_by("deadline", "id")


def case_end_changes(*, case: ObservationCase) -> list[EndDateChange]:
    return list(
        EndDateChange.objects.filter(case=case)
        .select_related("changed_by")
        .order_by("-changed_at", "-id")
    )


def case_followups(*, case: ObservationCase, limit: int = 100) -> list[FollowUp]:
    """The latest follow-ups of a case, newest first, each with `.symptom_labels` (names in
    the case's policy, in the active language) and `.fever` (judged under that policy)."""
    language = translation.get_language() or "zh-hans"
    rows = list(
        FollowUp.objects.filter(case=case)
        .select_related("staff", "recorded_by")
        .order_by("-taken_at", "-id")[:limit]
    )
    for f in rows:
        f.symptom_labels = [  # type: ignore[attr-defined]
            rules.symptom_label(case.policy, code, language) for code in f.symptoms
        ]
        f.fever = rules.is_fever(case.policy, f.temperature)  # type: ignore[attr-defined]
    return rows


def slot_days(
    slots: list[FollowUpSlot], now: dt.datetime
) -> list[tuple[dt.date, list[FollowUpSlot]]]:
    """Slots grouped by day, each with its state at `now` set as `.state_now` (and its
    label as `.state_label`)."""
    labels = dict(SlotState.choices)
    days: dict[dt.date, list[FollowUpSlot]] = {}
    for slot in slots:
        slot.state_now = slot.state_at(now)  # type: ignore[attr-defined]
        slot.state_label = labels[slot.state_now]  # type: ignore[attr-defined]
        days.setdefault(slot.day, []).append(slot)
    return list(days.items())


def slot_counts(slots: list[FollowUpSlot], now: dt.datetime) -> list[tuple[str, str, int]]:
    """(state, label, how many) of a case's slots at `now`, in SlotState order."""
    counts: dict[str, int] = {}
    for slot in slots:
        state = slot.state_at(now)
        counts[state] = counts.get(state, 0) + 1
    return [
        (state, str(label), counts[state]) for state, label in SlotState.choices if state in counts
    ]


# --- choices for the forms ------------------------------------------------------------


def grid_choices(
    *,
    actor: Actor,
    capability: Capability = Capability.QUARANTINE_MANAGE,
    within: str | None = None,
    limit: int = 300,
) -> list[Jurisdiction]:
    """Active small grids where the actor holds `capability` (inside `within`), in tree
    order."""
    qs = scope(
        Jurisdiction.objects.filter(kind=Kind.SMALL_GRID, active_until__isnull=True),
        actor,
        capability,
        field="path",
    )
    if within:
        qs = qs.filter(within_q(path_of(within), "path"))
    return list(qs.order_by("path")[:limit])


def filter_nodes(*, actor: Actor, limit: int = 300) -> list[Jurisdiction]:
    """Nodes a case list may be filtered by: villages and grids in the actor's scope; above
    a subdistrict only villages (a city has thousands of grids, too many for a dropdown)."""
    tops = actor.paths(Capability.QUARANTINE_VIEW)
    coarse = actor.system or any(p.count(".") <= 2 for p in tops)
    kinds = [Kind.VILLAGE, Kind.COMMUNITY]
    if not coarse:
        kinds += [Kind.BIG_GRID, Kind.SMALL_GRID]
    qs = scope(
        Jurisdiction.objects.filter(kind__in=kinds, active_until__isnull=True),
        actor,
        Capability.QUARANTINE_VIEW,
        field="path",
    )
    return list(qs.order_by("path")[:limit])


def teams_for_grid(*, actor: Actor, grid_path: str) -> list[Team]:
    """Current teams that may take a case of the grid: its own, or its big grid's."""
    parts = grid_path.rstrip(".").split(".")
    paths = [grid_path, ".".join(parts[:-1]) + "."] if len(parts) > 1 else [grid_path]
    qs = scope(
        Team.objects.filter(jpath__in=paths, active_until__isnull=True),
        actor,
        Capability.QUARANTINE_VIEW,
    )
    return list(qs.select_related("jurisdiction").order_by("-jpath", "name", "id"))


def grid_get(*, actor: Actor, code: str) -> Jurisdiction:
    """A small grid where the actor may open cases, else 404."""
    return get_for_actor(
        Jurisdiction.objects.filter(kind=Kind.SMALL_GRID),
        actor,
        Capability.QUARANTINE_MANAGE,
        field="path",
        code=code,
    )
