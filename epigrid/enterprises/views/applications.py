"""Pages of an application to resume work: make and edit it, one application with its
clock, supplies, roster summary, checklist with uploads, history and (for the desk) the
review panel; the state steps the enterprise takes (submit, supplement, withdraw); uploads
and the access-checked file download; and the staff list with filters and an .xlsx export.

The enterprise user reaches its own enterprise's application only; the desk acts for an
enterprise in its scope (someone applying in person). Anything else is a 404."""

import tempfile
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from epigrid.accounts.access import Actor, request_actor, requires, requires_any
from epigrid.accounts.roles import Capability
from epigrid.audit.services import audit_record
from epigrid.core.errors import ConcurrentEditError
from epigrid.core.pagination import keyset_page
from epigrid.core.views import apply_service_error, query_without, refusal_text
from epigrid.geo.models import path_of
from epigrid.spreadsheets.export import write_xlsx

from ..access import is_own
from ..forms.applications import ApplicationForm, MaterialForm, VersionForm
from ..models import Application, Material, Status
from ..selectors import applications as selectors
from ..services import applications as services
from ..services import materials as material_services

C = Capability
REFUSALS = (ValidationError, ConcurrentEditError)
PAGE_SIZE = 30
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIELDS = (
    "planned_on",
    "masks",
    "thermometers",
    "disinfectant_litres",
    "sanitizer_bottles",
    "isolation_room",
    "isolation_note",
    "note",
)


def material_response(actor: Actor, material: Material) -> FileResponse:
    """The stored file as an attachment of its recorded type, never sniffed by the browser;
    the download is audited (employee health information). Shared with the API."""
    try:
        handle = material.file.open("rb")
    except (FileNotFoundError, OSError, ValueError) as exc:
        raise Http404 from exc
    material_services.material_download_record(actor=actor, material=material)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=material.original_name,
        content_type=material.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _writer(actor: Actor, application: Application) -> bool:
    """May act for the enterprise on this application (its own user, or the desk)."""
    return is_own(actor, application.enterprise_id) or actor.can(
        C.APPLICATIONS_REVIEW, application.jpath
    )


# --- the staff list -----------------------------------------------------------------------


def _filters(request: HttpRequest, codes: set[str]) -> selectors.ApplicationFilters:
    status = request.GET.get("status") or ""
    within = (request.GET.get("within") or "").strip()[:64]
    enterprise = (request.GET.get("enterprise") or "").strip()
    return selectors.ApplicationFilters(
        status=status if status in Status.values else "",
        within=path_of(within) if within in codes else "",
        enterprise=int(enterprise) if enterprise.isdigit() and len(enterprise) < 18 else None,
        q=(request.GET.get("q") or "").strip()[:50],
    )


@requires(C.ENTERPRISES_VIEW)
def application_list(request: HttpRequest) -> HttpResponse | FileResponse:
    actor = request_actor(request)
    nodes = selectors.filter_nodes(actor=actor)
    filters = _filters(request, {n.code for n in nodes})
    qs = selectors.application_list(actor=actor, filters=filters)
    if request.GET.get("format") == "xlsx":
        return _export(actor, qs, filters)
    try:
        page = keyset_page(qs, cursor=request.GET.get("cursor"), limit=PAGE_SIZE, key="-id")
    except ValidationError:
        return redirect(request.path)
    local = selectors.calendar_overrides()
    for a in page.items:
        a.clock = selectors.application_clock(a, local=local)  # type: ignore[attr-defined]
    return render(
        request,
        "enterprises/application_list.html",
        {
            "page": page,
            "filters": filters,
            "within_code": (request.GET.get("within") or "").strip()[:64],
            "statuses": Status.choices,
            "nodes": nodes,
            "query_without_cursor": query_without(request, "cursor"),
            "export_query": query_without(request, "cursor", "format"),
        },
    )


