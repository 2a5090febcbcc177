"""Pages of the checkpoint register: the list (search, filters, pages, .xlsx), setting up
and editing a checkpoint, ending it, one checkpoint with its posts and their roster
coverage today, and the printable QR poster travellers scan to fill in their own details.

The logging page and the public self-fill page belong to other parts of the app; they are
linked by URL name only (see `optional_url`)."""

import datetime as dt
import tempfile

import segno
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from epigrid.accounts.access import Actor, request_actor, requires
from epigrid.accounts.roles import Capability
from epigrid.audit.services import audit_record
from epigrid.core.errors import ConcurrentEditError
from epigrid.core.pagination import keyset_page
from epigrid.core.views import apply_service_error, query_without, refusal_text, set_choices
from epigrid.geo.models import path_of
from epigrid.rosters.display import spans
from epigrid.rosters.models import hhmm
from epigrid.spreadsheets.export import write_xlsx

from ..forms import CheckpointEndForm, CheckpointForm, PostAddForm
from ..models import Checkpoint, CheckpointKind
from ..selectors import checkpoints as selectors
from ..selectors.checkpoints import CheckpointFilters
from ..services import checkpoints as services

REFUSALS = (ValidationError, ConcurrentEditError)
PAGE_SIZE = 30
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def optional_url(name: str, *args: object) -> str:
    """The URL of a page another part of the app owns, or "" while it is not there yet."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def qr_data_uri(url: str) -> str:
    """The link as a QR code: an SVG made here (no outside service), as a data: URI the
    page's CSP allows for images."""
    return segno.make(url, error="m", micro=False).svg_data_uri(scale=8, border=2)


def hours_label(c: Checkpoint) -> str:
    if (c.opens_at, c.closes_at) == (0, 24 * 60):
        return _("round the clock")
    text = f"{hhmm(c.opens_at)}–{hhmm(c.closes_at)}"
    if c.closes_at <= c.opens_at:
        text += " (" + _("overnight") + ")"
    return text


def _day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((value or "").strip()[:10])
    except ValueError:
        return None


# --- the list -----------------------------------------------------------------------------


def _filters(request: HttpRequest, codes: set[str]) -> CheckpointFilters:
    kind = request.GET.get("kind") or ""
    within = (request.GET.get("within") or "").strip()[:64]
    return CheckpointFilters(
        q=(request.GET.get("q") or "").strip()[:50],
        kind=kind if kind in CheckpointKind.values else "",
        within=within if within in codes else "",
        active_on=_day(request.GET.get("active_on")),
        include_ended=request.GET.get("ended") == "1",
    )


@requires(Capability.CHECKPOINTS_VIEW)
def checkpoint_list(request: HttpRequest) -> HttpResponse | FileResponse:
    actor = request_actor(request)
    nodes = selectors.filter_nodes(actor=actor)
    filters = _filters(request, {n.code for n in nodes})
    qs = selectors.checkpoint_list(actor=actor, filters=filters)
    if request.GET.get("format") == "xlsx":
        return _export(actor, qs, filters)
    try:
        page = keyset_page(qs, cursor=request.GET.get("cursor"), limit=PAGE_SIZE, key="id")
    except ValidationError:
        return redirect(request.path)
    for c in page.items:
        c.hours = hours_label(c)  # type: ignore[attr-defined]
    export_query = query_without(request, "cursor", "format")
    return render(
        request,
        "checkpoints/checkpoint_list.html",
        {
            "page": page,
            "filters": filters,
            "kinds": CheckpointKind.choices,
            "nodes": nodes,
            "query_without_cursor": query_without(request, "cursor"),
            "export_query": export_query,
            "can_manage": actor.has(Capability.CHECKPOINTS_MANAGE),
            "today": timezone.localdate(),
        },
    )


