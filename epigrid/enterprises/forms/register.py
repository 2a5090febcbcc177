"""Forms of the enterprise register, its user accounts and the staff roster. They check
shape only (lengths, types, choices); the services decide everything else and their
refusals come back onto the form (core.views.apply_service_error)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from epigrid.registry.models import DocType

from ..models import Health, Industry, Size


class EnterpriseForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    uscc = forms.CharField(
        label=_("Unified social credit code"),
        max_length=40,
        help_text=_("18 characters, as on the business licence."),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
    )
    jurisdiction = forms.ChoiceField(label=_("Small grid"))
    address = forms.CharField(label=_("Address"), max_length=200)
    industry = forms.ChoiceField(label=_("Industry"), choices=Industry.choices)
    size = forms.ChoiceField(label=_("Size"), choices=Size.choices)
    legal_rep = forms.CharField(label=_("Legal representative"), max_length=50)
    contact_name = forms.CharField(label=_("Contact person"), max_length=50)
    contact_phone = forms.CharField(
        label=_("Contact phone"), max_length=40, widget=forms.TextInput(attrs={"type": "tel"})
    )
    employees = forms.IntegerField(label=_("Number of employees"), min_value=0, initial=0)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class MemberForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    full_name = forms.CharField(label=_("Full name"), max_length=100)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel"}),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class EmployeeForm(forms.Form):
    """Adding an employee: who they are (the registry person) and the roster details."""

    name = forms.CharField(label=_("Name"), max_length=50)
    doc_type = forms.ChoiceField(
        label=_("Document type"), choices=DocType.choices, initial=DocType.RESIDENT_ID
    )
    doc_number = forms.CharField(
        label=_("Document number"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel"}),
    )
    job = forms.CharField(label=_("Job"), max_length=50, required=False)
    origin = forms.CharField(
        label=_("Returned from"),
        max_length=100,
        required=False,
        help_text=_("Where the employee came back from, for example 湖北省武汉市."),
    )
    origin_code = forms.CharField(
        label=_("Region code of that place"),
        max_length=12,
        required=False,
        help_text=_("Optional, for example 420102; it lets the system flag epidemic source areas."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    returned_on = forms.DateField(
        label=_("Returned on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    whereabouts = forms.CharField(
        label=_("Whereabouts in the last 14 days"), max_length=200, required=False
    )
    health = forms.ChoiceField(label=_("Health"), choices=Health.choices, initial=Health.HEALTHY)


class EmployeeEditForm(forms.Form):
    job = EmployeeForm.base_fields["job"]
    origin = EmployeeForm.base_fields["origin"]
    origin_code = EmployeeForm.base_fields["origin_code"]
    returned_on = EmployeeForm.base_fields["returned_on"]
    whereabouts = EmployeeForm.base_fields["whereabouts"]
    health = EmployeeForm.base_fields["health"]


class EmployeeEndForm(forms.Form):
    on = forms.DateField(
        label=_("Left on"),
        required=False,
        help_text=_("The first day no longer employed (default: today)."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
