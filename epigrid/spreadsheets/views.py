"""Import pages: upload, check the columns, import (in the background when large), follow
progress, download the rows that could not be taken."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from epigrid.accounts.access import request_actor, requires
from epigrid.accounts.roles import Capability
from epigrid.core.views import apply_service_error, set_choices
from epigrid.geo import selectors as geo

from . import selectors, services
from .forms import UploadForm
from .kinds import get_kind, registered_kinds
from .models import ImportStatus

# Files above this size import in the background, with a progress bar.
BACKGROUND_BYTES = 512 * 1024
ERRORS_SHOWN = 50


@requires(Capability.IMPORTS_RUN)
def job_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    try:
        page = selectors.import_job_list(actor=actor, cursor=request.GET.get("cursor"), limit=30)
    except ValidationError:
        return redirect(request.path)
    return render(request, "spreadsheets/list.html", {"page": page})


@requires(Capability.IMPORTS_RUN)
@require_http_methods(["GET", "POST"])
def job_upload(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    roots = geo.jurisdiction_roots(actor=actor, capability=Capability.IMPORTS_RUN)
    form = UploadForm(
        request.POST or None,
        request.FILES or None,
        initial={"jurisdiction": roots[0].code if roots else ""},
    )
    set_choices(form, "kind", [(k.kind, k.label or k.kind) for k in registered_kinds()])
    if request.method == "POST" and form.is_valid():
        try:
            node = geo.jurisdiction_get(
                actor=actor,
                code=form.cleaned_data["jurisdiction"].strip(),
                capability=Capability.IMPORTS_RUN,
            )
        except Http404:
            form.add_error("jurisdiction", _("No jurisdiction with this code in your area."))
        else:
            upload = form.cleaned_data["file"]
            try:
                job = services.import_upload(
                    actor=actor,
                    kind=form.cleaned_data["kind"],
                    file=upload,
                    filename=upload.name,
                    jpath=node.path,
                )
            except ValidationError as exc:
                apply_service_error(form, exc)
            else:
                return redirect("spreadsheets:detail", job_id=job.pk)
    return render(request, "spreadsheets/upload.html", {"form": form})


def _mapping_from(request: HttpRequest) -> dict[str, str] | None:
    """The column choices a person made on the preview (col-<index> = key or '')."""
    chosen = {
        k[4:]: str(v) for k, v in request.POST.items() if k.startswith("col-") and k[4:].isdigit()
    }
    return {i: key for i, key in chosen.items() if key} if chosen else None


@requires(Capability.IMPORTS_RUN)
@require_http_methods(["GET", "POST"])
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    actor = request_actor(request)
    job = selectors.import_job_get(actor=actor, job_id=job_id)
    spec = get_kind(job.kind)
    preview, problem = None, ""
    if job.status in (ImportStatus.UPLOADED, ImportStatus.PREVIEWED):
        try:
            preview = services.import_preview(
                actor=actor,
                job=job,
                mapping=_mapping_from(request) if request.method == "POST" else None,
            )
        except ValidationError as exc:
            problem = " ".join(exc.messages)
    errors = list(job.row_errors.order_by("row_number", "id")[:ERRORS_SHOWN])
    context = {
        "job": job,
        "spec": spec,
        "preview": preview,
        "problem": problem,
        "errors": errors,
        "columns": preview.columns(spec.schema) if preview else [],
        "choices": [(c.key, c.label) for c in spec.schema.columns],
        "running": job.status in (ImportStatus.QUEUED, ImportStatus.RUNNING),
        "percent": round(job.progress * 100),
    }
    if request.headers.get("HX-Request") and request.GET.get("part") == "progress":
        return render(request, "spreadsheets/_progress.html", context)
    return render(request, "spreadsheets/detail.html", context)


@requires(Capability.IMPORTS_RUN)
@require_POST
def job_commit(request: HttpRequest, job_id: int) -> HttpResponse:
    actor = request_actor(request)
    job = selectors.import_job_get(actor=actor, job_id=job_id)
    try:
        job = services.import_commit(
            actor=actor,
            job=job,
            mapping=_mapping_from(request),
            background=job.size > BACKGROUND_BYTES,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if job.status == ImportStatus.DONE:
            messages.success(request, _("Imported."))
    return redirect("spreadsheets:detail", job_id=job.pk)


@requires(Capability.IMPORTS_RUN)
def job_errors(request: HttpRequest, job_id: int) -> HttpResponse:
    actor = request_actor(request)
    job = selectors.import_job_get(actor=actor, job_id=job_id)
    content = services.import_error_report(actor=actor, job=job)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.xlsx"'
    return response
