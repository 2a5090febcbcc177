"""Pages of escalation: the alert list (open first, red badges) and an alert with its referral
timeline, where the team records each step with its time and closes with an outcome."""

import contextlib
import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from epigrid.accounts.access import Actor, request_actor, requires
from epigrid.accounts.roles import Capability
from epigrid.core.errors import ConcurrentEditError
from epigrid.core.views import apply_service_error, query_without, refusal_text
from epigrid.geo import selectors as geo

from ..models import Alert, AlertOutcome, DiagnosisOutcome, ObservationCase, ReferralStep, Trigger
from ..selectors import escalation as selectors
from ..services import escalation as services

REFUSALS = (ValidationError, ConcurrentEditError)
LOCAL_INPUT = "%Y-%m-%dT%H:%M"


class ReferralForm(forms.Form):
    step = forms.ChoiceField(label=gettext_lazy("Step"), choices=ReferralStep.choices)
    at = forms.DateTimeField(
        label=gettext_lazy("Time"),
        input_formats=[LOCAL_INPUT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_INPUT),
    )
    diagnosis = forms.ChoiceField(
        label=gettext_lazy("Diagnosis outcome"),
        choices=[("", "—"), *DiagnosisOutcome.choices],
        required=False,
        help_text=gettext_lazy("Only for the diagnosis step."),
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)

    def __init__(self, *args, steps: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(ReferralStep.choices)
        self.fields["step"].choices = [(s, labels[s]) for s in steps]  # type: ignore[attr-defined]


class CloseForm(forms.Form):
    # Not required here: the service refuses a missing outcome with its own clear message.
    outcome = forms.ChoiceField(
        label=gettext_lazy("Alert outcome"),
        choices=[("", "—"), *AlertOutcome.choices],
        required=False,
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1)


def _case_url(case: ObservationCase) -> str | None:
    """The case page, once the cases part provides it."""
    try:
        return reverse("quarantine:case_detail", args=[case.pk])
    except NoReverseMatch:
        return None


def _person_url(alert: Alert) -> str | None:
    """Where the person's name links: the case page, or for an alert without a case the
    person's record in the register (which checks its own access)."""
    if alert.case_id is not None:
        return _case_url(alert.case)  # type: ignore[arg-type]
    try:
        return reverse("registry:person_detail", args=[alert.person_id])
    except NoReverseMatch:
        return None


def _origin_url(alert: Alert) -> str | None:
    """The page of what raised an alert without a case (Alert.origin is "<url name>:<pk>"),
    when that name resolves; that page checks its own access."""
    name, _sep, pk = alert.origin.rpartition(":")
    if not name or not pk.isdigit():
        return None
    try:
        return reverse(name, args=[int(pk)])
    except NoReverseMatch:
        return None


@requires(Capability.QUARANTINE_VIEW)
def alert_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    within = (request.GET.get("within") or "").strip()[:64] or None
    if within:
        geo.jurisdiction_get(actor=actor, code=within, capability=Capability.QUARANTINE_VIEW)
    trigger = request.GET.get("trigger") or None
    trigger = trigger if trigger in Trigger.values else None
    open_only = request.GET.get("open") == "1"
    since = None
    with contextlib.suppress(ValueError):
        since = dt.date.fromisoformat(request.GET.get("since") or "")
    qs = selectors.alert_list(
        actor=actor, open_only=open_only, trigger=trigger, within=within, since=since
    )
    try:
        page = selectors.alert_page(qs, cursor=request.GET.get("cursor"), limit=50)
    except ValidationError:
        return redirect(request.path)
    return render(
        request,
        "quarantine/alert_list.html",
        {
            "page": page,
            "open_count": selectors.open_alert_count(actor=actor, within=within),
            "triggers": Trigger.choices,
            "trigger": trigger or "",
            "within": within or "",
            "since": since.isoformat() if since else "",
            "open_only": open_only,
            "query_without_cursor": query_without(request, "cursor"),
        },
    )


def _detail(
    request: HttpRequest,
    actor: Actor,
    pk: int,
    referral_form: ReferralForm | None = None,
    close_form: CloseForm | None = None,
) -> HttpResponse:
    detail = selectors.alert_detail(actor=actor, pk=pk)
    alert = detail.alert
    can_manage = alert.closed_at is None and actor.can(Capability.ALERTS_MANAGE, alert.jpath)
    diagnosed = next((s.diagnosis for s in detail.steps if s.step == ReferralStep.DIAGNOSED), "")
    if referral_form is None and detail.next_steps:
        now = timezone.localtime().replace(second=0, microsecond=0)
        referral_form = ReferralForm(steps=detail.next_steps, initial={"at": now})
    if close_form is None:
        close_form = CloseForm(initial={"version": alert.version, "outcome": diagnosed})
    return render(
        request,
        "quarantine/alert_detail.html",
        {
            "alert": alert,
            "case": alert.case,
            "person_url": _person_url(alert),
            "origin_url": _origin_url(alert),
            "steps": detail.steps,
            "can_manage": can_manage,
            "referral_form": referral_form if can_manage and detail.next_steps else None,
            "close_form": close_form if can_manage else None,
        },
    )


@requires(Capability.QUARANTINE_VIEW)
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, request_actor(request), pk)


def _flash_if_hidden(request: HttpRequest, alert: Alert, exc: Exception) -> None:
    """A refusal because the alert was closed meanwhile: the forms are gone from the page, so
    the reason shows as a message."""
    if alert.closed_at is not None:
        messages.error(request, refusal_text(exc))


@requires(Capability.ALERTS_MANAGE)
@require_POST
def alert_referral(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    detail = selectors.alert_detail(actor=actor, pk=pk)
    form = ReferralForm(request.POST, steps=[s.value for s in ReferralStep])
    if form.is_valid():
        try:
            event = services.referral_record(actor=actor, alert=detail.alert, **form.cleaned_data)
        except REFUSALS as exc:
            apply_service_error(form, exc)
            _flash_if_hidden(request, detail.alert, exc)
        else:
            messages.success(
                request,
                _("Recorded: %(step)s.") % {"step": ReferralStep(event.step).label},
            )
            return redirect("quarantine:alert_detail", pk=pk)
    # Re-offer only the steps that may come next, keeping what was typed and its errors.
    form.fields["step"].choices = [  # type: ignore[attr-defined]
        (s, ReferralStep(s).label) for s in detail.next_steps
    ]
    return _detail(request, actor, pk, referral_form=form)


@requires(Capability.ALERTS_MANAGE)
@require_POST
def alert_close(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    alert = selectors.alert_get(actor=actor, pk=pk)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            services.alert_close(actor=actor, alert=alert, **form.cleaned_data)
        except REFUSALS as exc:
            apply_service_error(form, exc)
            _flash_if_hidden(request, alert, exc)
        else:
            messages.success(
                request,
                _("Alert closed: %(outcome)s.") % {"outcome": AlertOutcome(alert.outcome).label},
            )
            return redirect("quarantine:alert_detail", pk=pk)
    return _detail(request, actor, pk, close_form=form)


urlpatterns: list[URLPattern] = [
    path("alerts/", alert_list, name="alert_list"),
    path("alerts/<int:pk>/", alert_detail, name="alert_detail"),
    path("alerts/<int:pk>/referral/", alert_referral, name="alert_referral"),
    path("alerts/<int:pk>/close/", alert_close, name="alert_close"),
]
