"""Reads of the checkpoint register, scoped to the actor: the list with its filters, one
checkpoint, its posts with their roster coverage of a day, and the choices forms offer."""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from epigrid.accounts.access import Actor, get_for_actor, scope
from epigrid.accounts.roles import Capability
from epigrid.geo.models import Jurisdiction, Kind, path_of, within_q
from epigrid.rosters import selectors as rosters
from epigrid.rosters.coverage import Gap

from ..models import Checkpoint, CheckpointKind, CheckpointPost, PostRole

SEARCH_MAX = 50
BIGINT = 2**63


def valid_pk(pk: object) -> int:
    """A row id as the database can hold it; anything else is a 404, as for a miss."""
    if not isinstance(pk, int) or isinstance(pk, bool) or not 0 < pk < BIGINT:
        raise Http404
    return pk


@dataclass(frozen=True)
class CheckpointFilters:
    """What a checkpoint list may be narrowed by. `q` is part of the name; `within` a
    jurisdiction code; `active_on` a day the checkpoint was in force (default: current
    ones, unless `include_ended`)."""

    q: str = ""
    kind: str = ""
    within: str = ""
    active_on: dt.date | None = None
    include_ended: bool = False

    @classmethod
    def of(cls, value: "CheckpointFilters | Mapping[str, Any] | None") -> "CheckpointFilters":
        if value is None:
            return cls()
        if isinstance(value, cls):
            return value
        assert isinstance(value, Mapping)
        known = {k: v for k, v in value.items() if k in cls.__dataclass_fields__}
        return cls(**known)


def checkpoint_list(
    *,
    actor: Actor,
    filters: CheckpointFilters | Mapping[str, Any] | None = None,
    capability: Capability = Capability.CHECKPOINTS_VIEW,
) -> QuerySet[Checkpoint]:
    """Checkpoints in the actor's scope matching `filters`, with their grid."""
    f = CheckpointFilters.of(filters)
    qs = scope(Checkpoint.objects.select_related("jurisdiction"), actor, capability)
    q = " ".join((f.q or "").split())[:SEARCH_MAX]
    if q:
        qs = qs.filter(name__icontains=q)
    if f.kind:
        qs = qs.filter(kind=f.kind) if f.kind in CheckpointKind.values else qs.none()
    if f.within:
        qs = qs.filter(within_q(path_of(f.within.strip())))
    if f.active_on is not None:
        qs = qs.filter(Checkpoint.active_on_q(f.active_on))
    elif not f.include_ended:
        qs = qs.filter(Q(active_until__isnull=True) | Q(active_until__gt=timezone.localdate()))
    return qs


def checkpoint_get(
    *, actor: Actor, pk: int, capability: Capability = Capability.CHECKPOINTS_VIEW
) -> Checkpoint:
    """One checkpoint in the actor's scope, else 404 (unknown and hidden answer alike)."""
    return get_for_actor(
        Checkpoint.objects.select_related("jurisdiction", "created_by"),
        actor,
        capability,
        pk=valid_pk(pk),
    )


def post_link_get(
    *, actor: Actor, pk: int, capability: Capability = Capability.CHECKPOINTS_VIEW
) -> CheckpointPost:
    """One checkpoint post (by its CheckpointPost id) in the actor's scope, else 404."""
    return get_for_actor(
        CheckpointPost.objects.select_related("checkpoint", "checkpoint__jurisdiction", "post"),
        actor,
        capability,
        field="checkpoint__jpath",
        pk=valid_pk(pk),
    )


# --- posts and their coverage -------------------------------------------------------------


@dataclass
class PostRow:
    """A checkpoint's post with its roster coverage of one day."""

    link: CheckpointPost
    held: bool  # the post must be held that day
    gaps: list[Gap] = field(default_factory=list)

    @property
    def post(self):
        return self.link.post

    @property
    def role_label(self) -> str:
        return str(PostRole(self.link.role).label)

    @property
    def uncovered_minutes(self) -> int:
        return sum(g.minutes for g in self.gaps)

    @property
    def covered(self) -> bool:
        return self.held and not self.gaps


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Local midnight to the next, on the deployment's clock."""
    zone = rosters.tz()
    start = dt.datetime.combine(day, dt.time()).replace(tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time()).replace(tzinfo=zone)
    return start, end