def _export(actor: Actor, qs, filters: CheckpointFilters) -> FileResponse:
    """The whole filtered list (not only one page) as .xlsx, streamed; audited."""
    kinds = dict(CheckpointKind.choices)
    header = [
        _("Name"),
        _("Kind"),
        _("Grid"),
        _("Grid code"),
        _("Location"),
        _("Latitude"),
        _("Longitude"),
        _("Open hours"),
        _("In force from"),
        _("Ended on"),
        _("Public code"),
    ]

    def rows():
        for c in qs.order_by("jpath", "name", "id").iterator(chunk_size=2000):
            yield [
                c.name,
                str(kinds.get(c.kind, c.kind)),
                c.jurisdiction.name,
                c.code,
                c.location,
                str(c.latitude) if c.latitude is not None else "",
                str(c.longitude) if c.longitude is not None else "",
                hours_label(c),
                c.active_from,
                c.active_until,
                c.public_code,
            ]

    out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    count = write_xlsx(out, header, rows(), sheet_title=_("Checkpoints"))
    out.seek(0)
    paths = actor.paths(Capability.CHECKPOINTS_VIEW)
    used = {k: str(v) for k, v in vars(filters).items() if v not in (None, "", False)}
    audit_record(
        actor=actor,
        action="export.create",
        jpath=path_of(filters.within) if filters.within else (paths[0] if paths else ""),
        entity_type="checkpoints.checkpoint",
        entity_label=_("Checkpoints"),
        after={"list": "checkpoints", "filters": used, "rows": count, "unmasked": False},
    )
    name = f"checkpoints-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(out, as_attachment=True, filename=name, content_type=XLSX)


# --- set up and edit ----------------------------------------------------------------------


def _form_page(request: HttpRequest, form, title: str, back_url: str, testid: str, **extra):
    return render(
        request,
        "checkpoints/checkpoint_form.html",
        {"form": form, "title": title, "back_url": back_url, "testid": testid, **extra},
    )


