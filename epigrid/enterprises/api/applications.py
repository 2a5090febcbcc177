"""Applications to resume work and their materials over the API.

Staff read within their ENTERPRISES_VIEW scope; an enterprise user reads and writes its own
enterprise's only (anything else is a 404). Writes need APPLICATIONS_REVIEW over the
enterprise's grid (the desk, for someone applying in person) or to be the enterprise's user.
Ids in paths use the int converter so other parts' literal paths are never taken for an id.
"""

import datetime as dt
from typing import Annotated

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Schema, Status
from ninja.files import UploadedFile

from epigrid.accounts.access import request_actor, requires_any
from epigrid.accounts.roles import Capability
from epigrid.api.routing import CapabilityRouter
from epigrid.api.schemas import PageOut
from epigrid.core.pagination import keyset_page
from epigrid.geo.models import path_of

from ..models import Application, Material
from ..models import Status as AppStatus
from ..selectors import applications as selectors
from ..services import applications as services
from ..services import materials as material_services
from ..views.applications import material_response

router = CapabilityRouter()

C = Capability
READ = (C.ENTERPRISES_VIEW, C.ENTERPRISE_SELF)
WRITE = (C.APPLICATIONS_REVIEW, C.ENTERPRISE_SELF)
Count = Annotated[int, Field(ge=0, le=10_000_000)]


class ClockOut(Schema):
    due_at: dt.datetime
    overdue: bool
    workdays_left: int
    text: str


class ApplicationOut(Schema):
    id: int
    enterprise_id: int
    enterprise_name: str
    status: AppStatus
    status_label: str
    planned_on: dt.date
    masks: int
    thermometers: int
    disinfectant_litres: int
    sanitizer_bottles: int
    isolation_room: bool
    isolation_note: str
    note: str
    checklist: list[dict]
    staff_count: int
    staff_from_risk_areas: int
    submitted_at: dt.datetime | None
    first_submitted_at: dt.datetime | None
    due_at: dt.datetime | None
    missing_items: list
    supplement_by: dt.date | None
    decided_at: dt.datetime | None
    decision_note: str
    green_channel: bool
    clock: ClockOut | None
    version: int


def application_out(a: Application, local: dict | None = None) -> ApplicationOut:
    clock = selectors.application_clock(a, local=local)
    return ApplicationOut(
        id=a.pk,
        enterprise_id=a.enterprise_id,
        enterprise_name=a.enterprise.name,
        status=AppStatus(a.status),
        status_label=str(a.get_status_display()),
        planned_on=a.planned_on,
        masks=a.masks,
        thermometers=a.thermometers,
        disinfectant_litres=a.disinfectant_litres,
        sanitizer_bottles=a.sanitizer_bottles,
        isolation_room=a.isolation_room,
        isolation_note=a.isolation_note,
        note=a.note,
        checklist=list(a.checklist or []),
        staff_count=a.staff_count,
        staff_from_risk_areas=a.staff_from_risk_areas,
        submitted_at=a.submitted_at,
        first_submitted_at=a.first_submitted_at,
        due_at=a.due_at,
        missing_items=list(a.missing_items or []),
        supplement_by=a.supplement_by,
        decided_at=a.decided_at,
        decision_note=a.decision_note,
        green_channel=a.green_channel,
        clock=ClockOut(**clock) if clock else None,
        version=a.version,
    )


class MaterialOut(Schema):
    id: int
    application_id: int
    item: str
    original_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: dt.datetime
    on_site: bool
    removed_at: dt.datetime | None


def material_out(m: Material) -> MaterialOut:
    return MaterialOut(
        id=m.pk,
        application_id=m.application_id,
        item=m.item,
        original_name=m.original_name,
        content_type=m.content_type,
        size=m.size,
        sha256=m.sha256,
        uploaded_at=m.uploaded_at,
        on_site=m.on_site,
        removed_at=m.removed_at,
    )


class ListFilters(Schema):
    status: AppStatus | None = None
    within: str | None = Field(None, max_length=64, description="A jurisdiction code.")
    enterprise: int | None = Field(None, ge=1, le=2**63 - 1)
    q: str | None = Field(None, max_length=50, description="Enterprise name or credit code.")
    cursor: str | None = None
    limit: int = 50


class ApplicationIn(Schema):
    enterprise: int | None = Field(
        None, ge=1, le=2**63 - 1, description="The enterprise (staff only; default: your own)."
    )
    planned_on: dt.date
    masks: Count = 0
    thermometers: Count = 0
    disinfectant_litres: Count = 0
    sanitizer_bottles: Count = 0
    isolation_room: bool = False
    isolation_note: str = Field("", max_length=200)
    note: str = Field("", max_length=2000)


class ApplicationPatch(Schema):
    version: int
    planned_on: dt.date | None = None
    masks: Count | None = None
    thermometers: Count | None = None
    disinfectant_litres: Count | None = None
    sanitizer_bottles: Count | None = None
    isolation_room: bool | None = None
    isolation_note: str | None = Field(None, max_length=200)
    note: str | None = Field(None, max_length=2000)


class VersionIn(Schema):
    version: int


class WithdrawIn(Schema):
    version: int
    note: str = Field("", max_length=500)


class MaterialIn(Schema):
    item: str = Field(max_length=40)
    on_site: bool = Field(False, description="Recorded by the desk on site (green channel).")


