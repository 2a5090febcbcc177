"""Reads of follow-ups and of the slots still owed: a team's worklist of the day and
headquarters' overdue list, each one indexed query over the slots' partial indexes
(`done_at IS NULL AND case_open`, filtered exactly so), whatever the number of cases."""

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from epigrid.accounts.access import Actor, scope
from epigrid.accounts.roles import Capability
from epigrid.core.pagination import Page, decode_cursor, encode_cursor
from epigrid.geo.models import path_of, within_q
from epigrid.workforce.models import Team, TeamMembership
from epigrid.workforce.selectors import staff_of

from .. import rules
from ..models import FollowUp, FollowUpSlot, SlotState

# "Due soon": a slot whose deadline is this close is shown amber on the worklist.
DUE_SOON = dt.timedelta(hours=2)
MAX_WORKLIST = 500
MAX_MISSED_DAYS = 14
# What a worklist loads of a slot's case: not its policy nor the person's whole record.
SLOT_FIELDS = [f.name for f in FollowUpSlot._meta.concrete_fields]
CASE_SHOWN = ("person__name", "person__phone", "person__jpath", "jurisdiction__name")


def _local_midnight(now: dt.datetime, days: int = 0) -> dt.datetime:
    return rules.local_midnight(now.astimezone(rules.zone()).date() + dt.timedelta(days=days))


def teams_of(actor: Actor) -> list[Team]:
    """The current teams of the acting user's grid-worker record."""
    staff = staff_of(actor)
    if staff is None:
        return []
    ids = TeamMembership.objects.filter(staff=staff, active_until__isnull=True).values("team_id")
    return list(Team.objects.filter(pk__in=ids, active_until__isnull=True).order_by("name", "id"))


def team_choices(*, actor: Actor) -> list[Team]:
    """Teams whose worklist the actor may open: current teams in their scope."""
    return list(
        scope(Team.objects.filter(active_until__isnull=True), actor, Capability.QUARANTINE_VIEW)
        .select_related("jurisdiction")
        .order_by("jpath", "name", "id")[:500]
    )


# Up to this many teams in one's area are offered as a list; more are found by searching.
PICK_LIST = 30


@dataclass
class TeamPick:
    """The teams to offer someone picking a team's worklist: all of them when their area
    has at most PICK_LIST (`search` False), else those matching what they typed (`search`
    True; `more`: some matches left out)."""

    teams: list[Team]
    search: bool
    more: bool = False


def team_pick(*, actor: Actor, find: str = "") -> TeamPick:
    """Current teams in the actor's scope to pick from (see TeamPick); `find` matches a
    team's name or its grid's name anywhere, or its grid's code from the start. One
    query, a page of at most PICK_LIST teams, whatever the size of the area."""
    qs = scope(Team.objects.filter(active_until__isnull=True), actor, Capability.QUARANTINE_VIEW)
    find = find.strip()
    if find:
        qs = qs.filter(
            Q(name__icontains=find)
            | Q(jurisdiction__name__icontains=find)
            | Q(jurisdiction__code__startswith=find)
        )
    teams = list(qs.select_related("jurisdiction").order_by("jpath", "name", "id")[: PICK_LIST + 1])
    more = len(teams) > PICK_LIST
    if not find and not more:
        return TeamPick(teams=teams, search=False)
    return TeamPick(teams=teams[:PICK_LIST] if find else [], search=True, more=more and bool(find))


