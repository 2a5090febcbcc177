"""Checks over the API for the office: the list (newest first, keyset pages) and one check.

The list shows each person's name with the document number and phone masked; one check
shows them in full only to a holder of IDS_VIEW over its grid, and that read is audited
(see selectors.checks). Checks are sent in through the batch ingest (api/ingest.py)."""

import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Query, Schema

from epigrid.accounts.access import request_actor, requires
from epigrid.accounts.roles import Capability
from epigrid.api.routing import CapabilityRouter
from epigrid.api.schemas import PageOut

from ..models import Check, CheckResult, Mode, Source
from ..selectors import checks as selectors
from ..selectors.checks import CheckFilters

router = CapabilityRouter()

Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


class CheckedPersonOut(Schema):
    seq: int = Field(description="1 is the walker or the driver.")
    name: str
    doc_type: str
    doc_number: str = Field(description="Masked in lists; in full on one check for IDS_VIEW.")
    phone: str = Field(description="Masked in lists; in full on one check for IDS_VIEW.")
    temperature: Decimal
    fever: bool
    person_id: int | None = Field(description="The registry record, when linked.")


class CheckOut(Schema):
    id: int
    uuid: str
    checkpoint_id: int
    checkpoint_name: str
    checked_at: dt.datetime
    received_at: dt.datetime
    mode: Mode
    plate: str
    plate_prefix: str
    nonlocal_vehicle: bool
    persons: int
    origin: str
    destination: str
    result: CheckResult
    source: Source
    note: str
    identifiers_masked: bool
    people: list[CheckedPersonOut]


def check_out(c: Check) -> CheckOut:
    return CheckOut(
        id=c.pk,
        uuid=str(c.uuid),
        checkpoint_id=c.checkpoint_id,
        checkpoint_name=c.checkpoint.name,
        checked_at=c.checked_at,
        received_at=c.received_at,
        mode=Mode(c.mode),
        plate=c.plate,
        plate_prefix=c.plate_prefix,
        nonlocal_vehicle=c.nonlocal_vehicle,
        persons=c.persons,
        origin=c.origin,
        destination=c.destination,
        result=CheckResult(c.result),
        source=Source(c.source),
        note=c.note,
        identifiers_masked=not getattr(c, "identifiers_shown", False),
        people=[
            CheckedPersonOut(
                seq=p.seq,
                name=p.name,
                doc_type=p.doc_type,
                doc_number=p.doc_shown,  # type: ignore[attr-defined]
                phone=p.phone_shown,  # type: ignore[attr-defined]
                temperature=p.temperature,
                fever=p.fever,
                person_id=p.person_id,
            )
            for p in c.people_list  # type: ignore[attr-defined]
        ],
    )


class ListFilters(Schema):
    checkpoint: Id | None = None
    day: dt.date | None = Field(None, description="A local day.")
    mode: Mode | None = None
    result: CheckResult | None = None
    nonlocal_only: bool = Field(False, description="Non-local vehicles only.")
    source: Source | None = None
    cursor: str | None = None
    limit: int = 50


@router.get("/checks", response=PageOut[CheckOut])
@requires(Capability.CHECKPOINTS_VIEW)
def check_list(request: HttpRequest, filters: Query[ListFilters]):
    """Checks in your area, newest first; identifiers masked."""
    actor = request_actor(request)
    qs = selectors.check_list(
        actor=actor,
        filters=CheckFilters(
            checkpoint=filters.checkpoint,
            day=filters.day,
            mode=str(filters.mode) if filters.mode else "",
            result=str(filters.result) if filters.result else "",
            nonlocal_only=filters.nonlocal_only,
            source=str(filters.source) if filters.source else "",
        ),
    )
    page = selectors.check_page(qs, cursor=filters.cursor, limit=filters.limit)
    return {"items": [check_out(c) for c in page.items], "next": page.next}


@router.get("/checks/{int:check_id}", response=CheckOut)
@requires(Capability.CHECKPOINTS_VIEW)
def check_detail(request: HttpRequest, check_id: int):
    """One check; identifiers in full for IDS_VIEW over its grid (the read is audited)."""
    return check_out(selectors.check_get(actor=request_actor(request), pk=check_id))
