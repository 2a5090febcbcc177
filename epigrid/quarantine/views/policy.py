"""The follow-up policy page: what is in force (observation days, follow-up deadlines, the
fever threshold and whether it is > or >=, the symptom list), its history, and for
headquarters a form that puts new values in force from a date. Cases keep the policy they
were opened under, so a change applies to cases opened from then on."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from epigrid.accounts.access import Actor, request_actor, requires
from epigrid.accounts.roles import Capability
from epigrid.core.views import apply_service_error
from epigrid.policy import selectors as policy
from epigrid.policy import services as policy_services
from epigrid.policy.models import PolicySetting
from epigrid.policy.registry import KEYS

from .. import rules
from ..forms import PolicyForm, parse_symptom_lines


def policy_in_force(on: dt.date) -> dict[str, Any]:
    return policy.policy_snapshot(rules.POLICY_KEYS, on)


def policy_changes(limit: int = 50) -> list[PolicySetting]:
    """The recorded changes of the quarantine keys, newest first."""
    rows: list[PolicySetting] = []
    for key in rules.POLICY_KEYS:
        rows += policy.policy_history(key)
    rows.sort(key=lambda r: (r.active_from, r.created_at), reverse=True)
    return rows[:limit]


def _wanted(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "observation_days": data["observation_days"],
        "followup_deadlines": data["followup_deadlines"],
        "fever_threshold": data["fever_threshold"],
        "fever_inclusive": data["fever_inclusive"],
        "symptoms": parse_symptom_lines(data["symptoms"]),
    }


def _same(key: str, new: Any, current: Any) -> bool:
    if key == "fever_threshold":
        return float(new) == float(current)
    if key == "followup_deadlines":
        try:
            return KEYS[key].clean(new) == current  # type: ignore[misc]
        except ValidationError:
            return False
    if key == "symptoms":
        try:
            return KEYS[key].clean(new) == current  # type: ignore[misc]
        except ValidationError:
            return False
    return new == current


def apply_policy(*, actor: Actor, data: dict[str, Any]) -> list[str]:
    """Puts the changed quarantine keys in force from data["active_from"], all or none;
    returns the keys changed. A refusal is keyed by the form field."""
    on = data["active_from"]
    current = policy_in_force(on)
    changed = []
    with transaction.atomic():
        for key, value in _wanted(data).items():
            if _same(key, value, current[key]):
                continue
            try:
                policy_services.policy_set(
                    actor=actor, key=key, value=value, active_from=on, note=data["note"]
                )
            except ValidationError as exc:
                messages_ = (
                    [m for e in exc.error_dict.get("value", []) for m in e.messages]
                    if hasattr(exc, "error_dict")
                    else exc.messages
                )
                raise ValidationError({key: messages_ or exc.messages}) from exc
            changed.append(key)
    return changed


@requires(Capability.QUARANTINE_VIEW)
@require_http_methods(["GET", "POST"])
def policy_page(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    today = timezone.localdate()
    in_force = policy_in_force(today)
    can_edit = actor.has(Capability.POLICY_MANAGE)
    form = None
    if can_edit or request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        form = PolicyForm(request.POST or None, initial=PolicyForm.initial_from(in_force))
        if request.method == "POST" and form.is_valid():
            try:
                changed = apply_policy(actor=actor, data=form.cleaned_data)
            except ValidationError as exc:
                apply_service_error(form, exc)
            else:
                if changed:
                    messages.success(
                        request,
                        _("The policy was changed from %(day)s: %(n)d settings.")
                        % {"day": form.cleaned_data["active_from"].isoformat(), "n": len(changed)},
                    )
                    return redirect("quarantine:policy")
                form.add_error(None, _("Nothing was changed."))
    return render(
        request,
        "quarantine/policy_page.html",
        {
            "in_force": in_force,
            "labels": {k: KEYS[k].label for k in rules.POLICY_KEYS},
            "history": policy_changes(),
            "form": form,
            "today": today,
        },
    )


urlpatterns = [path("policy/", policy_page, name="policy")]