class MaterialFilters(Schema):
    include_removed: bool = False


@router.get("/applications", response=PageOut[ApplicationOut])
@requires_any(*READ)
def application_list(request: HttpRequest, filters: Query[ListFilters]):
    actor = request_actor(request)
    qs = selectors.application_list(
        actor=actor,
        filters=selectors.ApplicationFilters(
            status=str(filters.status) if filters.status else "",
            within=path_of(filters.within.strip()) if filters.within else "",
            enterprise=filters.enterprise,
            q=(filters.q or "").strip(),
        ),
    )
    page = keyset_page(qs, cursor=filters.cursor, limit=filters.limit, key="-id")
    local = selectors.calendar_overrides()
    return {"items": [application_out(a, local) for a in page.items], "next": page.next}


@router.post("/applications", response={201: ApplicationOut})
@requires_any(*WRITE)
def application_create(request: HttpRequest, payload: ApplicationIn):
    actor = request_actor(request)
    if payload.enterprise is None:
        enterprise = selectors.own_enterprise(actor=actor)
        if enterprise is None:
            raise ValidationError({"enterprise": _("Choose the enterprise.")})
    else:
        enterprise = selectors.enterprise_for_application(actor=actor, pk=payload.enterprise)
    data = payload.dict(exclude={"enterprise"})
    application = services.application_create(actor=actor, enterprise=enterprise, **data)
    return Status(201, application_out(selectors.application_get(actor=actor, pk=application.pk)))


@router.get("/applications/{int:application_id}", response=ApplicationOut)
@requires_any(*READ)
def application_detail(request: HttpRequest, application_id: int):
    return application_out(
        selectors.application_get(actor=request_actor(request), pk=application_id)
    )


@router.patch("/applications/{int:application_id}", response=ApplicationOut)
@requires_any(*WRITE)
def application_update(request: HttpRequest, application_id: int, payload: ApplicationPatch):
    actor = request_actor(request)
    application = selectors.application_get(actor=actor, pk=application_id)
    changes = payload.dict(exclude={"version"}, exclude_unset=True)
    changes = {k: v for k, v in changes.items() if v is not None}
    services.application_update(
        actor=actor, application=application, version=payload.version, **changes
    )
    return application_out(selectors.application_get(actor=actor, pk=application_id))


@router.post("/applications/{int:application_id}/submit", response=ApplicationOut)
@requires_any(*WRITE)
def application_submit(request: HttpRequest, application_id: int, payload: VersionIn):
    actor = request_actor(request)
    application = selectors.application_get(actor=actor, pk=application_id)
    services.application_submit(actor=actor, application=application, version=payload.version)
    return application_out(selectors.application_get(actor=actor, pk=application_id))


@router.post("/applications/{int:application_id}/supplement", response=ApplicationOut)
@requires_any(*WRITE)
def application_supplement(request: HttpRequest, application_id: int, payload: VersionIn):
    actor = request_actor(request)
    application = selectors.application_get(actor=actor, pk=application_id)
    services.application_supplement(actor=actor, application=application, version=payload.version)
    return application_out(selectors.application_get(actor=actor, pk=application_id))


@router.post("/applications/{int:application_id}/withdraw", response=ApplicationOut)
@requires_any(*WRITE)
def application_withdraw(request: HttpRequest, application_id: int, payload: WithdrawIn):
    actor = request_actor(request)
    application = selectors.application_get(actor=actor, pk=application_id)
    services.application_withdraw(
        actor=actor, application=application, version=payload.version, note=payload.note
    )
    return application_out(selectors.application_get(actor=actor, pk=application_id))


@router.get("/applications/{int:application_id}/materials", response=list[MaterialOut])
@requires_any(*READ)
def material_list(request: HttpRequest, application_id: int, filters: Query[MaterialFilters]):
    actor = request_actor(request)
    application = selectors.application_get(actor=actor, pk=application_id)
    rows = selectors.application_materials(application, include_removed=filters.include_removed)
    return [material_out(m) for m in rows]


@router.post("/applications/{int:application_id}/materials", response={201: MaterialOut})
@requires_any(*WRITE)
def material_upload(
    request: HttpRequest,
    application_id: int,
    data: Form[MaterialIn],
    file: File[UploadedFile],
):
    actor = request_actor(request)
    application = selectors.application_get(actor=actor, pk=application_id)
    material = material_services.material_upload(
        actor=actor, application=application, item=data.item, upload=file, on_site=data.on_site
    )
    return Status(201, material_out(material))


@router.get("/materials/{int:material_id}", response=MaterialOut)
@requires_any(*READ)
def material_detail(request: HttpRequest, material_id: int):
    return material_out(selectors.material_get(actor=request_actor(request), pk=material_id))


@router.get("/materials/{int:material_id}/file")
@requires_any(*READ)
def material_file(request: HttpRequest, material_id: int):
    actor = request_actor(request)
    material = selectors.material_get(actor=actor, pk=material_id)
    return material_response(actor, material)


@router.delete("/materials/{int:material_id}", response={204: None})
@requires_any(*WRITE)
def material_remove(request: HttpRequest, material_id: int):
    actor = request_actor(request)
    material = selectors.material_get(actor=actor, pk=material_id)
    material_services.material_remove(actor=actor, material=material)
    return Status(204, None)
