"""Reads of assistance requests and care notes, scoped to the actor, in a constant number of
queries however many there are."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from epigrid.accounts.access import Actor, get_for_actor, scope
from epigrid.accounts.roles import Capability
from epigrid.core.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page, decode_cursor, encode_cursor
from epigrid.geo.models import path_of, within_q
from epigrid.workforce import selectors as workforce
from epigrid.workforce.models import StaffMember

from ..models import AssistanceRequest, CareKind, CareNote, NeedKind, ObservationCase

OPEN = Q(fulfilled_at__isnull=True, cancelled_at__isnull=True)
CLOSED = Q(fulfilled_at__isnull=False) | Q(cancelled_at__isnull=False)
# Filter values of the list; "" is every request, open ones first.
STATUSES = ("open", "waiting", "fulfilled", "cancelled")


def staff_of(actor: Actor) -> StaffMember | None:
    """The grid-worker record of the acting user, if they are one and on duty."""
    if actor.user is None:
        return None
    return StaffMember.objects.filter(user=actor.user, active_until__isnull=True).first()


def request_list(
    *,
    actor: Actor,
    open_only: bool = False,
    kind: str | None = None,
    within: str | None = None,
    status: str | None = None,
) -> QuerySet[AssistanceRequest]:
    """Requests in the actor's scope; `within` is a jurisdiction code; `status` one of
    STATUSES (open, waiting = open and nobody took it, fulfilled, cancelled)."""
    qs = scope(
        AssistanceRequest.objects.select_related("case__person", "case__jurisdiction", "taken_by"),
        actor,
        Capability.QUARANTINE_VIEW,
    )
    if open_only or status == "open":
        qs = qs.filter(OPEN)
    if status == "waiting":
        qs = qs.filter(OPEN, taken_by__isnull=True)
    elif status == "fulfilled":
        qs = qs.filter(fulfilled_at__isnull=False)
    elif status == "cancelled":
        qs = qs.filter(cancelled_at__isnull=False)
    if kind:
        qs = qs.filter(kind=kind)
    if within:
        qs = qs.filter(within_q(path_of(within)))
    return qs


def _section_cursor(cursor: str | None) -> tuple[str, int] | None:
    if not cursor:
        return None
    value = decode_cursor(cursor)
    if not isinstance(value, str) or len(value) < 2 or value[0] not in "oc":
        raise ValidationError({"cursor": _("This page link is not valid.")})
    try:
        return value[0], int(value[1:])
    except ValueError as exc:
        raise ValidationError({"cursor": _("This page link is not valid.")}) from exc


def request_page(
    *,
    actor: Actor,
    kind: str | None = None,
    status: str | None = None,
    within: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Page[AssistanceRequest]:
    """One page of requests: open ones first, the longest waiting first; then fulfilled and
    cancelled ones, the latest first. Keyset over the two sections (cursor "o<id>" or
    "c<id>"): one query per section the page reaches, two at most."""
    size = min(max(int(limit or DEFAULT_LIMIT), 1), MAX_LIMIT)
    base = request_list(actor=actor, kind=kind, within=within, status=status)
    sections: list[tuple[str, QuerySet[AssistanceRequest], str]] = []
    if status in (None, "", "open", "waiting"):
        sections.append(("o", base.filter(OPEN), "id"))
    if status in (None, "", "fulfilled", "cancelled"):
        sections.append(("c", base.filter(CLOSED), "-id"))
    after = _section_cursor(cursor)
    if after is not None:
        tags = [tag for tag, _qs, _key in sections]
        if after[0] not in tags:
            raise ValidationError({"cursor": _("This page link is not valid.")})
        sections = sections[tags.index(after[0]) :]
    rows: list[tuple[str, AssistanceRequest]] = []
    for tag, qs, key in sections:
        if after is not None and after[0] == tag:
            qs = qs.filter(id__gt=after[1]) if key == "id" else qs.filter(id__lt=after[1])
        rows += [(tag, r) for r in qs.order_by(key)[: size + 1 - len(rows)]]
        if len(rows) > size:
            break
    has_more = len(rows) > size
    rows = rows[:size]
    next_cursor = encode_cursor(f"{rows[-1][0]}{rows[-1][1].pk}") if has_more else None
    return Page(items=[r for _tag, r in rows], next=next_cursor)


def request_get(
    *, actor: Actor, pk: int, capability: Capability = Capability.QUARANTINE_VIEW
) -> AssistanceRequest:
    """A request where the actor holds `capability`, else 404."""
    return get_for_actor(
        AssistanceRequest.objects.select_related("case__person", "case__jurisdiction", "taken_by"),
        actor,
        capability,
        pk=pk,
    )


def open_request_count(*, actor: Actor, within: str | None = None) -> int:
    """Open requests in the actor's scope (one count on the open-requests index)."""
    qs = scope(AssistanceRequest.objects.filter(OPEN), actor, Capability.QUARANTINE_VIEW)
    if within:
        qs = qs.filter(within_q(path_of(within)))
    return qs.count()


def case_requests(*, actor: Actor, case: ObservationCase) -> list[AssistanceRequest]:
    """The case's requests, open ones first, then the latest."""
    rows = list(
        scope(
            AssistanceRequest.objects.filter(case=case).select_related("taken_by"),
            actor,
            Capability.QUARANTINE_VIEW,
        ).order_by("-requested_at", "-id")
    )
    return sorted(rows, key=lambda r: not r.is_open)


def case_care_notes(*, actor: Actor, case: ObservationCase) -> list[CareNote]:
    """The case's counselling and health-education notes, the latest first."""
    return list(
        scope(
            CareNote.objects.filter(case=case).select_related("staff"),
            actor,
            Capability.QUARANTINE_VIEW,
        ).order_by("-given_at", "-id")
    )


def staff_for_case(*, actor: Actor, case: ObservationCase) -> list[StaffMember]:
    """Grid workers the actor may pick to take a request of the case: of its grid or above."""
    return workforce.staff_eligible_for(actor=actor, path=case.jpath, limit=200)


def case_assistance(*, actor: Actor, case: ObservationCase) -> dict[str, Any]:
    """The context `quarantine/_case_assistance.html` renders (two queries): the case's
    requests and care notes, the choice lists of the forms, and what the actor may do."""
    return {
        "assistance_case": case,
        "assistance_requests": case_requests(actor=actor, case=case),
        "care_notes": case_care_notes(actor=actor, case=case),
        "assistance_kinds": NeedKind.choices,
        "care_kinds": CareKind.choices,
        "can_record_assistance": case.is_open
        and actor.can(Capability.FOLLOWUPS_RECORD, case.jpath),
    }
