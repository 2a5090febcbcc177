"""Forms of the checkpoint register and the paper fallback: setting up and editing a
checkpoint, ending it, adding a post, and the rows of a paper sheet entered later.

The services validate again (and say more); a form only shapes what a person typed."""

import datetime as dt
import re
import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from epigrid.registry.models import DocType

from .models import CheckpointKind, CheckResult, Mode, PostRole

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TextInput(
    attrs={
        "inputmode": "numeric",
        "pattern": "[0-9]{1,2}:[0-9]{2}",
        "placeholder": "08:00",
        "autocomplete": "off",
    }
)
DECIMAL = {"inputmode": "decimal", "autocomplete": "off"}
HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
SAME_VEHICLE = "same"  # a paper row for one more person in the vehicle of the row above


def _today() -> dt.date:
    return timezone.localdate()


class CheckpointForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=CheckpointKind.choices)
    jurisdiction = forms.ChoiceField(label=_("Grid"))
    location = forms.CharField(
        label=_("Location"),
        max_length=200,
        required=False,
        help_text=_("Where it stands, as people there say it: road, junction, landmark."),
    )
    latitude = forms.CharField(
        label=_("Latitude"), max_length=20, required=False, widget=forms.TextInput(attrs=DECIMAL)
    )
    longitude = forms.CharField(
        label=_("Longitude"), max_length=20, required=False, widget=forms.TextInput(attrs=DECIMAL)
    )
    opens_at = forms.CharField(label=_("Open from"), max_length=5, initial="00:00", widget=TIME)
    closes_at = forms.CharField(
        label=_("Open until"),
        max_length=5,
        initial="24:00",
        widget=TIME,
        help_text=_("00:00 to 24:00 is round the clock; 22:00 to 06:00 runs overnight."),
    )
    active_from = forms.DateField(label=_("In force from"), widget=DATE, initial=_today)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, editing: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            # A checkpoint stays in its grid and keeps its first day; moving it is ending
            # it and setting up another.
            del self.fields["jurisdiction"]
            del self.fields["active_from"]
            self.fields["version"].required = True
        else:
            del self.fields["version"]


class CheckpointEndForm(forms.Form):
    on = forms.DateField(
        label=_("First day closed"),
        widget=DATE,
        help_text=_("The checkpoint and its posts are no longer held from this day on."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class PostAddForm(forms.Form):
    role = forms.ChoiceField(label=_("Post"), choices=PostRole.choices)


# --- the paper fallback -------------------------------------------------------------------


class PaperDayForm(forms.Form):
    day = forms.DateField(label=_("Day on the sheet"), widget=DATE)
    rows = forms.IntegerField(widget=forms.HiddenInput, required=False)


PAPER_MODES = [
    (Mode.FOOT, _("On foot")),
    (Mode.VEHICLE, _("Vehicle (driver)")),
    (SAME_VEHICLE, _("Same vehicle as the row above")),
]
PAPER_RESULTS = [
    (CheckResult.PASSED, _("Let through")),
    (CheckResult.TURNED_BACK, _("Persuaded to turn back")),
]
# What a person writes on a row; a row with none of these is blank and skipped.
CONTENT_FIELDS = (
    "time",
    "plate",
    "name",
    "doc_number",
    "phone",
    "origin",
    "destination",
    "temperature",
)


class PaperRowForm(forms.Form):
    """One row of a paper sheet: one person (a vehicle's passengers take the rows below
    its driver, marked "same vehicle")."""

    uuid = forms.UUIDField(widget=forms.HiddenInput)
    time = forms.CharField(label=_("Time"), max_length=5, required=False, widget=TIME)
    mode = forms.ChoiceField(label=_("On foot or vehicle"), choices=PAPER_MODES)
    plate = forms.CharField(label=_("Plate"), max_length=12, required=False)
    name = forms.CharField(label=_("Name"), max_length=50, required=False)
    doc_type = forms.ChoiceField(
        label=_("Document"), choices=DocType.choices, initial=DocType.RESIDENT_ID
    )
    doc_number = forms.CharField(label=_("Document number"), max_length=32, required=False)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    origin = forms.CharField(label=_("Coming from"), max_length=100, required=False)
    destination = forms.CharField(label=_("Going to"), max_length=100, required=False)
    temperature = forms.CharField(
        label=_("Temperature (°C)"),
        max_length=6,
        required=False,
        widget=forms.TextInput(attrs={**DECIMAL, "placeholder": "36.5"}),
    )
    result = forms.ChoiceField(
        label=_("Result"),
        choices=PAPER_RESULTS,
        initial=CheckResult.PASSED,
    )

    def is_blank(self) -> bool:
        """Nothing written on the row (only a bound form can say)."""
        return not any(
            (self.data.get(self.add_prefix(name)) or "").strip() for name in CONTENT_FIELDS
        )

    def clean_time(self) -> str:
        value = (self.cleaned_data.get("time") or "").strip()
        if value and not HHMM.match(value):
            raise forms.ValidationError(_("Enter a time as HH:MM, for example 08:00."))
        return value


def paper_row(index: int, data=None) -> PaperRowForm:
    """Row `index` of the entry page; an unbound one gets a fresh UUID (kept through
    re-submits, so a row sent twice is stored once)."""
    return PaperRowForm(
        data,
        prefix=f"row{index}",
        initial={
            "uuid": uuid.uuid4(),
            "mode": Mode.FOOT,
            "result": CheckResult.PASSED,
            "doc_type": DocType.RESIDENT_ID,
        },
    )


def paper_rows(data=None, count: int = 5) -> list[PaperRowForm]:
    return [paper_row(i, data) for i in range(count)]