def checkpoint_posts(*, checkpoint: Checkpoint, day: dt.date | None = None) -> list[PostRow]:
    """The checkpoint's posts (current first, by role) with the hours of `day` (default
    today) no staffed shift holds. Two queries however many posts and shifts. The caller
    got `checkpoint` through `checkpoint_get` (scoped)."""
    day = day or timezone.localdate()
    links = list(
        CheckpointPost.objects.filter(checkpoint=checkpoint)
        .select_related("post", "post__jurisdiction")
        .order_by("id")
    )
    held = [link.post for link in links if link.post.is_active_on(day)]
    start, end = day_bounds(day)
    found = rosters.gaps_by_post(posts=held, start=start, end=end) if held else {}
    order = {role: i for i, role in enumerate(PostRole.values)}
    rows = [
        PostRow(link=link, held=link.post.pk in found, gaps=found.get(link.post.pk, []))
        for link in links
    ]
    current = timezone.localdate()
    return sorted(
        rows,
        key=lambda r: (
            not (r.post.active_until is None or r.post.active_until > current),
            order.get(r.link.role, 99),
            r.link.pk,
        ),
    )


def roles_to_add(rows: list[PostRow]) -> list[tuple[str, str]]:
    """The post roles a checkpoint has no current post of, as (value, label)."""
    today = timezone.localdate()
    taken = {
        r.link.role for r in rows if r.post.active_until is None or r.post.active_until > today
    }
    return [(value, str(label)) for value, label in PostRole.choices if value not in taken]


# --- choices for forms and filters --------------------------------------------------------


def grid_choices(
    *, actor: Actor, capability: Capability = Capability.CHECKPOINTS_MANAGE, limit: int = 500
) -> list[Jurisdiction]:
    """Active small grids where the actor holds `capability`, in tree order."""
    qs = scope(
        Jurisdiction.objects.filter(kind=Kind.SMALL_GRID, active_until__isnull=True),
        actor,
        capability,
        field="path",
    )
    return list(qs.order_by("path")[:limit])


def grid_get(
    *, actor: Actor, code: str, capability: Capability = Capability.CHECKPOINTS_MANAGE
) -> Jurisdiction:
    """A small grid where the actor holds `capability`, else 404."""
    return get_for_actor(
        Jurisdiction.objects.filter(kind=Kind.SMALL_GRID),
        actor,
        capability,
        field="path",
        code=(code or "").strip()[:64],
    )


def filter_nodes(*, actor: Actor, limit: int = 300) -> list[Jurisdiction]:
    """Nodes a list may be narrowed to: villages (and, below a subdistrict, grids) in the
    actor's scope; a city has too many grids for one dropdown."""
    tops = actor.paths(Capability.CHECKPOINTS_VIEW)
    coarse = actor.system or any(p.count(".") <= 2 for p in tops)
    kinds = [Kind.VILLAGE, Kind.COMMUNITY]
    if not coarse:
        kinds += [Kind.BIG_GRID, Kind.SMALL_GRID]
    qs = scope(
        Jurisdiction.objects.filter(kind__in=kinds, active_until__isnull=True),
        actor,
        Capability.CHECKPOINTS_VIEW,
        field="path",
    )
    return list(qs.order_by("path")[:limit])


def checkpoint_choices(
    *, actor: Actor, capability: Capability = Capability.CHECKPOINTS_VIEW, limit: int = 500
) -> list[Checkpoint]:
    """Checkpoints (current and ended) a check list may be narrowed to, by grid and name."""
    qs = scope(Checkpoint.objects.only("id", "name", "jpath"), actor, capability)
    return list(qs.order_by("jpath", "name", "id")[:limit])