def team_for_actor(*, actor: Actor, pk: int) -> Team:
    """A team in the actor's scope, else 404."""
    try:
        return scope(Team.objects.all(), actor, Capability.QUARANTINE_VIEW).get(pk=pk)
    except (Team.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


@dataclass
class Worklist:
    teams: list[Team]
    now: dt.datetime
    items: list[FollowUpSlot] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        counts = {"overdue": 0, "due_soon": 0, "due": 0, "upcoming": 0}
        for slot in self.items:
            counts[slot.urgency] += 1  # type: ignore[attr-defined]
        return counts


def urgency_at(
    opens_at: dt.datetime, deadline: dt.datetime, ends_at: dt.datetime, now: dt.datetime
) -> str:
    """A not-done slot's urgency from its times (FollowUpSlot.state_at for a slot not done):
    overdue (red), due_soon (amber), due, or upcoming (not open yet); a slot whose day is
    over (missed) counts as overdue, as on the worklist it never shows."""
    if now < opens_at:
        return "upcoming"
    if now > deadline:
        return "overdue"
    return "due_soon" if deadline - now <= DUE_SOON else "due"


def urgency(slot: FollowUpSlot, now: dt.datetime) -> str:
    """overdue (red), due_soon (amber), due, or upcoming (not open yet)."""
    state = slot.state_at(now)
    if state == SlotState.OVERDUE:
        return "overdue"
    if state == SlotState.UPCOMING:
        return "upcoming"
    return "due_soon" if slot.deadline - now <= DUE_SOON else "due"


def _todo() -> QuerySet[FollowUpSlot]:
    # Exactly the partial indexes' condition, so the planners can use them.
    return FollowUpSlot.objects.filter(done_at__isnull=True, case_open=True)


def _today_of(actor: Actor, teams: list[Team], now: dt.datetime) -> QuerySet[FollowUpSlot]:
    """Today's slots not yet done of `teams`, in the actor's scope, by deadline (found
    through the slot_team_todo index)."""
    return scope(
        _todo().filter(
            team_id__in=[t.pk for t in teams],
            deadline__gte=_local_midnight(now),
            deadline__lt=_local_midnight(now, 1),
        ),
        actor,
        Capability.QUARANTINE_VIEW,
    ).order_by("deadline", "id")


def worklist(*, actor: Actor, team: Team | None = None, now: dt.datetime | None = None) -> Worklist:
    """Today's slots not yet done of `team` (default: the actor's own teams), in the actor's
    scope: overdue first, then by deadline (due soon, due, later today). Two queries at
    most, whatever the number of cases."""
    now = now or timezone.now()
    teams = [team] if team is not None else teams_of(actor)
    result = Worklist(teams=teams, now=now)
    if not teams:
        return result
    rows = list(
        _today_of(actor, teams, now)
        .select_related("case__person", "case__jurisdiction")
        .only(*SLOT_FIELDS, *(f"case__{f}" for f in CASE_SHOWN))[:MAX_WORKLIST]
    )
    for slot in rows:
        slot.urgency = urgency(slot, now)  # type: ignore[attr-defined]
        slot.state_now = slot.state_at(now)  # type: ignore[attr-defined]
    # Deadline order already puts the overdue (past deadlines) first.
    result.items = rows
    return result


@dataclass
class WorkRow:
    """One line of a team's worklist page: a slot with what the card shows of its case."""

    pk: int
    case_id: int
    opens_at: dt.datetime
    deadline: dt.datetime
    name: str
    phone: str
    person_path: str
    place: str
    urgency: str


@dataclass
class WorkRows:
    teams: list[Team]
    now: dt.datetime
    rows: list[WorkRow] = field(default_factory=list)
    counts: dict[str, int] = field(
        default_factory=lambda: {"overdue": 0, "due_soon": 0, "due": 0, "upcoming": 0}
    )


def worklist_rows(
    *, actor: Actor, team: Team | None = None, now: dt.datetime | None = None
) -> WorkRows:
    """The worklist of `worklist` as plain rows for the page: the same slots in the same
    order, only the columns a card shows, no model instances (a big team's page renders
    a couple of hundred). Counts by urgency come with it. Three queries at most (the
    actor's own teams, then the slots), whatever the number of cases."""
    now = now or timezone.now()
    teams = [team] if team is not None else teams_of(actor)
    result = WorkRows(teams=teams, now=now)
    if not teams:
        return result
    counts = result.counts
    for pk, case_id, opens_at, deadline, ends_at, name, phone, path, place in _today_of(
        actor, teams, now
    ).values_list(
        "id",
        "case_id",
        "opens_at",
        "deadline",
        "ends_at",
        "case__person__name",
        "case__person__phone",
        "case__person__jpath",
        "case__jurisdiction__name",
    )[:MAX_WORKLIST]:
        level = urgency_at(opens_at, deadline, ends_at, now)
        counts[level] += 1
        result.rows.append(
            WorkRow(pk, case_id, opens_at, deadline, name, phone, path, place, level)
        )
    return result


def overdue_list(
    *,
    actor: Actor,
    within: str | None = None,
    missed_days: int = 0,
    now: dt.datetime | None = None,
) -> QuerySet[FollowUpSlot]:
    """Slots not done whose deadline has passed, in the actor's scope (inside `within`):
    today's overdue ones, and with `missed_days` > 0 also those missed on that many
    previous days. Page it with overdue_page (by deadline, then grid)."""
    now = now or timezone.now()
    days = min(max(int(missed_days or 0), 0), MAX_MISSED_DAYS)
    qs = _todo().filter(deadline__gte=_local_midnight(now, -days), deadline__lt=now)
    if within:
        qs = qs.filter(within_q(path_of(within)))
    return scope(
        qs.select_related("case__person", "case__jurisdiction", "team"),
        actor,
        Capability.QUARANTINE_VIEW,
    )


def overdue_page(
    qs: QuerySet[FollowUpSlot], *, cursor: str | None, limit: int | None
) -> Page[FollowUpSlot]:
    """Keyset pages over (deadline, jpath, id): the order of the slot_todo_deadline index,
    so a city's thousands of slots sharing the 10:00 deadline need no sort. The cursor is
    "<deadline ISO>|<jpath>|<id>"."""
    size = min(max(int(limit or 50), 1), 500)
    qs = qs.order_by("deadline", "jpath", "id")
    if cursor:
        value = decode_cursor(cursor)
        try:
            stamp, jpath, last = str(value).split("|")
            after = dt.datetime.fromisoformat(stamp)
            last_id = int(last)
            if after.tzinfo is None or len(jpath) > 80 or not 0 <= last_id < 2**63:
                raise ValueError(stamp)
        except (ValueError, OverflowError) as exc:
            raise ValidationError({"cursor": _("This page link is not valid.")}) from exc
        qs = qs.filter(deadline__gte=after).filter(
            Q(deadline__gt=after)
            | Q(deadline=after, jpath__gt=jpath)
            | Q(deadline=after, jpath=jpath, id__gt=last_id)
        )
    rows = list(qs[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    nxt = None
    if more and rows:
        last_row = rows[-1]
        stamp = last_row.deadline.astimezone(dt.UTC).isoformat()
        nxt = encode_cursor(f"{stamp}|{last_row.jpath}|{last_row.pk}")
    return Page(items=rows, next=nxt)


def followup_list(
    *,
    actor: Actor,
    case: int | None = None,
    within: str | None = None,
    result: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[FollowUp]:
    """Follow-ups in the actor's scope, filtered by case, place, result and local days."""
    qs = scope(
        FollowUp.objects.select_related("staff", "case__person"),
        actor,
        Capability.QUARANTINE_VIEW,
    )
    if case:
        qs = qs.filter(case_id=case)
    if within:
        qs = qs.filter(within_q(path_of(within)))
    if result:
        qs = qs.filter(result=result)
    if since:
        qs = qs.filter(taken_at__gte=rules.local_midnight(since))
    if until:
        qs = qs.filter(taken_at__lt=rules.local_midnight(until + dt.timedelta(days=1)))
    return qs


def followup_get(*, actor: Actor, pk: int) -> FollowUp:
    try:
        return followup_list(actor=actor).get(pk=pk)
    except (FollowUp.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def slot_for_case(*, case_id: int, pk: int) -> FollowUpSlot | None:
    """A slot of a case the caller already read through case_get; None when not its own."""
    return FollowUpSlot.objects.filter(case_id=case_id, pk=pk).first()


def next_open_slot(*, case_id: int, now: dt.datetime | None = None) -> FollowUpSlot | None:
    """The slot a follow-up taken now would fill: the earliest not done of today already
    open."""
    now = now or timezone.now()
    return (
        FollowUpSlot.objects.filter(
            case_id=case_id, done_at__isnull=True, opens_at__lte=now, ends_at__gt=now
        )
        .order_by("deadline", "id")
        .first()
    )
