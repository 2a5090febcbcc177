import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import UnitKind

DATE = forms.DateInput(attrs={"type": "date"})


class CommitteeCreateForm(forms.Form):
    jurisdiction = forms.CharField(label=_("Community code"), max_length=64)
    name = forms.CharField(label=_("Name"), max_length=100)
    secretary = forms.CharField(label=_("Secretary"), max_length=50, required=False)
    active_from = forms.DateField(label=_("Set up on"), required=False, widget=DATE)


class CommitteeEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    secretary = forms.CharField(label=_("Secretary"), max_length=50, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class UnitForm(forms.Form):
    name = forms.CharField(label=_("Unit name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=UnitKind.choices)
    contact_name = forms.CharField(label=_("Contact person"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=30, required=False)


class EndForm(forms.Form):
    on = forms.DateField(label=_("From"), initial=dt.date.today, widget=DATE)
    version = forms.IntegerField(widget=forms.HiddenInput)
