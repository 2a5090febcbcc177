"""Pages of checks for the office: the list (filters, newest first, keyset pages; names
with masked document numbers and phones) and one check (identifiers in full only for
IDS_VIEW over its grid, and that read is audited)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from epigrid.accounts.access import request_actor, requires
from epigrid.accounts.roles import Capability
from epigrid.core.views import query_without

from ..models import CheckResult, Mode, Source
from ..selectors import checkpoints as checkpoint_selectors
from ..selectors import checks as selectors
from ..selectors.checks import CheckFilters

PAGE_SIZE = 50


def _int(value: str | None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if 0 < number < 2**63 else None


def _day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((value or "").strip()[:10])
    except ValueError:
        return None


def _choice(request: HttpRequest, name: str, values: list[str]) -> str:
    value = request.GET.get(name) or ""
    return value if value in values else ""


@requires(Capability.CHECKPOINTS_VIEW)
def check_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    choices = checkpoint_selectors.checkpoint_choices(actor=actor)
    checkpoint = _int(request.GET.get("checkpoint"))
    if checkpoint is not None and checkpoint not in {c.pk for c in choices}:
        checkpoint = None
    filters = CheckFilters(
        checkpoint=checkpoint,
        day=_day(request.GET.get("day")),
        mode=_choice(request, "mode", Mode.values),
        result=_choice(request, "result", CheckResult.values),
        nonlocal_only=request.GET.get("nonlocal") == "1",
        source=_choice(request, "source", Source.values),
    )
    qs = selectors.check_list(actor=actor, filters=filters)
    try:
        page = selectors.check_page(qs, cursor=request.GET.get("cursor"), limit=PAGE_SIZE)
    except ValidationError:
        return redirect(request.path)
    return render(
        request,
        "checkpoints/check_list.html",
        {
            "page": page,
            "filters": filters,
            "checkpoints": choices,
            "modes": Mode.choices,
            "results": CheckResult.choices,
            "sources": Source.choices,
            "query_without_cursor": query_without(request, "cursor"),
            "title": _("Checks"),
        },
    )


@requires(Capability.CHECKPOINTS_VIEW)
def check_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    check = selectors.check_get(actor=actor, pk=pk)
    people = check.people_list  # type: ignore[attr-defined]
    for p in people:
        p.registry_visible = p.person_id is not None and actor.can(  # type: ignore[attr-defined]
            Capability.REGISTRY_VIEW, p.person.jpath
        )
    response = render(
        request,
        "checkpoints/check_detail.html",
        {"check": check, "people": people},
    )
    if check.identifiers_shown:  # type: ignore[attr-defined]
        response["Cache-Control"] = "no-store"  # full ID numbers stay out of caches
    return response


urlpatterns = [
    path("checks/", check_list, name="check_list"),
    path("checks/<int:pk>/", check_detail, name="check_detail"),
]
