import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import BuildingKind, DocType, RentalKind, ResidencyRole, Sex, Transport, UnitUse

DATE = forms.DateInput(attrs={"type": "date"})
BLANK = [("", "—")]


def _today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()


class PersonFields(forms.Form):
    name = forms.CharField(label=_("Full name"), max_length=50)
    doc_type = forms.ChoiceField(
        label=_("Document"), choices=DocType.choices, initial=DocType.RESIDENT_ID
    )
    doc_number = forms.CharField(
        label=_("Document number"),
        max_length=40,
        required=False,
        help_text=_("Type it from the card; spaces, full-width digits and a small x are fine."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    hukou_place = forms.CharField(label=_("Household registration"), max_length=100, required=False)
    birth_date = forms.DateField(
        label=_("Birth date"),
        required=False,
        widget=DATE,
        help_text=_("Taken from a resident identity number; fill in for other documents."),
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=BLANK + list(Sex.choices), required=False)


class PersonCreateForm(PersonFields):
    grid = forms.ChoiceField(label=_("Grid"))
    unit = forms.TypedChoiceField(
        label=_("Dwelling"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Optional: where the person lives now."),
    )
    role = forms.ChoiceField(
        label=_("Lives there as"),
        choices=ResidencyRole.choices,
        initial=ResidencyRole.TENANT,
        required=False,
    )
    move_in = forms.DateField(label=_("Moved in on"), required=False, widget=DATE)

    field_order = ["grid", "name", "doc_type", "doc_number", "phone", "hukou_place"]


class PersonEditForm(PersonFields):
    version = forms.IntegerField(widget=forms.HiddenInput)


class MoveInForm(forms.Form):
    grid = forms.ChoiceField(label=_("Grid"))
    unit = forms.TypedChoiceField(label=_("Dwelling"), coerce=int)
    role = forms.ChoiceField(
        label=_("Lives there as"), choices=ResidencyRole.choices, initial=ResidencyRole.TENANT
    )
    move_in = forms.DateField(label=_("Moved in on"), required=False, widget=DATE, initial=_today)


class MoveOutForm(forms.Form):
    move_out = forms.DateField(label=_("Moved out on"), widget=DATE, initial=_today)


class ArrivalForm(forms.Form):
    arrived_on = forms.DateField(label=_("Arrived on"), widget=DATE, initial=_today)
    from_place = forms.CharField(label=_("From"), max_length=100, help_text=_("e.g. 湖北省武汉市"))
    from_code = forms.CharField(
        label=_("From (region code)"),
        max_length=12,
        required=False,
        help_text=_("Administrative code or its prefix: 42 is Hubei, 4201 Wuhan."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    via_codes = forms.CharField(
        label=_("Passed through (region codes)"),
        max_length=200,
        required=False,
        help_text=_("Separated by spaces or commas."),
    )
    transport = forms.ChoiceField(
        label=_("Transport"), choices=BLANK + list(Transport.choices), required=False
    )
    trip_number = forms.CharField(
        label=_("Train, flight or coach number"), max_length=30, required=False
    )

    def clean_via_codes(self) -> list[str]:
        raw = self.cleaned_data.get("via_codes") or ""
        return [c for c in raw.replace("，", ",").replace(",", " ").split() if c]


class CategoryAssignForm(forms.Form):
    category = forms.ChoiceField(label=_("Key-person category"))
    active_from = forms.DateField(label=_("From"), widget=DATE, initial=_today)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class EndForm(forms.Form):
    on = forms.DateField(label=_("From"), widget=DATE, initial=_today)


class BuildingForm(forms.Form):
    grid = forms.ChoiceField(label=_("Grid"))
    address = forms.CharField(label=_("Address"), max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=BuildingKind.choices, initial=BuildingKind.HOUSE
    )


class UnitForm(forms.Form):
    label = forms.CharField(label=_("Unit"), max_length=50, help_text=_("e.g. 3栋502 or 整栋"))
    use = forms.ChoiceField(label=_("Use"), choices=UnitUse.choices)
    rental_kind = forms.ChoiceField(
        label=_("Rental kind"),
        choices=BLANK + list(RentalKind.choices),
        required=False,
        help_text=_("Only for a rental."),
    )
    landlord_doc = forms.CharField(
        label=_("Landlord's document number"),
        max_length=40,
        required=False,
        help_text=_("The landlord must be in the register already; leave empty if unknown."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class UnitEditForm(UnitForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class RiskAreaForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    region_code = forms.CharField(
        label=_("Region code"),
        max_length=12,
        help_text=_("Administrative code or its prefix: 42 is Hubei, 4201 Wuhan."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    active_from = forms.DateField(label=_("Listed from"), widget=DATE, initial=_today)