@requires(Capability.CHECKPOINTS_MANAGE)
@require_http_methods(["GET", "POST"])
def checkpoint_create(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    grids = selectors.grid_choices(actor=actor)
    form = CheckpointForm(request.POST or None, initial={"jurisdiction": request.GET.get("j")})
    set_choices(form, "jurisdiction", [(g.code, f"{g.name} ({g.code})") for g in grids])
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            grid = selectors.grid_get(actor=actor, code=data.pop("jurisdiction"))
            checkpoint = services.checkpoint_create(actor=actor, jurisdiction=grid, **data)
        except Http404:
            form.add_error("jurisdiction", _("No small grid with this code in your area."))
        except REFUSALS as exc:
            apply_service_error(form, exc)
        else:
            messages.success(
                request, _("Checkpoint %(name)s was set up.") % {"name": checkpoint.name}
            )
            return redirect("checkpoints:checkpoint_detail", pk=checkpoint.pk)
    return _form_page(
        request,
        form,
        _("Set up a checkpoint"),
        reverse("checkpoints:checkpoint_list"),
        "checkpoint-create-form",
    )


@requires(Capability.CHECKPOINTS_MANAGE)
@require_http_methods(["GET", "POST"])
def checkpoint_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    checkpoint = selectors.checkpoint_get(
        actor=actor, pk=pk, capability=Capability.CHECKPOINTS_MANAGE
    )
    form = CheckpointForm(
        request.POST or None,
        editing=True,
        initial={
            "name": checkpoint.name,
            "kind": checkpoint.kind,
            "location": checkpoint.location,
            "latitude": checkpoint.latitude if checkpoint.latitude is not None else "",
            "longitude": checkpoint.longitude if checkpoint.longitude is not None else "",
            "opens_at": hhmm(checkpoint.opens_at),
            "closes_at": hhmm(checkpoint.closes_at),
            "version": checkpoint.version,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.checkpoint_update(actor=actor, checkpoint=checkpoint, version=version, **data)
        except REFUSALS as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("checkpoints:checkpoint_detail", pk=checkpoint.pk)
    back = reverse("checkpoints:checkpoint_detail", args=[checkpoint.pk])
    return _form_page(
        request,
        form,
        _("Edit %(name)s") % {"name": checkpoint.name},
        back,
        "checkpoint-edit-form",
        checkpoint=checkpoint,
    )


@requires(Capability.CHECKPOINTS_MANAGE)
@require_http_methods(["GET", "POST"])
def checkpoint_end(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    checkpoint = selectors.checkpoint_get(
        actor=actor, pk=pk, capability=Capability.CHECKPOINTS_MANAGE
    )
    form = CheckpointEndForm(
        request.POST or None,
        initial={
            "on": timezone.localdate() + dt.timedelta(days=1),
            "version": checkpoint.version,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.checkpoint_end(actor=actor, checkpoint=checkpoint, **form.cleaned_data)
        except REFUSALS as exc:
            apply_service_error(form, exc)
        else:
            messages.success(
                request, _("Checkpoint %(name)s was ended.") % {"name": checkpoint.name}
            )
            return redirect("checkpoints:checkpoint_detail", pk=checkpoint.pk)
    back = reverse("checkpoints:checkpoint_detail", args=[checkpoint.pk])
    return _form_page(
        request,
        form,
        _("End %(name)s") % {"name": checkpoint.name},
        back,
        "checkpoint-end-form",
        checkpoint=checkpoint,
        danger=True,
    )


# --- one checkpoint -----------------------------------------------------------------------


@requires(Capability.CHECKPOINTS_VIEW)
def checkpoint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    checkpoint = selectors.checkpoint_get(actor=actor, pk=pk)
    today = timezone.localdate()
    rows = selectors.checkpoint_posts(checkpoint=checkpoint, day=today)
    for r in rows:
        r.spans = spans(r.gaps, with_date=False)  # type: ignore[attr-defined]
        r.current = r.post.active_until is None or r.post.active_until > today  # type: ignore[attr-defined]
    current = checkpoint.active_until is None or checkpoint.active_until > today
    # A checkpoint with an end date (even a later one) is no longer edited; its checks
    # may be recorded until it closes.
    can_manage = checkpoint.active_until is None and actor.can(
        Capability.CHECKPOINTS_MANAGE, checkpoint.jpath
    )
    can_record = current and actor.can(Capability.CHECKS_RECORD, checkpoint.jpath)
    return render(
        request,
        "checkpoints/checkpoint_detail.html",
        {
            "checkpoint": checkpoint,
            "hours": hours_label(checkpoint),
            "current": current,
            "rows": rows,
            "today": today,
            "roles_to_add": selectors.roles_to_add(rows) if can_manage else [],
            "can_manage": can_manage,
            "can_record": can_record,
            "can_see_rosters": actor.can(Capability.ROSTERS_VIEW, checkpoint.jpath),
            "log_url": optional_url("checkpoints:log", checkpoint.pk) if can_record else "",
        },
    )


@requires(Capability.CHECKPOINTS_MANAGE)
@require_POST
def checkpoint_post_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    checkpoint = selectors.checkpoint_get(
        actor=actor, pk=pk, capability=Capability.CHECKPOINTS_MANAGE
    )
    form = PostAddForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the allowed values."))
    else:
        try:
            link = services.checkpoint_post_add(
                actor=actor, checkpoint=checkpoint, role=form.cleaned_data["role"]
            )
        except REFUSALS as exc:
            messages.error(request, refusal_text(exc))
        else:
            messages.success(
                request,
                _("Post %(name)s was added: put people on its roster.") % {"name": link.post.name},
            )
    return redirect("checkpoints:checkpoint_detail", pk=checkpoint.pk)


@requires(Capability.CHECKPOINTS_MANAGE)
@require_POST
def checkpoint_post_end(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    link = selectors.post_link_get(actor=actor, pk=pk, capability=Capability.CHECKPOINTS_MANAGE)
    try:
        services.checkpoint_post_end(actor=actor, checkpoint_post=link)
    except REFUSALS as exc:
        messages.error(request, refusal_text(exc))
    else:
        messages.success(
            request, _("Post %(name)s is no longer held from tomorrow.") % {"name": link.post.name}
        )
    return redirect("checkpoints:checkpoint_detail", pk=link.checkpoint_id)


@requires(Capability.CHECKPOINTS_VIEW)
def checkpoint_qr(request: HttpRequest, pk: int) -> HttpResponse:
    """The poster hung at the gate: the self-fill link as a QR code, with instructions."""
    actor = request_actor(request)
    checkpoint = selectors.checkpoint_get(actor=actor, pk=pk)
    target = optional_url("checkpoints:selffill", checkpoint.public_code)
    link = request.build_absolute_uri(target) if target else ""
    return render(
        request,
        "checkpoints/checkpoint_qr.html",
        {
            "checkpoint": checkpoint,
            "link": link,
            "qr": qr_data_uri(link) if link else "",
            "hours": hours_label(checkpoint),
        },
    )


urlpatterns = [
    path("", checkpoint_list, name="checkpoint_list"),
    path("new/", checkpoint_create, name="checkpoint_create"),
    path("<int:pk>/", checkpoint_detail, name="checkpoint_detail"),
    path("<int:pk>/edit/", checkpoint_edit, name="checkpoint_edit"),
    path("<int:pk>/end/", checkpoint_end, name="checkpoint_end"),
    path("<int:pk>/qr/", checkpoint_qr, name="checkpoint_qr"),
    path("<int:pk>/posts/", checkpoint_post_add, name="checkpoint_post_add"),
    path("posts/<int:pk>/end/", checkpoint_post_end, name="checkpoint_post_end"),
]