def _export(actor: Actor, qs, filters: selectors.ApplicationFilters) -> FileResponse:
    """The whole filtered list as .xlsx, streamed; audited. No personal data on it."""
    statuses = dict(Status.choices)
    header = [
        _("Enterprise"),
        _("Unified social credit code"),
        _("Grid"),
        _("Status"),
        _("Planned reopening date"),
        _("Employees"),
        _("From epidemic source areas"),
        _("Submitted at"),
        _("Answer due by"),
        _("Decided at"),
    ]

    def local(value):
        return timezone.localtime(value).replace(tzinfo=None) if value else None

    def rows():
        for a in qs.order_by("-id").iterator(chunk_size=2000):
            yield [
                a.enterprise.name,
                a.enterprise.uscc,
                a.enterprise.jurisdiction.name,
                str(statuses.get(a.status, a.status)),
                a.planned_on,
                a.staff_count,
                a.staff_from_risk_areas,
                local(a.submitted_at),
                local(a.due_at),
                local(a.decided_at),
            ]

    out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    count = write_xlsx(out, header, rows(), sheet_title=_("Applications"))
    out.seek(0)
    paths = actor.paths(C.ENTERPRISES_VIEW)
    used = {k: str(v) for k, v in vars(filters).items() if v not in (None, "", False)}
    audit_record(
        actor=actor,
        action="export.create",
        jpath=filters.within or (paths[0] if paths else ""),
        entity_type="enterprises.application",
        entity_label=_("Work-resumption applications"),
        after={"list": "applications", "filters": used, "rows": count, "unmasked": False},
    )
    name = f"applications-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(out, as_attachment=True, filename=name, content_type=XLSX)


# --- make and edit ------------------------------------------------------------------------


def _form_page(request: HttpRequest, form, title: str, back_url: str, **extra: Any):
    return render(
        request,
        "enterprises/application_form.html",
        {"form": form, "title": title, "back_url": back_url, **extra},
    )


@requires_any(C.APPLICATIONS_REVIEW, C.ENTERPRISE_SELF)
@require_http_methods(["GET", "POST"])
def application_create(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    enterprise = selectors.own_enterprise(actor=actor)
    if enterprise is None:
        wanted = (request.GET.get("enterprise") or "").strip()
        if not wanted.isdigit():
            raise Http404
        enterprise = selectors.enterprise_for_application(actor=actor, pk=int(wanted))
    form = ApplicationForm(request.POST or None, initial={"planned_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in FIELDS}
        try:
            application = services.application_create(actor=actor, enterprise=enterprise, **data)
        except PermissionDenied:
            raise
        except REFUSALS as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("The draft application was saved."))
            return redirect("enterprises:application_detail", pk=application.pk)
    return _form_page(
        request,
        form,
        _("Apply to resume work: %(name)s") % {"name": enterprise.name},
        "/",
        enterprise=enterprise,
    )


@requires_any(C.APPLICATIONS_REVIEW, C.ENTERPRISE_SELF)
@require_http_methods(["GET", "POST"])
def application_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    application = selectors.application_get(actor=actor, pk=pk)
    if not _writer(actor, application):
        raise PermissionDenied
    initial = {k: getattr(application, k) for k in FIELDS}
    form = ApplicationForm(
        request.POST or None, initial={**initial, "version": application.version}
    )
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in FIELDS}
        try:
            services.application_update(
                actor=actor,
                application=application,
                version=form.cleaned_data["version"] or 0,
                **data,
            )
        except REFUSALS as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("enterprises:application_detail", pk=application.pk)
    return _form_page(
        request,
        form,
        _("Edit the application of %(name)s") % {"name": application.enterprise.name},
        reverse("enterprises:application_detail", args=[application.pk]),
        enterprise=application.enterprise,
        application=application,
    )


# --- one application ----------------------------------------------------------------------


def _checklist_rows(application: Application, today, materials: list[Material]) -> list[dict]:
    missing = set(selectors.missing_codes(application))
    by_item = {m.item: m for m in materials}
    rows = []
    for item in selectors.application_checklist(application, today):
        rows.append(
            {
                "code": item["code"],
                "label": item.get("zh") or item.get("en") or item["code"],
                "label_en": item.get("en") or "",
                "file": bool(item.get("file")),
                "material": by_item.get(item["code"]),
                "missing": item["code"] in missing,
            }
        )
    return rows


@requires_any(C.ENTERPRISES_VIEW, C.ENTERPRISE_SELF)
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    application = selectors.application_get(actor=actor, pk=pk)
    now = timezone.now()
    today = timezone.localdate(now)
    writer = _writer(actor, application)
    desk = actor.can(C.APPLICATIONS_REVIEW, application.jpath)
    # The enterprise changes its files on a draft or a returned application; the desk also
    # records papers on site while the application is with it (green channel).
    on_site = desk and application.status in material_services.ON_SITE
    can_upload = writer and (application.status in material_services.EDITABLE or on_site)
    if application.status == Status.DRAFT:
        staff, from_risk = selectors.roster_counts(application.enterprise_id, today)
    else:
        staff, from_risk = application.staff_count, application.staff_from_risk_areas
    materials = selectors.application_materials(application)
    rows = _checklist_rows(application, today, materials)
    return render(
        request,
        "enterprises/application_detail.html",
        {
            "application": application,
            "enterprise": application.enterprise,
            "clock": selectors.application_clock(application, now),
            "rows": rows,
            "missing_labels": [r["label"] for r in rows if r["missing"]],
            "events": selectors.application_events(application),
            "staff": staff,
            "from_risk": from_risk,
            "can_edit": writer and application.status in services.EDITABLE,
            "can_upload": can_upload,
            "upload_on_site": on_site and application.status != Status.DRAFT,
            "can_remove": writer and application.status in material_services.EDITABLE,
            "can_submit": writer and application.status == Status.DRAFT,
            "can_supplement": writer and application.status == Status.RETURNED,
            "can_withdraw": writer and application.can("withdraw"),
            "reviewer": actor.can(C.APPLICATIONS_REVIEW, application.jpath),
            "is_staff_view": actor.has(C.ENTERPRISES_VIEW),
        },
    )


def _step(request: HttpRequest, pk: int, step, done: str) -> HttpResponse:
    actor = request_actor(request)
    application = selectors.application_get(actor=actor, pk=pk)
    if not _writer(actor, application):
        raise PermissionDenied
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("This form is out of date. Reload the page and try again."))
    else:
        extra = {"note": form.cleaned_data["note"]} if step is services.application_withdraw else {}
        try:
            step(
                actor=actor,
                application=application,
                version=form.cleaned_data["version"],
                **extra,
            )
        except REFUSALS as exc:
            messages.error(request, refusal_text(exc))
        else:
            messages.success(request, done)
    return redirect("enterprises:application_detail", pk=application.pk)


