"""Pages of published batches: the staff list (with the publish form), one batch with its
enterprises (name, code, grid, approval date, green-channel mark), its print view and its
.xlsx export (audited); and the public pages, without login, that show enterprise names and
approval dates only."""

import tempfile

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from epigrid.accounts.access import public, request_actor, requires
from epigrid.accounts.roles import Capability
from epigrid.audit.services import audit_record
from epigrid.core.errors import ConcurrentEditError
from epigrid.core.pagination import Page
from epigrid.core.views import query_without, refusal_text
from epigrid.spreadsheets.export import write_xlsx

from ..forms.review import PublishForm
from ..selectors import batches as selectors
from ..selectors.queue import publishable_subdistricts, subdistrict_get
from ..services import batches as services

REFUSALS = (ValidationError, ConcurrentEditError)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 50
ENTRIES_PAGE = 100


def _page_or_first(request: HttpRequest, read) -> Page | None:
    """A page of a keyset list; None for a damaged cursor (the caller goes to page one)."""
    try:
        return read(request.GET.get("cursor"))
    except ValidationError:
        return None


@requires(Capability.ENTERPRISES_VIEW)
def batch_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    page = _page_or_first(
        request, lambda c: selectors.batch_list(actor=actor, cursor=c, limit=PAGE_SIZE)
    )
    if page is None:
        return redirect(request.path)
    return render(
        request,
        "enterprises/batch_list.html",
        {
            "page": page,
            "subdistricts": publishable_subdistricts(actor=actor),
            "query_without_cursor": query_without(request, "cursor"),
        },
    )


@requires(Capability.APPLICATIONS_REVIEW)
@require_POST
def batch_publish(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    form = PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the subdistrict to publish."))
        return redirect("enterprises:batch_list")
    try:
        subdistrict = subdistrict_get(actor=actor, code=form.cleaned_data["subdistrict"])
    except Http404:
        messages.error(request, _("Choose the subdistrict to publish."))
        return redirect("enterprises:batch_list")
    try:
        batch = services.batch_publish(
            actor=actor, subdistrict=subdistrict, title=form.cleaned_data["title"]
        )
    except REFUSALS as exc:
        messages.error(request, refusal_text(exc))
        return redirect("enterprises:batch_list")
    messages.success(request, _("%(title)s was published.") % {"title": batch.title})
    return redirect("enterprises:batch_detail", pk=batch.pk)


@requires(Capability.ENTERPRISES_VIEW)
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    batch = selectors.batch_get(actor=actor, pk=pk)
    page = _page_or_first(
        request, lambda c: selectors.batch_entries(batch=batch, cursor=c, limit=ENTRIES_PAGE)
    )
    if page is None:
        return redirect(request.path)
    return render(
        request,
        "enterprises/batch_detail.html",
        {"batch": batch, "page": page, "query_without_cursor": query_without(request, "cursor")},
    )


@requires(Capability.ENTERPRISES_VIEW)
def batch_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole list on paper: every entry (a printed list cannot page), no navigation."""
    actor = request_actor(request)
    batch = selectors.batch_get(actor=actor, pk=pk)
    return render(
        request,
        "enterprises/batch_print.html",
        {"batch": batch, "rows": selectors.batch_rows_all(batch=batch)},
    )


@requires(Capability.ENTERPRISES_VIEW)
def batch_export(request: HttpRequest, pk: int) -> FileResponse:
    """The batch as .xlsx, streamed; audited."""
    actor = request_actor(request)
    batch = selectors.batch_get(actor=actor, pk=pk)
    header = [
        _("No."),
        _("Enterprise"),
        _("Unified social credit code"),
        _("Grid"),
        _("Approved on"),
        _("Green channel"),
    ]

    def rows():
        for number, a in enumerate(selectors.batch_rows_all(batch=batch), start=1):
            yield [
                number,
                a.enterprise.name,
                a.enterprise.uscc,
                a.enterprise.jurisdiction.name,
                timezone.localdate(a.decided_at) if a.decided_at else None,
                _("yes") if a.green_channel else "",
            ]

    out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    count = write_xlsx(out, header, rows(), sheet_title=_("Batch %(n)d") % {"n": batch.number})
    out.seek(0)
    audit_record(
        actor=actor,
        action="export.create",
        obj=batch,
        jpath=batch.jpath,
        after={"list": "enterprises.batch", "batch": batch.pk, "rows": count, "unmasked": False},
    )
    name = f"batch-{batch.number}-{batch.published_on:%Y%m%d}.xlsx"
    return FileResponse(out, as_attachment=True, filename=name, content_type=XLSX)


@public
def public_batches(request: HttpRequest) -> HttpResponse:
    page = _page_or_first(request, lambda c: selectors.public_batch_list(cursor=c, limit=PAGE_SIZE))
    if page is None:
        return redirect(request.path)
    return render(
        request,
        "enterprises/batch_public_list.html",
        {"page": page, "query_without_cursor": query_without(request, "cursor")},
    )


@public
def public_batch(request: HttpRequest, code) -> HttpResponse:
    batch = selectors.public_batch_get(code=code)
    page = _page_or_first(
        request,
        lambda c: selectors.batch_entries(batch=batch, cursor=c, limit=ENTRIES_PAGE, public=True),
    )
    if page is None:
        return redirect(request.path)
    return render(
        request,
        "enterprises/batch_public.html",
        {"batch": batch, "page": page, "query_without_cursor": query_without(request, "cursor")},
    )


urlpatterns = [
    path("batches/", batch_list, name="batch_list"),
    path("batches/publish/", batch_publish, name="batch_publish"),
    path("batches/<int:pk>/", batch_detail, name="batch_detail"),
    path("batches/<int:pk>/print/", batch_print, name="batch_print"),
    path("batches/<int:pk>/export/", batch_export, name="batch_export"),
    path("public/batches/", public_batches, name="public_batches"),
    path("public/batches/<uuid:code>/", public_batch, name="public_batch"),
]
