import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from epigrid.accounts.roles import Role

from .models import ResponsibilityKind, StaffCategory, TeamKind

DATE = forms.DateInput(attrs={"type": "date"})


class StaffForm(forms.Form):
    name = forms.CharField(label=_("Full name"), max_length=50)
    category = forms.ChoiceField(label=_("Category"), choices=StaffCategory.choices)
    title = forms.CharField(label=_("Post"), max_length=50, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    is_party_member = forms.BooleanField(label=_("Party member"), required=False)


class StaffCreateForm(StaffForm):
    jurisdiction = forms.CharField(
        label=_("Jurisdiction code"),
        max_length=64,
        help_text=_("The village, community or grid this person works in."),
    )
    active_from = forms.DateField(label=_("On duty from"), required=False, widget=DATE)


class StaffEditForm(StaffForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class EndForm(forms.Form):
    on = forms.DateField(label=_("From"), initial=dt.date.today, widget=DATE)
    version = forms.IntegerField(widget=forms.HiddenInput)


class TeamCreateForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=TeamKind.choices)
    name = forms.CharField(label=_("Name"), max_length=100)
    jurisdiction = forms.CharField(label=_("Jurisdiction code"), max_length=64)
    active_from = forms.DateField(label=_("Formed on"), required=False, widget=DATE)


class TeamEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    leader = forms.TypedChoiceField(label=_("Leader"), coerce=int, required=False, empty_value=None)
    version = forms.IntegerField(widget=forms.HiddenInput)


class MemberAddForm(forms.Form):
    staff = forms.TypedChoiceField(label=_("Grid worker"), coerce=int)


class ResponsibilityForm(forms.Form):
    kind = forms.ChoiceField(label=_("Responsibility"), choices=ResponsibilityKind.choices)
    staff = forms.TypedChoiceField(label=_("Grid worker"), coerce=int)


class LoginCreateForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    password = forms.CharField(
        label=_("Initial password"),
        max_length=128,
        widget=forms.PasswordInput,
        help_text=_("At least 8 characters, not only digits. Tell it to the person in private."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.GRID_WORKER)
