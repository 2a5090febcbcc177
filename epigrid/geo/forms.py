import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from epigrid.core.views import set_choices

from .models import Kind


class JurisdictionCreateForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"))
    name = forms.CharField(label=_("Name"), max_length=100)
    segment = forms.CharField(
        label=_("Code part"),
        max_length=12,
        required=False,
        help_text=_("Letters or digits; leave empty to number it automatically."),
    )
    active_from = forms.DateField(
        label=_("Active from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, kinds: tuple[str, ...] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "kind", [(k, Kind(k).label) for k in kinds])


class RenameForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    version = forms.IntegerField(widget=forms.HiddenInput)


class DeactivateForm(forms.Form):
    on = forms.DateField(
        label=_("Deactivate from"),
        initial=dt.date.today,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
