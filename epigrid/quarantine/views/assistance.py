"""Pages for help with daily needs and care notes: the list of requests (open first), one
request with its take / fulfil / cancel forms, the request and care-note forms of a case."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from epigrid.accounts.access import request_actor, requires
from epigrid.accounts.roles import Capability
from epigrid.core.errors import ConcurrentEditError
from epigrid.core.views import apply_service_error, query_without, refusal_text, set_choices

from ..models import AssistanceRequest, CareKind, NeedKind, ObservationCase
from ..selectors import assistance as selectors
from ..selectors.cases import case_get
from ..services import assistance as services

REFUSALS = (ValidationError, ConcurrentEditError)


def case_url(case: ObservationCase) -> str:
    """The case's page (the cases part's), or its request form when there is none."""
    try:
        return reverse("quarantine:case_detail", args=[case.pk])
    except NoReverseMatch:
        return reverse("quarantine:assistance_create", args=[case.pk])


def _back(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


class RequestForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind of help"), choices=NeedKind.choices)
    detail = forms.CharField(
        label=gettext_lazy("What is needed"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class TakeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    staff = forms.TypedChoiceField(
        label=gettext_lazy("Taken by"), coerce=int, required=False, empty_value=None
    )


class FulfilForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=gettext_lazy("What was done"), max_length=300, required=False)


class CancelForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=gettext_lazy("Why is it cancelled"), max_length=300)


class CareForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=CareKind.choices)
    text = forms.CharField(
        label=gettext_lazy("What was discussed or taught"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    given_at = forms.DateTimeField(
        label=gettext_lazy("When (leave empty for now)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )


# --- the list -----------------------------------------------------------------------------


@requires(Capability.QUARANTINE_VIEW)
def assistance_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    kind = request.GET.get("kind") or ""
    kind = kind if kind in NeedKind.values else ""
    status = request.GET.get("status") or ""
    status = status if status in selectors.STATUSES else ""
    try:
        page = selectors.request_page(
            actor=actor,
            kind=kind or None,
            status=status or None,
            cursor=request.GET.get("cursor"),
            limit=50,
        )
    except ValidationError:
        return redirect(request.path)
    return render(
        request,
        "quarantine/assistance_list.html",
        {
            "page": page,
            "open_count": selectors.open_request_count(actor=actor),
            "kind": kind,
            "status": status,
            "kinds": NeedKind.choices,
            "statuses": [
                ("open", _("Still open")),
                ("waiting", _("Nobody has taken it")),
                ("fulfilled", _("Fulfilled")),
                ("cancelled", _("Cancelled")),
            ],
            "query_without_cursor": query_without(request, "cursor"),
        },
    )


def _detail_context(request: HttpRequest, req: AssistanceRequest) -> dict:
    actor = request_actor(request)
    can_act = req.is_open and actor.can(Capability.FOLLOWUPS_RECORD, req.jpath)
    context: dict = {"req": req, "can_act": can_act}
    if can_act:
        take = TakeForm(initial={"version": req.version, "staff": req.taken_by_id})
        staff = selectors.staff_for_case(actor=actor, case=req.case)
        set_choices(take, "staff", [("", "—"), *[(s.pk, s.name) for s in staff]])
        context.update(
            take_form=take,
            fulfil_form=FulfilForm(initial={"version": req.version}),
            cancel_form=CancelForm(initial={"version": req.version}),
        )
    return context


@requires(Capability.QUARANTINE_VIEW)
def assistance_detail(request: HttpRequest, pk: int) -> HttpResponse:
    req = selectors.request_get(actor=request_actor(request), pk=pk)
    return render(request, "quarantine/assistance_detail.html", _detail_context(request, req))


# --- writes -------------------------------------------------------------------------------


@requires(Capability.FOLLOWUPS_RECORD)
@require_http_methods(["GET", "POST"])
def assistance_create(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    case = case_get(actor=actor, pk=pk, capability=Capability.FOLLOWUPS_RECORD)
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_create(actor=actor, case=case, **form.cleaned_data)
        except REFUSALS as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("The request was recorded."))
            return redirect(case_url(case))
    return render(
        request,
        "quarantine/assistance_form.html",
        {
            "form": form,
            "case": case,
            "requests": selectors.case_requests(actor=actor, case=case),
            "back_url": case_url(case),
        },
    )


def _transition(request: HttpRequest, pk: int, form_class: type[forms.Form], verb: str):
    actor = request_actor(request)
    req = selectors.request_get(actor=actor, pk=pk, capability=Capability.FOLLOWUPS_RECORD)
    form = form_class(request.POST)
    if verb == "take":
        staff = selectors.staff_for_case(actor=actor, case=req.case)
        set_choices(form, "staff", [("", "—"), *[(s.pk, s.name) for s in staff]])
    if not form.is_valid():
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else None
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else str(error))
        return redirect(_back(request, reverse("quarantine:assistance_detail", args=[req.pk])))
    data = form.cleaned_data
    try:
        if verb == "take":
            chosen = next((s for s in staff if s.pk == data["staff"]), None)
            services.request_take(actor=actor, request=req, staff=chosen, version=data["version"])
            messages.success(request, _("The request was taken."))
        elif verb == "fulfil":
            services.request_fulfil(
                actor=actor, request=req, note=data["note"], version=data["version"]
            )
            messages.success(request, _("The request was marked fulfilled."))
        else:
            services.request_cancel(
                actor=actor, request=req, note=data["note"], version=data["version"]
            )
            messages.success(request, _("The request was cancelled."))
    except REFUSALS as exc:
        messages.error(request, refusal_text(exc))
    return redirect(_back(request, reverse("quarantine:assistance_detail", args=[req.pk])))


@requires(Capability.FOLLOWUPS_RECORD)
@require_POST
def assistance_take(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, TakeForm, "take")


@requires(Capability.FOLLOWUPS_RECORD)
@require_POST
def assistance_fulfil(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, FulfilForm, "fulfil")


@requires(Capability.FOLLOWUPS_RECORD)
@require_POST
def assistance_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, CancelForm, "cancel")


@requires(Capability.FOLLOWUPS_RECORD)
@require_http_methods(["GET", "POST"])
def care_note_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    case = case_get(actor=actor, pk=pk, capability=Capability.FOLLOWUPS_RECORD)
    form = CareForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.care_note_add(actor=actor, case=case, **form.cleaned_data)
        except REFUSALS as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("The note was recorded."))
            return redirect(case_url(case))
    return render(
        request,
        "quarantine/care_form.html",
        {
            "form": form,
            "case": case,
            "notes": selectors.case_care_notes(actor=actor, case=case),
            "back_url": case_url(case),
        },
    )


urlpatterns = [
    path("assistance/", assistance_list, name="assistance_list"),
    path("assistance/<int:pk>/", assistance_detail, name="assistance_detail"),
    path("assistance/<int:pk>/take/", assistance_take, name="assistance_take"),
    path("assistance/<int:pk>/fulfil/", assistance_fulfil, name="assistance_fulfil"),
    path("assistance/<int:pk>/cancel/", assistance_cancel, name="assistance_cancel"),
    path("cases/<int:pk>/assistance/new/", assistance_create, name="assistance_create"),
    path("cases/<int:pk>/care/new/", care_note_add, name="care_note_add"),
]
