import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Query, Schema, Status
from ninja.files import UploadedFile

from epigrid.accounts.access import request_actor, requires
from epigrid.accounts.roles import Capability
from epigrid.api.routing import CapabilityRouter
from epigrid.api.schemas import PageOut
from epigrid.geo import selectors as geo

from . import selectors, services
from .kinds import get_kind
from .models import ImportJob

router = CapabilityRouter(tags=["imports"])


class JobOut(Schema):
    id: int
    kind: str
    filename: str
    status: str
    jurisdiction: str
    counts: dict[str, int]
    rows_done: int
    total_rows: int | None
    progress: float
    message: str
    created_at: dt.datetime
    finished_at: dt.datetime | None


def job_out(job: ImportJob) -> JobOut:
    return JobOut(
        id=job.pk,
        kind=job.kind,
        filename=job.filename,
        status=job.status,
        jurisdiction=job.jpath.rstrip("."),
        counts=job.summary(),
        rows_done=job.rows_done,
        total_rows=job.total_rows,
        progress=job.progress,
        message=job.message,
        created_at=job.created_at,
        finished_at=job.finished_at,
    )


class UploadIn(Schema):
    kind: str
    jurisdiction: str


class CommitIn(Schema):
    mapping: dict[str, str] | None = None
    header_row: int | None = None
    background: bool = False


class PreviewIn(Schema):
    mapping: dict[str, str] | None = None
    header_row: int | None = None


class JobFilters(Schema):
    kind: str | None = None
    cursor: str | None = None
    limit: int = 50


@router.post("/imports", response={201: JobOut})
@requires(Capability.IMPORTS_RUN)
def import_upload(request: HttpRequest, data: Form[UploadIn], file: File[UploadedFile]):
    """Uploads a spreadsheet; nothing is imported until it is committed."""
    actor = request_actor(request)
    node = geo.jurisdiction_get(
        actor=actor, code=data.jurisdiction, capability=Capability.IMPORTS_RUN
    )
    get_kind(data.kind)
    job = services.import_upload(
        actor=actor, kind=data.kind, file=file, filename=file.name or "upload", jpath=node.path
    )
    return Status(201, job_out(job))


@router.get("/imports", response=PageOut[JobOut])
@requires(Capability.IMPORTS_RUN)
def import_list(request: HttpRequest, filters: Query[JobFilters]):
    page = selectors.import_job_list(
        actor=request_actor(request), kind=filters.kind, cursor=filters.cursor, limit=filters.limit
    )
    return {"items": [job_out(j) for j in page.items], "next": page.next}


@router.get("/imports/{job_id}", response=JobOut)
@requires(Capability.IMPORTS_RUN)
def import_status(request: HttpRequest, job_id: int):
    return job_out(selectors.import_job_get(actor=request_actor(request), job_id=job_id))


@router.post("/imports/{job_id}/preview", response=dict[str, Any])
@requires(Capability.IMPORTS_RUN)
def import_preview(request: HttpRequest, job_id: int, payload: PreviewIn):
    actor = request_actor(request)
    job = selectors.import_job_get(actor=actor, job_id=job_id)
    return services.import_preview(
        actor=actor, job=job, mapping=payload.mapping, header_row=payload.header_row
    ).as_dict()


@router.post("/imports/{job_id}/commit", response=JobOut)
@requires(Capability.IMPORTS_RUN)
def import_commit(request: HttpRequest, job_id: int, payload: CommitIn):
    """Imports now (the answer carries the summary) or, with background, in the worker
    (poll the status for progress)."""
    actor = request_actor(request)
    job = selectors.import_job_get(actor=actor, job_id=job_id)
    return job_out(
        services.import_commit(
            actor=actor,
            job=job,
            mapping=payload.mapping,
            header_row=payload.header_row,
            background=payload.background,
        )
    )


@router.get("/imports/{job_id}/errors")
@requires(Capability.IMPORTS_RUN)
def import_errors(request: HttpRequest, job_id: int):
    """The rows not taken, as .xlsx (row, column, value, problem)."""
    actor = request_actor(request)
    job = selectors.import_job_get(actor=actor, job_id=job_id)
    response = HttpResponse(
        services.import_error_report(actor=actor, job=job),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.xlsx"'
    return response
