import datetime as dt

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from epigrid.accounts.access import request_actor, requires_any
from epigrid.accounts.roles import Capability
from epigrid.geo import selectors as geo

from .catalogue import catalogue
from .selectors import figures_for


def parse_as_of(value: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else timezone.localdate()
    except ValueError:
        return timezone.localdate()


@requires_any(Capability.DASHBOARD_VIEW, Capability.ENTERPRISE_SELF)
def dashboard(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    if not actor.has(Capability.DASHBOARD_VIEW):
        # An enterprise user's home is its portal (by URL name: no import of that app here).
        return redirect(reverse("enterprises:portal"))
    as_of = parse_as_of(request.GET.get("as_of"))
    roots = geo.jurisdiction_roots(actor=actor, capability=Capability.DASHBOARD_VIEW)
    code = request.GET.get("j")
    if code:
        node = geo.jurisdiction_get(actor=actor, code=code, capability=Capability.DASHBOARD_VIEW)
    elif roots:
        node = roots[0]
    else:
        raise Http404
    figures = figures_for(actor=actor, node=node, as_of=as_of, with_children=True)
    indicators = catalogue()
    return render(
        request,
        "indicators/dashboard.html",
        {
            "node": node,
            "as_of": as_of,
            "roots": roots if len(roots) > 1 else [],
            "crumbs": geo.jurisdiction_breadcrumb(actor=actor, node=node),
            "indicators": indicators,
            "totals": [(i, figures.totals[i.key]) for i in indicators],
            "children": [
                (c, [values[i.key] for i in indicators]) for c, values in figures.children
            ],
        },
    )
