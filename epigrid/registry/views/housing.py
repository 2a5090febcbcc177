"""Buildings, dwellings and who lives in them."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from epigrid.accounts.access import Actor, request_actor, requires
from epigrid.accounts.roles import Capability
from epigrid.core.views import apply_service_error, query_without, set_choices

from .. import queries, selectors, services
from ..disclosure import doc_for
from ..forms import BuildingForm, UnitEditForm, UnitForm
from ..models import HousingUnit, Person, RentalKind, ResidencyRole, UnitUse
from .common import (
    REFUSALS,
    grid_filter_choices,
    manageable_grids,
    page_of,
    small_grid_choices,
    within_param,
)


@requires(Capability.REGISTRY_VIEW)
def building_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    within = within_param(request, actor)
    q = (request.GET.get("q") or "").strip()[:50]
    qs = queries.building_list_counted(actor=actor, within=within, q=q or None)
    try:
        page = page_of(request, qs)
    except ValidationError:
        return redirect(request.path)
    return render(
        request,
        "registry/building_list.html",
        {
            "page": page,
            "q": q,
            "within": within or "",
            "grids": grid_filter_choices(actor),
            "query_without_cursor": query_without(request, "cursor"),
            "can_manage": actor.has(Capability.REGISTRY_MANAGE),
        },
    )


@requires(Capability.REGISTRY_MANAGE)
@require_http_methods(["GET", "POST"])
def building_create(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    grids = manageable_grids(actor)
    if not grids:
        raise PermissionDenied
    form = BuildingForm(request.POST or None, initial={"grid": request.GET.get("grid", "")})
    set_choices(form, "grid", small_grid_choices(grids))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        grid = next(g for g in grids if g.code == data["grid"])
        try:
            building = services.building_create(
                actor=actor, jurisdiction=grid, address=data["address"], kind=data["kind"]
            )
        except REFUSALS as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("%(address)s was registered.") % {"address": building})
            return redirect("registry:building_detail", pk=building.pk)
    return render(
        request,
        "registry/form.html",
        {
            "form": form,
            "title": _("Register a building"),
            "back_url": reverse("registry:building_list"),
        },
    )


@requires(Capability.REGISTRY_VIEW)
def building_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    building = selectors.building_get(actor=actor, pk=pk)
    today = timezone.localdate()
    units = list(selectors.unit_list(actor=actor, building=building.pk).order_by("label", "id"))
    occupants = queries.building_occupants(actor=actor, building=building, on=today)
    return render(
        request,
        "registry/building_detail.html",
        {
            "building": building,
            "units": [(u, occupants.get(u.pk, [])) for u in units],
            "today": today,
            "role_labels": dict(ResidencyRole.choices),
            "use_labels": dict(UnitUse.choices),
            "rental_labels": dict(RentalKind.choices),
            "can_manage": actor.can(Capability.REGISTRY_MANAGE, building.jpath),
        },
    )


def _landlord(actor: Actor, form, raw: str) -> tuple[bool, Person | None]:
    """The landlord named by document number (in the actor's area), or a form error."""
    raw = (raw or "").strip()
    if not raw:
        return True, None
    landlord = queries.person_by_document(actor=actor, number=raw)
    if landlord is None:
        form.add_error(
            "landlord_doc",
            _("Nobody in your area has this document number: register the landlord first."),
        )
        return False, None
    return True, landlord


@requires(Capability.REGISTRY_MANAGE)
@require_http_methods(["GET", "POST"])
def unit_create(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    building = selectors.building_get(actor=actor, pk=pk, capability=Capability.REGISTRY_MANAGE)
    form = UnitForm(request.POST or None, initial={"use": UnitUse.RENTAL})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ok, landlord = _landlord(actor, form, data["landlord_doc"])
        if ok:
            try:
                services.unit_create(
                    actor=actor,
                    building=building,
                    label=data["label"],
                    use=data["use"],
                    rental_kind=data["rental_kind"],
                    landlord=landlord,
                )
            except REFUSALS as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("registry:building_detail", pk=building.pk)
    return render(
        request,
        "registry/form.html",
        {
            "form": form,
            "title": _("Add a dwelling to %(address)s") % {"address": building.address},
            "back_url": reverse("registry:building_detail", args=[building.pk]),
        },
    )


@requires(Capability.REGISTRY_MANAGE)
@require_http_methods(["GET", "POST"])
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    unit: HousingUnit = selectors.unit_get(
        actor=actor, pk=pk, capability=Capability.REGISTRY_MANAGE
    )
    landlord_visible = unit.landlord is None or actor.can(Capability.IDS_VIEW, unit.landlord.jpath)
    initial = {
        "label": unit.label,
        "use": unit.use,
        "rental_kind": unit.rental_kind,
        "landlord_doc": unit.landlord.doc_number if unit.landlord and landlord_visible else "",
        "version": unit.version,
    }
    form = UnitEditForm(request.POST or None, initial=initial)
    if not landlord_visible:
        # Someone the actor may not identify: kept unless replaced.
        form.fields["landlord_doc"].help_text = _(
            "Now: %(name)s (%(number)s). Leave empty to keep."
        ) % {
            "name": unit.landlord.name if unit.landlord else "",
            "number": doc_for(actor, unit.landlord.jpath, unit.landlord.doc_number)
            if unit.landlord
            else "",
        }
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not data["landlord_doc"] and not landlord_visible:
            ok, landlord = True, unit.landlord
        else:
            ok, landlord = _landlord(actor, form, data["landlord_doc"])
        if ok:
            try:
                services.unit_update(
                    actor=actor,
                    unit=unit,
                    version=data["version"],
                    label=data["label"],
                    use=data["use"],
                    rental_kind=data["rental_kind"],
                    landlord=landlord,
                )
            except REFUSALS as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("registry:building_detail", pk=unit.building_id)
    return render(
        request,
        "registry/form.html",
        {
            "form": form,
            "title": _("Edit %(unit)s") % {"unit": f"{unit.building.address} {unit.label}"},
            "back_url": reverse("registry:building_detail", args=[unit.building_id]),
        },
    )


@requires(Capability.REGISTRY_VIEW)
def unit_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    within = within_param(request, actor)
    use = request.GET.get("use") or ""
    use = use if use in UnitUse.values else ""
    rental_kind = request.GET.get("rental_kind") or ""
    rental_kind = rental_kind if rental_kind in RentalKind.values else ""
    qs = selectors.unit_list(
        actor=actor, within=within, use=use or None, rental_kind=rental_kind or None
    )
    try:
        page = page_of(request, qs)
    except ValidationError:
        return redirect(request.path)
    return render(
        request,
        "registry/unit_list.html",
        {
            "page": page,
            "within": within or "",
            "use": use,
            "rental_kind": rental_kind,
            "uses": UnitUse.choices,
            "rental_kinds": RentalKind.choices,
            "use_labels": dict(UnitUse.choices),
            "rental_labels": dict(RentalKind.choices),
            "grids": grid_filter_choices(actor),
            "query_without_cursor": query_without(request, "cursor"),
            "export_query": query_without(request, "cursor"),
        },
    )


@requires(Capability.REGISTRY_VIEW)
def residency_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    within = within_param(request, actor)
    role = request.GET.get("role") or ""
    role = role if role in ResidencyRole.values else ""
    current = request.GET.get("current") == "1"
    qs = selectors.residency_list(actor=actor, within=within, role=role or None)
    if current:
        qs = qs.filter(move_out__isnull=True)
    try:
        page = page_of(request, qs, key="-id")
    except ValidationError:
        return redirect(request.path)
    return render(
        request,
        "registry/residency_list.html",
        {
            "page": page,
            "within": within or "",
            "role": role,
            "current": current,
            "roles": ResidencyRole.choices,
            "role_labels": dict(ResidencyRole.choices),
            "grids": grid_filter_choices(actor),
            "query_without_cursor": query_without(request, "cursor"),
            "export_query": query_without(request, "cursor"),
        },
    )
