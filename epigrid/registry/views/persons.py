"""Persons: search, the full record, registering, editing, moving in and out, arrivals and
key-person categories."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from epigrid.accounts.access import Actor, request_actor, requires
from epigrid.accounts.roles import Capability
from epigrid.core.views import apply_service_error, query_without, refusal_text, set_choices
from epigrid.geo.models import Jurisdiction

from .. import queries, selectors, services
from ..disclosure import birth_for, doc_for, phone_for, shows_ids
from ..forms import (
    ArrivalForm,
    CategoryAssignForm,
    EndForm,
    MoveInForm,
    MoveOutForm,
    PersonCreateForm,
    PersonEditForm,
)
from ..models import DocType, Person, ResidencyRole
from ..services import PersonInput
from .common import (
    REFUSALS,
    form_errors_text,
    grid_filter_choices,
    is_htmx,
    manageable_grids,
    page_of,
    small_grid_choices,
    unit_label,
    within_param,
)


@requires(Capability.REGISTRY_VIEW)
def person_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    within = within_param(request, actor)
    q = (request.GET.get("q") or "").strip()[: queries.MAX_QUERY]
    categories = selectors.categories()
    category = request.GET.get("category") or ""
    if category not in {c.code for c in categories}:
        category = ""
    qs = queries.person_search(
        actor=actor, q=q, within=within, category=category or None, with_categories=True
    )
    try:
        page = page_of(request, qs)
    except ValidationError:
        return redirect(request.path)
    rows = [
        (p, doc_for(actor, p.jpath, p.doc_number), phone_for(actor, p.jpath, p.phone))
        for p in page.items
    ]
    return render(
        request,
        "registry/person_list.html",
        {
            "page": page,
            "rows": rows,
            "q": q,
            "within": within or "",
            "grids": grid_filter_choices(actor),
            "categories": categories,
            "category": category,
            "query_without_cursor": query_without(request, "cursor"),
            "export_query": query_without(request, "cursor"),
            "can_manage": actor.has(Capability.REGISTRY_MANAGE),
        },
    )


def _current_assignments(assignments):
    return [a for a in assignments if a.active_until is None]


@requires(Capability.REGISTRY_VIEW)
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    person = selectors.person_get(actor=actor, pk=pk, audit_read=True)
    can_manage = actor.can(Capability.REGISTRY_MANAGE, person.jpath) and not person.is_merged
    residencies = list(selectors.residency_list(actor=actor, person=person.pk).order_by("-id"))
    arrivals = list(
        selectors.arrival_list(actor=actor, person=person.pk).order_by("-arrived_on", "-id")
    )
    assignments = selectors.category_assignments(actor=actor, person=person)
    assign_form = None
    if can_manage:
        held = {a.category_id for a in _current_assignments(assignments)}
        assign_form = CategoryAssignForm()
        set_choices(
            assign_form,
            "category",
            [(c.code, c.name) for c in selectors.categories() if c.pk not in held],
        )
    return render(
        request,
        "registry/person_detail.html",
        {
            "person": person,
            "doc_number": doc_for(actor, person.jpath, person.doc_number),
            "phone": phone_for(actor, person.jpath, person.phone),
            "birth_date": birth_for(actor, person.jpath, person.birth_date),
            "ids_shown": shows_ids(actor, person.jpath),
            "residencies": residencies,
            "arrivals": arrivals,
            "assignments": assignments,
            "current_categories": _current_assignments(assignments),
            "can_manage": can_manage,
            "assign_form": assign_form,
            "end_form": EndForm(),
            "move_out_form": MoveOutForm(),
        },
    )


def _person_input(
    data: dict, person: Person | None = None, *, keep_ids: bool = False
) -> PersonInput:
    """What the form says; fields the actor could not see are kept as they are."""
    ids = person if keep_ids and person is not None else None
    phone = data.get("phone") or ""
    if person is not None and "phone" not in data:
        phone = person.phone
    return PersonInput(
        name=data["name"],
        doc_type=ids.doc_type if ids else (data.get("doc_type") or DocType.RESIDENT_ID),
        doc_number=ids.doc_number if ids else (data.get("doc_number") or ""),
        birth_date=ids.birth_date if ids else data.get("birth_date"),
        sex=ids.sex if ids else (data.get("sex") or ""),
        phone=phone,
        hukou_place=data.get("hukou_place") or "",
    )


def _grid_and_units(actor: Actor, request: HttpRequest, grids: list[Jurisdiction], default=None):
    """The grid a form is about (posted, asked for, or the default) and its dwellings."""
    by_code = {g.code: g for g in grids}
    code = (request.POST.get("grid") or request.GET.get("grid") or "").strip()
    grid = by_code.get(code) or default or (grids[0] if grids else None)
    units = queries.units_in_grid(actor=actor, grid=grid) if grid is not None else []
    return grid, units


@requires(Capability.REGISTRY_MANAGE)
@require_http_methods(["GET", "POST"])
def person_create(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    grids = manageable_grids(actor)
    if not grids:
        raise PermissionDenied
    preset_unit = None
    if request.GET.get("unit", "").isdigit():
        preset_unit = selectors.unit_get(
            actor=actor, pk=int(request.GET["unit"]), capability=Capability.REGISTRY_MANAGE
        )
    default_grid = next((g for g in grids if preset_unit and g.path == preset_unit.jpath), None)
    grid, units = _grid_and_units(actor, request, grids, default_grid)
    initial = {"grid": grid.code if grid else "", "unit": preset_unit.pk if preset_unit else None}
    form = PersonCreateForm(request.POST or None, initial=initial)
    set_choices(form, "grid", small_grid_choices(grids))
    set_choices(form, "unit", [("", "—")] + [(u.pk, unit_label(u)) for u in units])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit = next((u for u in units if u.pk == data["unit"]), None)
        assert grid is not None
        try:
            with transaction.atomic():
                person = services.person_register(
                    actor=actor, jurisdiction=grid, data=_person_input(data)
                )
                if unit is not None:
                    services.residency_start(
                        actor=actor,
                        person=person,
                        unit=unit,
                        role=data["role"] or ResidencyRole.TENANT,
                        move_in=data["move_in"],
                    )
        except REFUSALS as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("%(name)s was registered.") % {"name": person.name})
            if person.doc_note:
                messages.info(request, person.doc_note)
            return redirect("registry:person_detail", pk=person.pk)
    template = "registry/person_form.html"
    if is_htmx(request) and request.method == "GET":  # the grid changed: new dwelling choices
        template = "registry/unit_field.html"
    return render(
        request,
        template,
        {
            "form": form,
            "title": _("Register a person"),
            "back_url": reverse("registry:person_list"),
            "grid_url": reverse("registry:person_create"),
        },
    )


@requires(Capability.REGISTRY_MANAGE)
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    person = selectors.person_get(
        actor=actor,
        pk=pk,
        capability=Capability.REGISTRY_MANAGE,
        audit_read=request.method == "GET",
    )
    if person.is_merged:
        raise Http404
    keep_ids = not shows_ids(actor, person.jpath)
    keep_phone = not actor.can(Capability.CONTACTS_VIEW, person.jpath)
    initial = {
        "name": person.name,
        "doc_type": person.doc_type,
        "doc_number": person.doc_number,
        "phone": person.phone,
        "hukou_place": person.hukou_place,
        "birth_date": person.birth_date,
        "sex": person.sex,
        "version": person.version,
    }
    form = PersonEditForm(request.POST or None, initial=initial)
    hidden = (["doc_type", "doc_number", "birth_date", "sex"] if keep_ids else []) + (
        ["phone"] if keep_phone else []
    )
    for name in hidden:
        del form.fields[name]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.person_update(
                actor=actor,
                person=person,
                version=data["version"],
                data=_person_input(data, person, keep_ids=keep_ids),
            )
        except REFUSALS as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            if person.doc_note:
                messages.info(request, person.doc_note)
            return redirect("registry:person_detail", pk=person.pk)
    return render(
        request,
        "registry/form.html",
        {
            "form": form,
            "title": _("Edit %(name)s") % {"name": person.name},
            "back_url": reverse("registry:person_detail", args=[person.pk]),
        },
    )


@requires(Capability.REGISTRY_MANAGE)
@require_http_methods(["GET", "POST"])
def person_move_in(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    person = selectors.person_get(actor=actor, pk=pk)
    if person.is_merged:
        raise Http404
    grids = manageable_grids(actor)
    if not grids:
        raise PermissionDenied
    default = next((g for g in grids if g.path == person.jpath), None)
    grid, units = _grid_and_units(actor, request, grids, default)
    form = MoveInForm(request.POST or None, initial={"grid": grid.code if grid else ""})
    set_choices(form, "grid", small_grid_choices(grids))
    set_choices(form, "unit", [(u.pk, unit_label(u)) for u in units])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit = next(u for u in units if u.pk == data["unit"])
        try:
            _row, created = services.residency_start(
                actor=actor, person=person, unit=unit, role=data["role"], move_in=data["move_in"]
            )
        except REFUSALS as exc:
            apply_service_error(form, exc)
        else:
            if created:
                messages.success(
                    request,
                    _("%(name)s lives in %(unit)s now.")
                    % {"name": person.name, "unit": unit_label(unit)},
                )
            else:
                messages.info(request, _("This was already recorded."))
            return redirect("registry:person_detail", pk=person.pk)
    template = "registry/person_form.html"
    if is_htmx(request) and request.method == "GET":
        template = "registry/unit_field.html"
    return render(
        request,
        template,
        {
            "form": form,
            "title": _("%(name)s moved in") % {"name": person.name},
            "back_url": reverse("registry:person_detail", args=[person.pk]),
            "grid_url": reverse("registry:person_move_in", args=[person.pk]),
        },
    )


@requires(Capability.REGISTRY_MANAGE)
@require_POST
def residency_end(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    residency = queries.residency_get(actor=actor, pk=pk, capability=Capability.REGISTRY_MANAGE)
    form = MoveOutForm(request.POST)
    if form.is_valid():
        try:
            services.residency_end(
                actor=actor, residency=residency, move_out=form.cleaned_data["move_out"]
            )
        except REFUSALS as exc:
            messages.error(request, refusal_text(exc))
        else:
            messages.success(request, _("Moving out was recorded."))
    else:
        messages.error(request, _("Enter a valid date."))
    return redirect("registry:person_detail", pk=residency.person_id)


@requires(Capability.REGISTRY_MANAGE)
@require_http_methods(["GET", "POST"])
def arrival_create(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    person = selectors.person_get(actor=actor, pk=pk, capability=Capability.REGISTRY_MANAGE)
    if person.is_merged:
        raise Http404
    form = ArrivalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            arrival, created = services.arrival_record(
                actor=actor, person=person, **form.cleaned_data
            )
        except REFUSALS as exc:
            apply_service_error(form, exc)
        else:
            if not created:
                messages.info(request, _("This arrival was already recorded."))
            elif arrival.touches_risk_area:
                messages.warning(
                    request,
                    _("Recorded. This arrival touches an epidemic source area: follow up."),
                )
            else:
                messages.success(request, _("Arrival recorded."))
            return redirect("registry:person_detail", pk=person.pk)
    return render(
        request,
        "registry/form.html",
        {
            "form": form,
            "title": _("Arrival of %(name)s") % {"name": person.name},
            "back_url": reverse("registry:person_detail", args=[person.pk]),
        },
    )


@requires(Capability.REGISTRY_MANAGE)
@require_POST
def category_assign(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    person = selectors.person_get(actor=actor, pk=pk, capability=Capability.REGISTRY_MANAGE)
    if person.is_merged:
        raise Http404
    form = CategoryAssignForm(request.POST)
    set_choices(form, "category", [(c.code, c.name) for c in selectors.categories()])
    if form.is_valid():
        category = queries.category_by_code(form.cleaned_data["category"])
        assert category is not None
        try:
            _row, created = services.category_assign(
                actor=actor,
                person=person,
                category=category,
                active_from=form.cleaned_data["active_from"],
                reason=form.cleaned_data["reason"],
            )
        except REFUSALS as exc:
            messages.error(request, refusal_text(exc))
        else:
            if created:
                messages.success(
                    request,
                    _("%(name)s is in “%(category)s” now.")
                    % {"name": person.name, "category": category.name},
                )
            else:
                messages.info(request, _("This was already recorded."))
    else:
        messages.error(request, form_errors_text(form))
    return redirect("registry:person_detail", pk=person.pk)


@requires(Capability.REGISTRY_MANAGE)
@require_POST
def category_end(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    assignment = queries.assignment_get(actor=actor, pk=pk, capability=Capability.REGISTRY_MANAGE)
    form = EndForm(request.POST)
    if form.is_valid():
        try:
            services.category_end(actor=actor, assignment=assignment, on=form.cleaned_data["on"])
        except REFUSALS as exc:
            messages.error(request, refusal_text(exc))
        else:
            messages.success(request, _("Saved."))
    else:
        messages.error(request, _("Enter a valid date."))
    return redirect("registry:person_detail", pk=assignment.person_id)
