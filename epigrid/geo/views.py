from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from epigrid.accounts.access import request_actor, requires
from epigrid.accounts.roles import Capability
from epigrid.core.errors import ConcurrentEditError
from epigrid.core.pagination import keyset_page
from epigrid.core.panels import panels
from epigrid.core.views import apply_service_error, query_without

from . import selectors, services
from .forms import DeactivateForm, JurisdictionCreateForm, RenameForm
from .models import Kind


@requires(Capability.GRIDS_VIEW)
def jurisdiction_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    within = request.GET.get("within") or None
    kind = request.GET.get("kind") or None
    q = (request.GET.get("q") or "").strip()[:50] or None
    if within:
        selectors.jurisdiction_get(actor=actor, code=within)  # 404 outside scope
    kinds = [kind] if kind in Kind.values else None
    qs = selectors.jurisdiction_list(actor=actor, within=within, kinds=kinds, q=q)
    try:
        page = keyset_page(qs, cursor=request.GET.get("cursor"), limit=100, key="path")
    except ValidationError:
        return redirect(request.path)
    return render(
        request,
        "geo/list.html",
        {
            "page": page,
            "kinds": Kind.choices,
            "kind_labels": dict(Kind.choices),
            "kind": kind,
            "q": q or "",
            "within": within or "",
            "query_without_cursor": query_without(request, "cursor"),
        },
    )


@requires(Capability.GRIDS_VIEW)
def jurisdiction_detail(request: HttpRequest, code: str) -> HttpResponse:
    actor = request_actor(request)
    node = selectors.jurisdiction_get(actor=actor, code=code)
    children = list(
        selectors.jurisdiction_list(actor=actor, parent=node.code, include_inactive=True).order_by(
            "path"
        )
    )
    sections = [
        {"template": p.template, **p.context(actor=actor, node=node)}
        for p in panels()
        if actor.can(Capability(p.capability), node.path)
    ]
    return render(
        request,
        "geo/detail.html",
        {
            "node": node,
            "crumbs": selectors.jurisdiction_breadcrumb(actor=actor, node=node),
            "children": children,
            "sections": sections,
            "can_manage": actor.can(Capability.GRIDS_MANAGE, node.path),
            "child_kinds": node.allowed_child_kinds(),
            "rename_form": RenameForm(initial={"name": node.name, "version": node.version}),
            "deactivate_form": DeactivateForm(initial={"version": node.version}),
        },
    )


@requires(Capability.GRIDS_MANAGE)
@require_http_methods(["GET", "POST"])
def jurisdiction_create(request: HttpRequest, code: str) -> HttpResponse:
    actor = request_actor(request)
    parent = selectors.jurisdiction_get(actor=actor, code=code, capability=Capability.GRIDS_MANAGE)
    form = JurisdictionCreateForm(request.POST or None, kinds=parent.allowed_child_kinds())
    if request.method == "POST" and form.is_valid():
        try:
            node = services.jurisdiction_create(
                actor=actor,
                parent=parent,
                kind=form.cleaned_data["kind"],
                name=form.cleaned_data["name"],
                segment=form.cleaned_data["segment"],
                active_from=form.cleaned_data["active_from"],
            )
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": node.name})
            return redirect("geo:detail", code=node.code)
    return render(
        request,
        "geo/form.html",
        {
            "form": form,
            "node": parent,
            "title": _("Add a unit under %(name)s") % {"name": parent.name},
        },
    )


@requires(Capability.GRIDS_MANAGE)
@require_http_methods(["GET", "POST"])
def jurisdiction_rename(request: HttpRequest, code: str) -> HttpResponse:
    actor = request_actor(request)
    node = selectors.jurisdiction_get(actor=actor, code=code, capability=Capability.GRIDS_MANAGE)
    form = RenameForm(request.POST or None, initial={"name": node.name, "version": node.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.jurisdiction_rename(actor=actor, node=node, **form.cleaned_data)
        except (ValidationError, ConcurrentEditError) as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("geo:detail", code=node.code)
    return render(
        request,
        "geo/form.html",
        {
            "form": form,
            "node": node,
            "title": _("Rename %(name)s") % {"name": node.name},
        },
    )


@requires(Capability.GRIDS_MANAGE)
@require_http_methods(["GET", "POST"])
def jurisdiction_deactivate(request: HttpRequest, code: str) -> HttpResponse:
    actor = request_actor(request)
    node = selectors.jurisdiction_get(actor=actor, code=code, capability=Capability.GRIDS_MANAGE)
    form = DeactivateForm(request.POST or None, initial={"version": node.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.jurisdiction_deactivate(actor=actor, node=node, **form.cleaned_data)
        except (ValidationError, ConcurrentEditError) as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("%(name)s was deactivated.") % {"name": node.name})
            return redirect("geo:detail", code=node.code)
    return render(
        request,
        "geo/form.html",
        {
            "form": form,
            "node": node,
            "danger": True,
            "title": _("Deactivate %(name)s") % {"name": node.name},
        },
    )
