"""Pages of the sweep: campaigns and their coverage by grid, the grid worker's list of the
day (今日待排查) and the visit form they fill in at the door."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from epigrid.accounts.access import Actor, request_actor, requires
from epigrid.accounts.roles import Capability
from epigrid.core.errors import ConcurrentEditError
from epigrid.core.masking import mask_phone
from epigrid.core.pagination import keyset_page
from epigrid.core.views import apply_service_error, query_without, refusal_text, set_choices
from epigrid.geo import selectors as geo
from epigrid.geo.models import Jurisdiction
from epigrid.registry.identity import check_resident_id
from epigrid.registry.masking import mask_doc_number
from epigrid.registry.models import DocType, RentalKind
from epigrid.registry.services import PersonInput
from epigrid.workforce import selectors as workforce
from epigrid.workforce.models import TeamKind

from . import selectors, services
from .forms import (
    AssignForm,
    CampaignStartForm,
    CloseForm,
    PersonFormSet,
    UnitAssignForm,
    VisitForm,
)
from .models import Campaign, CampaignUnit, Outcome

REFUSALS = (ValidationError, ConcurrentEditError)
GAP_ROWS = 20
RENTAL_KINDS = dict(RentalKind.choices)


def _page(request: HttpRequest, qs, key: str = "id"):
    return keyset_page(qs, cursor=request.GET.get("cursor"), limit=50, key=key)


def _code(request: HttpRequest, name: str = "within") -> str | None:
    return (request.GET.get(name) or "").strip()[:64] or None


# --- campaigns ----------------------------------------------------------------------------


@requires(Capability.SWEEPS_VIEW)
def campaign_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    try:
        page = _page(request, selectors.campaign_list(actor=actor), key="-id")
    except ValidationError:
        return redirect(request.path)
    coverage = selectors.coverage_by_campaign(actor=actor, campaign_ids=[c.pk for c in page.items])
    return render(
        request,
        "sweeps/campaign_list.html",
        {
            "page": page,
            "rows": [(c, coverage.get(c.pk, selectors.Coverage())) for c in page.items],
            "query_without_cursor": query_without(request, "cursor"),
            "can_start": actor.has(Capability.SWEEPS_MANAGE),
            "can_record": actor.has(Capability.VISITS_RECORD),
        },
    )


@requires(Capability.SWEEPS_MANAGE)
@require_http_methods(["GET", "POST"])
def campaign_start(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    roots = geo.jurisdiction_roots(actor=actor, capability=Capability.SWEEPS_MANAGE)
    form = CampaignStartForm(
        request.POST or None,
        initial={"jurisdiction": request.GET.get("j") or (roots[0].code if roots else "")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            node = geo.jurisdiction_get(
                actor=actor,
                code=data.pop("jurisdiction").strip(),
                capability=Capability.SWEEPS_MANAGE,
            )
        except Http404:  # an unknown code and one outside one's area answer alike
            form.add_error("jurisdiction", _("No jurisdiction with this code in your area."))
        else:
            try:
                campaign = services.campaign_start(actor=actor, jurisdiction=node, **data)
            except REFUSALS as exc:
                apply_service_error(form, exc)
            else:
                messages.success(
                    request,
                    _("%(name)s started with %(n)d rental units.")
                    % {"name": campaign.name, "n": campaign.units_added},  # type: ignore[attr-defined]
                )
                return redirect("sweeps:detail", pk=campaign.pk)
    return render(
        request,
        "sweeps/form.html",
        {"form": form, "title": _("Start a sweep campaign"), "back_url": reverse("sweeps:list")},
    )


def _node_for(request: HttpRequest, actor: Actor, campaign: Campaign) -> Jurisdiction:
    """The node whose coverage is shown: ?j=, else the campaign's own node when the actor
    sees all of it, else the top of the actor's area inside the campaign."""
    code = _code(request, "j")
    if code:
        node = geo.jurisdiction_get(actor=actor, code=code, capability=Capability.SWEEPS_VIEW)
        if not node.path.startswith(campaign.jpath):
            raise Http404
        return node
    if actor.can(Capability.SWEEPS_VIEW, campaign.jpath):
        return campaign.jurisdiction
    inside = [p for p in actor.paths(Capability.SWEEPS_VIEW) if p.startswith(campaign.jpath)]
    if not inside:
        raise Http404
    return geo.jurisdiction_get(
        actor=actor, code=inside[0].rstrip("."), capability=Capability.SWEEPS_VIEW
    )


