"""Arrivals, the epidemic source areas (policy data, headquarters) and key-person categories."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from epigrid.accounts.access import request_actor, requires
from epigrid.accounts.roles import Capability
from epigrid.core.views import apply_service_error, query_without, refusal_text

from .. import queries, selectors, services
from ..forms import EndForm, RiskAreaForm
from ..models import Transport
from .common import REFUSALS, form_errors_text, grid_filter_choices, page_of, within_param


@requires(Capability.REGISTRY_VIEW)
def arrival_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    within = within_param(request, actor)
    risk_only = request.GET.get("risk") == "1"
    qs = selectors.arrival_list(actor=actor, within=within, risk_only=risk_only)
    try:
        page = page_of(request, qs, key="-id")
    except ValidationError:
        return redirect(request.path)
    return render(
        request,
        "registry/arrival_list.html",
        {
            "page": page,
            "within": within or "",
            "risk_only": risk_only,
            "grids": grid_filter_choices(actor),
            "transport_labels": dict(Transport.choices),
            "query_without_cursor": query_without(request, "cursor"),
            "export_query": query_without(request, "cursor"),
        },
    )


def _can_set_policy(actor) -> bool:
    root = queries.tree_root()
    return root is not None and actor.can(Capability.POLICY_MANAGE, root.path)


@requires(Capability.REGISTRY_VIEW)
def risk_area_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    today = timezone.localdate()
    areas = list(selectors.risk_area_list().order_by("-active_from", "id"))
    return render(
        request,
        "registry/risk_area_list.html",
        {
            "areas": [(a, a.is_active_on(today)) for a in areas],
            "can_manage": _can_set_policy(actor),
            "end_form": EndForm(),
        },
    )


@requires(Capability.POLICY_MANAGE)
@require_http_methods(["GET", "POST"])
def risk_area_create(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    if not _can_set_policy(actor):
        raise PermissionDenied
    form = RiskAreaForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            area = services.risk_area_create(actor=actor, **form.cleaned_data)
        except REFUSALS as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("%(name)s is on the list.") % {"name": area.name})
            return redirect("registry:risk_area_list")
    return render(
        request,
        "registry/form.html",
        {
            "form": form,
            "title": _("List an epidemic source area"),
            "back_url": reverse("registry:risk_area_list"),
        },
    )


@requires(Capability.POLICY_MANAGE)
@require_POST
def risk_area_end(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    if not _can_set_policy(actor):
        raise PermissionDenied
    area = queries.risk_area_get(pk=pk)
    if area is None:
        raise Http404
    form = EndForm(request.POST)
    if form.is_valid():
        try:
            services.risk_area_end(actor=actor, area=area, on=form.cleaned_data["on"])
        except REFUSALS as exc:
            messages.error(request, refusal_text(exc))
        else:
            messages.success(request, _("%(name)s is off the list.") % {"name": area.name})
    else:
        messages.error(request, form_errors_text(form))
    return redirect("registry:risk_area_list")


@requires(Capability.REGISTRY_VIEW)
def category_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    within = within_param(request, actor)
    counts = queries.category_counts(actor=actor, within=within)
    return render(
        request,
        "registry/category_list.html",
        {
            "rows": [(c, counts.get(c.pk, 0)) for c in selectors.categories()],
            "within": within or "",
            "grids": grid_filter_choices(actor),
        },
    )
