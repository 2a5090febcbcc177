"""Printable notices of a case, in Chinese, on A4 through a print stylesheet: the
home-quarantine notice and, once the observation is over, the release notice. Each read is
audited (selectors.documents.case_document)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from epigrid.accounts.access import request_actor, requires
from epigrid.accounts.roles import Capability

from ..selectors.cases import case_get
from ..selectors.documents import case_document, release_ready
from .assistance import case_url


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


@requires(Capability.QUARANTINE_VIEW)
@require_GET
def notice(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    case = case_get(actor=actor, pk=pk)
    context = case_document(actor=actor, case=case, document="notice")
    context["back_url"] = case_url(case)
    return _private(render(request, "quarantine/notice_quarantine.html", context))


@requires(Capability.QUARANTINE_VIEW)
@require_GET
def release_notice(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    case = case_get(actor=actor, pk=pk)
    if not release_ready(case):
        # Not an error of the reader's: the observation is not over (or ended otherwise).
        return render(
            request,
            "quarantine/notice_unavailable.html",
            {"case": case, "back_url": case_url(case)},
            status=409,
        )
    context = case_document(actor=actor, case=case, document="release")
    context["back_url"] = case_url(case)
    return _private(render(request, "quarantine/notice_release.html", context))


urlpatterns = [
    path("cases/<int:pk>/notice/", notice, name="notice"),
    path("cases/<int:pk>/release/", release_notice, name="release_notice"),
]
