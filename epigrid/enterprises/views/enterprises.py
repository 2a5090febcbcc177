"""Pages of the enterprise register: the list (search, filters, pages, .xlsx), registering
and editing an enterprise, one enterprise with links to the other parts of the app, and
its user accounts (list, add, disable).

Other parts' pages are linked by URL name only, with `{% url ... as x_url %}` in the
templates, so this page works while they are being written."""

import tempfile

from django.contrib import messages
from django.core.exceptions import ValidationError
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
from epigrid.core.masking import mask_phone
from epigrid.core.pagination import keyset_page
from epigrid.core.views import apply_service_error, query_without, refusal_text, set_choices
from epigrid.geo.models import path_of
from epigrid.spreadsheets.export import write_xlsx

from ..access import is_own
from ..forms.register import EnterpriseForm, MemberForm
from ..models import Industry, Size
from ..selectors import employees as staff_selectors
from ..selectors import enterprises as selectors
from ..selectors.enterprises import EnterpriseFilters
from ..services import enterprises as services
from ..services import members as member_services

REFUSALS = (ValidationError, ConcurrentEditError)
PAGE_SIZE = 30
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filters(request: HttpRequest, codes: set[str]) -> EnterpriseFilters:
    within = (request.GET.get("within") or "").strip()[:64]
    industry = request.GET.get("industry") or ""
    size = request.GET.get("size") or ""
    approved = request.GET.get("approved") or ""
    return EnterpriseFilters(
        q=(request.GET.get("q") or "").strip()[:50],
        within=within if within in codes else "",
        industry=industry if industry in Industry.values else "",
        size=size if size in Size.values else "",
        approved=approved if approved in ("yes", "no") else "",
    )


@requires(Capability.ENTERPRISES_VIEW)
def enterprise_list(request: HttpRequest) -> HttpResponse | FileResponse:
    actor = request_actor(request)
    nodes = selectors.filter_nodes(actor=actor)
    filters = _filters(request, {n.code for n in nodes})
    qs = selectors.enterprise_list(actor=actor, filters=filters)
    if request.GET.get("format") == "xlsx":
        return _export(actor, qs, filters)
    try:
        page = keyset_page(qs, cursor=request.GET.get("cursor"), limit=PAGE_SIZE, key="id")
    except ValidationError:
        return redirect(request.path)
    return render(
        request,
        "enterprises/enterprise_list.html",
        {
            "page": page,
            "filters": filters,
            "nodes": nodes,
            "industries": Industry.choices,
            "sizes": Size.choices,
            "approved_choices": [("yes", _("Approved to reopen")), ("no", _("Not approved"))],
            "query_without_cursor": query_without(request, "cursor"),
            "export_query": query_without(request, "cursor", "format"),
            "can_manage": actor.has(Capability.ENTERPRISES_MANAGE),
        },
    )


def _export(actor: Actor, qs, filters: EnterpriseFilters) -> FileResponse:
    """The whole filtered list as .xlsx, streamed; contact phones masked without
    CONTACTS_VIEW over the row; audited "export.create"."""
    industries, sizes = dict(Industry.choices), dict(Size.choices)
    header = [
        _("Name"),
        _("Unified social credit code"),
        _("Grid"),
        _("Grid code"),
        _("Address"),
        _("Industry"),
        _("Size"),
        _("Legal representative"),
        _("Contact person"),
        _("Contact phone"),
        _("Number of employees"),
        _("Approved to reopen on"),
        _("Last inspected on"),
    ]
    unmasked = [False]

    def rows():
        for e in qs.order_by("jpath", "name", "id").iterator(chunk_size=2000):
            full = actor.can(Capability.CONTACTS_VIEW, e.jpath)
            unmasked[0] = unmasked[0] or full
            yield [
                e.name,
                e.uscc,
                e.jurisdiction.name,
                e.jurisdiction.code,
                e.address,
                str(industries.get(e.industry, e.industry)),
                str(sizes.get(e.size, e.size)),
                e.legal_rep,
                e.contact_name,
                e.contact_phone if full else mask_phone(e.contact_phone),
                e.employees,
                e.approved_on,
                e.last_inspected_on,
            ]

    out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    count = write_xlsx(out, header, rows(), sheet_title=_("Enterprises"))
    out.seek(0)
    paths = actor.paths(Capability.ENTERPRISES_VIEW)
    used = {k: str(v) for k, v in vars(filters).items() if v not in (None, "", False)}
    audit_record(
        actor=actor,
        action="export.create",
        jpath=path_of(filters.within) if filters.within else (paths[0] if paths else ""),
        entity_type="enterprises.enterprise",
        entity_label=_("Enterprises"),
        after={"list": "enterprises", "filters": used, "rows": count, "unmasked": unmasked[0]},
    )
    name = f"enterprises-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(out, as_attachment=True, filename=name, content_type=XLSX)


def _form_page(request: HttpRequest, form, title: str, back_url: str, testid: str, **extra):
    return render(
        request,
        "enterprises/enterprise_form.html",
        {"form": form, "title": title, "back_url": back_url, "testid": testid, **extra},
    )


def _grid_choices(actor: Actor, form) -> None:
    grids = selectors.grid_choices(actor=actor)
    set_choices(form, "jurisdiction", [(g.code, f"{g.name} ({g.code})") for g in grids])


