"""The paper fallback: a printable A4 daily sheet per checkpoint for when no phone works,
and the page where the sheet's rows are entered later with their original times.

Each row of the sheet is one person; a vehicle's passengers take the rows below its driver,
marked "same vehicle", and are entered the same way, so one vehicle is one check. Rows go
to the ingest service (source "paper") together: good rows are stored even when others are
refused, and a refused row stays on the page with its reasons beside it. Every row carries
a UUID made when the page was shown, so sending the same rows twice stores them once.
"""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from epigrid.accounts.access import request_actor, requires
from epigrid.accounts.roles import Capability
from epigrid.core.views import refusal_text

from ..forms import SAME_VEHICLE, PaperDayForm, PaperRowForm, paper_row, paper_rows
from ..models import Checkpoint, CheckResult, Mode
from ..selectors import checkpoints as selectors
from ..services import checks as check_services
from .checkpoints import hours_label

SHEET_ROWS = 25
ENTRY_ROWS = 5
MAX_ENTRY_ROWS = 25
PERSON_FIELDS = ("name", "doc_type", "doc_number", "phone", "temperature")


def _day(value: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat((value or "").strip()[:10])
    except ValueError:
        return default


def _bounded(value: Any, default: int, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return min(max(number, low), high)


# --- the printable sheet ------------------------------------------------------------------


@requires(Capability.CHECKS_RECORD)
def paper_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """?day=YYYY-MM-DD (default today) prints on the sheet; ?temps=1..3 temperature
    columns (a first reading and re-tests)."""
    actor = request_actor(request)
    checkpoint = selectors.checkpoint_get(actor=actor, pk=pk, capability=Capability.CHECKS_RECORD)
    day = _day(request.GET.get("day"), timezone.localdate())
    temps = _bounded(request.GET.get("temps"), 2, 1, 3)
    return render(
        request,
        "checkpoints/paper_sheet.html",
        {
            "checkpoint": checkpoint,
            "day": day,
            "hours": hours_label(checkpoint),
            "temps": range(1, temps + 1),
            "temp_count": temps,
            "rows": range(1, SHEET_ROWS + 1),
        },
    )


# --- entering a sheet ---------------------------------------------------------------------


class _Group:
    """The rows that make one check: a walker's or a driver's row and the passengers'."""

    def __init__(self, lead: int) -> None:
        self.rows = [lead]

    @property
    def lead(self) -> int:
        return self.rows[0]


def _group_rows(rows: list[PaperRowForm]) -> tuple[list[_Group], set[int]]:
    """Checks made of the written rows, and the rows refused before sending (their errors
    are on their forms). A check with a refused row is not sent."""
    groups: list[_Group] = []
    bad: set[int] = set()
    current: _Group | None = None
    for i, form in enumerate(rows):
        if form.is_blank():
            continue
        valid = form.is_valid()
        data = form.cleaned_data if valid else {}
        mode = data.get("mode") or form.data.get(form.add_prefix("mode"))
        if mode == SAME_VEHICLE:
            lead_mode = rows[current.lead].cleaned_data.get("mode") if current else None
            if current is None or lead_mode != Mode.VEHICLE:
                form.add_error("mode", _("No vehicle in the rows above this one."))
                bad.add(i)
                continue
            current.rows.append(i)
        else:
            current = _Group(i)
            groups.append(current)
            if valid and not data.get("time"):
                form.add_error("time", _("Enter the time written on the sheet."))
        if valid and not (data.get("temperature") or "").strip():
            form.add_error("temperature", _("Enter the temperature written on the sheet."))
        if form.errors:
            bad.add(i)
    sendable = [g for g in groups if not bad.intersection(g.rows)]
    for g in groups:
        if g not in sendable:
            for i in g.rows:
                if i not in bad:
                    rows[i].add_error(None, _("Not sent: another row of this vehicle has errors."))
                    bad.add(i)
    return sendable, bad


def _item(day: dt.date, rows: list[PaperRowForm], group: _Group) -> dict[str, Any]:
    lead = rows[group.lead].cleaned_data
    hour, minute = (int(v) for v in lead["time"].split(":"))
    checked_at = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))
    vehicle = lead["mode"] == Mode.VEHICLE
    return {
        "uuid": str(lead["uuid"]),
        "checked_at": checked_at.isoformat(),
        "mode": Mode.VEHICLE.value if vehicle else Mode.FOOT.value,
        "plate": lead["plate"].strip() if vehicle else "",
        "origin": lead["origin"].strip(),
        "destination": lead["destination"].strip(),
        "result": lead["result"],
        "selffill_code": "",
        "note": "",
        "people": [
            {
                "name": rows[i].cleaned_data["name"].strip(),
                "doc_type": rows[i].cleaned_data["doc_type"]
                if rows[i].cleaned_data["doc_number"].strip()
                else "",
                "doc_number": rows[i].cleaned_data["doc_number"].strip(),
                "phone": rows[i].cleaned_data["phone"].strip(),
                "temperature": rows[i].cleaned_data["temperature"].strip(),
            }
            for i in group.rows
        ],
    }