@requires(Capability.SWEEPS_VIEW)
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    campaign = selectors.campaign_get(actor=actor, pk=pk)
    node = _node_for(request, actor, campaign)
    drill = selectors.coverage_drilldown(actor=actor, campaign=campaign, node=node)
    gaps = list(
        selectors.gap_units(actor=actor, campaign=campaign, path=node.path).order_by("id")[
            :GAP_ROWS
        ]
    )
    manage_path = selectors.campaign_manageable_path(actor, campaign)
    can_assign = (
        manage_path is not None and not campaign.is_closed and node.path.startswith(manage_path)
    )
    crumbs = [
        c
        for c in geo.jurisdiction_breadcrumb(actor=actor, node=node)
        if c.path.startswith(campaign.jpath)
    ]
    return render(
        request,
        "sweeps/campaign_detail.html",
        {
            "campaign": campaign,
            "node": node,
            "crumbs": crumbs,
            "total": drill.total,
            "children": drill.children,
            "gaps": gaps,
            "more_gaps": drill.total.gap > len(gaps),
            "kinds": [RENTAL_KINDS.get(k, k) for k in campaign.rental_kinds],
            "can_assign": can_assign,
            "can_close": actor.can(Capability.SWEEPS_MANAGE, campaign.jpath)
            and not campaign.is_closed,
            "assign_form": AssignForm(initial={"within": node.code}),
            "close_form": CloseForm(initial={"version": campaign.version}),
        },
    )


