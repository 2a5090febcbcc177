"""Duty posts over the API, with their uncovered hours."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema, Status

from epigrid.accounts.access import request_actor, requires
from epigrid.accounts.roles import Capability
from epigrid.api.routing import CapabilityRouter
from epigrid.api.schemas import PageOut
from epigrid.core.pagination import keyset_page
from epigrid.geo import selectors as geo

from .. import selectors, services
from ..coverage import Gap
from ..models import Post, PostKind
from .common import DEFAULT_AHEAD, HHMM, HORIZONS, GapOut, Window, gap_out, minute_now, window

router = CapabilityRouter(tags=["rosters"])

# --- posts --------------------------------------------------------------------------------


class PostOut(Schema):
    id: int
    name: str
    kind: PostKind
    jurisdiction: str
    jurisdiction_name: str
    covers_from: str = Field(description='Daily hours held from, "HH:MM".')
    covers_until: str = Field(
        description='Until, "HH:MM" ("24:00": midnight; earlier than '
        "covers_from: the next morning)."
    )
    round_the_clock: bool
    active_from: dt.date
    active_until: dt.date | None = Field(description="First day no longer held.")
    note: str
    version: int
    gaps_next_24h: list[GapOut] = Field(
        description="Hours nobody holds in the 24 hours from the request."
    )


def post_out(p: Post, gaps: list[Gap]) -> PostOut:
    return PostOut(
        id=p.pk,
        name=p.name,
        kind=PostKind(p.kind),
        jurisdiction=p.code,
        jurisdiction_name=p.jurisdiction.name,
        covers_from=p.covers_from_hhmm,
        covers_until=p.covers_until_hhmm,
        round_the_clock=p.round_the_clock,
        active_from=p.active_from,
        active_until=p.active_until,
        note=p.note,
        version=p.version,
        gaps_next_24h=[gap_out(g) for g in gaps],
    )


def _post_with_gaps(p: Post) -> PostOut:
    now = minute_now()
    return post_out(p, selectors.uncovered(post=p, start=now, end=now + DEFAULT_AHEAD))


class PostFilters(Schema):
    within: str | None = Field(None, max_length=64)
    kind: PostKind | None = None
    include_inactive: bool = False
    cursor: str | None = None
    limit: int = 50


class PostIn(Schema):
    jurisdiction: str = Field(max_length=64)
    name: str = Field(max_length=200)
    kind: PostKind = PostKind.MONITORING_DESK
    covers_from: HHMM = "00:00"
    covers_until: HHMM = "24:00"
    note: str = Field("", max_length=400)
    active_from: dt.date | None = None


class PostPatch(Schema):
    version: int
    name: str | None = Field(None, max_length=200)
    kind: PostKind | None = None
    covers_from: HHMM | None = None
    covers_until: HHMM | None = None
    note: str | None = Field(None, max_length=400)


class CloseIn(Schema):
    version: int
    on: dt.date | None = Field(None, description="Last day held (default today).")


@router.get("/posts", response=PageOut[PostOut])
@requires(Capability.ROSTERS_VIEW)
def post_list(request: HttpRequest, filters: Query[PostFilters]):
    actor = request_actor(request)
    qs = selectors.post_list(
        actor=actor,
        within=filters.within,
        kind=str(filters.kind) if filters.kind else None,
        include_inactive=filters.include_inactive,
    )
    page = keyset_page(qs, cursor=filters.cursor, limit=filters.limit)
    now = minute_now()
    gaps = selectors.gaps_by_post(posts=page.items, start=now, end=now + DEFAULT_AHEAD)
    return {"items": [post_out(p, gaps[p.pk]) for p in page.items], "next": page.next}


@router.post("/posts", response={201: PostOut})
@requires(Capability.ROSTERS_MANAGE)
def post_create(request: HttpRequest, payload: PostIn):
    actor = request_actor(request)
    node = geo.jurisdiction_get(
        actor=actor, code=payload.jurisdiction, capability=Capability.ROSTERS_MANAGE
    )
    post = services.post_create(
        actor=actor,
        jurisdiction=node,
        name=payload.name,
        kind=str(payload.kind),
        covers_from=payload.covers_from,
        covers_until=payload.covers_until,
        note=payload.note,
        active_from=payload.active_from,
    )
    return Status(201, _post_with_gaps(selectors.post_get(actor=actor, pk=post.pk)))


@router.get("/posts/{post_id}", response=PostOut)
@requires(Capability.ROSTERS_VIEW)
def post_detail(request: HttpRequest, post_id: int):
    return _post_with_gaps(selectors.post_get(actor=request_actor(request), pk=post_id))


@router.patch("/posts/{post_id}", response=PostOut)
@requires(Capability.ROSTERS_MANAGE)
def post_update(request: HttpRequest, post_id: int, payload: PostPatch):
    actor = request_actor(request)
    post = selectors.post_get(actor=actor, pk=post_id)
    services.post_update(
        actor=actor,
        post=post,
        version=payload.version,
        name=payload.name,
        kind=str(payload.kind) if payload.kind else None,
        covers_from=payload.covers_from,
        covers_until=payload.covers_until,
        note=payload.note,
    )
    return _post_with_gaps(post)


@router.post("/posts/{post_id}/close", response=PostOut)
@requires(Capability.ROSTERS_MANAGE)
def post_close(request: HttpRequest, post_id: int, payload: CloseIn):
    actor = request_actor(request)
    post = selectors.post_get(actor=actor, pk=post_id)
    services.post_close(actor=actor, post=post, version=payload.version, on=payload.on)
    return _post_with_gaps(post)


class GapsOut(Schema):
    post_id: int
    start: dt.datetime
    end: dt.datetime
    uncovered_minutes: int
    gaps: list[GapOut]


@router.get("/posts/{post_id}/gaps", response=GapsOut)
@requires(Capability.ROSTERS_VIEW)
def post_gaps(request: HttpRequest, post_id: int, span: Query[Window]):
    """The hours in [from, until) (default: the next 24 hours; at most 62 days) during which
    the post must be held and no shift with somebody on it holds it."""
    post = selectors.post_get(actor=request_actor(request), pk=post_id)
    start, end = window(span)
    gaps = selectors.uncovered(post=post, start=start, end=end)
    return GapsOut(
        post_id=post.pk,
        start=start,
        end=end,
        uncovered_minutes=sum(g.minutes for g in gaps),
        gaps=[gap_out(g) for g in gaps],
    )


class PostGapsOut(Schema):
    post: PostOut
    gaps: list[GapOut]


class HorizonFilters(Schema):
    hours: int = Field(24, description="24 or 48.")
    within: str | None = Field(None, max_length=64)


@router.get("/gaps", response=list[PostGapsOut])
@requires(Capability.ROSTERS_VIEW)
def gaps(request: HttpRequest, filters: Query[HorizonFilters]):
    """Active posts with hours nobody holds in the next 24 or 48 hours, soonest gap first."""
    actor = request_actor(request)
    if filters.hours not in HORIZONS:
        raise ValidationError({"hours": _("Choose one of the allowed values.")})
    rows = selectors.posts_with_gaps(actor=actor, hours=filters.hours, within=filters.within)
    now = minute_now()
    return [
        PostGapsOut(
            post=post_out(p, [g for g in found if g.starts_at < now + DEFAULT_AHEAD]),
            gaps=[gap_out(g) for g in found],
        )
        for p, found in rows
    ]
