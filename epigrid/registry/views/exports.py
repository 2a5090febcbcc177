"""Downloads of the register's lists as .xlsx, with the filters of the list on screen."""

import datetime as dt

from django.http import HttpRequest, HttpResponseBase

from epigrid.accounts.access import request_actor, requires
from epigrid.accounts.roles import Capability

from .. import exports, selectors
from ..models import RentalKind, ResidencyRole, UnitUse
from .common import within_param


def _choice(request: HttpRequest, name: str, allowed) -> str | None:
    value = request.GET.get(name) or ""
    return value if value in allowed else None


@requires(Capability.REGISTRY_VIEW)
def person_export(request: HttpRequest) -> HttpResponseBase:
    actor = request_actor(request)
    filters = {
        "within": within_param(request, actor),
        "q": (request.GET.get("q") or "").strip()[:32] or None,
        "category": _choice(request, "category", {c.code for c in selectors.categories()}),
    }
    return exports.export_response(actor=actor, key="persons", filters=filters)


@requires(Capability.REGISTRY_VIEW)
def unit_export(request: HttpRequest) -> HttpResponseBase:
    actor = request_actor(request)
    filters = {
        "within": within_param(request, actor),
        "use": _choice(request, "use", UnitUse.values),
        "rental_kind": _choice(request, "rental_kind", RentalKind.values),
    }
    return exports.export_response(actor=actor, key="units", filters=filters)


@requires(Capability.REGISTRY_VIEW)
def residency_export(request: HttpRequest) -> HttpResponseBase:
    actor = request_actor(request)
    filters = {
        "within": within_param(request, actor),
        "role": _choice(request, "role", ResidencyRole.values),
        "current": request.GET.get("current") == "1",
    }
    return exports.export_response(actor=actor, key="residencies", filters=filters)


@requires(Capability.REGISTRY_VIEW)
def arrival_export(request: HttpRequest) -> HttpResponseBase:
    actor = request_actor(request)
    since = None
    try:
        since = dt.date.fromisoformat(request.GET.get("since") or "").isoformat()
    except ValueError:
        since = None
    filters = {
        "within": within_param(request, actor),
        "risk_only": request.GET.get("risk") == "1",
        "since": since,
    }
    return exports.export_response(actor=actor, key="arrivals", filters=filters)