@requires(Capability.SWEEPS_MANAGE)
@require_POST
def campaign_assign(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    campaign = selectors.campaign_get(actor=actor, pk=pk)
    form = AssignForm(request.POST)
    within = None
    if form.is_valid():
        code = form.cleaned_data["within"].strip()
        if code:
            within = geo.jurisdiction_get(actor=actor, code=code, capability=Capability.SWEEPS_VIEW)
        try:
            result = services.campaign_assign(
                actor=actor,
                campaign=campaign,
                strategy=form.cleaned_data["strategy"],
                within=within,
            )
        except REFUSALS as exc:
            messages.error(request, refusal_text(exc))
        else:
            text = _("%(assigned)d units assigned to %(people)d grid workers or teams.") % {
                "assigned": result["assigned"],
                "people": result["assignees"],
            }
            if result["unassigned"]:
                text += " " + _("%(n)d units are in grids with nobody to assign them to.") % {
                    "n": result["unassigned"]
                }
            messages.success(request, text)
    else:
        messages.error(request, _("Choose how to assign the units."))
    target = reverse("sweeps:detail", args=[campaign.pk])
    return redirect(f"{target}?j={within.code}" if within else target)


@requires(Capability.SWEEPS_MANAGE)
@require_POST
def campaign_close(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    campaign = selectors.campaign_get(actor=actor, pk=pk)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            services.campaign_close(actor=actor, campaign=campaign, **form.cleaned_data)
        except REFUSALS as exc:
            messages.error(request, refusal_text(exc))
        else:
            messages.success(request, _("%(name)s was closed.") % {"name": campaign.name})
    else:
        messages.error(request, _("Enter a valid date."))
    return redirect("sweeps:detail", pk=campaign.pk)


@requires(Capability.SWEEPS_VIEW)
def unit_list(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    campaign = selectors.campaign_get(actor=actor, pk=pk)
    within = _code(request)
    if within:
        geo.jurisdiction_get(actor=actor, code=within, capability=Capability.SWEEPS_VIEW)
    status = request.GET.get("status") or None
    status = status if status in selectors.UNIT_STATUSES else None
    qs = selectors.campaign_units(actor=actor, campaign=campaign, within=within, status=status)
    try:
        page = _page(request, qs)
    except ValidationError:
        return redirect(request.path)
    return render(
        request,
        "sweeps/unit_list.html",
        {
            "campaign": campaign,
            "page": page,
            "within": within or "",
            "status": status or "",
            "statuses": [
                ("gap", _("Not yet inspected")),
                ("never_visited", _("Never visited")),
                ("nobody_home_only", _("Only nobody home")),
                ("inspected", _("Inspected")),
            ],
            "query_without_cursor": query_without(request, "cursor"),
        },
    )


# --- one unit of a campaign ---------------------------------------------------------------


def _assignee_choices(actor: Actor, cu: CampaignUnit) -> list[tuple[str, str]]:
    staff = workforce.staff_eligible_for(actor=actor, path=cu.jpath)
    grid, big = cu.jpath, cu.jpath.rsplit(".", 2)[0] + "."
    teams = [
        t
        for t in workforce.team_list(actor=actor, within=big.rstrip("."))
        if t.jpath in (grid, big)
        and t.kind in (TeamKind.THREE_PERSON_TEAM, TeamKind.STATIONED_WORK_GROUP)
    ]
    return (
        [("", "—")]
        + [
            (f"s{s.pk}", f"{s.name} · {s.get_category_display()}")
            for s in staff
            if s.jpath in (grid, big)
        ]
        + [(f"t{t.pk}", f"{t.name}") for t in teams]
    )


@requires(Capability.SWEEPS_VIEW)
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    cu = selectors.campaign_unit_get(actor=actor, pk=pk)
    visits = list(
        selectors.visit_list(actor=actor, campaign_unit=cu.pk).order_by("-visited_at", "-id")[:50]
    )
    found = selectors.visit_persons(visits=visits)
    can_assign = actor.can(Capability.SWEEPS_MANAGE, cu.jpath) and not cu.campaign.is_closed
    assign_form = None
    if can_assign:
        assign_form = UnitAssignForm(
            initial={
                "assignee": f"s{cu.assignee_staff_id}"
                if cu.assignee_staff_id
                else (f"t{cu.assignee_team_id}" if cu.assignee_team_id else "")
            }
        )
        set_choices(assign_form, "assignee", _assignee_choices(actor, cu))
    return render(
        request,
        "sweeps/unit_detail.html",
        {
            "cu": cu,
            "unit": cu.unit,
            "visits": [(v, found[v.pk]) for v in visits],
            "can_record": actor.can(Capability.VISITS_RECORD, cu.jpath)
            and not cu.campaign.is_closed,
            "assign_form": assign_form,
        },
    )


@requires(Capability.SWEEPS_MANAGE)
@require_POST
def unit_assign(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    cu = selectors.campaign_unit_get(actor=actor, pk=pk, capability=Capability.SWEEPS_MANAGE)
    form = UnitAssignForm(request.POST)
    set_choices(form, "assignee", _assignee_choices(actor, cu))
    if form.is_valid():
        choice = form.cleaned_data["assignee"]
        staff = (
            workforce.staff_get(actor=actor, pk=int(choice[1:])) if choice.startswith("s") else None
        )
        team = (
            workforce.team_get(actor=actor, pk=int(choice[1:])) if choice.startswith("t") else None
        )
        try:
            services.campaign_unit_assign(actor=actor, campaign_unit=cu, staff=staff, team=team)
        except REFUSALS as exc:
            messages.error(request, refusal_text(exc))
        else:
            messages.success(request, _("Saved."))
    else:
        messages.error(request, _("Choose a grid worker or a team from the list."))
    return redirect("sweeps:unit_detail", pk=cu.pk)


# --- the grid worker's day ----------------------------------------------------------------


@requires(Capability.VISITS_RECORD)
def today(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    staff = selectors.staff_of(actor)
    try:
        page = selectors.today_page(
            selectors.today_list(actor=actor), cursor=request.GET.get("cursor"), limit=50
        )
    except ValidationError:
        return redirect(request.path)
    return render(
        request,
        "sweeps/today.html",
        {
            "staff": staff,
            "page": page,
            "coverage": selectors.my_coverage(actor=actor),
            "query_without_cursor": query_without(request, "cursor"),
        },
    )


def _staff_choices(actor: Actor, cu: CampaignUnit) -> list[tuple[int, str]] | None:
    """Who may be named as the visitor when the actor is not a grid worker themselves."""
    if selectors.staff_of(actor) is not None:
        return None
    return [
        (s.pk, f"{s.name} · {s.get_category_display()} · {s.jurisdiction.name}")
        for s in workforce.staff_eligible_for(actor=actor, path=cu.jpath)
    ]


def _persons(formset) -> list[tuple[PersonInput, str]]:
    rows = []
    for form in formset.forms:
        if not form.has_changed() or not form.cleaned_data:
            continue
        data = form.cleaned_data
        rows.append(
            (
                PersonInput(
                    name=data["name"],
                    doc_type=data["doc_type"],
                    doc_number=data["doc_number"],
                    phone=data["phone"],
                ),
                data["role"],
            )
        )
    return rows


def _apply_visit_errors(form, formset, exc: Exception) -> None:
    """A refusal keyed persons.<i>.<field> goes to row i of the formset."""
    if not isinstance(exc, ValidationError) or not hasattr(exc, "error_dict"):
        apply_service_error(form, exc)
        return
    rows = [f for f in formset.forms if f.has_changed()]
    for key, errors in exc.error_dict.items():
        messages_ = [m for e in errors for m in e.messages]
        parts = key.split(".")
        if parts[0] == "persons" and len(parts) == 3 and parts[1].isdigit():
            index, field = int(parts[1]), parts[2]
            target = rows[index] if index < len(rows) else None
            if target is not None:
                for m in messages_:
                    target.add_error(field if field in target.fields else None, m)
                continue
        for m in messages_:
            form.add_error(key if key in form.fields else None, m)


@requires(Capability.VISITS_RECORD)
@require_http_methods(["GET", "POST"])
def visit_create(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    cu = selectors.campaign_unit_get(actor=actor, pk=pk, capability=Capability.VISITS_RECORD)
    staff_choices = _staff_choices(actor, cu)
    data = request.POST if request.method == "POST" else None
    if data is not None and "add_person" in data:
        # Without JavaScript, "add another person" posts the form back with one more row.
        grown = data.copy()
        try:
            total = int(grown.get("persons-TOTAL_FORMS") or 1)
        except ValueError:
            total = 1
        grown["persons-TOTAL_FORMS"] = str(min(max(total, 0) + 1, services.MAX_PERSONS))
        form = VisitForm(grown, staff_choices=staff_choices)
        formset = PersonFormSet(grown, prefix="persons")
    else:
        form = VisitForm(data, staff_choices=staff_choices)
        formset = PersonFormSet(data, prefix="persons")
        if data is not None and form.is_valid() and formset.is_valid():
            visited_by = None
            if staff_choices is not None:
                chosen = form.cleaned_data.get("visited_by")
                visited_by = next(
                    (
                        s
                        for s in workforce.staff_eligible_for(actor=actor, path=cu.jpath)
                        if s.pk == chosen
                    ),
                    None,
                )
            outcome = form.cleaned_data["outcome"]
            try:
                services.visit_record(
                    actor=actor,
                    campaign_unit=cu,
                    visited_at=form.cleaned_data["visited_at"],
                    outcome=outcome,
                    note=form.cleaned_data["note"],
                    persons=_persons(formset) if outcome == Outcome.REGISTERED else [],
                    visited_by=visited_by,
                )
            except REFUSALS as exc:
                _apply_visit_errors(form, formset, exc)
            else:
                grid = selectors.coverage_by_path(
                    actor=actor, campaign=cu.campaign, path=cu.jpath
                ).get(cu.jpath, selectors.Coverage())
                messages.success(
                    request,
                    _("Visit saved. %(grid)s: %(inspected)d of %(units)d units inspected.")
                    % {
                        "grid": cu.unit.building.jurisdiction.name,
                        "inspected": grid.inspected,
                        "units": grid.units,
                    },
                )
                if selectors.staff_of(actor) is not None:
                    return redirect("sweeps:today")
                detail = reverse("sweeps:detail", args=[cu.campaign_id])
                return redirect(f"{detail}?j={cu.code}")
    recent = list(
        selectors.visit_list(actor=actor, campaign_unit=cu.pk).order_by("-visited_at", "-id")[:5]
    )
    return render(
        request,
        "sweeps/visit_form.html",
        {
            "cu": cu,
            "unit": cu.unit,
            "form": form,
            "formset": formset,
            "recent": recent,
            "max_persons": services.MAX_PERSONS,
        },
    )


@requires(Capability.VISITS_RECORD)
@require_GET
def person_row(request: HttpRequest) -> HttpResponse:
    """htmx: one more empty person row, and the formset's count raised to match."""
    try:
        index = int(request.GET.get("persons-TOTAL_FORMS") or 0)
    except ValueError:
        index = 0
    if not 0 <= index < services.MAX_PERSONS:
        return HttpResponse(status=204)
    formset = PersonFormSet(prefix="persons")
    row = formset.empty_form
    row.prefix = formset.add_prefix(index)
    return render(
        request,
        "sweeps/person_row.html",
        {"row": row, "index": index, "total": index + 1, "oob": True},
    )


def _typed(request: HttpRequest, suffix: str) -> str:
    for key in request.GET:
        if key == suffix or key.endswith("-" + suffix):
            return str(request.GET.get(key) or "").strip()[:40]
    return ""


@requires(Capability.VISITS_RECORD)
@require_GET
def person_lookup(request: HttpRequest) -> HttpResponse:
    """htmx: whether a typed document number belongs to someone in the actor's register.
    Someone outside the actor's area gets the same answer as nobody."""
    actor = request_actor(request)
    doc_type = _typed(request, "doc_type") or DocType.RESIDENT_ID
    number = _typed(request, "doc_number")
    context: dict = {"number": number}
    if number:
        if doc_type == DocType.RESIDENT_ID:
            try:
                check_resident_id(number)
            except ValidationError as exc:
                context["problem"] = " ".join(exc.messages)
        if "problem" not in context:
            context["person"] = selectors.person_known(
                actor=actor, doc_type=doc_type, doc_number=number
            )
    return render(request, "sweeps/lookup.html", context)


# --- visits -------------------------------------------------------------------------------


@requires(Capability.SWEEPS_VIEW)
def visit_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    within = _code(request)
    if within:
        geo.jurisdiction_get(actor=actor, code=within, capability=Capability.SWEEPS_VIEW)
    outcome = request.GET.get("outcome") or None
    outcome = outcome if outcome in Outcome.values else None
    try:
        campaign = int(request.GET.get("campaign") or 0) or None
    except ValueError:
        campaign = None
    if campaign is not None and not 0 < campaign < 2**63:
        campaign = None
    qs = selectors.visit_list(actor=actor, within=within, outcome=outcome, campaign=campaign)
    try:
        page = _page(request, qs, key="-id")
    except ValidationError:
        return redirect(request.path)
    return render(
        request,
        "sweeps/visit_list.html",
        {
            "page": page,
            "within": within or "",
            "outcome": outcome or "",
            "outcomes": Outcome.choices,
            "campaign": campaign or "",
            "query_without_cursor": query_without(request, "cursor"),
        },
    )


def shown_person(actor: Actor, person) -> dict:
    """What a page may show of a person: identifiers masked unless the role needs them."""
    return {
        "name": person.name,
        "doc_type": person.get_doc_type_display(),
        "doc_number": person.doc_number
        if actor.can(Capability.IDS_VIEW, person.jpath)
        else mask_doc_number(person.doc_number),
        "phone": person.phone
        if actor.can(Capability.CONTACTS_VIEW, person.jpath)
        else mask_phone(person.phone),
    }


@requires(Capability.SWEEPS_VIEW)
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    visit = selectors.visit_get(actor=actor, pk=pk)
    found = selectors.visit_persons(visits=[visit])[visit.pk]
    return render(
        request,
        "sweeps/visit_detail.html",
        {
            "visit": visit,
            "found": [(vp, shown_person(actor, vp.person)) for vp in found],
        },
    )
