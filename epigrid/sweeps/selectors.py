"""Reads of sweep campaigns, always through the actor's scope, in a constant number of
queries however many units and visits there are."""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from epigrid.accounts.access import Actor, get_for_actor, scope
from epigrid.accounts.roles import Capability
from epigrid.core.pagination import Page, decode_cursor, encode_cursor
from epigrid.geo.models import Jurisdiction, path_of, within_q
from epigrid.registry import selectors as registry
from epigrid.registry.identity import normalize
from epigrid.registry.models import DocType, Person
from epigrid.workforce.models import TeamMembership
from epigrid.workforce.selectors import staff_of

from .models import Campaign, CampaignUnit, Outcome, Visit, VisitPerson


def _ancestors(path: str) -> list[str]:
    parts = path.rstrip(".").split(".")
    return [".".join(parts[: i + 1]) + "." for i in range(len(parts) - 1)]


# --- campaigns ----------------------------------------------------------------------------


def _visible_q(actor: Actor, capability: Capability) -> Q | None:
    """Campaigns inside the actor's subtrees, or run from a node above them: a grid worker
    sees the subdistrict's campaign that covers their grid (and only their grid's units)."""
    paths = actor.paths(capability)
    if not paths:
        return None
    condition = Q()
    for path in paths:
        condition |= within_q(path) | Q(jpath__in=_ancestors(path))
    return condition


def campaign_visible(actor: Actor, campaign: Campaign) -> bool:
    return actor.system or any(
        campaign.jpath.startswith(p) or p.startswith(campaign.jpath)
        for p in actor.paths(Capability.SWEEPS_VIEW)
    )


def campaign_list(
    *, actor: Actor, within: str | None = None, open_only: bool = False
) -> QuerySet[Campaign]:
    """Campaigns the actor may see (see `_visible_q`); `within` keeps those covering or
    inside a node."""
    qs = Campaign.objects.select_related("jurisdiction")
    if not actor.system:
        condition = _visible_q(actor, Capability.SWEEPS_VIEW)
        if condition is None:
            return qs.none()
        qs = qs.filter(condition)
    if within:
        path = path_of(within)
        qs = qs.filter(within_q(path) | Q(jpath__in=[*_ancestors(path), path]))
    if open_only:
        today = timezone.localdate()
        qs = qs.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today), starts_on__lte=today)
    return qs


