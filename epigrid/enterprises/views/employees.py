"""Pages of an enterprise's staff roster (mobile first: the enterprise user types these on
a phone): the roster with search and masked numbers, adding, editing and ending an
employee, and the daily health screen (one temperature per employee, save all, who is
still missing today)."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from epigrid.accounts.access import Actor, request_actor, requires_any
from epigrid.accounts.roles import Capability
from epigrid.core.errors import ConcurrentEditError
from epigrid.core.pagination import keyset_page
from epigrid.core.views import apply_service_error, query_without, refusal_text
from epigrid.policy.selectors import policy_value

from ..access import is_own
from ..forms.register import EmployeeEditForm, EmployeeEndForm, EmployeeForm
from ..models import Enterprise
from ..selectors import employees as selectors
from ..selectors import enterprises as enterprise_selectors
from ..services import employees as services
from ..services import health as health_services

REFUSALS = (ValidationError, ConcurrentEditError)
PAGE_SIZE = 30
VIEW = (Capability.ENTERPRISES_VIEW, Capability.ENTERPRISE_SELF)
WRITE = (Capability.ENTERPRISES_MANAGE, Capability.ENTERPRISE_SELF)
# Quick picks under each temperature input, as on the checkpoint log page.
QUICK = ("36.2", "36.5", "36.8", "37.0", "37.3", "37.5", "38.0")


def can_roster(actor: Actor, enterprise: Enterprise) -> bool:
    """The enterprise's own user, or staff who manage it."""
    return is_own(actor, enterprise.pk) or actor.can(
        Capability.ENTERPRISES_MANAGE, enterprise.jpath
    )


def _enterprise(request: HttpRequest, pk: int, *, write: bool = False) -> Enterprise:
    actor = request_actor(request)
    enterprise = enterprise_selectors.enterprise_get(actor=actor, pk=pk)
    if write and not can_roster(actor, enterprise):
        raise PermissionDenied
    return enterprise