def _messages(value: Any) -> list[str]:
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [str(value)]


def _place_errors(rows: list[PaperRowForm], group: _Group, errors: dict[str, Any]) -> None:
    """Puts the ingest's refusals beside the rows and fields they are about: people.<n>.<field>
    on the n-th person's row, checked_at on the time, the check's own fields on its first row."""
    lead = rows[group.lead]
    if not errors:
        lead.add_error(None, _("This row was refused."))
    for key, value in errors.items():
        parts = str(key).replace("[", ".").replace("]", "").split(".")
        target, field = lead, None
        if parts[0] == "people" and len(parts) > 1 and parts[1].isdigit():
            index = int(parts[1])
            if index < len(group.rows):
                target = rows[group.rows[index]]
            name = parts[2] if len(parts) > 2 else None
            field = name if name in PERSON_FIELDS else None
        elif parts[0] == "checked_at":
            field = "time"
        elif parts[0] in lead.fields and parts[0] != "uuid":
            field = parts[0]
        for message in _messages(value):
            target.add_error(field, message)
    if len(group.rows) > 1 and not lead.errors:
        lead.add_error(None, _("Not stored: see the errors on the rows of this vehicle."))


def _row_label(form: PaperRowForm) -> str:
    data = form.cleaned_data
    return " ".join(v for v in (data.get("time") or "", data.get("name") or "") if v).strip()


@requires(Capability.CHECKS_RECORD)
@require_http_methods(["GET", "POST"])
def paper_entry(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    checkpoint = selectors.checkpoint_get(actor=actor, pk=pk, capability=Capability.CHECKS_RECORD)
    today = timezone.localdate()
    if request.method == "GET":
        count = _bounded(request.GET.get("rows"), ENTRY_ROWS, 1, MAX_ENTRY_ROWS)
        day = _day(request.GET.get("day"), today)
        day_form = PaperDayForm(initial={"day": day, "rows": count})
        return _entry_page(request, checkpoint, day_form, paper_rows(None, count), [])
    count = _bounded(request.POST.get("rows"), ENTRY_ROWS, 1, MAX_ENTRY_ROWS)
    day_form = PaperDayForm(request.POST)
    rows = paper_rows(request.POST, count)
    if not day_form.is_valid():
        for form in rows:
            form.is_valid()  # shows the rows' own errors too
        return _entry_page(request, checkpoint, day_form, rows, [])
    day = day_form.cleaned_data["day"]
    groups, bad = _group_rows(rows)
    if not groups and not bad:
        day_form.add_error(None, _("Nothing written in the rows."))
        return _entry_page(request, checkpoint, day_form, rows, [])
    saved: list[str] = []
    stored = known = 0
    if groups:
        items = [_item(day, rows, g) for g in groups]
        try:
            answers = check_services.checks_ingest(
                actor=actor, checkpoint=checkpoint, items=items, source="paper"
            )
        except ValidationError as exc:  # the whole sheet refused (the checkpoint ended...)
            day_form.add_error(None, refusal_text(exc))
            return _entry_page(request, checkpoint, day_form, rows, [])
        for group, answer in zip(groups, answers, strict=True):
            status = answer.get("status")
            if status in ("stored", "known"):
                stored += status == "stored"
                known += status == "known"
                saved.append(_row_label(rows[group.lead]))
                for i in group.rows:
                    rows[i] = paper_row(i)
            else:
                _place_errors(rows, group, answer.get("errors") or {})
                bad.update(group.rows)
    if stored:
        messages.success(
            request,
            ngettext(
                "%(n)d check from the sheet was stored.",
                "%(n)d checks from the sheet were stored.",
                stored,
            )
            % {"n": stored},
        )
    if known:
        messages.info(
            request,
            ngettext(
                "%(n)d check had been stored already.",
                "%(n)d checks had been stored already.",
                known,
            )
            % {"n": known},
        )
    if not bad:
        url = reverse("checkpoints:paper_entry", args=[checkpoint.pk])
        return redirect(f"{url}?day={day.isoformat()}&rows={count}")
    messages.error(
        request, _("Some rows were refused: correct them beside each row and send again.")
    )
    return _entry_page(request, checkpoint, day_form, rows, saved)


def _entry_page(
    request: HttpRequest,
    checkpoint: Checkpoint,
    day_form: PaperDayForm,
    rows: list[PaperRowForm],
    saved: list[str],
) -> HttpResponse:
    return render(
        request,
        "checkpoints/paper_entry.html",
        {
            "checkpoint": checkpoint,
            "day_form": day_form,
            "rows": rows,
            "row_count": len(rows),
            "saved": saved,
            "more_rows": min(len(rows) + 5, MAX_ENTRY_ROWS),
            "results": CheckResult,
        },
    )


urlpatterns = [
    path("<int:pk>/paper/", paper_sheet, name="paper_sheet"),
    path("<int:pk>/paper/entry/", paper_entry, name="paper_entry"),
]
