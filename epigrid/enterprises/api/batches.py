"""Published batches over the API: list, publish, read one and page through its entries
(staff), and the public list and batch (no token: enterprise names and dates only)."""

import datetime as dt
import uuid
from typing import Annotated

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema, Status

from epigrid.accounts.access import public, request_actor, requires
from epigrid.accounts.roles import Capability
from epigrid.api.routing import CapabilityRouter
from epigrid.api.schemas import PageOut

from ..models import Application, Batch
from ..selectors import batches as selectors
from ..selectors.queue import subdistrict_get
from ..services import batches as services

router = CapabilityRouter()

Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


class BatchOut(Schema):
    id: int
    number: int
    title: str
    subdistrict: str = Field(description="Code of the subdistrict.")
    subdistrict_name: str
    published_on: dt.date
    published_at: dt.datetime
    public_code: uuid.UUID
    size: int = Field(description="How many enterprises it lists.")


def batch_out(b: Batch) -> BatchOut:
    return BatchOut(
        id=b.pk,
        number=b.number,
        title=b.title,
        subdistrict=b.jurisdiction.code,
        subdistrict_name=b.jurisdiction.name,
        published_on=b.published_on,
        published_at=b.published_at,
        public_code=b.public_code,
        size=getattr(b, "size", 0),
    )


class EntryOut(Schema):
    application_id: int
    enterprise_id: int
    enterprise: str
    uscc: str
    grid: str
    grid_name: str
    approved_at: dt.datetime | None
    green_channel: bool


def entry_out(a: Application) -> EntryOut:
    return EntryOut(
        application_id=a.pk,
        enterprise_id=a.enterprise_id,
        enterprise=a.enterprise.name,
        uscc=a.enterprise.uscc,
        grid=a.enterprise.jurisdiction.code,
        grid_name=a.enterprise.jurisdiction.name,
        approved_at=a.decided_at,
        green_channel=a.green_channel,
    )


class PageIn(Schema):
    cursor: str | None = None
    limit: int = 50


class PublishIn(Schema):
    subdistrict: str = Field(max_length=64, description="Code of the subdistrict.")
    title: str = Field("", max_length=100, description="Default: “<subdistrict>第N批…名单”.")
    on: dt.date | None = Field(None, description="Published on (default today).")


# The public shapes: names and dates, nothing else (no codes, persons or contacts).
class PublicEntryOut(Schema):
    enterprise: str
    approved_on: dt.date | None


class PublicBatchOut(Schema):
    code: uuid.UUID
    number: int
    title: str
    published_on: dt.date


class PublicBatchPageOut(PublicBatchOut):
    entries: list[PublicEntryOut]
    next: str | None


def public_batch_out(b: Batch) -> PublicBatchOut:
    return PublicBatchOut(
        code=b.public_code, number=b.number, title=b.title, published_on=b.published_on
    )


@router.get("/batches", response=PageOut[BatchOut])
@requires(Capability.ENTERPRISES_VIEW)
def batch_list(request: HttpRequest, filters: Query[PageIn]):
    page = selectors.batch_list(
        actor=request_actor(request), cursor=filters.cursor, limit=filters.limit
    )
    return {"items": [batch_out(b) for b in page.items], "next": page.next}


@router.post("/batches", response={201: BatchOut})
@requires(Capability.APPLICATIONS_REVIEW)
def batch_publish(request: HttpRequest, payload: PublishIn):
    """Publishes every approved, unpublished application of the subdistrict as its next
    batch (422 when there is none)."""
    actor = request_actor(request)
    try:
        subdistrict = subdistrict_get(actor=actor, code=payload.subdistrict)
    except Http404 as exc:
        raise ValidationError(
            {"subdistrict": _("No subdistrict with this code where you may publish.")}
        ) from exc
    batch = services.batch_publish(
        actor=actor, subdistrict=subdistrict, on=payload.on, title=payload.title
    )
    return Status(201, batch_out(selectors.batch_get(actor=actor, pk=batch.pk)))


@router.get("/batches/{int:batch_id}", response=BatchOut)
@requires(Capability.ENTERPRISES_VIEW)
def batch_detail(request: HttpRequest, batch_id: Id):
    return batch_out(selectors.batch_get(actor=request_actor(request), pk=batch_id))


@router.get("/batches/{int:batch_id}/entries", response=PageOut[EntryOut])
@requires(Capability.ENTERPRISES_VIEW)
def batch_entries(request: HttpRequest, batch_id: Id, filters: Query[PageIn]):
    """The batch's enterprises in order of approval."""
    batch = selectors.batch_get(actor=request_actor(request), pk=batch_id)
    page = selectors.batch_entries(batch=batch, cursor=filters.cursor, limit=filters.limit)
    return {"items": [entry_out(a) for a in page.items], "next": page.next}


@router.get("/public/batches", response=PageOut[PublicBatchOut], auth=None)
@public
def public_batch_list(request: HttpRequest, filters: Query[PageIn]):
    """Every published batch, newest first (public, no token)."""
    page = selectors.public_batch_list(cursor=filters.cursor, limit=filters.limit)
    return {"items": [public_batch_out(b) for b in page.items], "next": page.next}


@router.get("/public/batches/{code}", response=PublicBatchPageOut, auth=None)
@public
def public_batch(request: HttpRequest, code: uuid.UUID, filters: Query[PageIn]):
    """One batch by its public code with a page of its enterprises: names and approval
    days only (public, no token)."""
    batch = selectors.public_batch_get(code=code)
    page = selectors.batch_entries(
        batch=batch, cursor=filters.cursor, limit=filters.limit, public=True
    )
    return PublicBatchPageOut(
        **public_batch_out(batch).model_dump(),
        entries=[
            PublicEntryOut(
                enterprise=a.enterprise.name,
                approved_on=timezone.localdate(a.decided_at) if a.decided_at else None,
            )
            for a in page.items
        ],
        next=page.next,
    )
