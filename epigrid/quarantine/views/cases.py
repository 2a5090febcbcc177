"""Pages of observation cases: the list, one case with its slots and follow-ups, and the
forms that open, extend or shorten, edit and close a case.

Other parts of home quarantine add their own sections to the case page through the
templates listed in CASE_SECTIONS (alerts, assistance, self-report link, documents)."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from epigrid.accounts.access import Actor, request_actor, requires
from epigrid.accounts.roles import Capability
from epigrid.core.errors import ConcurrentEditError
from epigrid.core.pagination import keyset_page
from epigrid.core.views import apply_service_error, query_without, set_choices
from epigrid.registry import selectors as registry
from epigrid.registry.disclosure import doc_for, phone_for
from epigrid.registry.models import Person

from ..forms import CaseCloseForm, CaseEditForm, CaseEndForm, CaseOpenForm
from ..models import CaseStatus, ObservationCase, Regime, SlotState
from ..selectors import assistance, escalation, selfreport
from ..selectors import cases as selectors
from ..selectors import followups as followup_selectors
from ..services import cases as services

REFUSALS = (ValidationError, ConcurrentEditError)
PAGE_SIZE = 30
# Sections other parts fill in on the case page, in this order; each gets the context of
# case_detail, with what section_context adds from the parts' own selectors.
CASE_SECTIONS = (
    "quarantine/_case_alerts.html",
    "quarantine/_case_assistance.html",
    "quarantine/_case_selfreport.html",
)
SLOT_LABELS = dict(SlotState.choices)
STATUS_LABELS = {
    "open": gettext_lazy("Open"),
    **{value: label for value, label in CaseStatus.choices},
}


def _int(value: str | None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if 0 < number < 2**63 else None


# --- the list -----------------------------------------------------------------------------


@requires(Capability.QUARANTINE_VIEW)
def case_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    nodes = selectors.filter_nodes(actor=actor)
    codes = {n.code for n in nodes}
    status = request.GET.get("status") or "open"
    status = status if status in (*selectors.STATUSES, "all") else "open"
    regime = request.GET.get("regime") or ""
    regime = regime if regime in Regime.values else ""
    within = (request.GET.get("within") or "").strip()[:64]
    within = within if within in codes else ""
    q = (request.GET.get("q") or "").strip()[:32]
    team = _int(request.GET.get("team"))
    now = timezone.now()
    qs = selectors.case_list(
        actor=actor,
        status=None if status == "all" else status,
        regime=regime or None,
        team=team,
        within=within or None,
        q=q or None,
        now=now,
    )
    try:
        page = keyset_page(qs, cursor=request.GET.get("cursor"), limit=PAGE_SIZE, key="-id")
    except ValidationError:
        return redirect(request.path)
    for case in page.items:
        case.status_now = case.status_at(now)  # type: ignore[attr-defined]
    return render(
        request,
        "quarantine/case_list.html",
        {
            "page": page,
            "status": status,
            "statuses": [("all", _("All")), *STATUS_LABELS.items()],
            "regime": regime,
            "regimes": Regime.choices,
            "within": within,
            "nodes": nodes,
            "q": q,
            "query_without_cursor": query_without(request, "cursor"),
            "can_open": actor.has(Capability.QUARANTINE_MANAGE),
            "can_record": actor.has(Capability.FOLLOWUPS_RECORD),
        },
    )


# --- one case -----------------------------------------------------------------------------


def _team_choices(actor: Actor, grid_path: str) -> list[tuple[int | str, str]]:
    return [("", "—")] + [
        (t.pk, f"{t.name} · {t.jurisdiction.name}")
        for t in selectors.teams_for_grid(actor=actor, grid_path=grid_path)
    ]


@requires(Capability.QUARANTINE_VIEW)
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    case = selectors.case_get(actor=actor, pk=pk)
    now = timezone.now()
    person = case.person
    slots = list(selectors.case_slots(case=case))
    is_open = case.closed_at is None
    next_slot = followup_selectors.next_open_slot(case_id=case.pk, now=now) if is_open else None
    return render(
        request,
        "quarantine/case_detail.html",
        {
            "case": case,
            "person": person,
            "doc_number": doc_for(actor, person.jpath, person.doc_number),
            "phone": phone_for(actor, person.jpath, person.phone),
            "status": case.status_at(now),
            "status_label": STATUS_LABELS[case.status_at(now)],
            "now": now,
            "days": selectors.slot_days(slots, now),
            "counts": selectors.slot_counts(slots, now),
            "end_changes": selectors.case_end_changes(case=case),
            "followups": selectors.case_followups(case=case),
            "next_slot": next_slot,
            "next_state": SLOT_LABELS[next_slot.state_at(now)] if next_slot else "",
            "can_manage": is_open and actor.can(Capability.QUARANTINE_MANAGE, case.jpath),
            "can_record": is_open and actor.can(Capability.FOLLOWUPS_RECORD, case.jpath),
            "sections": CASE_SECTIONS,
            **section_context(actor, case),
        },
    )


def section_context(actor: Actor, case: ObservationCase) -> dict[str, Any]:
    """What the other parts' sections of the case page need, from their own selectors."""
    return {
        "case_alerts": escalation.alerts_for_case(actor=actor, case=case),
        **assistance.case_assistance(actor=actor, case=case),
        **selfreport.case_selfreport(actor=actor, case=case),
    }


def _person_for(request: HttpRequest, actor: Actor) -> Person | None:
    pk = _int(request.GET.get("person") or request.POST.get("person"))
    if pk is None:
        return None
    return registry.person_get(actor=actor, pk=pk)


