"""Forms of the application pages: the application itself (draft or returned), one
material's upload, and the version that a state step (submit, supplement, withdraw) was
seen at. The services validate again and say more; a form only shapes what was typed."""

from django import forms
from django.utils.translation import gettext_lazy as _

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
COUNT = {"inputmode": "numeric", "min": "0", "autocomplete": "off"}


class ApplicationForm(forms.Form):
    planned_on = forms.DateField(label=_("Planned reopening date"), widget=DATE)
    masks = forms.IntegerField(
        label=_("Masks in stock"),
        min_value=0,
        max_value=10_000_000,
        initial=0,
        widget=forms.NumberInput(attrs=COUNT),
    )
    thermometers = forms.IntegerField(
        label=_("Thermometers"),
        min_value=0,
        max_value=100_000,
        initial=0,
        widget=forms.NumberInput(attrs=COUNT),
    )
    disinfectant_litres = forms.IntegerField(
        label=_("Disinfectant (litres)"),
        min_value=0,
        max_value=1_000_000,
        initial=0,
        widget=forms.NumberInput(attrs=COUNT),
    )
    sanitizer_bottles = forms.IntegerField(
        label=_("Hand sanitiser (bottles)"),
        min_value=0,
        max_value=1_000_000,
        initial=0,
        widget=forms.NumberInput(attrs=COUNT),
    )
    isolation_room = forms.BooleanField(label=_("Has an isolation room"), required=False)
    isolation_note = forms.CharField(
        label=_("Isolation room"),
        max_length=200,
        required=False,
        help_text=_("Where it is and how it is equipped."),
    )
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class MaterialForm(forms.Form):
    item = forms.CharField(max_length=40)
    # Empty files reach the service, which refuses them with its own message.
    file = forms.FileField(label=_("File"), allow_empty_file=True)
    on_site = forms.BooleanField(required=False)


class VersionForm(forms.Form):
    version = forms.IntegerField(min_value=1)
    note = forms.CharField(max_length=500, required=False)
