"""Reads of consultations: the staff list (ENTERPRISES_VIEW by the row's area; the asker's
phone masked without CONTACTS_VIEW), an enterprise user's own questions, and the public
FAQ, which carries only the edited question and answer and never who asked."""

from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q, QuerySet
from django.http import Http404

from epigrid.accounts.access import Actor
from epigrid.accounts.roles import Capability
from epigrid.core.masking import mask_phone
from epigrid.geo.models import within_q

from ..access import own_enterprise_id
from ..models import Channel, Consultation
from .taskforces import SEARCH_MAX, valid_pk

VIEW = Capability.ENTERPRISES_VIEW


def _reached(actor: Actor) -> QuerySet[Consultation]:
    """A consultation has an enterprise only sometimes, so staff reach it by its own `jpath`
    (enterprises.access reaches by the enterprise's); an enterprise user reaches those of
    its own enterprise."""
    qs = Consultation.objects.select_related("enterprise", "answered_by")
    if actor.system:
        return qs
    condition = Q()
    reached = False
    for path in actor.paths(VIEW):
        condition |= within_q(path)
        reached = True
    own = own_enterprise_id(actor)
    if own is not None:
        condition |= Q(enterprise_id=own)
        reached = True
    return qs.filter(condition) if reached else qs.none()


@dataclass(frozen=True)
class ConsultationFilters:
    q: str = ""
    channel: str = ""
    answered: bool | None = None
    faq: bool | None = None


def consultation_list(
    *, actor: Actor, filters: ConsultationFilters | None = None
) -> QuerySet[Consultation]:
    """Consultations the actor reaches, newest first (keyset on -id)."""
    f = filters or ConsultationFilters()
    qs = _reached(actor)
    if f.channel:
        qs = qs.filter(channel=f.channel) if f.channel in Channel.values else qs.none()
    if f.answered is not None:
        qs = qs.filter(answered_at__isnull=not f.answered)
    if f.faq is not None:
        qs = qs.filter(faq=f.faq)
    q = " ".join(f.q.split())[:SEARCH_MAX]
    if q:
        qs = qs.filter(
            Q(question__icontains=q) | Q(answer__icontains=q) | Q(enterprise__name__icontains=q)
        )
    return qs


def consultation_get(*, actor: Actor, pk: int) -> Consultation:
    """One consultation the actor reaches, else 404."""
    try:
        return _reached(actor).get(pk=valid_pk(pk))
    except ObjectDoesNotExist as exc:
        raise Http404 from exc


def shown_phone(actor: Actor, phone: str) -> str:
    """The asker's phone as this actor may see it."""
    return phone if actor.has(Capability.CONTACTS_VIEW) else mask_phone(phone)


def faq_public(*, q: str = "") -> QuerySet[Consultation]:
    """The published FAQ in the desk's order; only topic, question and answer are read."""
    qs = Consultation.objects.filter(faq=True).only("id", "faq_topic", "faq_question", "faq_answer")
    text = " ".join(q.split())[:SEARCH_MAX]
    if text:
        qs = qs.filter(Q(faq_question__icontains=text) | Q(faq_answer__icontains=text))
    return qs.order_by("faq_order", "id")
