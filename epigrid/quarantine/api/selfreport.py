"""The self-report link over the API: staff issue or revoke a case's link; the public
endpoint takes the secret token and a reading, nothing else.

The report endpoint is the API's one public operation (no bearer token: the link is the
credential). It is marked public in the OpenAPI schema (x-capability: public), where the
schema-walk test lists it by name; a wrong, revoked or closed-case token answers 404 and
records nothing, and each link is throttled (429)."""

import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Schema, Status

from epigrid.accounts.access import public, request_actor, requires
from epigrid.accounts.roles import Capability
from epigrid.api.routing import CapabilityRouter

from ..models import MeasureSite, Result
from ..selectors.cases import case_get
from ..services import selfreport as services

router = CapabilityRouter()

Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


class LinkOut(Schema):
    token: str = Field(description="The secret: shown in this answer only, never stored.")
    url: str
    issued_at: dt.datetime


class DetailOut(Schema):
    detail: str


class SelfReportIn(Schema):
    temperature: Decimal = Field(description="°C, 34.0 to 43.0.")
    site: MeasureSite = MeasureSite.AXILLARY
    symptoms: list[Annotated[str, Field(max_length=40)]] = Field(
        default_factory=list, max_length=20, description="Symptom codes of the case's policy."
    )


class SelfReportOut(Schema):
    received_at: dt.datetime
    result: Result


@router.post("/cases/{case_id}/selfreport-link", response={201: LinkOut})
@requires(Capability.FOLLOWUPS_RECORD)
def selfreport_issue(request: HttpRequest, case_id: Id):
    actor = request_actor(request)
    case = case_get(actor=actor, pk=case_id, capability=Capability.FOLLOWUPS_RECORD)
    secret = services.selfreport_issue(actor=actor, case=case)
    url = request.build_absolute_uri(reverse("quarantine:selfreport_public", args=[secret]))
    assert case.selfreport_created_at is not None
    return Status(201, LinkOut(token=secret, url=url, issued_at=case.selfreport_created_at))


@router.delete("/cases/{case_id}/selfreport-link", response={204: None})
@requires(Capability.FOLLOWUPS_RECORD)
def selfreport_revoke(request: HttpRequest, case_id: Id):
    actor = request_actor(request)
    case = case_get(actor=actor, pk=case_id, capability=Capability.FOLLOWUPS_RECORD)
    services.selfreport_revoke(actor=actor, case=case)
    return Status(204, None)


@router.post(
    "/selfreport/{token}",
    response={201: SelfReportOut, 429: DetailOut},
    auth=None,
    summary="Report temperature and symptoms through a self-report link (public)",
)
@public
def selfreport_submit(
    request: HttpRequest, token: Annotated[str, Field(max_length=64)], payload: SelfReportIn
):
    try:
        followup = services.selfreport_submit(
            token=token,
            temperature=payload.temperature,
            site=payload.site.value,
            symptoms=payload.symptoms,
        )
    except services.Throttled as exc:
        return Status(429, DetailOut(detail=str(exc)))
    return Status(201, SelfReportOut(received_at=followup.taken_at, result=Result(followup.result)))
