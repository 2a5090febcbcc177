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
from epigrid.core.views import apply_service_error, query_without, set_choices
from epigrid.geo import selectors as geo

from . import selectors, services
from .forms import (
    EndForm,
    LoginCreateForm,
    MemberAddForm,
    ResponsibilityForm,
    StaffCreateForm,
    StaffEditForm,
    TeamCreateForm,
    TeamEditForm,
)
from .models import StaffCategory, TeamKind

REFUSALS = (ValidationError, ConcurrentEditError)


def _phone_for(actor, member) -> str:
    return (
        member.phone
        if actor.can(Capability.CONTACTS_VIEW, member.jpath)
        else mask_phone(member.phone)
    )


def _page(request, qs, key="id"):
    return keyset_page(qs, cursor=request.GET.get("cursor"), limit=50, key=key)


# --- grid workers -------------------------------------------------------------------------


@requires(Capability.STAFF_VIEW)
def staff_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    within = (request.GET.get("within") or "").strip() or None
    if within:
        geo.jurisdiction_get(actor=actor, code=within, capability=Capability.STAFF_VIEW)
    category = request.GET.get("category") or None
    q = (request.GET.get("q") or "").strip()[:30] or None
    qs = selectors.staff_list(
        actor=actor,
        within=within,
        q=q,
        category=category if category in StaffCategory.values else None,
        include_inactive=request.GET.get("inactive") == "1",
    )
    try:
        page = _page(request, qs)
    except ValidationError:
        return redirect(request.path)
    rows = [(m, _phone_for(actor, m)) for m in page.items]
    return render(
        request,
        "workforce/staff_list.html",
        {
            "page": page,
            "rows": rows,
            "categories": StaffCategory.choices,
            "category": category,
            "q": q or "",
            "within": within or "",
            "inactive": request.GET.get("inactive") == "1",
            "query_without_cursor": query_without(request, "cursor"),
            "can_manage": actor.has(Capability.STAFF_MANAGE),
        },
    )


@requires(Capability.STAFF_VIEW)
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    member = selectors.staff_get(actor=actor, pk=pk)
    return render(
        request,
        "workforce/staff_detail.html",
        {
            "member": member,
            "phone": _phone_for(actor, member),
            "memberships": selectors.memberships_of(actor=actor, member=member),
            "can_manage": actor.can(Capability.STAFF_MANAGE, member.jpath),
            "end_form": EndForm(initial={"version": member.version}),
        },
    )


