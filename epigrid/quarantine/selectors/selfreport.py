"""Reads behind the self-report link: the case a secret token opens, the slot a report made
now would fill, and what the public page may show of the person (almost nothing)."""

import datetime as dt
import hashlib
import re
from typing import Any

from django.http import Http404
from django.utils import timezone

from epigrid.accounts.access import Actor
from epigrid.accounts.roles import Capability

from ..models import FollowUpSlot, ObservationCase
from .documents import release_ready

# secrets.token_urlsafe(24) gives 32 characters; anything far off that is refused unread.
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def selfreport_case(token: str) -> ObservationCase:
    """The open case whose current link is `token`; 404 for a wrong, revoked or malformed
    token and for a closed case (all answer alike)."""
    if not isinstance(token, str) or not TOKEN_RE.match(token):
        raise Http404
    case = (
        ObservationCase.objects.select_related("person")
        .filter(selfreport_hash=token_hash(token), closed_at__isnull=True)
        .first()
    )
    if case is None:
        raise Http404
    return case


def current_slot(case: ObservationCase, now: dt.datetime | None = None) -> FollowUpSlot | None:
    """The slot a report made `now` fills: the earliest one of today not yet done that has
    opened (an overdue morning slot before the afternoon's); None when none is open."""
    now = now or timezone.now()
    return (
        FollowUpSlot.objects.filter(
            case=case, done_at__isnull=True, opens_at__lte=now, ends_at__gt=now
        )
        .order_by("deadline")
        .first()
    )


def masked_name(name: str) -> str:
    """What the public page shows of a name: its first character (the surname of a Chinese
    name) and two stars, whatever the name's length, so the length is not told either."""
    name = (name or "").strip()
    return f"{name[0]}**" if name else "**"


def case_selfreport(*, actor: Actor, case: ObservationCase) -> dict[str, Any]:
    """The context `quarantine/_case_selfreport.html` renders (no query): whether the case
    has a link, since when, whether the actor may issue or revoke one, and whether its
    release notice can be printed."""
    return {
        "selfreport_case": case,
        "selfreport_active": bool(case.selfreport_hash),
        "selfreport_created_at": case.selfreport_created_at if case.selfreport_hash else None,
        "can_manage_selfreport": case.is_open
        and actor.can(Capability.FOLLOWUPS_RECORD, case.jpath),
        "release_ready": release_ready(case),
    }
