"""Pages of liaisons (挂钩联系) and enterprise needs: the liaison list with filters,
assigning and ending a liaison, a leader's "my enterprises" (with their open needs), the
need list (filters kind, status, owner, enterprise; open first; pages), raising a need
(an enterprise user: for its own enterprise) and one need with the desk's update form (an
enterprise user sees status and resolution but cannot change them)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from epigrid.accounts.access import request_actor, requires, requires_any
from epigrid.accounts.roles import Capability
from epigrid.core.errors import ConcurrentEditError
from epigrid.core.pagination import keyset_page
from epigrid.core.views import apply_service_error, query_without, refusal_text, set_choices

from ..access import own_enterprise_id
from ..forms.field import LiaisonForm, NeedForm, NeedUpdateForm
from ..models import NeedKind, NeedStatus
from ..selectors import liaisons as lsel
from ..selectors import needs as nsel
from ..selectors.taskforces import staff_choices
from ..services import liaisons as lservices
from ..services import needs as nservices
from .inspections import _int
from .taskforces import page_number, page_of

REFUSALS = (ValidationError, ConcurrentEditError)
VIEW = Capability.ENTERPRISES_VIEW
SELF = Capability.ENTERPRISE_SELF
MANAGE = Capability.ENTERPRISES_MANAGE
NEEDS = Capability.NEEDS_MANAGE
PAGE_SIZE = 30


@requires_any(VIEW, SELF)
def liaison_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    filters = lsel.LiaisonFilters(
        leader=_int(request.GET.get("leader")),
        enterprise=_int(request.GET.get("enterprise")),
        q=(request.GET.get("q") or "").strip()[:50],
        include_ended=request.GET.get("ended") == "1",
    )
    try:
        page = keyset_page(
            lsel.liaison_list(actor=actor, filters=filters),
            cursor=request.GET.get("cursor"),
            limit=PAGE_SIZE,
            key="id",
        )
    except ValidationError:
        return redirect(request.path)
    return render(
        request,
        "enterprises/liaison_list.html",
        {
            "page": page,
            "filters": filters,
            "query_without_cursor": query_without(request, "cursor"),
            "can_manage": actor.has(MANAGE),
        },
    )


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def liaison_create(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    form = LiaisonForm(request.POST or None, initial={"enterprise": request.GET.get("enterprise")})
    enterprises = {e.pk: e for e in nsel.enterprise_choices(actor=actor)}
    staff = {u.pk: u for u in staff_choices(actor=actor)}
    set_choices(form, "enterprise", [(pk, e.name) for pk, e in enterprises.items()])
    set_choices(form, "leader", [(pk, u.full_name or u.username) for pk, u in staff.items()])
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            lservices.liaison_assign(
                actor=actor,
                enterprise=enterprises[d["enterprise"]],
                leader=staff[d["leader"]],
                note=d["note"],
            )
        except REFUSALS as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("The liaison was assigned."))
            return redirect("enterprises:liaison_list")
    return render(request, "enterprises/liaison_form.html", {"form": form})


@requires(MANAGE)
@require_POST
def liaison_end(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    liaison = lsel.liaison_get(actor=actor, pk=pk)
    try:
        lservices.liaison_end(actor=actor, liaison=liaison)
    except REFUSALS as exc:
        messages.error(request, refusal_text(exc))
    else:
        messages.success(request, _("The liaison was ended."))
    return redirect("enterprises:liaison_list")


@requires(VIEW)
def liaison_mine(request: HttpRequest) -> HttpResponse:
    """The enterprises the viewer is liaison to, most open needs first."""
    rows = list(lsel.my_enterprises(actor=request_actor(request)))
    return render(request, "enterprises/liaison_mine.html", {"rows": rows})


# --- needs --------------------------------------------------------------------------------


@requires_any(VIEW, SELF)
def need_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    kind = request.GET.get("kind") or ""
    status = request.GET.get("status") or ""
    filters = nsel.NeedFilters(
        kind=kind if kind in NeedKind.values else "",
        status=status if status in (*NeedStatus.values, "unresolved") else "",
        owner=_int(request.GET.get("owner")),
        enterprise=_int(request.GET.get("enterprise")),
        q=(request.GET.get("q") or "").strip()[:50],
    )
    number = page_number(request)
    rows, more = page_of(nsel.need_list(actor=actor, filters=filters), number, PAGE_SIZE)
    params = request.GET.copy()
    params.pop("page", None)
    staff = actor.has(VIEW)
    return render(
        request,
        "enterprises/need_list.html",
        {
            "rows": rows,
            "filters": filters,
            "kinds": NeedKind.choices,
            "statuses": NeedStatus.choices,
            "owners": list(staff_choices(actor=actor)) if staff else [],
            "page_number": number,
            "has_next": more,
            "query": params.urlencode(),
            "staff": staff,
        },
    )


@requires_any(VIEW, SELF)
@require_http_methods(["GET", "POST"])
def need_create(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    own = own_enterprise_id(actor)
    form = NeedForm(
        request.POST or None,
        own=own is not None,
        initial={"enterprise": request.GET.get("enterprise")},
    )
    if own is None:
        choices = [(e.pk, e.name) for e in nsel.enterprise_choices(actor=actor)]
        set_choices(form, "enterprise", choices)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            enterprise = nsel.enterprise_for_need(actor=actor, pk=own or d["enterprise"])
            need = nservices.need_raise(
                actor=actor, enterprise=enterprise, kind=d["kind"], description=d["description"]
            )
        except Http404:
            form.add_error(None, _("No such enterprise in your area."))
        except REFUSALS as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("The need was recorded."))
            return redirect("enterprises:need_detail", pk=need.pk)
    return render(request, "enterprises/need_form.html", {"form": form})


@requires_any(VIEW, SELF)
@require_http_methods(["GET", "POST"])
def need_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    need = nsel.need_get(actor=actor, pk=pk)
    can_manage = actor.can(NEEDS, need.jpath)
    form = None
    if can_manage:
        form = NeedUpdateForm(
            request.POST or None,
            initial={
                "version": need.version,
                "status": need.status,
                "owner": need.owner_id,
                "resolution": need.resolution,
            },
        )
        staff = {u.pk: u for u in staff_choices(actor=actor)}
        choices = [(pk, u.full_name or u.username) for pk, u in staff.items()]
        set_choices(form, "owner", [("", "—"), *choices])
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            try:
                nservices.need_update(
                    actor=actor,
                    need=need,
                    version=d["version"],
                    status=d["status"],
                    owner=staff.get(d["owner"]) if d["owner"] else None,
                    resolution=d["resolution"],
                )
            except REFUSALS as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, _("The need was saved."))
                return redirect("enterprises:need_detail", pk=need.pk)
    elif request.method == "POST":
        raise PermissionDenied
    return render(request, "enterprises/need_detail.html", {"need": need, "form": form})


urlpatterns = [
    path("liaisons/", liaison_list, name="liaison_list"),
    path("liaisons/new/", liaison_create, name="liaison_create"),
    path("liaisons/<int:pk>/end/", liaison_end, name="liaison_end"),
    path("liaisons/mine/", liaison_mine, name="liaison_mine"),
    path("needs/", need_list, name="need_list"),
    path("needs/new/", need_create, name="need_create"),
    path("needs/<int:pk>/", need_detail, name="need_detail"),
]
