"""Checkpoints over the API: the register (list, read, set up, edit, end) and each
checkpoint's posts with their roster coverage of a day (list, add, end).

Ids in paths use the int converter, so the other parts' literal paths under
/api/v1/checkpoints (/checks, /lookup, ...) are never taken for a checkpoint id."""

import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema, Status

from epigrid.accounts.access import Actor, request_actor, requires
from epigrid.accounts.roles import Capability
from epigrid.api.routing import CapabilityRouter
from epigrid.api.schemas import PageOut
from epigrid.core.pagination import keyset_page
from epigrid.rosters.models import hhmm

from ..models import Checkpoint, CheckpointKind, PostRole
from ..selectors import checkpoints as selectors
from ..selectors.checkpoints import CheckpointFilters, PostRow
from ..services import checkpoints as services

router = CapabilityRouter()

Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
HHMM = Annotated[str, Field(max_length=5, examples=["08:00", "24:00"])]


class CheckpointOut(Schema):
    id: int
    name: str
    kind: CheckpointKind
    jurisdiction: str = Field(description="Code of the checkpoint's small grid.")
    jurisdiction_name: str
    location: str
    latitude: Decimal | None
    longitude: Decimal | None
    opens_at: str = Field(description='Open daily from, "HH:MM".')
    closes_at: str = Field(
        description='Until, "HH:MM" ("24:00": midnight; earlier than opens_at: the next morning).'
    )
    round_the_clock: bool
    active_from: dt.date
    active_until: dt.date | None = Field(description="First day no longer open.")
    public_code: str = Field(description="The code the printed self-fill QR carries.")
    version: int


def checkpoint_out(c: Checkpoint) -> CheckpointOut:
    return CheckpointOut(
        id=c.pk,
        name=c.name,
        kind=CheckpointKind(c.kind),
        jurisdiction=c.code,
        jurisdiction_name=c.jurisdiction.name,
        location=c.location,
        latitude=c.latitude,
        longitude=c.longitude,
        opens_at=hhmm(c.opens_at),
        closes_at=hhmm(c.closes_at),
        round_the_clock=(c.opens_at, c.closes_at) == (0, 24 * 60),
        active_from=c.active_from,
        active_until=c.active_until,
        public_code=c.public_code,
        version=c.version,
    )


class ListFilters(Schema):
    q: str | None = Field(None, max_length=50, description="Part of the name.")
    kind: CheckpointKind | None = None
    within: str | None = Field(None, max_length=64, description="A jurisdiction code.")
    active_on: dt.date | None = Field(None, description="In force on this day.")
    include_ended: bool = False
    cursor: str | None = None
    limit: int = 50


class CheckpointIn(Schema):
    jurisdiction: str = Field(max_length=64, description="Code of a small grid.")
    name: str = Field(max_length=100)
    kind: CheckpointKind
    location: str = Field("", max_length=200)
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    opens_at: HHMM = "00:00"
    closes_at: HHMM = "24:00"
    active_from: dt.date | None = Field(None, description="Default: today.")


class CheckpointPatch(Schema):
    version: int
    name: str | None = Field(None, max_length=100)
    kind: CheckpointKind | None = None
    location: str | None = Field(None, max_length=200)
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    opens_at: HHMM | None = None
    closes_at: HHMM | None = None


class EndIn(Schema):
    on: dt.date = Field(description="First day the checkpoint is no longer open.")
    version: int


class GapOut(Schema):
    starts_at: dt.datetime
    ends_at: dt.datetime
    minutes: int


class PostOut(Schema):
    id: int = Field(description="The checkpoint post's id.")
    role: PostRole
    role_label: str
    roster_post_id: int = Field(description="The duty post on the roster (rosters API).")
    name: str
    covers_from: str
    covers_until: str
    active_from: dt.date
    active_until: dt.date | None
    day: dt.date
    held: bool = Field(description="The post must be held on `day`.")
    uncovered: list[GapOut] = Field(description="Hours of `day` nobody on the roster holds.")
    uncovered_minutes: int


def post_out(row: PostRow, day: dt.date) -> PostOut:
    post = row.post
    return PostOut(
        id=row.link.pk,
        role=PostRole(row.link.role),
        role_label=row.role_label,
        roster_post_id=post.pk,
        name=post.name,
        covers_from=post.covers_from_hhmm,
        covers_until=post.covers_until_hhmm,
        active_from=post.active_from,
        active_until=post.active_until,
        day=day,
        held=row.held,
        uncovered=[
            GapOut(starts_at=g.starts_at, ends_at=g.ends_at, minutes=g.minutes) for g in row.gaps
        ],
        uncovered_minutes=row.uncovered_minutes,
    )


class PostFilters(Schema):
    day: dt.date | None = Field(None, description="Coverage of this day (default today).")


class PostIn(Schema):
    role: PostRole


class PostEndIn(Schema):
    on: dt.date | None = Field(
        None, description="First day no longer held (default tomorrow: held through today)."
    )


def _get(actor: Actor, pk: int, capability: Capability = Capability.CHECKPOINTS_VIEW):
    return selectors.checkpoint_get(actor=actor, pk=pk, capability=capability)