@requires(Capability.STAFF_MANAGE)
@require_http_methods(["GET", "POST"])
def staff_create(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    form = StaffCreateForm(request.POST or None, initial={"jurisdiction": request.GET.get("j", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            node = geo.jurisdiction_get(
                actor=actor,
                code=data.pop("jurisdiction").strip(),
                capability=Capability.STAFF_MANAGE,
            )
        except Http404:  # an unknown code and a code outside one's area answer alike
            form.add_error("jurisdiction", _("No jurisdiction with this code in your area."))
        else:
            try:
                member = services.staff_create(actor=actor, jurisdiction=node, **data)
            except REFUSALS as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, _("%(name)s was added.") % {"name": member.name})
                return redirect("workforce:staff_detail", pk=member.pk)
    return render(
        request,
        "workforce/form.html",
        {
            "form": form,
            "title": _("Add a grid worker"),
            "back_url": reverse("workforce:staff_list"),
        },
    )


@requires(Capability.STAFF_MANAGE)
@require_http_methods(["GET", "POST"])
def staff_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    member = selectors.staff_get(actor=actor, pk=pk, capability=Capability.STAFF_MANAGE)
    initial = {
        f: getattr(member, f)
        for f in ("name", "category", "title", "phone", "is_party_member", "version")
    }
    form = StaffEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_update(actor=actor, member=member, **form.cleaned_data)
        except REFUSALS as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("workforce:staff_detail", pk=member.pk)
    return render(
        request,
        "workforce/form.html",
        {
            "form": form,
            "title": _("Edit %(name)s") % {"name": member.name},
            "back_url": reverse("workforce:staff_detail", args=[member.pk]),
        },
    )


@requires(Capability.STAFF_MANAGE)
@require_POST
def staff_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    member = selectors.staff_get(actor=actor, pk=pk, capability=Capability.STAFF_MANAGE)
    form = EndForm(request.POST)
    if form.is_valid():
        try:
            services.staff_deactivate(actor=actor, member=member, **form.cleaned_data)
        except REFUSALS as exc:
            messages.error(request, " ".join(_messages(exc)))
        else:
            messages.success(request, _("%(name)s is off duty.") % {"name": member.name})
    else:
        messages.error(request, _("Enter a valid date."))
    return redirect("workforce:staff_detail", pk=member.pk)


def _messages(exc: Exception) -> list[str]:
    if isinstance(exc, ValidationError):
        return [str(m) for m in exc.messages]
    return [str(exc)]


@requires(Capability.ACCOUNTS_MANAGE)
@require_http_methods(["GET", "POST"])
def staff_login_create(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    member = selectors.staff_get(actor=actor, pk=pk, capability=Capability.ACCOUNTS_MANAGE)
    form = LoginCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_login_create(actor=actor, member=member, **form.cleaned_data)
        except REFUSALS as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("%(name)s can now log in.") % {"name": member.name})
            return redirect("workforce:staff_detail", pk=member.pk)
    return render(
        request,
        "workforce/form.html",
        {
            "form": form,
            "title": _("Login for %(name)s") % {"name": member.name},
            "back_url": reverse("workforce:staff_detail", args=[member.pk]),
        },
    )


# --- teams --------------------------------------------------------------------------------


@requires(Capability.TEAMS_VIEW)
def team_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    within = (request.GET.get("within") or "").strip() or None
    if within:
        geo.jurisdiction_get(actor=actor, code=within, capability=Capability.TEAMS_VIEW)
    kind = request.GET.get("kind") or None
    q = (request.GET.get("q") or "").strip()[:30] or None
    qs = selectors.team_list(
        actor=actor,
        within=within,
        q=q,
        kind=kind if kind in TeamKind.values else None,
        include_inactive=request.GET.get("inactive") == "1",
    )
    try:
        page = _page(request, qs)
    except ValidationError:
        return redirect(request.path)
    return render(
        request,
        "workforce/team_list.html",
        {
            "page": page,
            "kinds": TeamKind.choices,
            "kind": kind,
            "q": q or "",
            "within": within or "",
            "query_without_cursor": query_without(request, "cursor"),
            "can_manage": actor.has(Capability.TEAMS_MANAGE),
        },
    )


@requires(Capability.TEAMS_VIEW)
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    team = selectors.team_get(actor=actor, pk=pk)
    can_manage = actor.can(Capability.TEAMS_MANAGE, team.jpath) and team.active_until is None
    members = [(m, _phone_for(actor, m.staff)) for m in team.current_memberships]
    add_form = None
    edit_form = None
    if can_manage:
        current = {m.staff_id for m, _p in members}
        add_form = MemberAddForm()
        set_choices(
            add_form,
            "staff",
            [
                (s.pk, f"{s.name} · {s.get_category_display()} · {s.jurisdiction.name}")
                for s in selectors.staff_eligible_for(actor=actor, path=team.jpath)
                if s.pk not in current
            ],
        )
        edit_form = TeamEditForm(
            initial={"name": team.name, "leader": team.leader_id, "version": team.version}
        )
        set_choices(
            edit_form, "leader", [("", "—")] + [(m.staff_id, m.staff.name) for m, _p in members]
        )
    return render(
        request,
        "workforce/team_detail.html",
        {
            "team": team,
            "members": members,
            "can_manage": can_manage,
            "add_form": add_form,
            "edit_form": edit_form,
            "end_form": EndForm(initial={"version": team.version}),
        },
    )


@requires(Capability.TEAMS_MANAGE)
@require_http_methods(["GET", "POST"])
def team_create(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    form = TeamCreateForm(request.POST or None, initial={"jurisdiction": request.GET.get("j", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            node = geo.jurisdiction_get(
                actor=actor,
                code=data.pop("jurisdiction").strip(),
                capability=Capability.TEAMS_MANAGE,
            )
        except Http404:
            form.add_error("jurisdiction", _("No jurisdiction with this code in your area."))
        else:
            try:
                team = services.team_create(actor=actor, jurisdiction=node, **data)
            except REFUSALS as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, _("%(name)s was formed.") % {"name": team.name})
                return redirect("workforce:team_detail", pk=team.pk)
    return render(
        request,
        "workforce/form.html",
        {
            "form": form,
            "title": _("Form a team"),
            "back_url": reverse("workforce:team_list"),
        },
    )


@requires(Capability.TEAMS_MANAGE)
@require_POST
def team_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    team = selectors.team_get(actor=actor, pk=pk, capability=Capability.TEAMS_MANAGE)
    form = TeamEditForm(request.POST)
    set_choices(
        form, "leader", [("", "—")] + [(m.staff_id, m.staff.name) for m in team.current_memberships]
    )
    if form.is_valid():
        leader = next(
            (
                m.staff
                for m in team.current_memberships
                if m.staff_id == form.cleaned_data["leader"]
            ),
            None,
        )
        try:
            services.team_update(
                actor=actor,
                team=team,
                version=form.cleaned_data["version"],
                name=form.cleaned_data["name"],
                leader=leader,
            )
        except REFUSALS as exc:
            messages.error(request, " ".join(_messages(exc)))
        else:
            messages.success(request, _("Saved."))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("workforce:team_detail", pk=team.pk)


@requires(Capability.TEAMS_MANAGE)
@require_POST
def team_member_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    team = selectors.team_get(actor=actor, pk=pk, capability=Capability.TEAMS_MANAGE)
    try:
        staff_id = int(request.POST.get("staff", ""))
        member = selectors.staff_get(actor=actor, pk=staff_id)
    except (ValueError, Http404):  # unknown, foreign or malformed: one answer
        messages.error(request, _("Choose a grid worker from the list."))
        return redirect("workforce:team_detail", pk=team.pk)
    try:
        services.team_member_add(actor=actor, team=team, member=member)
    except REFUSALS as exc:
        messages.error(request, " ".join(_messages(exc)))
    else:
        messages.success(request, _("%(name)s joined the team.") % {"name": member.name})
    return redirect("workforce:team_detail", pk=team.pk)


@requires(Capability.TEAMS_MANAGE)
@require_POST
def team_member_remove(request: HttpRequest, pk: int, staff_id: int) -> HttpResponse:
    actor = request_actor(request)
    team = selectors.team_get(actor=actor, pk=pk, capability=Capability.TEAMS_MANAGE)
    member = selectors.staff_get(actor=actor, pk=staff_id)
    try:
        services.team_member_remove(actor=actor, team=team, member=member)
    except REFUSALS as exc:
        messages.error(request, " ".join(_messages(exc)))
    else:
        messages.success(request, _("%(name)s left the team.") % {"name": member.name})
    return redirect("workforce:team_detail", pk=team.pk)


@requires(Capability.TEAMS_MANAGE)
@require_POST
def team_dissolve(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    team = selectors.team_get(actor=actor, pk=pk, capability=Capability.TEAMS_MANAGE)
    form = EndForm(request.POST)
    if form.is_valid():
        try:
            services.team_dissolve(actor=actor, team=team, **form.cleaned_data)
        except REFUSALS as exc:
            messages.error(request, " ".join(_messages(exc)))
        else:
            messages.success(request, _("%(name)s was dissolved.") % {"name": team.name})
    else:
        messages.error(request, _("Enter a valid date."))
    return redirect("workforce:team_detail", pk=team.pk)


# --- grid responsibilities ---------------------------------------------------------------


@requires(Capability.STAFF_MANAGE)
@require_http_methods(["GET", "POST"])
def responsibility_assign(request: HttpRequest, code: str) -> HttpResponse:
    actor = request_actor(request)
    node = geo.jurisdiction_get(actor=actor, code=code, capability=Capability.STAFF_MANAGE)
    form = ResponsibilityForm(request.POST or None)
    eligible = selectors.staff_eligible_for(actor=actor, path=node.path)
    set_choices(
        form,
        "staff",
        [
            (s.pk, f"{s.name} · {s.title or s.get_category_display()} · {s.jurisdiction.name}")
            for s in eligible
        ],
    )
    if request.method == "POST" and form.is_valid():
        member = next(s for s in eligible if s.pk == form.cleaned_data["staff"])
        try:
            services.responsibility_assign(
                actor=actor, jurisdiction=node, member=member, kind=form.cleaned_data["kind"]
            )
        except REFUSALS as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("geo:detail", code=node.code)
    return render(
        request,
        "workforce/form.html",
        {
            "form": form,
            "title": _("Who answers for %(name)s") % {"name": node.name},
            "back_url": reverse("geo:detail", args=[node.code]),
        },
    )
