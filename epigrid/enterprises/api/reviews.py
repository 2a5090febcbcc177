"""The desk's review over the API: the queue, an application's history, the decisions
(start, return, approve, reject) and the green channel.

A decision carries the `version` of the application the reviewer read: a stale version or an
application already decided answers 409 and writes nothing; bad input answers 422 with
messages by field."""

import datetime as dt
from enum import StrEnum
from typing import Annotated

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Form, Query, Schema

from epigrid.accounts.access import Actor, request_actor, requires, requires_any
from epigrid.accounts.roles import Capability
from epigrid.api.routing import CapabilityRouter
from epigrid.api.schemas import PageOut

from ..access import own_enterprise_id
from ..models import Application, ApplicationEvent, Status
from ..selectors import queue as selectors
from ..services import review as services

router = CapabilityRouter()

Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


class ClockOut(Schema):
    due_at: dt.datetime
    overdue: bool
    workdays_left: int
    text: str


class QueueRowOut(Schema):
    id: int
    enterprise_id: int
    enterprise: str
    uscc: str
    grid: str = Field(description="Code of the enterprise's grid.")
    grid_name: str
    status: Status
    submitted_at: dt.datetime | None
    due_at: dt.datetime | None
    clock: ClockOut | None
    round: int = Field(description="1 for a first submission, +1 for each supplement.")
    reviewer: str | None
    supplement_by: dt.date | None
    supplement_overdue: bool
    version: int


def queue_row_out(row: selectors.QueueRow) -> QueueRowOut:
    a = row.application
    return QueueRowOut(
        id=a.pk,
        enterprise_id=a.enterprise_id,
        enterprise=a.enterprise.name,
        uscc=a.enterprise.uscc,
        grid=a.enterprise.jurisdiction.code,
        grid_name=a.enterprise.jurisdiction.name,
        status=Status(a.status),
        submitted_at=a.submitted_at,
        due_at=a.due_at,
        clock=ClockOut(**row.clock) if row.clock else None,
        round=row.round,
        reviewer=a.reviewer.username if a.reviewer else None,
        supplement_by=a.supplement_by,
        supplement_overdue=row.supplement_overdue,
        version=a.version,
    )


class QueueFilters(Schema):
    status: str | None = Field(
        None, description="submitted or in_review (default both); returned; approved (unpublished)."
    )
    q: str | None = Field(None, max_length=50, description="Enterprise name or code prefix.")
    grid: str | None = Field(None, max_length=64, description="A jurisdiction code.")
    mine: bool = False
    cursor: str | None = None
    limit: int = 50


class ReviewedOut(Schema):
    id: int
    enterprise_id: int
    status: Status
    version: int
    reviewer: str | None
    due_at: dt.datetime | None
    missing_items: list[str]
    supplement_by: dt.date | None
    decided_at: dt.datetime | None
    decision_note: str
    green_channel: bool


def reviewed_out(a: Application) -> ReviewedOut:
    return ReviewedOut(
        id=a.pk,
        enterprise_id=a.enterprise_id,
        status=Status(a.status),
        version=a.version,
        reviewer=a.reviewer.username if a.reviewer else None,
        due_at=a.due_at,
        missing_items=[str(i) for i in a.missing_items or []],
        supplement_by=a.supplement_by,
        decided_at=a.decided_at,
        decision_note=a.decision_note,
        green_channel=a.green_channel,
    )


class EventOut(Schema):
    id: int
    action: str
    action_label: str
    from_status: Status
    to_status: Status
    at: dt.datetime
    actor: str | None = Field(description="Who made the step (staff readers only).")
    note: str
    items: list[str] = Field(description="For a return or the green channel: the item codes.")
    deadline: dt.date | None = Field(description="For a return: supplement by.")


def event_out(e: ApplicationEvent, show_actor: bool) -> EventOut:
    codes = [str(i) for i in e.items or [] if not isinstance(i, dict)]
    deadline = next((i.get("deadline") for i in e.items or [] if isinstance(i, dict)), None)
    return EventOut(
        id=e.pk,
        action=e.action,
        action_label=e.get_action_display(),
        from_status=Status(e.from_status),
        to_status=Status(e.to_status),
        at=e.at,
        actor=(e.actor.username if e.actor else None) if show_actor else None,
        note=e.note,
        items=codes,
        deadline=dt.date.fromisoformat(deadline) if deadline else None,
    )


