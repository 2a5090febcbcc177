"""Enterprises' staff rosters and daily health reports over the API. An enterprise user
reads and writes its own enterprise's roster and reports; staff read by ENTERPRISES_VIEW
scope and write with ENTERPRISES_MANAGE. Identity numbers and phones are masked as in the
pages (selectors.employees)."""

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Schema, Status

from epigrid.accounts.access import Actor, request_actor, requires_any
from epigrid.accounts.roles import Capability
from epigrid.api.routing import CapabilityRouter
from epigrid.api.schemas import PageOut
from epigrid.core.pagination import keyset_page
from epigrid.registry.models import DocType

from ..models import Employee, Health, HealthReport
from ..selectors import employees as selectors
from ..selectors import enterprises as enterprise_selectors
from ..services import employees as services
from ..services import health as health_services

router = CapabilityRouter()

VIEW = (Capability.ENTERPRISES_VIEW, Capability.ENTERPRISE_SELF)
WRITE = (Capability.ENTERPRISES_MANAGE, Capability.ENTERPRISE_SELF)


class EmployeeOut(Schema):
    id: int
    enterprise: int
    person: int = Field(description="The registry person.")
    name: str
    doc_type: str
    doc_number: str = Field(description="Masked without IDS_VIEW (the enterprise sees its own).")
    phone: str = Field(description="Masked without CONTACTS_VIEW (the enterprise sees its own).")
    job: str
    origin: str
    origin_code: str
    returned_on: dt.date | None
    whereabouts: str
    health: Health
    from_risk_area: bool = Field(description="Flagged from the person's arrivals.")
    active_from: dt.date
    active_until: dt.date | None = Field(description="First day no longer employed.")


def employee_out(e: Employee) -> EmployeeOut:
    shown = e.shown  # type: ignore[attr-defined]
    return EmployeeOut(
        id=e.pk,
        enterprise=e.enterprise_id,
        person=e.person_id,
        name=e.person.name,
        doc_type=e.person.doc_type,
        doc_number=shown.doc_number,
        phone=shown.phone,
        job=e.job,
        origin=e.origin,
        origin_code=e.origin_code,
        returned_on=e.returned_on,
        whereabouts=e.whereabouts,
        health=Health(e.health),
        from_risk_area=e.from_risk_area,
        active_from=e.active_from,
        active_until=e.active_until,
    )


def _out(actor: Actor, employee: Employee) -> EmployeeOut:
    return employee_out(selectors.annotate_shown(actor, [employee])[0])


class EmployeeFilters(Schema):
    q: str | None = Field(None, max_length=50, description="Name, or ID / phone prefix.")
    include_ended: bool = False
    from_risk_area: bool = False
    cursor: str | None = None
    limit: int = 50


class EmployeeIn(Schema):
    name: str = Field(max_length=50)
    doc_type: DocType = DocType.RESIDENT_ID
    doc_number: str = Field(max_length=40)
    phone: str = Field("", max_length=40)
    job: str = Field("", max_length=50)
    origin: str = Field("", max_length=100, description="Where the employee returned from.")
    origin_code: str = Field("", max_length=12, description="Its region code, e.g. 420102.")
    returned_on: dt.date | None = None
    whereabouts: str = Field("", max_length=200)
    health: Health = Health.HEALTHY


class EmployeePatch(Schema):
    job: str | None = Field(None, max_length=50)
    origin: str | None = Field(None, max_length=100)
    origin_code: str | None = Field(None, max_length=12)
    returned_on: dt.date | None = None
    whereabouts: str | None = Field(None, max_length=200)
    health: Health | None = None


class EndQuery(Schema):
    on: dt.date | None = Field(None, description="First day no longer employed (default today).")


class HealthRowIn(Schema):
    employee: int = Field(ge=1, le=2**63 - 1)
    temperature: Decimal = Field(max_digits=4, decimal_places=1)
    symptoms: str = Field("", max_length=200)


class HealthIn(Schema):
    day: dt.date | None = Field(None, description="Default today.")
    rows: list[HealthRowIn] = Field(min_length=1, max_length=health_services.MAX_ROWS)


class HealthOut(Schema):
    id: int
    employee: int
    name: str
    day: dt.date
    temperature: Decimal
    fever: bool
    symptoms: str
    reported_at: dt.datetime


def health_out(r: HealthReport) -> HealthOut:
    return HealthOut(
        id=r.pk,
        employee=r.employee_id,
        name=r.employee.person.name,
        day=r.day,
        temperature=r.temperature,
        fever=r.fever,
        symptoms=r.symptoms,
        reported_at=r.reported_at,
    )


