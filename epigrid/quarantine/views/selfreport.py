"""The self-report link: the staff page that issues (and prints as a QR code) or revokes a
case's link, and the public page the person or their family opens from it.

The public page works without an account on any phone browser. It shows nothing of the
person but the first character of the name (see selectors.selfreport.masked_name): no ID
number, phone, full name or address. A wrong or revoked token, or a closed case, answers 404
and records nothing. Django's CSRF protection stays on: the form's cookie is set by the GET
that shows it.
"""

import segno
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from epigrid.accounts.access import public, request_actor, requires
from epigrid.accounts.roles import Capability
from epigrid.core.views import apply_service_error, refusal_text

from .. import rules
from ..models import MeasureSite, ObservationCase
from ..selectors.cases import case_get
from ..selectors.selfreport import current_slot, masked_name, selfreport_case
from ..services import selfreport as services
from .assistance import case_url


def qr_data_uri(url: str) -> str:
    """The link as a QR code: an SVG made here (no outside service), as a data: URI the
    page's CSP allows for images."""
    return segno.make(url, error="m", micro=False).svg_data_uri(scale=6, border=2)


def _private(response: HttpResponse) -> HttpResponse:
    """A page carrying a secret link: not kept by caches, not indexed."""
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


class SelfReportForm(forms.Form):
    temperature = forms.CharField(
        label=gettext_lazy("Temperature (°C)"),
        max_length=8,
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "autocomplete": "off", "placeholder": "36.5"}
        ),
        error_messages={"required": gettext_lazy("Enter the temperature you measured.")},
    )
    site = forms.ChoiceField(
        label=gettext_lazy("Measured at"),
        choices=MeasureSite.choices,
        initial=MeasureSite.AXILLARY,
        widget=forms.RadioSelect,
    )
    symptoms = forms.MultipleChoiceField(
        label=gettext_lazy("Any of these? Tick all that apply"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, policy: dict, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        language = get_language() or "zh-hans"
        field = self.fields["symptoms"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [
            (s["code"], rules.symptom_label(policy, s["code"], language))
            for s in rules.symptom_list(policy)
        ]


@public
@require_http_methods(["GET", "POST"])
def selfreport_public(request: HttpRequest, token: str) -> HttpResponse:
    case = selfreport_case(token)  # 404 for a wrong, revoked or closed-case token
    form = SelfReportForm(request.POST or None, policy=case.policy)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.selfreport_submit(
                token=token,
                temperature=data["temperature"],
                site=data["site"],
                symptoms=data["symptoms"],
            )
        except services.Throttled as exc:
            form.add_error(None, str(exc))
            status = 429
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            return _private(redirect(f"{request.path}?done=1"))
    done = request.method == "GET" and request.GET.get("done") == "1"
    now = timezone.now()
    return _private(
        render(
            request,
            "quarantine/selfreport_public.html",
            {
                "who": masked_name(case.person.name),
                "form": form,
                "slot": current_slot(case, now),
                "done": done,
                "status": case.status_at(now),
            },
            status=status,
        )
    )


@requires(Capability.FOLLOWUPS_RECORD)
@require_http_methods(["GET", "POST"])
def selfreport_manage(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: whether the case has a link. POST action=issue: a new link, shown with its QR
    code in this one answer only (the secret is not stored). POST action=revoke."""
    actor = request_actor(request)
    case: ObservationCase = case_get(actor=actor, pk=pk, capability=Capability.FOLLOWUPS_RECORD)
    link = qr = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "issue":
                secret = services.selfreport_issue(actor=actor, case=case)
                link = request.build_absolute_uri(
                    reverse("quarantine:selfreport_public", args=[secret])
                )
                qr = qr_data_uri(link)
            elif action == "revoke":
                services.selfreport_revoke(actor=actor, case=case)
                messages.success(request, _("The self-report link was revoked."))
                return redirect("quarantine:selfreport_manage", pk=case.pk)
            else:
                messages.error(request, _("Choose what to do."))
        except ValidationError as exc:
            messages.error(request, refusal_text(exc))
            return redirect("quarantine:selfreport_manage", pk=case.pk)
    return _private(
        render(
            request,
            "quarantine/selfreport_manage.html",
            {
                "case": case,
                "who": masked_name(case.person.name),
                "link": link,
                "qr": qr,
                "back_url": case_url(case),
                "deadlines": [t.strftime("%H:%M") for t in rules.deadlines(case.policy)],
            },
        )
    )


urlpatterns = [
    path("r/<str:token>/", selfreport_public, name="selfreport_public"),
    path("cases/<int:pk>/selfreport/", selfreport_manage, name="selfreport_manage"),
]
