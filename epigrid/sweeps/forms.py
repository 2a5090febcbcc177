import datetime as dt

from django import forms
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from epigrid.registry.models import DocType, RentalKind, ResidencyRole

from .models import Outcome
from .services import MAX_PERSONS, STRATEGIES

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"

STRATEGY_LABELS = {
    "balanced": _("To grid workers, balanced by count"),
    "teams": _("To three-person teams, balanced by count"),
}


class CampaignStartForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, initial=_("Rental housing sweep"))
    jurisdiction = forms.CharField(
        label=_("Jurisdiction code"),
        max_length=64,
        help_text=_("Every rental unit inside this subdistrict, village or grid is swept."),
    )
    rental_kinds = forms.MultipleChoiceField(
        label=_("Rental kinds"),
        choices=RentalKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every kind of rental."),
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE, initial=dt.date.today)
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE, required=False)


class AssignForm(forms.Form):
    strategy = forms.ChoiceField(
        label=_("How to share the units out"),
        choices=[(s, STRATEGY_LABELS[s]) for s in STRATEGIES],
    )
    within = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)


class CloseForm(forms.Form):
    on = forms.DateField(label=_("Last day"), initial=dt.date.today, widget=DATE)
    version = forms.IntegerField(widget=forms.HiddenInput)


class UnitAssignForm(forms.Form):
    assignee = forms.ChoiceField(label=_("Assigned to"), required=False)


def _now_local() -> str:
    return timezone.localtime().strftime(DATETIME_FORMAT)


class VisitForm(forms.Form):
    visited_at = forms.DateTimeField(
        label=_("Visited at"),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
        initial=_now_local,
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        initial=Outcome.REGISTERED,
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    visited_by = forms.TypedChoiceField(label=_("Visited by"), coerce=int, required=False)

    def __init__(self, *args, staff_choices: list | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if staff_choices is None:
            # The acting grid worker made the visit.
            del self.fields["visited_by"]
        else:
            field = self.fields["visited_by"]
            assert isinstance(field, forms.TypedChoiceField)
            field.choices = [("", "—"), *staff_choices]
            field.required = True


class PersonRowForm(forms.Form):
    """One person found at the door. The name may stay empty when the document number is
    one the register already holds in the worker's area: that person is not retyped."""

    doc_type = forms.ChoiceField(
        label=_("Document"), choices=DocType.choices, initial=DocType.RESIDENT_ID
    )
    doc_number = forms.CharField(label=_("Document number"), max_length=40, required=False)
    name = forms.CharField(label=_("Full name"), max_length=50, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    role = forms.ChoiceField(
        label=_("Role"), choices=ResidencyRole.choices, initial=ResidencyRole.TENANT
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["doc_number"].widget.attrs.update(
            {
                "autocomplete": "off",
                "inputmode": "text",
                "hx-get": reverse_lazy("sweeps:lookup"),
                "hx-trigger": "input changed delay:400ms, change",
                "hx-include": "closest .person-row",
                "hx-target": "next .lookup",
                "hx-sync": "this:replace",
            }
        )

    def clean(self):
        data = super().clean() or {}
        if not (data.get("name") or "").strip() and not (data.get("doc_number") or "").strip():
            raise forms.ValidationError(_("Enter the document number, the name, or both."))
        return data


PersonFormSet = forms.formset_factory(
    PersonRowForm,
    extra=1,
    max_num=MAX_PERSONS,
    absolute_max=MAX_PERSONS,
    validate_max=True,
)