class DayQuery(Schema):
    day: dt.date | None = Field(None, description="Default today.")


@router.get("/enterprises/{int:enterprise_id}/employees", response=PageOut[EmployeeOut])
@requires_any(*VIEW)
def employee_list(request: HttpRequest, enterprise_id: int, filters: Query[EmployeeFilters]):
    actor = request_actor(request)
    enterprise = enterprise_selectors.enterprise_get(actor=actor, pk=enterprise_id)
    qs = selectors.employee_list(
        actor=actor,
        enterprise=enterprise,
        q=filters.q or "",
        include_ended=filters.include_ended,
        risk_only=filters.from_risk_area,
    )
    page = keyset_page(qs, cursor=filters.cursor, limit=filters.limit, key="id")
    rows = selectors.annotate_shown(actor, page.items)
    return {"items": [employee_out(e) for e in rows], "next": page.next}


@router.post("/enterprises/{int:enterprise_id}/employees", response={201: EmployeeOut})
@requires_any(*WRITE)
def employee_add(request: HttpRequest, enterprise_id: int, payload: EmployeeIn):
    """Puts a person on the roster (found by document number or registered); a return
    (`returned_on` + `origin`) is recorded as a registry arrival."""
    actor = request_actor(request)
    enterprise = enterprise_selectors.enterprise_get(actor=actor, pk=enterprise_id)
    data = payload.model_dump()
    data["doc_type"], data["health"] = str(payload.doc_type), str(payload.health)
    employee = services.employee_add(actor=actor, enterprise=enterprise, **data)
    return Status(201, _out(actor, selectors.employee_get(actor=actor, pk=employee.pk)))


@router.get("/employees/{int:employee_id}", response=EmployeeOut)
@requires_any(*VIEW)
def employee_detail(request: HttpRequest, employee_id: int):
    actor = request_actor(request)
    return _out(actor, selectors.employee_get(actor=actor, pk=employee_id))


@router.patch("/employees/{int:employee_id}", response=EmployeeOut)
@requires_any(*WRITE)
def employee_update(request: HttpRequest, employee_id: int, payload: EmployeePatch):
    """Changes the roster details given."""
    actor = request_actor(request)
    employee = selectors.employee_get(actor=actor, pk=employee_id)
    changes = {}
    for name in payload.model_fields_set:
        value = getattr(payload, name)
        if name == "health":
            value = str(value) if value is not None else None
        elif name != "returned_on" and value is None:
            value = ""
        changes[name] = value
    services.employee_update(actor=actor, employee=employee, **changes)
    return _out(actor, selectors.employee_get(actor=actor, pk=employee.pk))


@router.delete("/employees/{int:employee_id}", response=EmployeeOut)
@requires_any(*WRITE)
def employee_end(request: HttpRequest, employee_id: int, params: Query[EndQuery]):
    """Takes the employee off the roster (history is kept): it left the job."""
    actor = request_actor(request)
    employee = selectors.employee_get(actor=actor, pk=employee_id)
    services.employee_end(actor=actor, employee=employee, on=params.on)
    return _out(actor, selectors.employee_get(actor=actor, pk=employee.pk))


@router.get("/enterprises/{int:enterprise_id}/health-reports", response=list[HealthOut])
@requires_any(*VIEW)
def health_report_list(request: HttpRequest, enterprise_id: int, params: Query[DayQuery]):
    """The day's reports of the enterprise (by employee name)."""
    actor = request_actor(request)
    enterprise = enterprise_selectors.enterprise_get(actor=actor, pk=enterprise_id)
    day = params.day or timezone.localdate()
    return [
        health_out(r)
        for r in selectors.health_report_list(actor=actor, enterprise=enterprise, day=day)
    ]


@router.post("/enterprises/{int:enterprise_id}/health-reports", response={201: list[HealthOut]})
@requires_any(*WRITE)
def health_report_record(request: HttpRequest, enterprise_id: int, payload: HealthIn):
    """Records the day's temperatures (a second report of an employee the same day
    replaces the first); a fever raises a quarantine alert in the enterprise's grid."""
    actor = request_actor(request)
    enterprise = enterprise_selectors.enterprise_get(actor=actor, pk=enterprise_id)
    day = payload.day or timezone.localdate()
    saved = health_services.health_reports_record(
        actor=actor,
        enterprise=enterprise,
        day=day,
        rows=[r.model_dump() for r in payload.rows],
    )
    ids = {r.pk for r in saved}
    reports = selectors.health_report_list(actor=actor, enterprise=enterprise, day=day)
    return Status(201, [health_out(r) for r in reports if r.pk in ids])
