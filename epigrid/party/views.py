from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from epigrid.accounts.access import request_actor, requires
from epigrid.accounts.roles import Capability
from epigrid.core.errors import ConcurrentEditError
from epigrid.core.masking import mask_phone
from epigrid.core.pagination import keyset_page
from epigrid.core.views import apply_service_error, query_without, refusal_text
from epigrid.geo import selectors as geo

from . import selectors, services
from .forms import CommitteeCreateForm, CommitteeEditForm, EndForm, UnitForm

REFUSALS = (ValidationError, ConcurrentEditError)


@requires(Capability.PARTY_VIEW)
def committee_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    q = (request.GET.get("q") or "").strip()[:30] or None
    qs = selectors.committee_list(
        actor=actor, q=q, include_inactive=request.GET.get("inactive") == "1"
    )
    try:
        page = keyset_page(qs, cursor=request.GET.get("cursor"), limit=50)
    except ValidationError:
        return redirect(request.path)
    return render(
        request,
        "party/list.html",
        {
            "page": page,
            "q": q or "",
            "query_without_cursor": query_without(request, "cursor"),
            "can_manage": actor.has(Capability.PARTY_MANAGE),
        },
    )


@requires(Capability.PARTY_VIEW)
def committee_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    committee = selectors.committee_get(actor=actor, pk=pk)
    can_manage = actor.can(Capability.PARTY_MANAGE, committee.jpath) and not committee.active_until
    show = actor.can(Capability.CONTACTS_VIEW, committee.jpath)
    units = [
        (
            u,
            u.contact_phone if show else mask_phone(u.contact_phone),
            EndForm(initial={"version": u.version}, prefix=f"u{u.pk}"),
        )
        for u in committee.current_units
    ]
    return render(
        request,
        "party/detail.html",
        {
            "committee": committee,
            "units": units,
            "can_manage": can_manage,
            "unit_form": UnitForm(),
            "end_form": EndForm(initial={"version": committee.version}),
            "edit_form": CommitteeEditForm(
                initial={
                    "name": committee.name,
                    "secretary": committee.secretary,
                    "version": committee.version,
                }
            ),
        },
    )


@requires(Capability.PARTY_MANAGE)
@require_http_methods(["GET", "POST"])
def committee_create(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    form = CommitteeCreateForm(
        request.POST or None, initial={"jurisdiction": request.GET.get("j", "")}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            node = geo.jurisdiction_get(
                actor=actor,
                code=data.pop("jurisdiction").strip(),
                capability=Capability.PARTY_MANAGE,
            )
        except Http404:
            form.add_error("jurisdiction", _("No jurisdiction with this code in your area."))
        else:
            try:
                committee = services.committee_create(actor=actor, jurisdiction=node, **data)
            except REFUSALS as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, _("%(name)s was set up.") % {"name": committee.name})
                return redirect("party:detail", pk=committee.pk)
    return render(
        request,
        "workforce/form.html",
        {
            "form": form,
            "title": _("Set up a party committee"),
            "back_url": reverse("party:list"),
        },
    )


@requires(Capability.PARTY_MANAGE)
@require_POST
def committee_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    committee = selectors.committee_get(actor=actor, pk=pk, capability=Capability.PARTY_MANAGE)
    form = CommitteeEditForm(request.POST)
    if form.is_valid():
        try:
            services.committee_update(actor=actor, committee=committee, **form.cleaned_data)
        except REFUSALS as exc:
            messages.error(request, refusal_text(exc))
        else:
            messages.success(request, _("Saved."))
    else:
        messages.error(request, refusal_text(ValidationError(form.errors)))
    return redirect("party:detail", pk=committee.pk)


@requires(Capability.PARTY_MANAGE)
@require_POST
def committee_dissolve(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    committee = selectors.committee_get(actor=actor, pk=pk, capability=Capability.PARTY_MANAGE)
    form = EndForm(request.POST)
    if form.is_valid():
        try:
            services.committee_dissolve(actor=actor, committee=committee, **form.cleaned_data)
        except REFUSALS as exc:
            messages.error(request, refusal_text(exc))
        else:
            messages.success(request, _("%(name)s was dissolved.") % {"name": committee.name})
    else:
        messages.error(request, _("Enter a valid date."))
    return redirect("party:detail", pk=committee.pk)


@requires(Capability.PARTY_MANAGE)
@require_POST
def unit_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    committee = selectors.committee_get(actor=actor, pk=pk, capability=Capability.PARTY_MANAGE)
    form = UnitForm(request.POST)
    if form.is_valid():
        try:
            unit = services.unit_add(actor=actor, committee=committee, **form.cleaned_data)
        except REFUSALS as exc:
            messages.error(request, refusal_text(exc))
        else:
            messages.success(request, _("%(name)s joined.") % {"name": unit.name})
    else:
        messages.error(request, refusal_text(ValidationError(form.errors)))
    return redirect("party:detail", pk=committee.pk)


@requires(Capability.PARTY_MANAGE)
@require_POST
def unit_remove(request: HttpRequest, pk: int, unit_id: int) -> HttpResponse:
    actor = request_actor(request)
    committee = selectors.committee_get(actor=actor, pk=pk, capability=Capability.PARTY_MANAGE)
    unit = selectors.unit_get(actor=actor, pk=unit_id, capability=Capability.PARTY_MANAGE)
    if unit.committee_id != committee.pk:
        raise Http404
    form = EndForm(request.POST, prefix=f"u{unit.pk}")
    if form.is_valid():
        try:
            services.unit_remove(actor=actor, unit=unit, **form.cleaned_data)
        except REFUSALS as exc:
            messages.error(request, refusal_text(exc))
        else:
            messages.success(request, _("%(name)s left.") % {"name": unit.name})
    else:
        messages.error(request, _("Enter a valid date."))
    return redirect("party:detail", pk=committee.pk)
