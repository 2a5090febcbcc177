"""Reads of checks for the office, scoped to the actor: the list (newest first, keyset
pages, the people of each page's checks in one more query) and one check.

What of a traveller's identifiers a reader sees: lists always show the name with the
document number and phone masked (enough to tell people apart, not to misuse them); one
check's page shows them in full only to holders of IDS_VIEW over the check's grid (the
phone also needs CONTACTS_VIEW, as everywhere), and that read is audited.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from epigrid.accounts.access import Actor, get_for_actor, scope
from epigrid.accounts.roles import Capability
from epigrid.audit.services import audit_record
from epigrid.core.masking import mask_phone
from epigrid.core.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page, decode_cursor, encode_cursor
from epigrid.registry.masking import mask_doc_number

from ..models import Check, CheckPerson, CheckResult, Mode, Source
from .checkpoints import BIGINT, day_bounds, valid_pk

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class CheckFilters:
    """What a check list may be narrowed by: a checkpoint (id), a local day, mode, result,
    non-local vehicles only, and how the check came in (source)."""

    checkpoint: int | None = None
    day: dt.date | None = None
    mode: str = ""
    result: str = ""
    nonlocal_only: bool = False
    source: str = ""

    @classmethod
    def of(cls, value: "CheckFilters | Mapping[str, Any] | None") -> "CheckFilters":
        if value is None:
            return cls()
        if isinstance(value, cls):
            return value
        assert isinstance(value, Mapping)
        return cls(**{k: v for k, v in value.items() if k in cls.__dataclass_fields__})


def _people() -> Prefetch:
    return Prefetch(
        "people", queryset=CheckPerson.objects.order_by("seq", "id"), to_attr="people_list"
    )


def check_list(
    *, actor: Actor, filters: CheckFilters | Mapping[str, Any] | None = None
) -> QuerySet[Check]:
    """Checks in the actor's scope matching `filters`, newest first, each with its
    checkpoint and (`check.people_list`) its people in seat order."""
    f = CheckFilters.of(filters)
    qs = scope(Check.objects.all(), actor, Capability.CHECKPOINTS_VIEW)
    if f.checkpoint:
        ok = isinstance(f.checkpoint, int) and 0 < f.checkpoint < BIGINT
        qs = qs.filter(checkpoint_id=f.checkpoint) if ok else qs.none()
    if f.day is not None:
        start, end = day_bounds(f.day)
        qs = qs.filter(checked_at__gte=start, checked_at__lt=end)
    for name, choices in (("mode", Mode), ("result", CheckResult), ("source", Source)):
        value = getattr(f, name)
        if value:
            qs = qs.filter(**{name: value}) if value in choices.values else qs.none()
    if f.nonlocal_only:
        qs = qs.filter(nonlocal_vehicle=True)
    return (
        qs.select_related("checkpoint", "recorded_by")
        .prefetch_related(_people())
        .order_by("-checked_at", "-id")
    )


def _micros(value: dt.datetime) -> int:
    delta = value - EPOCH
    return (delta.days * 86400 + delta.seconds) * 10**6 + delta.microseconds


def check_page(qs: QuerySet[Check], *, cursor: str | None, limit: int | None) -> Page:
    """Keyset pages newest first over (checked_at, id); the cursor is "<epoch µs>-<id>".
    The people of the page's checks come masked (see `mask_people`)."""
    size = min(max(int(limit or DEFAULT_LIMIT), 1), MAX_LIMIT)
    qs = qs.order_by("-checked_at", "-id")
    if cursor:
        try:
            micros, last = (int(v) for v in str(decode_cursor(cursor)).split("-"))
            when = EPOCH + dt.timedelta(microseconds=micros)
        except (ValueError, OverflowError) as exc:
            raise ValidationError({"cursor": _("This page link is not valid.")}) from exc
        qs = qs.filter(Q(checked_at__lt=when) | Q(checked_at=when, id__lt=last))
    rows = list(qs[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    mask_people(rows)
    nxt = encode_cursor(f"{_micros(rows[-1].checked_at)}-{rows[-1].pk}") if more else None
    return Page(items=rows, next=nxt)


def _people_of(check: Check) -> list[CheckPerson]:
    people = getattr(check, "people_list", None)
    if people is None:
        people = list(check.people.order_by("seq", "id"))
        check.people_list = people  # type: ignore[attr-defined]
    return people


def mask_people(checks: Iterable[Check]) -> None:
    """Sets `doc_shown` and `phone_shown` on each person of the checks, masked."""
    for check in checks:
        for p in _people_of(check):
            p.doc_shown = mask_doc_number(p.doc_number)  # type: ignore[attr-defined]
            p.phone_shown = mask_phone(p.phone)  # type: ignore[attr-defined]


def shows_identifiers(actor: Actor, check: Check) -> bool:
    return actor.can(Capability.IDS_VIEW, check.jpath)


def check_get(*, actor: Actor, pk: int, reveal: bool = True) -> Check:
    """One check in the actor's scope (else 404), with its checkpoint and people. With
    `reveal`, a holder of IDS_VIEW over the check's grid gets the people's identifiers in
    full (`doc_shown`, `phone_shown`; the phone also needs CONTACTS_VIEW) and the read is
    audited; everyone else gets them masked. `check.identifiers_shown` says which."""
    check = get_for_actor(
        Check.objects.select_related(
            "checkpoint", "checkpoint__jurisdiction", "recorded_by"
        ).prefetch_related(
            Prefetch(
                "people",
                queryset=CheckPerson.objects.select_related("person").order_by("seq", "id"),
                to_attr="people_list",
            )
        ),
        actor,
        Capability.CHECKPOINTS_VIEW,
        pk=valid_pk(pk),
    )
    people = _people_of(check)
    full = reveal and shows_identifiers(actor, check)
    phones = full and actor.can(Capability.CONTACTS_VIEW, check.jpath)
    for p in people:
        p.doc_shown = p.doc_number if full else mask_doc_number(p.doc_number)  # type: ignore[attr-defined]
        p.phone_shown = p.phone if phones else mask_phone(p.phone)  # type: ignore[attr-defined]
    check.identifiers_shown = full  # type: ignore[attr-defined]
    if full and any(p.doc_number or p.phone for p in people):
        audit_record(
            actor=actor,
            action="check.view",
            obj=check,
            jpath=check.jpath,
            after={"people": len(people), "phones": phones},
        )
    return check
