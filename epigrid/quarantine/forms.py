"""Forms of home quarantine: opening and changing cases, recording a follow-up on a phone,
and the follow-up policy headquarters edits."""

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from epigrid.policy.registry import FEVER_THRESHOLD, OBSERVATION_DAYS

from . import rules
from .models import EndReason, MeasureSite, Method, Regime, Result

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _today() -> dt.date:
    return timezone.localdate()


def _now_local() -> str:
    return timezone.localtime().strftime(DATETIME_FORMAT)


class CaseOpenForm(forms.Form):
    regime = forms.ChoiceField(
        label=_("Regime"),
        choices=Regime.choices,
        initial=Regime.HOME_QUARANTINE,
        widget=forms.RadioSelect,
    )
    reason = forms.ChoiceField(label=_("Reason (key-person category)"))
    start_date = forms.DateField(label=_("Start date"), widget=DATE, initial=_today)
    jurisdiction = forms.ChoiceField(label=_("Grid"))
    team = forms.TypedChoiceField(
        label=_("Responsible team"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Left empty: the grid's three-person team."),
    )
    note = forms.CharField(
        label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CaseEndForm(forms.Form):
    new_end = forms.DateField(label=_("New release date"), widget=DATE)
    reason = forms.CharField(label=_("Reason for the change"), max_length=200)
    version = forms.IntegerField(widget=forms.HiddenInput)


class CaseCloseForm(forms.Form):
    end_reason = forms.ChoiceField(
        label=_("End reason"), choices=EndReason.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class CaseEditForm(forms.Form):
    team = forms.TypedChoiceField(
        label=_("Responsible team"), coerce=int, required=False, empty_value=None
    )
    note = forms.CharField(
        label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class FollowUpForm(forms.Form):
    """A follow-up as a team member records it on a phone: big radio buttons, a decimal
    keypad for the temperature, the symptoms of the case's own policy as check boxes."""

    method = forms.ChoiceField(
        label=_("Method"), choices=Method.choices, initial=Method.PHONE, widget=forms.RadioSelect
    )
    result = forms.ChoiceField(
        label=_("Result"), choices=Result.choices, initial=Result.WELL, widget=forms.RadioSelect
    )
    temperature = forms.CharField(
        label=_("Temperature (°C)"),
        max_length=8,
        required=False,
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "autocomplete": "off", "placeholder": "36.5"}
        ),
    )
    site = forms.ChoiceField(
        label=_("Measured at"),
        choices=MeasureSite.choices,
        initial=MeasureSite.AXILLARY,
        required=False,
        widget=forms.RadioSelect,
    )
    symptoms = forms.MultipleChoiceField(
        label=_("Symptoms"), required=False, widget=forms.CheckboxSelectMultiple
    )
    taken_at = forms.DateTimeField(
        label=_("Taken at"),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
        initial=_now_local,
    )
    staff = forms.TypedChoiceField(label=_("Followed up by"), coerce=int, required=False)
    note = forms.CharField(
        label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self,
        *args: Any,
        policy: dict[str, Any],
        language: str = "zh-hans",
        staff_choices: list[tuple[int, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        symptoms = self.fields["symptoms"]
        assert isinstance(symptoms, forms.MultipleChoiceField)
        symptoms.choices = [
            (s["code"], rules.symptom_label(policy, s["code"], language))
            for s in rules.symptom_list(policy)
        ]
        staff = self.fields["staff"]
        assert isinstance(staff, forms.TypedChoiceField)
        if staff_choices is None:
            del self.fields["staff"]  # the acting grid worker made the follow-up
        else:
            staff.choices = [("", "—"), *staff_choices]


def _symptom_lines(symptoms: list[dict[str, Any]]) -> str:
    return "\n".join(
        " | ".join([s["code"], s["zh"], s["en"], "!" if s.get("serious") else ""]).rstrip(" |")
        for s in symptoms
    )


def parse_symptom_lines(text: str) -> list[dict[str, Any]]:
    """One symptom a line: code | 中文 | English | ! (the last part marks it serious)."""
    rows = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in re.split(r"[|｜]", line)]
        parts += [""] * (4 - len(parts))
        rows.append(
            {
                "code": parts[0],
                "zh": parts[1],
                "en": parts[2],
                "serious": parts[3].lower() in ("!", "！", "serious", "严重", "yes", "1", "y"),
            }
        )
    return rows


class PolicyForm(forms.Form):
    """The quarantine keys of the policy, put in force from a date (history is kept)."""

    active_from = forms.DateField(label=_("In force from"), widget=DATE, initial=_today)
    observation_days = forms.IntegerField(
        label=_("Observation period (days)"),
        min_value=int(OBSERVATION_DAYS.minimum or 1),
        max_value=int(OBSERVATION_DAYS.maximum or 60),
    )
    followup_deadlines = forms.CharField(
        label=_("Follow-up deadlines of each day"),
        max_length=60,
        help_text=_("One to six times, such as 10:00, 17:00."),
    )
    fever_threshold = forms.DecimalField(
        label=_("Fever threshold (°C)"),
        max_digits=3,
        decimal_places=1,
        min_value=FEVER_THRESHOLD.minimum,
        max_value=FEVER_THRESHOLD.maximum,
    )
    fever_inclusive = forms.TypedChoiceField(
        label=_("A reading equal to the threshold"),
        choices=[("1", _("counts as fever (≥)")), ("0", _("does not count (>)"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    symptoms = forms.CharField(
        label=_("Symptom list"),
        widget=forms.Textarea(attrs={"rows": 9, "class": "mono"}),
        max_length=4000,
        help_text=_(
            "One symptom a line: code | Chinese name | English name | ! (a “!” marks a "
            "serious symptom that raises an alert)."
        ),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    @staticmethod
    def initial_from(values: dict[str, Any]) -> dict[str, Any]:
        return {
            "observation_days": values["observation_days"],
            "followup_deadlines": ", ".join(values["followup_deadlines"]),
            "fever_threshold": values["fever_threshold"],
            "fever_inclusive": "1" if values["fever_inclusive"] else "0",
            "symptoms": _symptom_lines(values["symptoms"]),
        }
