"""The working calendar for headquarters: a month of working days with the national
holidays and make-up working days (from the calendar library) and the local changes
(WorkdayOverride rows), a form to add or remove a local change, and what the answer
deadline of an application submitted on a given day comes to."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from epigrid.accounts.access import request_actor, requires
from epigrid.accounts.roles import Capability
from epigrid.core.views import apply_service_error, refusal_text
from epigrid.policy import calendar as workcal
from epigrid.policy import services as policy_services
from epigrid.policy.selectors import policy_value

from ..forms.calendar import WorkdayOverrideForm

FIRST_YEAR, LAST_YEAR = 2000, 2100  # what the month picker accepts


def _month(value: str | None) -> dt.date | None:
    try:
        first = dt.date.fromisoformat(f"{(value or '').strip()[:7]}-01")
    except ValueError:
        return None
    return first if FIRST_YEAR <= first.year <= LAST_YEAR else None


def _shift(month: dt.date, by: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + by
    return dt.date(index // 12, index % 12 + 1, 1)


def _weeks(days: list[workcal.CalendarDay]) -> list[list[workcal.CalendarDay | None]]:
    """The month as rows of Monday..Sunday, blanks before the 1st and after the last."""
    cells: list[workcal.CalendarDay | None] = [None] * days[0].day.weekday() + list(days)
    cells += [None] * (-len(cells) % 7)
    return [cells[i : i + 7] for i in range(0, len(cells), 7)]


def _due(request: HttpRequest) -> dict | None:
    """The answer deadline of something submitted at the given local day and time."""
    raw = (request.GET.get("submitted") or "").strip()[:16]
    if not raw:
        return None
    try:
        naive = dt.datetime.fromisoformat(raw)
    except ValueError:
        return {"error": _("Enter a valid date and time.")}
    if not FIRST_YEAR <= naive.year <= LAST_YEAR:
        return {"error": _("Enter a valid date and time.")}
    submitted = timezone.make_aware(naive)
    days = policy_value("resumption_answer_days", on=naive.date())
    due = workcal.answer_due(submitted, days)
    return {
        "submitted": submitted,
        "days": days,
        "due": due,
        "last_day": due.date() - dt.timedelta(days=1),
    }


@requires(Capability.POLICY_MANAGE)
@require_http_methods(["GET", "POST"])
def calendar(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    month = _month(request.GET.get("month")) or timezone.localdate().replace(day=1)
    form = WorkdayOverrideForm()
    editable = workcal.editable_by(actor)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        here = f"{reverse('enterprises:calendar')}?month={month:%Y-%m}"
        if request.POST.get("action") == "remove":
            try:
                day = dt.date.fromisoformat((request.POST.get("day") or "").strip()[:10])
                policy_services.workday_override_remove(actor=actor, day=day)
            except ValueError:
                messages.error(request, _("Enter a valid date."))
            except ValidationError as exc:
                messages.error(request, refusal_text(exc))
            else:
                messages.success(request, _("Local change of %(day)s removed.") % {"day": day})
            return redirect(here)
        form = WorkdayOverrideForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                policy_services.workday_override_set(
                    actor=actor, day=data["day"], workday=data["workday"], note=data["note"]
                )
            except ValidationError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(
                    request, _("Local change of %(day)s saved.") % {"day": data["day"]}
                )
                return redirect(f"{reverse('enterprises:calendar')}?month={data['day']:%Y-%m}")
    days = workcal.month_days(month.year, month.month)
    first, last = workcal.library_years()
    return render(
        request,
        "enterprises/calendar_month.html",
        {
            "month": month,
            "previous": _shift(month, -1),
            "next": _shift(month, 1),
            "weeks": _weeks(days),
            "special": [d for d in days if d.kind not in ("weekday", "weekend")],
            "workdays": sum(1 for d in days if d.workday),
            "beyond": not first <= month.year <= last,
            "library_last": last,
            "form": form,
            "due": _due(request),
            "editable": editable,
        },
    )


urlpatterns = [path("calendar/", calendar, name="calendar")]
