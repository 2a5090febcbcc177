"""Reads of grid workers, teams and grid responsibilities, always through the actor's scope."""

from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet

from epigrid.accounts.access import Actor, get_for_actor, scope
from epigrid.accounts.roles import Capability
from epigrid.core.rows import from_row, run, select_columns
from epigrid.geo.models import Jurisdiction, path_of, within_q

from .models import GridResponsibility, StaffMember, Team, TeamMembership


def staff_of(actor: Actor) -> StaffMember | None:
    """The grid-worker record of the acting user, if they are one and on duty."""
    if actor.user is None:
        return None
    return (
        StaffMember.objects.filter(user=actor.user, active_until__isnull=True)
        .select_related("jurisdiction")
        .first()
    )


def on_duty_record(actor: Actor) -> StaffMember | None:
    """staff_of for a write path (the follow-up of a phone): the same row, its jurisdiction
    not joined, read by one fixed statement (core.rows) rather than a queryset compiled on
    each call, which costs more than the write's own statements."""
    if actor.user is None:
        return None
    row = run(_on_duty_sql(), [actor.user.pk])
    return None if row is None else from_row(StaffMember, row)


def _on_duty_sql() -> str:
    """Built once per database kind (its quoting of the columns), not on every write."""
    vendor = connection.vendor
    if vendor not in _ON_DUTY:
        _ON_DUTY[vendor] = (
            f"SELECT {select_columns(StaffMember)} FROM {StaffMember._meta.db_table} "  # noqa: S608 - names from the model, values bound
            "WHERE user_id = %s AND active_until IS NULL ORDER BY id LIMIT 1"
        )
    return _ON_DUTY[vendor]


_ON_DUTY: dict[str, str] = {}


def is_team_member(staff: StaffMember, team_id: int) -> bool:
    """Whether the grid worker is in the team now, by one fixed statement (core.rows)."""
    return run(_MEMBER_SQL, [team_id, staff.pk]) is not None


_MEMBER_SQL = (
    f"SELECT 1 FROM {TeamMembership._meta.db_table} "  # noqa: S608 - names from the model, values bound
    "WHERE team_id = %s AND staff_id = %s AND active_until IS NULL LIMIT 1"
)


def staff_list(
    *,
    actor: Actor,
    within: str | None = None,
    category: str | None = None,
    q: str | None = None,
    include_inactive: bool = False,
) -> QuerySet[StaffMember]:
    """Grid workers inside the actor's scope; current ones unless asked otherwise."""
    qs = scope(StaffMember.objects.select_related("jurisdiction"), actor, Capability.STAFF_VIEW)
    if within:
        qs = qs.filter(within_q(path_of(within)))
    if category:
        qs = qs.filter(category=category)
    if q:
        qs = qs.filter(name__startswith=q) | qs.filter(phone__startswith=q)
    if not include_inactive:
        qs = qs.filter(active_until__isnull=True)
    return qs


def staff_get(
    *, actor: Actor, pk: int, capability: Capability = Capability.STAFF_VIEW
) -> StaffMember:
    return get_for_actor(
        StaffMember.objects.select_related("jurisdiction", "user"), actor, capability, pk=pk
    )


def team_list(
    *,
    actor: Actor,
    within: str | None = None,
    kind: str | None = None,
    q: str | None = None,
    include_inactive: bool = False,
) -> QuerySet[Team]:
    """Teams inside the actor's scope with their current members prefetched (constant queries)."""
    current = TeamMembership.objects.filter(active_until__isnull=True).select_related("staff")
    qs = scope(
        Team.objects.select_related("jurisdiction", "leader").prefetch_related(  # type: ignore[no-redef]
            Prefetch("memberships", queryset=current, to_attr="current_memberships")
        ),
        actor,
        Capability.TEAMS_VIEW,
    )
    if within:
        qs = qs.filter(within_q(path_of(within)))
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(name__contains=q)
    if not include_inactive:
        qs = qs.filter(active_until__isnull=True)
    return qs


def team_get(*, actor: Actor, pk: int, capability: Capability = Capability.TEAMS_VIEW) -> Team:
    return get_for_actor(team_list(actor=actor, include_inactive=True), actor, capability, pk=pk)


def responsibilities_for(*, actor: Actor, node: Jurisdiction) -> list[GridResponsibility]:
    """Who answers for `node`: its own responsible leader / first responsible person, or those
    of the nearest unit above it that has them.

    Shown to anyone who may see the node, even when the leader sits above the actor's own
    scope: a grid worker must know who their grid's leader is (the seed posts it on boards).
    Only names and posts are shown; the leader's record stays behind its own scope.
    """
    parts = node.code.split(".")
    paths = [".".join(parts[: i + 1]) + "." for i in range(len(parts))]
    rows = list(
        GridResponsibility.objects.filter(jpath__in=paths, active_until__isnull=True)
        .select_related("staff", "jurisdiction")
        .order_by("-jpath", "kind")
    )
    nearest = rows[0].jpath if rows else None
    return [r for r in rows if r.jpath == nearest]


def staff_eligible_for(*, actor: Actor, path: str, limit: int = 500) -> list[StaffMember]:
    """Current grid workers who may serve at the node with `path`: inside it or above it."""
    parts = path.rstrip(".").split(".")
    ancestors = [".".join(parts[: i + 1]) + "." for i in range(len(parts) - 1)]
    qs = scope(
        StaffMember.objects.filter(active_until__isnull=True).select_related("jurisdiction"),
        actor,
        Capability.STAFF_VIEW,
    )
    return list(
        qs.filter(within_q(path) | Q(jpath__in=ancestors)).order_by("jpath", "name")[:limit]
    )


def staff_category_counts(*, actor: Actor, path: str) -> dict[str, int]:
    """Current grid workers inside `path` by category (one grouped query)."""
    qs = scope(StaffMember.objects.filter(active_until__isnull=True), actor, Capability.STAFF_VIEW)
    rows = qs.filter(within_q(path)).values_list("category").annotate(n=Count("pk")).order_by()
    return dict(rows)


def memberships_of(*, actor: Actor, member: StaffMember) -> list[TeamMembership]:
    """A grid worker's team memberships, current and past, in teams the actor may see."""
    teams = scope(Team.objects.all(), actor, Capability.TEAMS_VIEW)
    return list(
        TeamMembership.objects.filter(staff=member, team__in=teams)
        .select_related("team")
        .order_by("-active_from")
    )
