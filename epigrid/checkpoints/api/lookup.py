"""The repeat-visitor lookup over the API: `GET /api/v1/checkpoints/{id}/lookup?plate=&phone=&doc=`.

Answers the latest check in the caller's CHECKS_RECORD scope with that plate (all its people),
phone or document number (that person): names, document types and masked numbers, the plate,
the last origin and destination and when; never a full document number or a phone. The
signed references the logging page uses are not given here: the API's ingest takes a
person's details, not references (see selectors.lookup).
"""

import datetime as dt
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Query, Schema

from epigrid.accounts.access import request_actor, requires
from epigrid.accounts.roles import Capability
from epigrid.api.routing import CapabilityRouter

from ..selectors.checkpoints import checkpoint_get
from ..selectors.lookup import QUERY_MAX, Sighting, visitor_lookup

router = CapabilityRouter()

Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


class LookupQuery(Schema):
    plate: str | None = Field(None, max_length=QUERY_MAX, description="e.g. 湘A12345")
    phone: str | None = Field(None, max_length=QUERY_MAX)
    doc: str | None = Field(None, max_length=QUERY_MAX, description="A document number.")


class SeenPersonOut(Schema):
    name: str
    doc_type: str
    doc_masked: str = Field(description="The document number masked (region and last 4).")


class SightingOut(Schema):
    matched: str = Field(description="plate, phone or doc: which criterion found it.")
    checked_at: dt.datetime
    checkpoint: str
    mode: str
    plate: str
    origin: str
    destination: str
    people: list[SeenPersonOut]


class LookupOut(Schema):
    matches: list[SightingOut]


def _out(s: Sighting) -> SightingOut:
    return SightingOut(
        matched=s.matched,
        checked_at=s.checked_at,
        checkpoint=s.checkpoint,
        mode=s.mode,
        plate=s.plate,
        origin=s.origin,
        destination=s.destination,
        people=[
            SeenPersonOut(name=p.name, doc_type=p.doc_type, doc_masked=p.doc_masked)
            for p in s.people
        ],
    )


@router.get("/{int:checkpoint_id}/lookup", response=LookupOut)
@requires(Capability.CHECKS_RECORD)
def visitor_lookup_api(request: HttpRequest, checkpoint_id: Id, query: Query[LookupQuery]):
    """A repeat visitor at this checkpoint by plate, phone or document number."""
    actor = request_actor(request)
    checkpoint = checkpoint_get(actor=actor, pk=checkpoint_id, capability=Capability.CHECKS_RECORD)
    matches = visitor_lookup(
        actor=actor,
        checkpoint=checkpoint,
        plate=query.plate or None,
        phone=query.phone or None,
        doc_number=query.doc or None,
    )
    return {"matches": [_out(s) for s in matches]}
