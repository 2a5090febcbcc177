"""Pages of follow-ups: the form a team member fills in on a phone, the team's worklist of
the day (overdue first, red; due soon, amber), and the overdue list across one's area."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from epigrid.accounts.access import Actor, request_actor, requires
from epigrid.accounts.roles import Capability
from epigrid.core.errors import ConcurrentEditError
from epigrid.core.views import apply_service_error, query_without
from epigrid.workforce import selectors as workforce

from .. import rules
from ..forms import FollowUpForm
from ..models import ObservationCase, Result
from ..selectors import cases as case_selectors
from ..selectors import followups as selectors
from ..services import followups as services

REFUSALS = (ValidationError, ConcurrentEditError)
MISSED_DAYS = (0, 1, 3, 7)
URGENT = ("overdue", "due_soon")


def _int(value: str | None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if 0 < number < 2**63 else None


def _staff_choices(actor: Actor, case: ObservationCase) -> list[tuple[int, str]] | None:
    """Who may be named as having followed up, when the actor is not a grid worker."""
    if selectors.staff_of(actor) is not None:
        return None
    return [
        (s.pk, f"{s.name} · {s.get_category_display()} · {s.jurisdiction.name}")
        for s in workforce.staff_eligible_for(actor=actor, path=case.jpath)
    ]


@requires(Capability.FOLLOWUPS_RECORD)
@require_http_methods(["GET", "POST"])
def followup_create(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    case = case_selectors.case_get(actor=actor, pk=pk, capability=Capability.FOLLOWUPS_RECORD)
    now = timezone.now()
    slot = None
    slot_id = _int(request.GET.get("slot"))
    if slot_id is not None:
        slot = selectors.slot_for_case(case_id=case.pk, pk=slot_id)
    staff_choices = _staff_choices(actor, case)
    form = FollowUpForm(
        request.POST or None,
        policy=case.policy,
        language=get_language() or "zh-hans",
        staff_choices=staff_choices,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        staff = None
        if staff_choices is not None and data.get("staff"):
            staff = next(
                (
                    s
                    for s in workforce.staff_eligible_for(actor=actor, path=case.jpath)
                    if s.pk == data["staff"]
                ),
                None,
            )
        try:
            followup = services.followup_record(
                actor=actor,
                case=case,
                method=data["method"],
                result=data["result"],
                taken_at=data["taken_at"],
                slot=slot,
                staff=staff,
                temperature=data["temperature"],
                site=data["site"] or "",
                symptoms=data["symptoms"],
                note=data["note"],
            )
        except REFUSALS as exc:
            apply_service_error(form, exc)
        else:
            text = _("Follow-up of %(name)s saved.") % {"name": case.person.name}
            serious = rules.serious_symptoms(case.policy, list(followup.symptoms))
            if rules.is_fever(case.policy, followup.temperature) or serious:
                messages.warning(
                    request,
                    text
                    + " "
                    + _(
                        "Fever or a serious symptom: the team, the village and headquarters "
                        "are alerted."
                    ),
                )
            else:
                messages.success(request, text)
            if selectors.staff_of(actor) is not None:
                return redirect("quarantine:worklist")
            return redirect("quarantine:case_detail", pk=case.pk)
    target = slot or selectors.next_open_slot(case_id=case.pk, now=now)
    return render(
        request,
        "quarantine/followup_form.html",
        {
            "case": case,
            "form": form,
            "slot": target,
            "slot_state": target.state_at(now) if target else None,
            "recent": case_selectors.case_followups(case=case, limit=4),
            "threshold": rules.fever_threshold(case.policy),
            "inclusive": bool(case.policy.get("fever_inclusive", True)),
            "not_reached": Result.NOT_REACHED,
        },
    )


def _url_format(name: str) -> str:
    """The URL of `name` for any primary key, as a format string: reversed once per page,
    not once per card."""
    marker = 987654321
    return reverse(name, args=[marker]).replace(str(marker), "{}")


def _cards(actor: Actor, work: selectors.WorkRows, can_record: bool) -> list[dict[str, Any]]:
    """What each card shows, worked out once per page: the texts of a deadline, a badge and
    a call translated once, links formatted from one reversed URL, the times made local
    once per distinct deadline. Dicts: the template reads them with one lookup each."""
    case_url = _url_format("quarantine:case_detail")
    record_url = _url_format("quarantine:followup_create") + "?slot={}"
    due_by = _("due by %(deadline)s")
    opens = _("opens at %(opens)s")
    call = _("Call %(phone)s")
    badges = {"overdue": _("Overdue"), "due_soon": _("Due soon"), "due": _("Due")}
    contacts = actor.paths(Capability.CONTACTS_VIEW)
    zone = timezone.get_current_timezone()
    clock: dict[dt.datetime, str] = {}

    def hm(moment: dt.datetime) -> str:
        if moment not in clock:
            clock[moment] = moment.astimezone(zone).strftime("%H:%M")
        return clock[moment]

    cards = []
    for row in work.rows:
        level = row.urgency
        # A phone number to call from the list, where the actor may see it unmasked.
        phone = (
            row.phone if row.phone and any(row.person_path.startswith(p) for p in contacts) else ""
        )
        cards.append(
            {
                "pk": row.pk,
                "urgency": level,
                "name": row.name,
                "place": row.place,
                "case_url": case_url.format(row.case_id),
                "due": due_by % {"deadline": hm(row.deadline)},
                "badge": badges.get(level) or opens % {"opens": hm(row.opens_at)},
                "call": phone,
                "call_text": call % {"phone": phone} if phone else "",
                "record_url": record_url.format(row.case_id, row.pk)
                if can_record and level != "upcoming"
                else "",
            }
        )
    return cards


@requires(Capability.QUARANTINE_VIEW)
@require_GET
def worklist(request: HttpRequest) -> HttpResponse:
    """Today's follow-ups of one's team(s); ?team=<id> opens another team's (in scope).
    Overdue and due-soon follow-ups are cards; those due later today and those not open
    yet are short rows below them. Someone without a team of their own picks one: from a
    list when there are few in their area, else by searching (?find=)."""
    actor = request_actor(request)
    team_id = _int(request.GET.get("team"))
    team = selectors.team_for_actor(actor=actor, pk=team_id) if team_id else None
    work = selectors.worklist_rows(actor=actor, team=team)
    can_record = actor.has(Capability.FOLLOWUPS_RECORD)
    cards = _cards(actor, work, can_record)
    urgent = [c for c in cards if c["urgency"] in URGENT]
    later = [c for c in cards if c["urgency"] == "due"]
    not_open = [c for c in cards if c["urgency"] == "upcoming"]
    find = (request.GET.get("find") or "").strip()[:40]
    picker: selectors.TeamPick | None = None
    if not (work.teams and team is None):
        picker = selectors.team_pick(actor=actor, find=find)
    return render(
        request,
        "quarantine/worklist.html",
        {
            "work": work,
            "counts": work.counts,
            "urgent": urgent,
            "later": later,
            "not_open": not_open,
            "record_text": _("Record"),
            "team": team,
            "picker": picker,
            "find": find,
            "can_record": can_record,
        },
    )


@requires(Capability.QUARANTINE_VIEW)
@require_GET
def overdue(request: HttpRequest) -> HttpResponse:
    """Every slot past its deadline and not done in one's area: today's, or with ?missed=N
    also those missed on the N days before."""
    actor = request_actor(request)
    nodes = case_selectors.filter_nodes(actor=actor)
    within = (request.GET.get("within") or "").strip()[:64]
    within = within if within in {n.code for n in nodes} else ""
    missed = _int(request.GET.get("missed")) or 0
    missed = missed if missed in MISSED_DAYS else 0
    now = timezone.now()
    qs = selectors.overdue_list(actor=actor, within=within or None, missed_days=missed, now=now)
    try:
        page = selectors.overdue_page(qs, cursor=request.GET.get("cursor"), limit=50)
    except ValidationError:
        return redirect(request.path)
    for slot in page.items:
        slot.state_now = slot.state_at(now)  # type: ignore[attr-defined]
    return render(
        request,
        "quarantine/overdue.html",
        {
            "page": page,
            "now": now,
            "nodes": nodes,
            "within": within,
            "missed": missed,
            "missed_choices": MISSED_DAYS,
            "query_without_cursor": query_without(request, "cursor"),
            "can_record": actor.has(Capability.FOLLOWUPS_RECORD),
        },
    )


urlpatterns = [
    path("cases/<int:pk>/followup/", followup_create, name="followup_create"),
    path("worklist/", worklist, name="worklist"),
    path("overdue/", overdue, name="overdue"),
]
