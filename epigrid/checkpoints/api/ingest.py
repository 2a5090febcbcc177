"""Batch ingest of checks: `POST /api/v1/checkpoints/{id}/checks` with up to 500 checks, as
a phone's offline queue or another system sends them.

Idempotent by each check's UUID. The schema checks only the shape (a list of 1 to 500
objects, text where text goes); what a check says is judged per check by the service, so one
bad check is reported in its own answer and the others are stored. A checkpoint outside the
caller's area answers 404, as an unknown one does.
"""

from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Field
from pydantic import BaseModel, ConfigDict

from epigrid.accounts.access import request_actor, requires
from epigrid.accounts.roles import Capability
from epigrid.api.routing import CapabilityRouter

from ..models import Source
from ..selectors.checkpoints import checkpoint_get
from ..services import checks as services

router = CapabilityRouter()

Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
# Text fields take what a device sends (numbers as their digits, null as empty); lengths and
# values are judged per check by the service. The bound here only stops absurd bodies.
Text = Annotated[str | None, Field(None, max_length=2000)]


class Lenient(BaseModel):
    # A plain pydantic model, not a ninja Schema: a Schema would read attributes off any
    # value, so `"checks": [1]` would pass as an empty check instead of a shape error.
    model_config = ConfigDict(coerce_numbers_to_str=True, extra="ignore")


class CheckPersonIn(Lenient):
    name: Text = Field(None, description="As on the document; may be empty.")
    doc_type: Text = Field(
        None,
        description="resident_id (default when a number is given), passport, hk_macao, "
        "taiwan or other.",
    )
    doc_number: Text = None
    phone: Text = None
    temperature: float | str | None = Field(None, description="°C, 34.0 to 43.0.")


class CheckIn(Lenient):
    uuid: Text = Field(None, description="Made on the device (uuid4); the check's identity.")
    checked_at: Text = Field(
        None, description="When the check was made, with its offset: 2020-02-10T08:15:00+08:00."
    )
    mode: Text = Field(None, description="foot or vehicle.")
    plate: Text = Field(None, description="Vehicles only, e.g. 粤J12345.")
    origin: Text = None
    destination: Text = None
    result: Text = Field(
        None,
        description="passed or turned_back (default passed); a fever reading makes it fever.",
    )
    selffill_code: Text = None
    note: Text = None
    people: list[CheckPersonIn] = Field(
        default_factory=list,
        max_length=50,
        description="1 to 9 persons; for a vehicle the first is the driver.",
    )


class ChecksIn(BaseModel):
    checks: list[CheckIn] = Field(min_length=1, max_length=services.MAX_BATCH)


# Answers as plain pydantic models too: a ninja Schema reads each of 500 answers through its
# attribute getter, a few milliseconds per batch for nothing.
class CheckAnswer(BaseModel):
    uuid: str
    status: Literal["stored", "known", "refused"]
    errors: dict[str, str]


class ChecksOut(BaseModel):
    stored: int
    known: int
    refused: int
    results: list[CheckAnswer]


@router.post("/{int:checkpoint_id}/checks", response=ChecksOut)
@requires(Capability.CHECKS_RECORD)
def checks_ingest(request: HttpRequest, checkpoint_id: Id, payload: ChecksIn):
    """Stores the good checks of the batch; answers per check stored, known (its UUID was
    stored before: nothing changes) or refused (with a message per field)."""
    actor = request_actor(request)
    checkpoint = checkpoint_get(actor=actor, pk=checkpoint_id)
    results = services.checks_ingest(
        actor=actor,
        checkpoint=checkpoint,
        items=[c.model_dump() for c in payload.checks],
        source=Source.API,
    )
    counts = {"stored": 0, "known": 0, "refused": 0}
    for r in results:
        counts[r["status"]] += 1
    return {**counts, "results": results}