def _open_choices(actor: Actor, form: CaseOpenForm, person: Person) -> None:
    grids = selectors.grid_choices(actor=actor)
    # A city's thousands of grids do not all make the list: the person's own always does.
    own = person.jurisdiction
    if own.code not in {g.code for g in grids} and own.path in {
        g.path for g in selectors.grid_choices(actor=actor, within=own.code)
    }:
        grids.insert(0, own)
    set_choices(form, "jurisdiction", [(g.code, g.name) for g in grids])
    set_choices(
        form,
        "reason",
        [(c.code, c.name) for c in registry.categories() if c.active],
    )
    chosen = form.data.get("jurisdiction") if form.is_bound else form.initial.get("jurisdiction")
    grid = next((g for g in grids if g.code == chosen), grids[0] if grids else None)
    set_choices(form, "team", _team_choices(actor, grid.path) if grid else [("", "—")])


@requires(Capability.QUARANTINE_MANAGE)
@require_http_methods(["GET", "POST"])
def case_open(request: HttpRequest) -> HttpResponse:
    """Opens a case for a person of the register (?person=<id>); without one, finds them."""
    actor = request_actor(request)
    person = _person_for(request, actor)
    if person is None:
        q = (request.GET.get("q") or "").strip()[:32]
        found = list(registry.person_list(actor=actor, q=q).order_by("id")[:20]) if q else []
        return render(request, "quarantine/case_open_find.html", {"q": q, "found": found})
    initial = {
        "jurisdiction": person.jurisdiction.code,
        "reason": "source_area",
    }
    form = CaseOpenForm(request.POST or None, initial=initial)
    _open_choices(actor, form, person)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        grid = selectors.grid_get(actor=actor, code=data["jurisdiction"])
        reason = next(c for c in registry.categories() if c.code == data["reason"])
        team = None
        if data["team"]:
            team = next(
                (
                    t
                    for t in selectors.teams_for_grid(actor=actor, grid_path=grid.path)
                    if t.pk == data["team"]
                ),
                None,
            )
            if team is None:
                form.add_error("team", _("Choose a team of this grid."))
        if not form.errors:
            try:
                case = services.case_open(
                    actor=actor,
                    person=person,
                    reason=reason,
                    regime=data["regime"],
                    jurisdiction=grid,
                    team=team,
                    start_date=data["start_date"],
                    note=data["note"],
                )
            except REFUSALS as exc:
                apply_service_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Case opened for %(name)s until %(end)s.")
                    % {"name": person.name, "end": case.end_date.isoformat()},
                )
                return redirect("quarantine:case_detail", pk=case.pk)
    return render(
        request,
        "quarantine/case_form.html",
        {
            "form": form,
            "person": person,
            "doc_number": doc_for(actor, person.jpath, person.doc_number),
            "title": _("Open an observation case"),
            "testid": "case-open-form",
            "submit": _("Open the case"),
        },
    )


def _case_form_page(
    request: HttpRequest,
    case: ObservationCase,
    form,
    title: str,
    testid: str,
    submit: str,
) -> HttpResponse:
    return render(
        request,
        "quarantine/case_form.html",
        {
            "form": form,
            "case": case,
            "person": case.person,
            "title": title,
            "testid": testid,
            "submit": submit,
        },
    )


@requires(Capability.QUARANTINE_MANAGE)
@require_http_methods(["GET", "POST"])
def case_end(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    case = selectors.case_get(actor=actor, pk=pk, capability=Capability.QUARANTINE_MANAGE)
    form = CaseEndForm(
        request.POST or None, initial={"new_end": case.end_date, "version": case.version}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.case_change_end(actor=actor, case=case, **form.cleaned_data)
        except REFUSALS as exc:
            apply_service_error(form, exc)
        else:
            messages.success(
                request,
                _("The release date is now %(end)s.") % {"end": case.end_date.isoformat()},
            )
            return redirect("quarantine:case_detail", pk=case.pk)
    return _case_form_page(
        request,
        case,
        form,
        _("Extend or shorten the observation"),
        "case-end-form",
        _("Change the release date"),
    )


@requires(Capability.QUARANTINE_MANAGE)
@require_http_methods(["GET", "POST"])
def case_close(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    case = selectors.case_get(actor=actor, pk=pk, capability=Capability.QUARANTINE_MANAGE)
    form = CaseCloseForm(request.POST or None, initial={"version": case.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.case_close(actor=actor, case=case, **form.cleaned_data)
        except REFUSALS as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("The case was closed."))
            return redirect("quarantine:case_detail", pk=case.pk)
    return _case_form_page(
        request, case, form, _("Close the case"), "case-close-form", _("Close the case")
    )


@requires(Capability.QUARANTINE_MANAGE)
@require_http_methods(["GET", "POST"])
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    case = selectors.case_get(actor=actor, pk=pk, capability=Capability.QUARANTINE_MANAGE)
    form = CaseEditForm(
        request.POST or None,
        initial={"team": case.team_id, "note": case.note, "version": case.version},
    )
    teams = selectors.teams_for_grid(actor=actor, grid_path=case.jpath)
    set_choices(form, "team", _team_choices(actor, case.jpath))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        team = next((t for t in teams if t.pk == data["team"]), None)
        try:
            services.case_update(
                actor=actor, case=case, version=data["version"], team=team, note=data["note"]
            )
        except REFUSALS as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("quarantine:case_detail", pk=case.pk)
    return _case_form_page(request, case, form, _("Edit the case"), "case-edit-form", _("Save"))


urlpatterns = [
    path("cases/", case_list, name="case_list"),
    path("cases/new/", case_open, name="case_open"),
    path("cases/<int:pk>/", case_detail, name="case_detail"),
    path("cases/<int:pk>/end/", case_end, name="case_end"),
    path("cases/<int:pk>/close/", case_close, name="case_close"),
    path("cases/<int:pk>/edit/", case_edit, name="case_edit"),
]
