"""Writes of consultations: the desk logs a question from the hotline, a WeChat or QQ group
or at the desk (NEEDS_MANAGE); an enterprise user asks online about its own enterprise;
the desk answers (version-checked) and publishes a common one to the public FAQ, edited so
it carries no personal data, or takes it off again. Each write is one transaction with its
audit event; a refusal changes nothing."""

import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from epigrid.accounts.access import Actor
from epigrid.accounts.roles import Capability
from epigrid.audit.services import audit_record, snapshot
from epigrid.core.errors import ConcurrentEditError
from epigrid.core.writes import versioned_update

from ..access import own_enterprise_id, require_reach
from ..models import Channel, Consultation, Enterprise

QUESTION_MAX = 2000
ANSWER_MAX = 4000
ASKER_MAX = 50
FAQ_QUESTION_MAX = 300
FAQ_TOPIC_MAX = 50
ORDER_MAX = 100_000
PHONE = re.compile(r"^\+?[0-9][0-9 -]{4,18}$")
# The desk logs these; "online" is the enterprise's own form (consultation_ask).
LOGGED_CHANNELS = (Channel.HOTLINE, Channel.WECHAT, Channel.QQ, Channel.DESK)


def _text(value: Any, field: str, max_length: int, required: bool = True) -> str:
    """Trimmed text keeping its line breaks (answers are paragraphs)."""
    text = "\n".join(line.rstrip() for line in str(value or "").strip().splitlines())
    if required and not text:
        raise ValidationError({field: _("This field is required.")})
    if len(text) > max_length:
        raise ValidationError({field: _("At most %(n)d characters.") % {"n": max_length}})
    return text


def _collect(errors: dict[str, str], field: str, clean) -> Any:
    try:
        return clean()
    except ValidationError as exc:
        errors[field] = " ".join(exc.messages)
        return None


@transaction.atomic
def consultation_log(
    *,
    actor: Actor,
    channel: str,
    question: str,
    answer: str = "",
    asker: str = "",
    asker_phone: str = "",
    enterprise: Enterprise | None = None,
) -> Consultation:
    """Logs a question the desk took (answered at once when `answer` is given), under the
    enterprise's grid or else the actor's own area. NEEDS_MANAGE. Audited."""
    if enterprise is not None:
        require_reach(
            actor,
            Capability.NEEDS_MANAGE,
            enterprise_id=enterprise.pk,
            path=enterprise.jpath,
            self_ok=False,
        )
        path = enterprise.jpath
    else:
        paths = actor.paths(Capability.NEEDS_MANAGE)
        if not paths:
            raise PermissionDenied
        path = paths[0]
    errors: dict[str, str] = {}
    if channel not in LOGGED_CHANNELS:
        errors["channel"] = _("Choose one of the allowed values.")
    question = _collect(errors, "question", lambda: _text(question, "question", QUESTION_MAX))
    answer = _collect(errors, "answer", lambda: _text(answer, "answer", ANSWER_MAX, False))
    asker = _collect(errors, "asker", lambda: _text(asker, "asker", ASKER_MAX, False))
    phone = " ".join(str(asker_phone or "").split())
    if phone and not PHONE.match(phone):
        errors["asker_phone"] = _("Enter a phone number (digits only).")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    consultation = Consultation.objects.create(
        channel=channel,
        enterprise=enterprise,
        jpath=path,
        asker=asker,
        asker_phone=phone,
        question=question,
        answer=answer,
        asked_at=now,
        answered_at=now if answer else None,
        answered_by=actor.user if answer else None,
    )
    audit_record(
        actor=actor,
        action="consultation.log",
        obj=consultation,
        jpath=path,
        after=snapshot(consultation),
    )
    return consultation


@transaction.atomic
def consultation_ask(*, actor: Actor, question: str) -> Consultation:
    """An enterprise user's question, online, about its own enterprise. Audited."""
    own = own_enterprise_id(actor)
    if own is None:
        raise PermissionDenied
    enterprise = Enterprise.objects.get(pk=own)
    question = _text(question, "question", QUESTION_MAX)
    user = actor.user
    consultation = Consultation.objects.create(
        channel=Channel.ONLINE,
        enterprise=enterprise,
        jpath=enterprise.jpath,
        asker=(getattr(user, "full_name", "") or user.username)[:ASKER_MAX],
        question=question,
        asked_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action="consultation.ask",
        obj=consultation,
        jpath=consultation.jpath,
        after=snapshot(consultation),
    )
    return consultation


def _manage(actor: Actor, consultation: Consultation, version: int) -> None:
    require_reach(
        actor,
        Capability.NEEDS_MANAGE,
        enterprise_id=consultation.enterprise_id or 0,
        path=consultation.jpath,
        self_ok=False,
    )
    if consultation.version != version:
        raise ConcurrentEditError


def _save(actor: Actor, consultation: Consultation, version: int, action: str, **changes) -> None:
    before = snapshot(consultation)
    versioned_update(consultation, version, **changes)
    audit_record(
        actor=actor,
        action=f"consultation.{action}",
        obj=consultation,
        jpath=consultation.jpath,
        before=before,
        after=snapshot(consultation),
    )


@transaction.atomic
def consultation_answer(
    *, actor: Actor, consultation: Consultation, version: int, answer: str
) -> Consultation:
    """Answers (or corrects the answer of) a question. NEEDS_MANAGE, version-checked."""
    _manage(actor, consultation, version)
    answer = _text(answer, "answer", ANSWER_MAX)
    _save(
        actor,
        consultation,
        version,
        "answer",
        answer=answer,
        answered_at=timezone.now(),
        answered_by=actor.user,
    )
    return consultation


@transaction.atomic
def consultation_publish(
    *,
    actor: Actor,
    consultation: Consultation,
    version: int,
    faq_question: str,
    faq_answer: str,
    order: int = 0,
    topic: str = "",
) -> Consultation:
    """Puts an answered question on the public FAQ as edited here (no asker, no phone),
    under `topic` at `order`. NEEDS_MANAGE, version-checked."""
    _manage(actor, consultation, version)
    errors: dict[str, str] = {}
    if not consultation.answer:
        errors["answer"] = _("Answer the question before publishing it.")
    q = _collect(
        errors, "faq_question", lambda: _text(faq_question, "faq_question", FAQ_QUESTION_MAX)
    )
    a = _collect(errors, "faq_answer", lambda: _text(faq_answer, "faq_answer", ANSWER_MAX))
    t = _collect(errors, "faq_topic", lambda: _text(topic, "faq_topic", FAQ_TOPIC_MAX, False))
    if isinstance(order, bool) or not isinstance(order, int) or not 0 <= order <= ORDER_MAX:
        errors["faq_order"] = _("Enter a whole number from 0 to %(n)d.") % {"n": ORDER_MAX}
    if errors:
        raise ValidationError(errors)
    _save(
        actor,
        consultation,
        version,
        "publish",
        faq=True,
        faq_question=q,
        faq_answer=a,
        faq_topic=" ".join((t or "").split()),
        faq_order=order,
    )
    return consultation


@transaction.atomic
def consultation_unpublish(
    *, actor: Actor, consultation: Consultation, version: int
) -> Consultation:
    """Takes the question off the public FAQ (its edited text is kept). NEEDS_MANAGE."""
    _manage(actor, consultation, version)
    if not consultation.faq:
        raise ValidationError(_("This question is not in the FAQ."))
    _save(actor, consultation, version, "unpublish", faq=False)
    return consultation