class Decision(StrEnum):
    START = "start"
    RETURN = "return"
    APPROVE = "approve"
    REJECT = "reject"


class ReviewIn(Schema):
    action: Decision
    version: int
    note: str = Field("", max_length=500, description="For reject: the reason (required).")
    items: list[Annotated[str, Field(max_length=40)]] = Field(
        default_factory=list, max_length=50, description="For return: the missing item codes."
    )
    deadline: dt.date | None = Field(None, description="For return: supplement by.")


@router.get("/review-queue", response=PageOut[QueueRowOut])
@requires(Capability.APPLICATIONS_REVIEW)
def review_queue(request: HttpRequest, filters: Query[QueueFilters]):
    """Pending applications in the actor's review scope, overdue first (by due_at, then id)."""
    actor = request_actor(request)
    q, grid, cursor, limit = filters.q or "", filters.grid, filters.cursor, filters.limit
    if filters.status == Status.RETURNED:
        page = selectors.returned_list(
            actor=actor, q=q, grid=grid, mine=filters.mine, cursor=cursor, limit=limit
        )
    elif filters.status == Status.APPROVED:
        page = selectors.unpublished_list(actor=actor, q=q, grid=grid, cursor=cursor, limit=limit)
    else:
        page = selectors.review_queue(
            actor=actor,
            status=filters.status,
            q=q,
            grid=grid,
            mine=filters.mine,
            cursor=cursor,
            limit=limit,
        )
    return {"items": [queue_row_out(r) for r in page.items], "next": page.next}


def _staff(actor: Actor) -> bool:
    return own_enterprise_id(actor) is None


@router.get("/applications/{int:application_id}/reviews", response=list[EventOut])
@requires_any(Capability.ENTERPRISES_VIEW, Capability.ENTERPRISE_SELF)
def review_events(request: HttpRequest, application_id: Id):
    """The application's history, oldest first (an enterprise user: its own only)."""
    actor = request_actor(request)
    application = selectors.application_seen(actor=actor, pk=application_id)
    show = _staff(actor)
    return [event_out(e, show) for e in selectors.application_events(application=application)]


def _reload(actor: Actor, pk: int) -> ReviewedOut:
    return reviewed_out(selectors.application_for_review(actor=actor, pk=pk))


@router.post(
    "/applications/{int:application_id}/reviews",
    response={200: ReviewedOut},
    openapi_extra={"responses": {409: {"description": "Stale version or already decided."}}},
)
@requires(Capability.APPLICATIONS_REVIEW)
def review_decide(request: HttpRequest, application_id: Id, payload: ReviewIn):
    """One decision on the application from the `version` read: start (claim), return (items,
    deadline, note), approve (note), reject (note = the reason)."""
    actor = request_actor(request)
    application = selectors.application_for_review(actor=actor, pk=application_id)
    version = payload.version
    if payload.action == Decision.START:
        services.review_start(actor=actor, application=application, version=version)
    elif payload.action == Decision.RETURN:
        services.review_return(
            actor=actor,
            application=application,
            version=version,
            items=payload.items,
            deadline=payload.deadline,
            note=payload.note,
        )
    elif payload.action == Decision.APPROVE:
        services.review_approve(
            actor=actor, application=application, version=version, note=payload.note
        )
    else:
        services.review_reject(
            actor=actor, application=application, version=version, reason=payload.note
        )
    return _reload(actor, application.pk)


@router.post(
    "/applications/{int:application_id}/green-channel",
    response={200: ReviewedOut},
    openapi_extra={"responses": {409: {"description": "Stale version or already decided."}}},
)
@requires(Capability.APPLICATIONS_REVIEW)
def review_green_channel(
    request: HttpRequest,
    application_id: Id,
    version: Form[int],
    note: Form[str | None] = None,
):
    """A returned application completed on site and approved at once. Multipart: `version`,
    `note`, and one file per missing item, each under the item's code as the field name
    (for example `emergency_plan`)."""
    actor = request_actor(request)
    application = selectors.application_for_review(actor=actor, pk=application_id)
    uploads = {name: f for name, f in request.FILES.items()}
    if len(uploads) > 50:
        raise ValidationError({"files": _("Too many files.")})
    services.review_green_channel(
        actor=actor, application=application, version=version, note=note or "", uploads=uploads
    )
    return _reload(actor, application.pk)
