"""The enterprise user's home (`enterprises:portal`): its enterprise, its current or latest
application, the roster in numbers, today's health reporting, and links to needs and
consultations. Staff have their own pages: for them the portal does not exist (404)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from epigrid.accounts.access import request_actor, requires_any
from epigrid.accounts.roles import Capability

from ..selectors import employees as staff_selectors
from ..selectors import enterprises as selectors


@requires_any(Capability.ENTERPRISE_SELF, Capability.ENTERPRISES_VIEW)
def portal(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    enterprise = selectors.own_enterprise(actor=actor)  # 404 for staff
    return render(
        request,
        "enterprises/portal_home.html",
        {
            "enterprise": enterprise,
            "application": selectors.latest_application(enterprise=enterprise),
            "summary": staff_selectors.roster_summary(enterprise=enterprise),
        },
    )


urlpatterns = [path("portal/", portal, name="portal")]