@router.get("", response=PageOut[CheckpointOut])
@requires(Capability.CHECKPOINTS_VIEW)
def checkpoint_list(request: HttpRequest, filters: Query[ListFilters]):
    actor = request_actor(request)
    qs = selectors.checkpoint_list(
        actor=actor,
        filters=CheckpointFilters(
            q=filters.q or "",
            kind=str(filters.kind) if filters.kind else "",
            within=filters.within or "",
            active_on=filters.active_on,
            include_ended=filters.include_ended,
        ),
    )
    page = keyset_page(qs, cursor=filters.cursor, limit=filters.limit, key="id")
    return {"items": [checkpoint_out(c) for c in page.items], "next": page.next}


@router.post("", response={201: CheckpointOut})
@requires(Capability.CHECKPOINTS_MANAGE)
def checkpoint_create(request: HttpRequest, payload: CheckpointIn):
    actor = request_actor(request)
    try:
        grid = selectors.grid_get(actor=actor, code=payload.jurisdiction)
    except Http404 as exc:
        raise ValidationError(
            {"jurisdiction": _("No small grid with this code in your area.")}
        ) from exc
    checkpoint = services.checkpoint_create(
        actor=actor,
        jurisdiction=grid,
        name=payload.name,
        kind=str(payload.kind),
        location=payload.location,
        latitude=payload.latitude,
        longitude=payload.longitude,
        opens_at=payload.opens_at,
        closes_at=payload.closes_at,
        active_from=payload.active_from or timezone.localdate(),
    )
    return Status(201, checkpoint_out(_get(actor, checkpoint.pk)))


@router.get("/{int:checkpoint_id}", response=CheckpointOut)
@requires(Capability.CHECKPOINTS_VIEW)
def checkpoint_detail(request: HttpRequest, checkpoint_id: int):
    return checkpoint_out(_get(request_actor(request), checkpoint_id))


@router.patch("/{int:checkpoint_id}", response=CheckpointOut)
@requires(Capability.CHECKPOINTS_MANAGE)
def checkpoint_update(request: HttpRequest, checkpoint_id: int, payload: CheckpointPatch):
    """Changes the fields given; `version` is the one read (409 when someone saved since)."""
    actor = request_actor(request)
    checkpoint = _get(actor, checkpoint_id)
    given = payload.model_fields_set - {"version"}
    changes = {}
    for name in sorted(given):
        value = getattr(payload, name)
        if name == "kind" and value is not None:
            value = str(value)
        if value is None and name in ("name", "kind", "opens_at", "closes_at"):
            raise ValidationError({name: _("This field is required.")})
        changes[name] = "" if value is None and name == "location" else value
    services.checkpoint_update(
        actor=actor, checkpoint=checkpoint, version=payload.version, **changes
    )
    return checkpoint_out(_get(actor, checkpoint.pk))


@router.post("/{int:checkpoint_id}/end", response=CheckpointOut)
@requires(Capability.CHECKPOINTS_MANAGE)
def checkpoint_end(request: HttpRequest, checkpoint_id: int, payload: EndIn):
    """Ends the checkpoint from `on`, with its posts; history is kept."""
    actor = request_actor(request)
    checkpoint = _get(actor, checkpoint_id)
    services.checkpoint_end(
        actor=actor, checkpoint=checkpoint, on=payload.on, version=payload.version
    )
    return checkpoint_out(_get(actor, checkpoint.pk))


@router.get("/{int:checkpoint_id}/posts", response=list[PostOut])
@requires(Capability.CHECKPOINTS_VIEW)
def checkpoint_posts(request: HttpRequest, checkpoint_id: int, filters: Query[PostFilters]):
    """The checkpoint's posts (current ones first) with the hours of `day` nobody holds."""
    checkpoint = _get(request_actor(request), checkpoint_id)
    day = filters.day or timezone.localdate()
    return [post_out(r, day) for r in selectors.checkpoint_posts(checkpoint=checkpoint, day=day)]


def _post_row(checkpoint: Checkpoint, link_id: int, day: dt.date) -> PostOut:
    rows = selectors.checkpoint_posts(checkpoint=checkpoint, day=day)
    return post_out(next(r for r in rows if r.link.pk == link_id), day)


@router.post("/{int:checkpoint_id}/posts", response={201: PostOut})
@requires(Capability.CHECKPOINTS_MANAGE)
def checkpoint_post_add(request: HttpRequest, checkpoint_id: int, payload: PostIn):
    """Adds a post of `role`: a duty post on the roster held during the open hours."""
    actor = request_actor(request)
    checkpoint = _get(actor, checkpoint_id)
    link = services.checkpoint_post_add(actor=actor, checkpoint=checkpoint, role=str(payload.role))
    return Status(201, _post_row(checkpoint, link.pk, timezone.localdate()))


@router.post("/{int:checkpoint_id}/posts/{int:post_id}/end", response=PostOut)
@requires(Capability.CHECKPOINTS_MANAGE)
def checkpoint_post_end(request: HttpRequest, checkpoint_id: int, post_id: int, payload: PostEndIn):
    """Ends one of the checkpoint's posts (its later shifts are cancelled)."""
    actor = request_actor(request)
    link = selectors.post_link_get(actor=actor, pk=post_id)
    if link.checkpoint_id != checkpoint_id:
        raise Http404
    services.checkpoint_post_end(actor=actor, checkpoint_post=link, on=payload.on)
    return _post_row(link.checkpoint, link.pk, timezone.localdate())