@requires_any(C.APPLICATIONS_REVIEW, C.ENTERPRISE_SELF)
@require_POST
def application_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, services.application_submit, _("The application was submitted."))


@requires_any(C.APPLICATIONS_REVIEW, C.ENTERPRISE_SELF)
@require_POST
def application_supplement(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        services.application_supplement,
        _("The supplement was sent; the application is with the desk again."),
    )


@requires_any(C.APPLICATIONS_REVIEW, C.ENTERPRISE_SELF)
@require_POST
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, services.application_withdraw, _("The application was withdrawn."))


# --- materials ----------------------------------------------------------------------------


@requires_any(C.APPLICATIONS_REVIEW, C.ENTERPRISE_SELF)
@require_POST
def material_upload(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    application = selectors.application_get(actor=actor, pk=pk)
    form = MaterialForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to upload."))
    else:
        try:
            material = material_services.material_upload(
                actor=actor,
                application=application,
                item=form.cleaned_data["item"],
                upload=form.cleaned_data["file"],
                on_site=form.cleaned_data["on_site"],
            )
        except REFUSALS as exc:
            messages.error(request, refusal_text(exc))
        else:
            messages.success(
                request, _("%(name)s was uploaded.") % {"name": material.original_name}
            )
    return redirect("enterprises:application_detail", pk=application.pk)


@requires_any(C.APPLICATIONS_REVIEW, C.ENTERPRISE_SELF)
@require_POST
def material_remove(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    material = selectors.material_get(actor=actor, pk=pk)
    try:
        material_services.material_remove(actor=actor, material=material)
    except REFUSALS as exc:
        messages.error(request, refusal_text(exc))
    else:
        messages.success(request, _("The file was removed."))
    return redirect("enterprises:application_detail", pk=material.application_id)


@requires_any(C.ENTERPRISES_VIEW, C.ENTERPRISE_SELF)
def material_file(request: HttpRequest, pk: int) -> FileResponse:
    actor = request_actor(request)
    return material_response(actor, selectors.material_get(actor=actor, pk=pk))


urlpatterns = [
    path("applications/", application_list, name="application_list"),
    path("applications/new/", application_create, name="application_create"),
    path("applications/<int:pk>/", application_detail, name="application_detail"),
    path("applications/<int:pk>/edit/", application_edit, name="application_edit"),
    path("applications/<int:pk>/submit/", application_submit, name="application_submit"),
    path(
        "applications/<int:pk>/supplement/", application_supplement, name="application_supplement"
    ),
    path("applications/<int:pk>/withdraw/", application_withdraw, name="application_withdraw"),
    path("applications/<int:pk>/materials/", material_upload, name="material_upload"),
    path("materials/<int:pk>/remove/", material_remove, name="material_remove"),
    path("materials/<int:pk>/file/", material_file, name="material_file"),
]
