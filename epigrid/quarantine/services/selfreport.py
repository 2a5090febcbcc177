"""The self-report link: a secret that lets a person under observation (or their family)
report temperature and symptoms from any phone, without an account.

Only a SHA-256 of the secret is kept (ObservationCase.selfreport_hash), so the link can be
shown once, right after it is issued, and never again; issuing a new one replaces the old,
revoking clears it. A report through the link is a follow-up recorded by the system with the
method "self-report", through the same follow-up service as any other, so its checks
(temperature range, closed case, slot) and its alerts are the same. Each link can send only
so many reports an hour: a leaked or misbehaving link cannot flood the worklist.
"""

import datetime as dt
import secrets
from collections.abc import Sequence
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from epigrid.accounts.access import SYSTEM, Actor, require_can
from epigrid.accounts.roles import Capability
from epigrid.audit.services import audit_record

from .. import rules
from ..models import FollowUp, Method, ObservationCase, Result
from ..selectors.selfreport import selfreport_case, token_hash
from .followups import clean_temperature, followup_record


def _limits() -> tuple[int, int]:
    return (
        int(getattr(settings, "SELFREPORT_THROTTLE_POSTS", 10)),
        int(getattr(settings, "SELFREPORT_THROTTLE_WINDOW_SECONDS", 3600)),
    )


class Throttled(Exception):
    """Too many reports through one link in the throttle window."""

    def __init__(self) -> None:
        super().__init__(
            gettext_lazy("Too many reports from this link. Please try again in an hour.")
        )


def _count_attempt(digest: str) -> bool:
    """Counts one report through the link; True when the link is over its limit."""
    limit, window = _limits()
    key = f"selfreport:{digest[:32]}"
    if cache.add(key, 1, timeout=window):
        return limit < 1
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=window)
        count = 1
    return count > limit


def _open_case(case: ObservationCase) -> ObservationCase:
    case = ObservationCase.objects.select_for_update().get(pk=case.pk)
    if not case.is_open:
        raise ValidationError({"__all__": _("This case is closed.")})
    return case


@transaction.atomic
def selfreport_issue(*, actor: Actor, case: ObservationCase) -> str:
    """Issues a new self-report link for an open case and returns its secret (shown once,
    never stored); any earlier link of the case stops working. Audited without the secret."""
    require_can(actor, Capability.FOLLOWUPS_RECORD, case.jpath)
    locked = _open_case(case)
    replaced = bool(locked.selfreport_hash)
    secret = secrets.token_urlsafe(24)
    now = timezone.now()
    # Not a versioned edit: a link does not change what two editors of the case could lose.
    ObservationCase.objects.filter(pk=case.pk).update(
        selfreport_hash=token_hash(secret), selfreport_created_at=now
    )
    case.selfreport_hash, case.selfreport_created_at = token_hash(secret), now
    audit_record(
        actor=actor,
        action="selfreport.issue",
        obj=case,
        jpath=case.jpath,
        after={"issued_at": now.isoformat(), "replaced_previous": replaced},
    )
    return secret


@transaction.atomic
def selfreport_revoke(*, actor: Actor, case: ObservationCase) -> ObservationCase:
    """Revokes the case's self-report link: it answers 404 from now on."""
    require_can(actor, Capability.FOLLOWUPS_RECORD, case.jpath)
    locked = ObservationCase.objects.select_for_update().get(pk=case.pk)
    if not locked.selfreport_hash:
        raise ValidationError({"__all__": _("This case has no self-report link.")})
    issued = locked.selfreport_created_at
    ObservationCase.objects.filter(pk=case.pk).update(
        selfreport_hash="", selfreport_created_at=None
    )
    case.selfreport_hash, case.selfreport_created_at = "", None
    audit_record(
        actor=actor,
        action="selfreport.revoke",
        obj=case,
        jpath=case.jpath,
        before={"issued_at": issued.isoformat() if issued else None},
    )
    return case


def selfreport_result(policy: dict, temperature: Decimal | None, symptoms: Sequence[str]) -> str:
    """Unwell when any symptom is ticked or the reading is a fever under the case's policy."""
    if symptoms or rules.is_fever(policy, temperature):
        return Result.UNWELL
    return Result.WELL


def selfreport_submit(
    *,
    token: str,
    temperature: Decimal | str | None,
    site: str = "",
    symptoms: Sequence[str] = (),
    now: dt.datetime | None = None,
) -> FollowUp:
    """Records a report made through the link `token` as a follow-up of its case (method
    self-report, by the system). A wrong, revoked or closed-case token answers 404 and
    records nothing; a link over its hourly limit raises Throttled; a reading the follow-up
    rules refuse raises ValidationError."""
    case = selfreport_case(token)
    if _count_attempt(case.selfreport_hash):
        raise Throttled
    reading = clean_temperature(temperature)
    if reading is None:
        raise ValidationError({"temperature": _("Enter the temperature you measured.")})
    codes = list(dict.fromkeys(symptoms))
    return followup_record(
        actor=SYSTEM,
        case=case,
        method=Method.SELF_REPORT,
        result=selfreport_result(case.policy, reading, codes),
        taken_at=now,
        temperature=reading,
        site=site,
        symptoms=codes,
    )