@requires_any(*VIEW)
def employee_list(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    enterprise = _enterprise(request, pk)
    q = (request.GET.get("q") or "").strip()[:50]
    risk_only = request.GET.get("risk") == "1"
    ended = request.GET.get("ended") == "1"
    qs = selectors.employee_list(
        actor=actor, enterprise=enterprise, q=q, include_ended=ended, risk_only=risk_only
    )
    try:
        page = keyset_page(qs, cursor=request.GET.get("cursor"), limit=PAGE_SIZE, key="id")
    except ValidationError:
        return redirect(request.path)
    return render(
        request,
        "enterprises/employee_list.html",
        {
            "enterprise": enterprise,
            "rows": selectors.annotate_shown(actor, page.items),
            "page": page,
            "q": q,
            "risk_only": risk_only,
            "ended": ended,
            "summary": selectors.roster_summary(enterprise=enterprise),
            "can_roster": can_roster(actor, enterprise),
            "query_without_cursor": query_without(request, "cursor"),
        },
    )


@requires_any(*WRITE)
@require_http_methods(["GET", "POST"])
def employee_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    enterprise = _enterprise(request, pk, write=True)
    form = EmployeeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            employee = services.employee_add(
                actor=actor, enterprise=enterprise, **form.cleaned_data
            )
        except REFUSALS as exc:
            apply_service_error(form, exc)
        else:
            text = _("%(name)s is on the roster.") % {"name": employee.person.name}
            if employee.from_risk_area:
                text += " " + _("Flagged: arrived from an epidemic source area.")
            messages.success(request, text)
            if request.POST.get("another"):
                return redirect("enterprises:employee_add", pk=enterprise.pk)
            return redirect("enterprises:employee_list", pk=enterprise.pk)
    return render(
        request,
        "enterprises/employee_form.html",
        {
            "form": form,
            "enterprise": enterprise,
            "title": _("Add an employee"),
            "testid": "employee-add-form",
            "another": True,
        },
    )


def _employee(request: HttpRequest, pk: int):
    actor = request_actor(request)
    employee = selectors.employee_get(actor=actor, pk=pk)
    if not can_roster(actor, employee.enterprise):
        raise PermissionDenied
    return employee


@requires_any(*WRITE)
@require_http_methods(["GET", "POST"])
def employee_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    employee = _employee(request, pk)
    initial = {f: getattr(employee, f) for f in services.EDITABLE}
    form = EmployeeEditForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.employee_update(actor=actor, employee=employee, **form.cleaned_data)
        except REFUSALS as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("enterprises:employee_list", pk=employee.enterprise_id)
    return render(
        request,
        "enterprises/employee_form.html",
        {
            "form": form,
            "enterprise": employee.enterprise,
            "employee": employee,
            "title": employee.person.name,
            "testid": "employee-edit-form",
        },
    )


@requires_any(*WRITE)
@require_http_methods(["GET", "POST"])
def employee_end(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    employee = _employee(request, pk)
    form = EmployeeEndForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.employee_end(actor=actor, employee=employee, on=form.cleaned_data["on"])
        except REFUSALS as exc:
            apply_service_error(form, exc)
        else:
            messages.success(
                request, _("%(name)s left the roster.") % {"name": employee.person.name}
            )
            return redirect("enterprises:employee_list", pk=employee.enterprise_id)
    return render(
        request,
        "enterprises/employee_form.html",
        {
            "form": form,
            "enterprise": employee.enterprise,
            "employee": employee,
            "title": _("%(name)s leaves the roster") % {"name": employee.person.name},
            "testid": "employee-end-form",
            "danger": True,
        },
    )


def _day(value: str | None) -> dt.date:
    try:
        day = dt.date.fromisoformat((value or "").strip()[:10])
    except ValueError:
        return timezone.localdate()
    return min(day, timezone.localdate())


@requires_any(*VIEW)
@require_http_methods(["GET", "POST"])
def health_day(request: HttpRequest, pk: int) -> HttpResponse:
    """Today's (or `?day=`) temperatures: every employee with an input, missing ones
    first; a POST saves all typed ones at once (a blank input is not reported)."""
    actor = request_actor(request)
    enterprise = _enterprise(request, pk)
    day = _day(request.POST.get("day") if request.method == "POST" else request.GET.get("day"))
    errors: dict[str, list[str]] = {}
    typed: dict[str, str] = {}
    if request.method == "POST":
        if not can_roster(actor, enterprise):
            raise PermissionDenied
        # Parallel lists, one entry per employee row of the page; a blank temperature is
        # not reported.
        ids = request.POST.getlist("employee")
        temps = request.POST.getlist("temperature")
        symptoms = request.POST.getlist("symptoms")
        rows = []
        for n, employee_id in enumerate(ids[: health_services.MAX_ROWS]):
            value = (temps[n] if n < len(temps) else "").strip()[:10]
            if not value:
                continue
            typed[employee_id[:20]] = value
            rows.append(
                {
                    "employee": employee_id[:20],
                    "temperature": value,
                    "symptoms": (symptoms[n] if n < len(symptoms) else "")[:300],
                }
            )
        try:
            saved = health_services.health_reports_record(
                actor=actor, enterprise=enterprise, day=day, rows=rows
            )
        except ValidationError as exc:
            errors = _row_errors(exc, rows)
            messages.error(request, _("Nothing was saved; correct the rows marked below."))
        else:
            fevers = sum(1 for r in saved if r.fever)
            text = ngettext("%(n)d temperature saved.", "%(n)d temperatures saved.", len(saved)) % {
                "n": len(saved)
            }
            if fevers:
                text += " " + ngettext(
                    "%(n)d fever: the grid was alerted.",
                    "%(n)d fevers: the grid was alerted.",
                    fevers,
                ) % {"n": fevers}
            messages.success(request, text)
            return redirect(reverse("enterprises:health_day", args=[enterprise.pk]) + f"?day={day}")
    rows_out = selectors.health_day(actor=actor, enterprise=enterprise, day=day)
    for row in rows_out:
        key = str(row.employee.pk)
        row.typed = typed.get(key, "")  # type: ignore[attr-defined]
        row.errors = errors.get(key, [])  # type: ignore[attr-defined]
    return render(
        request,
        "enterprises/health_day.html",
        {
            "enterprise": enterprise,
            "day": day,
            "today": timezone.localdate(),
            "rows": rows_out,
            "missing": sum(1 for r in rows_out if r.report is None),
            "can_report": can_roster(actor, enterprise),
            "quick": QUICK,
            "threshold": policy_value("fever_threshold", day),
            "general_errors": errors.get("", []),
        },
    )


def _row_errors(exc: ValidationError, rows: list[dict]) -> dict[str, list[str]]:
    """The service's refusals by employee id ("" for the whole save)."""
    out: dict[str, list[str]] = {}
    if not hasattr(exc, "error_dict"):
        out[""] = [refusal_text(exc)]
        return out
    for field, messages_ in exc.message_dict.items():
        parts = field.split(".")
        if parts[0] == "rows" and len(parts) > 1 and parts[1].isdigit():
            index = int(parts[1])
            key = str(rows[index]["employee"]) if index < len(rows) else ""
        else:
            key = ""
        out.setdefault(key, []).extend(messages_)
    return out


urlpatterns = [
    path("<int:pk>/employees/", employee_list, name="employee_list"),
    path("<int:pk>/employees/new/", employee_add, name="employee_add"),
    path("employees/<int:pk>/edit/", employee_edit, name="employee_edit"),
    path("employees/<int:pk>/end/", employee_end, name="employee_end"),
    path("<int:pk>/health/", health_day, name="health_day"),
]