@requires(Capability.ENTERPRISES_MANAGE)
@require_http_methods(["GET", "POST"])
def enterprise_create(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    form = EnterpriseForm(
        request.POST if request.method == "POST" else None,
        initial={"jurisdiction": request.GET.get("j")},
    )
    _grid_choices(actor, form)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("version", None)
        try:
            data["jurisdiction"] = selectors.grid_get(actor=actor, code=data["jurisdiction"])
            enterprise = services.enterprise_create(actor=actor, **data)
        except Http404:
            form.add_error("jurisdiction", _("No small grid with this code in your area."))
        except REFUSALS as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("%(name)s was registered.") % {"name": enterprise.name})
            return redirect("enterprises:enterprise_detail", pk=enterprise.pk)
    return _form_page(
        request,
        form,
        _("Register an enterprise"),
        reverse("enterprises:enterprise_list"),
        "enterprise-create-form",
    )


@requires(Capability.ENTERPRISES_MANAGE)
@require_http_methods(["GET", "POST"])
def enterprise_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    enterprise = selectors.enterprise_get(
        actor=actor, pk=pk, capability=Capability.ENTERPRISES_MANAGE
    )
    form = EnterpriseForm(
        request.POST if request.method == "POST" else None,
        initial={
            **{f: getattr(enterprise, f) for f in services.EDITABLE if f not in ("jurisdiction",)},
            "jurisdiction": enterprise.jurisdiction.code,
            "version": enterprise.version,
        },
    )
    _grid_choices(actor, form)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version") or 0
        try:
            data["jurisdiction"] = selectors.grid_get(actor=actor, code=data["jurisdiction"])
            services.enterprise_update(actor=actor, enterprise=enterprise, version=version, **data)
        except Http404:
            form.add_error("jurisdiction", _("No small grid with this code in your area."))
        except REFUSALS as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("enterprises:enterprise_detail", pk=enterprise.pk)
    return _form_page(
        request,
        form,
        _("Edit %(name)s") % {"name": enterprise.name},
        reverse("enterprises:enterprise_detail", args=[enterprise.pk]),
        "enterprise-edit-form",
        enterprise=enterprise,
    )


@requires_any(Capability.ENTERPRISES_VIEW, Capability.ENTERPRISE_SELF)
def enterprise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    enterprise = selectors.enterprise_get(actor=actor, pk=pk)
    own = is_own(actor, enterprise.pk)
    can_manage = actor.can(Capability.ENTERPRISES_MANAGE, enterprise.jpath)
    full_contact = own or actor.can(Capability.CONTACTS_VIEW, enterprise.jpath)
    return render(
        request,
        "enterprises/enterprise_detail.html",
        {
            "enterprise": enterprise,
            "contact_phone": enterprise.contact_phone
            if full_contact
            else mask_phone(enterprise.contact_phone),
            "summary": staff_selectors.roster_summary(enterprise=enterprise),
            "own": own,
            "can_manage": can_manage,
            "can_roster": own or can_manage,
            "can_inspect": actor.can(Capability.INSPECTIONS_RECORD, enterprise.jpath),
            "members": selectors.member_list(enterprise=enterprise) if can_manage else [],
        },
    )


@requires(Capability.ENTERPRISES_MANAGE)
@require_http_methods(["GET", "POST"])
def enterprise_users(request: HttpRequest, pk: int) -> HttpResponse:
    """The enterprise's logins, and a form to open one."""
    actor = request_actor(request)
    enterprise = selectors.enterprise_get(
        actor=actor, pk=pk, capability=Capability.ENTERPRISES_MANAGE
    )
    form = MemberForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            member = member_services.enterprise_user_create(
                actor=actor, enterprise=enterprise, **form.cleaned_data
            )
        except REFUSALS as exc:
            apply_service_error(form, exc)
        else:
            messages.success(
                request,
                _("Account %(username)s was opened for %(name)s.")
                % {"username": member.user.username, "name": enterprise.name},
            )
            return redirect("enterprises:enterprise_users", pk=enterprise.pk)
    return render(
        request,
        "enterprises/enterprise_users.html",
        {
            "enterprise": enterprise,
            "members": selectors.member_list(enterprise=enterprise),
            "form": form,
        },
    )


@requires(Capability.ENTERPRISES_MANAGE)
@require_POST
def enterprise_user_disable(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    actor = request_actor(request)
    enterprise = selectors.enterprise_get(
        actor=actor, pk=pk, capability=Capability.ENTERPRISES_MANAGE
    )
    member = selectors.member_get(actor=actor, enterprise=enterprise, pk=member_pk)
    try:
        member_services.enterprise_user_disable(actor=actor, member=member)
    except REFUSALS as exc:
        messages.error(request, refusal_text(exc))
    else:
        messages.success(
            request, _("Account %(username)s was disabled.") % {"username": member.user.username}
        )
    return redirect("enterprises:enterprise_users", pk=enterprise.pk)


urlpatterns = [
    path("", enterprise_list, name="enterprise_list"),
    path("new/", enterprise_create, name="enterprise_create"),
    path("<int:pk>/", enterprise_detail, name="enterprise_detail"),
    path("<int:pk>/edit/", enterprise_edit, name="enterprise_edit"),
    path("<int:pk>/users/", enterprise_users, name="enterprise_users"),
    path(
        "<int:pk>/users/<int:member_pk>/disable/",
        enterprise_user_disable,
        name="enterprise_user_disable",
    ),
]
