"""API: consultations and the public FAQ. The desk (NEEDS_MANAGE) logs, answers, publishes
and unpublishes; an enterprise user asks online and reads its own questions; the FAQ is
public (no token) and carries only the edited question and answer, never who asked."""

import datetime as dt
from typing import Annotated

from django.db import transaction
from django.http import HttpRequest
from ninja import Field, Query, Schema, Status

from epigrid.accounts.access import Actor, public, request_actor, requires, requires_any
from epigrid.accounts.roles import Capability
from epigrid.api.routing import CapabilityRouter
from epigrid.api.schemas import PageOut
from epigrid.core.pagination import keyset_page

from ..models import Channel, Consultation
from ..selectors import consultations as csel
from ..selectors import needs as nsel
from ..services import consultations as cservices

router = CapabilityRouter()
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
VIEW = Capability.ENTERPRISES_VIEW
SELF = Capability.ENTERPRISE_SELF


class ConsultationOut(Schema):
    id: int
    channel: Channel
    enterprise: int | None
    enterprise_name: str
    asker: str
    asker_phone: str = Field(description="Masked unless the caller may see contacts.")
    question: str
    answer: str
    asked_at: dt.datetime
    answered_at: dt.datetime | None
    faq: bool
    faq_topic: str
    faq_question: str
    faq_answer: str
    faq_order: int
    version: int


def consultation_out(actor: Actor, c: Consultation) -> ConsultationOut:
    return ConsultationOut(
        id=c.pk,
        channel=Channel(c.channel),
        enterprise=c.enterprise_id,
        enterprise_name=c.enterprise.name if c.enterprise else "",
        asker=c.asker,
        asker_phone=csel.shown_phone(actor, c.asker_phone),
        question=c.question,
        answer=c.answer,
        asked_at=c.asked_at,
        answered_at=c.answered_at,
        faq=c.faq,
        faq_topic=c.faq_topic,
        faq_question=c.faq_question,
        faq_answer=c.faq_answer,
        faq_order=c.faq_order,
        version=c.version,
    )


class ConsultationFilters(Schema):
    q: str | None = Field(None, max_length=50)
    channel: Channel | None = None
    answered: bool | None = None
    faq: bool | None = None
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=500)


class ConsultationIn(Schema):
    question: str = Field(max_length=2000)
    channel: Channel | None = Field(
        None, description="Staff: hotline, wechat, qq or desk. An enterprise user: omitted."
    )
    answer: str = Field("", max_length=4000)
    asker: str = Field("", max_length=50)
    asker_phone: str = Field("", max_length=20)
    enterprise: Id | None = None


class ConsultationPatch(Schema):
    version: int
    answer: str | None = Field(None, max_length=4000)
    faq: bool | None = Field(None, description="true publishes to the FAQ, false takes it off.")
    faq_question: str | None = Field(None, max_length=300)
    faq_answer: str | None = Field(None, max_length=4000)
    faq_topic: str = Field("", max_length=50)
    faq_order: int = Field(0, ge=0, le=100_000)


@router.get("/consultations", response=PageOut[ConsultationOut])
@requires_any(VIEW, SELF)
def consultation_list(request: HttpRequest, filters: Query[ConsultationFilters]):
    """Newest first; an enterprise user sees its own questions only."""
    actor = request_actor(request)
    qs = csel.consultation_list(
        actor=actor,
        filters=csel.ConsultationFilters(
            q=filters.q or "",
            channel=str(filters.channel) if filters.channel else "",
            answered=filters.answered,
            faq=filters.faq,
        ),
    )
    page = keyset_page(qs, cursor=filters.cursor, limit=filters.limit, key="-id")
    return {"items": [consultation_out(actor, c) for c in page.items], "next": page.next}


@router.post("/consultations", response={201: ConsultationOut})
@requires_any(Capability.NEEDS_MANAGE, SELF)
def consultation_create(request: HttpRequest, payload: ConsultationIn):
    """Staff with NEEDS_MANAGE log a question they took; an enterprise user asks online."""
    actor = request_actor(request)
    if actor.has(Capability.NEEDS_MANAGE):
        enterprise = None
        if payload.enterprise is not None:
            enterprise = nsel.enterprise_for_need(actor=actor, pk=payload.enterprise)
        c = cservices.consultation_log(
            actor=actor,
            channel=str(payload.channel) if payload.channel else "",
            question=payload.question,
            answer=payload.answer,
            asker=payload.asker,
            asker_phone=payload.asker_phone,
            enterprise=enterprise,
        )
    else:
        c = cservices.consultation_ask(actor=actor, question=payload.question)
    return Status(201, consultation_out(actor, csel.consultation_get(actor=actor, pk=c.pk)))


@router.patch("/consultations/{int:consultation_id}", response=ConsultationOut)
@requires(Capability.NEEDS_MANAGE)
def consultation_update(request: HttpRequest, consultation_id: int, payload: ConsultationPatch):
    """Answers (`answer`), publishes (`faq`: true, with faq_question and faq_answer) or
    unpublishes (`faq`: false); `version` is the one read (409 when someone saved since).
    Answer and publish in one request apply in that order, all or nothing."""
    actor = request_actor(request)
    c = csel.consultation_get(actor=actor, pk=consultation_id)
    with transaction.atomic():
        version = payload.version
        if payload.answer is not None:
            cservices.consultation_answer(
                actor=actor, consultation=c, version=version, answer=payload.answer
            )
            version = c.version
        if payload.faq is True:
            cservices.consultation_publish(
                actor=actor,
                consultation=c,
                version=version,
                faq_question=payload.faq_question or c.faq_question or c.question,
                faq_answer=payload.faq_answer or c.faq_answer or c.answer,
                order=payload.faq_order,
                topic=payload.faq_topic,
            )
        elif payload.faq is False:
            cservices.consultation_unpublish(actor=actor, consultation=c, version=version)
    return consultation_out(actor, csel.consultation_get(actor=actor, pk=consultation_id))


class FaqOut(Schema):
    id: int
    topic: str
    question: str
    answer: str


class FaqFilters(Schema):
    q: str | None = Field(None, max_length=50)


@router.get(
    "/public/faq",
    response=list[FaqOut],
    auth=None,
    summary="The published FAQ of the work-resumption desk (public)",
)
@public
def faq(request: HttpRequest, filters: Query[FaqFilters]):
    """Topic, question and answer only: no asker, no phone, no enterprise."""
    return [
        FaqOut(id=c.pk, topic=c.faq_topic, question=c.faq_question, answer=c.faq_answer)
        for c in csel.faq_public(q=filters.q or "")
    ]