def campaign_get(*, actor: Actor, pk: int) -> Campaign:
    """A campaign the actor may see, else 404 (unknown and hidden answer alike)."""
    try:
        return campaign_list(actor=actor).get(pk=pk)
    except (Campaign.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def campaign_manageable_path(actor: Actor, campaign: Campaign) -> str | None:
    """The widest part of the campaign the actor may manage: all of it, or their own subtree
    inside it (a village secretary in a subdistrict's campaign); None when no part."""
    if actor.can(Capability.SWEEPS_MANAGE, campaign.jpath):
        return campaign.jpath
    inside = [p for p in actor.paths(Capability.SWEEPS_MANAGE) if p.startswith(campaign.jpath)]
    return inside[0] if inside else None


# --- coverage -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Coverage:
    """Units in scope, and how far the sweep has reached them."""

    units: int = 0
    inspected: int = 0
    nobody_home_only: int = 0
    never_visited: int = 0

    @property
    def gap(self) -> int:
        return self.nobody_home_only + self.never_visited

    @property
    def percent(self) -> int:
        return int(self.inspected * 100 / self.units) if self.units else 0

    @property
    def no_one_missed(self) -> bool:
        return self.units > 0 and self.gap == 0

    def __add__(self, other: "Coverage") -> "Coverage":
        return Coverage(
            self.units + other.units,
            self.inspected + other.inspected,
            self.nobody_home_only + other.nobody_home_only,
            self.never_visited + other.never_visited,
        )


COUNTS = {
    "units": Count("pk"),
    "inspected": Count("pk", filter=Q(first_inspected_at__isnull=False)),
    "nobody_home_only": Count("pk", filter=Q(first_inspected_at__isnull=True, visits_count__gt=0)),
    "never_visited": Count("pk", filter=Q(visits_count=0)),
}


def _coverage(row: dict) -> Coverage:
    return Coverage(*(row[k] for k in COUNTS))


def _units_in_scope(actor: Actor) -> QuerySet[CampaignUnit]:
    return scope(CampaignUnit.objects.all(), actor, Capability.SWEEPS_VIEW)


def coverage_by_path(*, actor: Actor, campaign: Campaign, path: str) -> dict[str, Coverage]:
    """Coverage of each grid (by path) inside `path` that the actor may see: one grouped
    query on the units' stored facts."""
    rows = (
        _units_in_scope(actor)
        .filter(campaign=campaign)
        .filter(within_q(path))
        .values("jpath")
        .annotate(**COUNTS)
        .order_by()
    )
    return {row["jpath"]: _coverage(row) for row in rows}


@dataclass(frozen=True)
class Drilldown:
    node: Jurisdiction
    total: Coverage
    children: list[tuple[Jurisdiction, Coverage]]


def coverage_drilldown(*, actor: Actor, campaign: Campaign, node: Jurisdiction) -> Drilldown:
    """Coverage of `node` and of each of its children (rows summed by path prefix): two
    queries whatever the depth."""
    by_path = coverage_by_path(actor=actor, campaign=campaign, path=node.path)
    children = list(
        Jurisdiction.objects.filter(parent=node, active_until__isnull=True).order_by("code")
    )
    sums = {c.path: Coverage() for c in children}
    start = len(node.path)
    total = Coverage()
    for path, cov in by_path.items():
        total = total + cov
        end = path.find(".", start)
        key = path[: end + 1] if end >= 0 else None
        if key in sums:
            sums[key] = sums[key] + cov
    visible = [(c, sums[c.path]) for c in children if sums[c.path].units or actor.sees(c.path)]
    return Drilldown(node=node, total=total, children=visible)


def coverage_grids_page(
    *, actor: Actor, campaign: Campaign, path: str, cursor: str | None, limit: int | None
) -> tuple[Coverage, list[tuple[str, Coverage]], str | None]:
    """(totals, one page of per-grid rows keyed by path, next cursor) inside `path`."""
    size = min(max(int(limit or 50), 1), 500)
    base = _units_in_scope(actor).filter(campaign=campaign).filter(within_q(path))
    totals = base.aggregate(**COUNTS)
    rows = base.values("jpath").annotate(**COUNTS).order_by("jpath")
    if cursor:
        after = decode_cursor(cursor)
        if not isinstance(after, str):
            raise ValidationError({"cursor": _("This page link is not valid.")})
        rows = rows.filter(jpath__gt=after)
    page = list(rows[: size + 1])
    more = len(page) > size
    page = page[:size]
    items = [(row["jpath"], _coverage(row)) for row in page]
    return _coverage(totals), items, encode_cursor(page[-1]["jpath"]) if more else None


def coverage_by_campaign(
    *, actor: Actor, campaign_ids: list[int], path: str | None = None
) -> dict[int, Coverage]:
    """Coverage of several campaigns over the actor's scope (inside `path`, if given), in
    one grouped query."""
    qs = _units_in_scope(actor).filter(campaign_id__in=campaign_ids)
    if path:
        qs = qs.filter(within_q(path))
    rows = qs.values("campaign_id").annotate(**COUNTS).order_by()
    return {row["campaign_id"]: _coverage(row) for row in rows}


# --- campaign units -----------------------------------------------------------------------

UNIT_STATUSES = ("never_visited", "nobody_home_only", "inspected", "gap")


def campaign_units(
    *,
    actor: Actor,
    campaign: Campaign,
    within: str | None = None,
    status: str | None = None,
    assignee_staff: int | None = None,
    assignee_team: int | None = None,
    unassigned: bool = False,
) -> QuerySet[CampaignUnit]:
    """The campaign's units inside the actor's scope, with what a list shows of them."""
    qs = _units_in_scope(actor).filter(campaign=campaign)
    qs = qs.select_related("unit__building", "unit__landlord", "assignee_staff", "assignee_team")
    if within:
        qs = qs.filter(within_q(path_of(within)))
    if status == "never_visited":
        qs = qs.filter(visits_count=0)
    elif status == "nobody_home_only":
        qs = qs.filter(first_inspected_at__isnull=True, visits_count__gt=0)
    elif status == "inspected":
        qs = qs.filter(first_inspected_at__isnull=False)
    elif status == "gap":
        qs = qs.filter(first_inspected_at__isnull=True)
    if assignee_staff:
        qs = qs.filter(assignee_staff_id=assignee_staff)
    if assignee_team:
        qs = qs.filter(assignee_team_id=assignee_team)
    if unassigned:
        qs = qs.filter(assignee_staff__isnull=True, assignee_team__isnull=True)
    return qs


def campaign_unit_get(
    *, actor: Actor, pk: int, capability: Capability = Capability.SWEEPS_VIEW
) -> CampaignUnit:
    return get_for_actor(
        CampaignUnit.objects.select_related(
            "campaign__jurisdiction",
            "unit__building__jurisdiction",
            "unit__landlord",
            "assignee_staff",
            "assignee_team",
        ),
        actor,
        capability,
        pk=pk,
    )


def gap_units(*, actor: Actor, campaign: Campaign, path: str) -> QuerySet[CampaignUnit]:
    """Units not yet inspected: never visited, or only ever "nobody home"."""
    return campaign_units(actor=actor, campaign=campaign, within=path.rstrip("."), status="gap")


# --- today's list (今日待排查) --------------------------------------------------------------


def today_list(*, actor: Actor) -> QuerySet[CampaignUnit]:
    """Units of open campaigns assigned to the acting grid worker or to a team they are in,
    not yet inspected: never-visited ones first (bucket 0), then those where nobody was home
    (bucket 1)."""
    qs = CampaignUnit.objects.select_related(
        "unit__building", "unit__landlord", "campaign"
    ).annotate(
        bucket=Case(
            When(visits_count=0, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
    )
    staff = staff_of(actor)
    if staff is None:
        return qs.none()
    teams = TeamMembership.objects.filter(staff=staff, active_until__isnull=True).values("team_id")
    today = timezone.localdate()
    qs = (
        qs.filter(Q(assignee_staff=staff) | Q(assignee_team__in=teams))
        .filter(first_inspected_at__isnull=True, campaign__starts_on__lte=today)
        .filter(Q(campaign__ends_on__isnull=True) | Q(campaign__ends_on__gte=today))
    )
    return scope(qs, actor, Capability.VISITS_RECORD)


def today_page(qs: QuerySet[CampaignUnit], *, cursor: str | None, limit: int | None) -> Page:
    """Keyset pages over (bucket, id); the cursor is "<bucket>-<id>"."""
    size = min(max(int(limit or 50), 1), 500)
    qs = qs.order_by("bucket", "id")
    if cursor:
        value = decode_cursor(cursor)
        try:
            bucket, last = (int(v) for v in str(value).split("-"))
        except ValueError as exc:
            raise ValidationError({"cursor": _("This page link is not valid.")}) from exc
        qs = qs.filter(Q(bucket__gt=bucket) | Q(bucket=bucket, id__gt=last))
    rows = list(qs[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    last_row = rows[-1] if rows else None
    bucket_of = last_row.bucket if last_row is not None else 0  # type: ignore[attr-defined]
    nxt = encode_cursor(f"{bucket_of}-{last_row.pk}") if more and last_row else None
    return Page(items=rows, next=nxt)


def my_coverage(*, actor: Actor) -> list[tuple[Campaign, Coverage]]:
    """Coverage of each open campaign over the actor's own area (their grid, for a grid
    worker): the figure that rises as they record visits. Two queries."""
    today = timezone.localdate()
    rows = list(
        _units_in_scope(actor)
        .filter(campaign__starts_on__lte=today)
        .filter(Q(campaign__ends_on__isnull=True) | Q(campaign__ends_on__gte=today))
        .values("campaign_id")
        .annotate(**COUNTS)
        .order_by("campaign_id")
    )
    campaigns = Campaign.objects.in_bulk([r["campaign_id"] for r in rows])
    return [(campaigns[r["campaign_id"]], _coverage(r)) for r in rows]


# --- visits -------------------------------------------------------------------------------


def visit_list(
    *,
    actor: Actor,
    campaign: int | None = None,
    campaign_unit: int | None = None,
    within: str | None = None,
    outcome: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[Visit]:
    qs = scope(
        Visit.objects.select_related("visited_by", "unit__building", "campaign"),
        actor,
        Capability.SWEEPS_VIEW,
    )
    if campaign:
        qs = qs.filter(campaign_id=campaign)
    if campaign_unit:
        qs = qs.filter(campaign_unit_id=campaign_unit)
    if within:
        qs = qs.filter(within_q(path_of(within)))
    if outcome:
        qs = qs.filter(outcome=outcome)
    if since:
        qs = qs.filter(visited_at__gte=_day_start(since))
    if until:
        qs = qs.filter(visited_at__lt=_day_start(until + dt.timedelta(days=1)))
    return qs


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def visit_get(*, actor: Actor, pk: int) -> Visit:
    return get_for_actor(
        Visit.objects.select_related(
            "visited_by", "team", "unit__building", "campaign", "campaign_unit", "recorded_by"
        ),
        actor,
        Capability.SWEEPS_VIEW,
        pk=pk,
    )


def visit_persons(*, visits: list[Visit]) -> dict[int, list[VisitPerson]]:
    """The people found at each of `visits` (already scoped by the caller), one query."""
    found: dict[int, list[VisitPerson]] = {v.pk: [] for v in visits}
    for vp in VisitPerson.objects.filter(visit__in=visits).select_related("person").order_by("id"):
        found[vp.visit_id].append(vp)
    return found


# --- the register, as a visit sees it -----------------------------------------------------


def person_known(*, actor: Actor, doc_type: str, doc_number: str) -> Person | None:
    """The register's person with this document, if the actor may see them; otherwise None,
    the same answer as for a number nobody holds."""
    number = normalize(doc_number)[:32]
    if not number or doc_type not in DocType.values:
        return None
    return registry.person_list(actor=actor).filter(doc_type=doc_type, doc_number=number).first()


def outcome_label(value: str) -> str:
    return str(dict(Outcome.choices).get(value, value))
