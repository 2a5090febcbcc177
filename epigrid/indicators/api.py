import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Schema

from epigrid.accounts.access import request_actor, requires
from epigrid.accounts.roles import Capability
from epigrid.api.routing import CapabilityRouter
from epigrid.geo import selectors as geo

from .catalogue import catalogue
from .selectors import figures_for

router = CapabilityRouter(tags=["indicators"])


class IndicatorsOut(Schema):
    as_of: dt.date
    jurisdiction: str
    indicators: dict[str, int]


class CatalogueEntry(Schema):
    key: str
    label: str
    description: str


class IndicatorFilters(Schema):
    jurisdiction: str | None = None
    as_of: dt.date | None = None


@router.get("/indicators", response=IndicatorsOut)
@requires(Capability.DASHBOARD_VIEW)
def indicators(request: HttpRequest, filters: Query[IndicatorFilters]):
    actor = request_actor(request)
    if filters.jurisdiction:
        node = geo.jurisdiction_get(
            actor=actor, code=filters.jurisdiction, capability=Capability.DASHBOARD_VIEW
        )
    else:
        roots = geo.jurisdiction_roots(actor=actor, capability=Capability.DASHBOARD_VIEW)
        node = roots[0]
    as_of = filters.as_of or timezone.localdate()
    result = figures_for(actor=actor, node=node, as_of=as_of)
    return {"as_of": as_of, "jurisdiction": node.code, "indicators": result.totals}


@router.get("/indicators/catalogue", response=list[CatalogueEntry])
@requires(Capability.DASHBOARD_VIEW)
def indicator_catalogue(request: HttpRequest):
    return [
        {"key": i.key, "label": str(i.label), "description": str(i.description)}
        for i in catalogue()
    ]
