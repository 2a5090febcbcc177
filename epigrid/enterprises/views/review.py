"""Pages of the desk: the review queue (pending, overdue first; returned and waiting for the
enterprise; approved and not yet published, with the publish button) and the decisions
posted from the review panel on the application page (start, return, approve, reject,
green channel), each redirecting back to the application with a message.

The application page belongs to another part of the app; it is linked by URL name only
(`optional_url`), falling back to the queue while it is not there."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from epigrid.accounts.access import request_actor, requires
from epigrid.accounts.roles import Capability
from epigrid.core.errors import ConcurrentEditError
from epigrid.core.views import query_without, refusal_text

from ..forms.review import DecisionForm, RejectForm, ReturnForm
from ..models import PENDING, Status
from ..selectors import queue as selectors
from ..services import review as services

REFUSALS = (ValidationError, ConcurrentEditError)
# A desk works from the top of the queue; the rest is one "more" away (keyset pages).
PAGE_SIZE = 25
TABS = ("pending", "returned", "approved")


def optional_url(name: str, *args: object) -> str:
    """The URL of a page another part of the app owns, or "" while it is not there yet."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


@requires(Capability.APPLICATIONS_REVIEW)
def review_queue(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    tab = request.GET.get("tab") or "pending"
    tab = tab if tab in TABS else "pending"
    status = request.GET.get("status") or ""
    status = status if status in PENDING else ""
    filters: dict[str, Any] = {
        "q": (request.GET.get("q") or "").strip()[:50],
        "grid": (request.GET.get("grid") or "").strip()[:64] or None,
    }
    mine = request.GET.get("mine") == "1"
    cursor = request.GET.get("cursor")
    try:
        if tab == "returned":
            page = selectors.returned_list(
                actor=actor, mine=mine, cursor=cursor, limit=PAGE_SIZE, **filters
            )
        elif tab == "approved":
            page = selectors.unpublished_list(
                actor=actor, cursor=cursor, limit=PAGE_SIZE, **filters
            )
        else:
            page = selectors.review_queue(
                actor=actor,
                status=status or None,
                mine=mine,
                cursor=cursor,
                limit=PAGE_SIZE,
                **filters,
            )
    except ValidationError:
        return redirect(f"{request.path}?tab={tab}")
    return render(
        request,
        "enterprises/review_queue.html",
        {
            "tab": tab,
            "page": page,
            "filters": filters,
            "status": status,
            "statuses": [(s.value, s.label) for s in (Status.SUBMITTED, Status.IN_REVIEW)],
            "mine": mine,
            "counts": selectors.queue_counts(actor=actor),
            "subdistricts": selectors.publishable_subdistricts(actor=actor)
            if tab == "approved"
            else [],
            "query_without_cursor": query_without(request, "cursor"),
            "today": timezone.localdate(),
        },
    )


def _back(pk: int) -> HttpResponse:
    target = optional_url("enterprises:application_detail", pk)
    return redirect(target or reverse("enterprises:review_queue"))


def _form_refusal(request: HttpRequest, form) -> None:
    texts = [str(m) for errors in form.errors.values() for m in errors]
    messages.error(request, " ".join(texts) or _("Some fields are not valid."))


def _decide(request: HttpRequest, pk: int, form_class, act, done: str) -> HttpResponse:
    """Loads the application in the actor's review reach (404 otherwise), parses the form,
    runs the decision `act(actor, application, data)` and says how it went."""
    actor = request_actor(request)
    application = selectors.application_for_review(actor=actor, pk=pk)
    form = form_class(request.POST, request.FILES)
    if not form.is_valid():
        _form_refusal(request, form)
        return _back(application.pk)
    try:
        act(actor, application, form.cleaned_data)
    except REFUSALS as exc:
        messages.error(request, refusal_text(exc))
    else:
        messages.success(request, done % {"name": application.enterprise.name})
    return _back(application.pk)


@requires(Capability.APPLICATIONS_REVIEW)
@require_POST
def review_start(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(
        request,
        pk,
        DecisionForm,
        lambda actor, app, data: services.review_start(
            actor=actor, application=app, version=data["version"]
        ),
        _("You are now reviewing the application of %(name)s."),
    )


@requires(Capability.APPLICATIONS_REVIEW)
@require_POST
def review_return(request: HttpRequest, pk: int) -> HttpResponse:
    items = request.POST.getlist("items")
    return _decide(
        request,
        pk,
        ReturnForm,
        lambda actor, app, data: services.review_return(
            actor=actor,
            application=app,
            version=data["version"],
            items=items,
            deadline=data["deadline"],
            note=data["note"],
        ),
        _("The application of %(name)s was returned for supplement."),
    )


@requires(Capability.APPLICATIONS_REVIEW)
@require_POST
def review_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(
        request,
        pk,
        DecisionForm,
        lambda actor, app, data: services.review_approve(
            actor=actor, application=app, version=data["version"], note=data["note"]
        ),
        _("The application of %(name)s was approved."),
    )


@requires(Capability.APPLICATIONS_REVIEW)
@require_POST
def review_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(
        request,
        pk,
        RejectForm,
        lambda actor, app, data: services.review_reject(
            actor=actor, application=app, version=data["version"], reason=data["reason"]
        ),
        _("The application of %(name)s was rejected."),
    )


@requires(Capability.APPLICATIONS_REVIEW)
@require_POST
def review_green_channel(request: HttpRequest, pk: int) -> HttpResponse:
    # One file input a missing item, named "file_<code>".
    uploads = {
        name.removeprefix("file_"): f
        for name, f in request.FILES.items()
        if name.startswith("file_")
    }
    return _decide(
        request,
        pk,
        DecisionForm,
        lambda actor, app, data: services.review_green_channel(
            actor=actor,
            application=app,
            version=data["version"],
            note=data["note"],
            uploads=uploads,
        ),
        _("The papers of %(name)s were recorded on site and the application approved."),
    )


urlpatterns = [
    path("review/", review_queue, name="review_queue"),
    path("review/<int:pk>/start/", review_start, name="review_start"),
    path("review/<int:pk>/return/", review_return, name="review_return"),
    path("review/<int:pk>/approve/", review_approve, name="review_approve"),
    path("review/<int:pk>/reject/", review_reject, name="review_reject"),
    path("review/<int:pk>/green-channel/", review_green_channel, name="review_green_channel"),
]
