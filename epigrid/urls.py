from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from django.views.i18n import set_language

from epigrid.accounts.access import public


@public
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("", include("epigrid.indicators.urls")),
    path("accounts/", include("epigrid.accounts.urls")),
    path("i18n/setlang/", public(set_language), name="set_language"),
    path("grids/", include("epigrid.geo.urls")),
    path("workforce/", include("epigrid.workforce.urls")),
    path("party/", include("epigrid.party.urls")),
    path("sweeps/", include("epigrid.sweeps.urls")),
    path("quarantine/", include("epigrid.quarantine.urls")),
    path("rosters/", include("epigrid.rosters.urls")),
    path("checkpoints/", include("epigrid.checkpoints.urls")),
    path("enterprises/", include("epigrid.enterprises.urls")),
    path("register/", include("epigrid.registry.urls")),
    path("imports/", include("epigrid.spreadsheets.urls")),
    path("audit/", include("epigrid.audit.urls")),
    path("api/v1/", include("epigrid.api.urls")),
    path("healthz", healthz, name="healthz"),
]
