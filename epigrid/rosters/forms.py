import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import PostKind
from .services import NOTE_MAX

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
DATETIME_INPUTS = [DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
TIME = forms.TextInput(
    attrs={"inputmode": "numeric", "pattern": "[0-9]{1,2}:[0-9]{2}", "placeholder": "08:00"}
)


def _datetime_field(label) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=DATETIME_INPUTS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
    )


class PostForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=PostKind.choices)
    jurisdiction = forms.CharField(
        label=_("Jurisdiction code"),
        max_length=64,
        help_text=_("The village, grid or other unit the post belongs to."),
    )
    covers_from = forms.CharField(label=_("Held from"), max_length=5, initial="00:00", widget=TIME)
    covers_until = forms.CharField(
        label=_("Held until"),
        max_length=5,
        initial="24:00",
        widget=TIME,
        help_text=_("00:00 to 24:00 is round the clock; 22:00 to 06:00 runs overnight."),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, editing: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            # A post stays where it was set up; moving it is closing it and setting up another.
            del self.fields["jurisdiction"]
            self.fields["version"].required = True
        else:
            del self.fields["version"]


class CloseForm(forms.Form):
    on = forms.DateField(label=_("Last day"), initial=dt.date.today, widget=DATE)
    version = forms.IntegerField(widget=forms.HiddenInput)


class ShiftForm(forms.Form):
    starts_at = _datetime_field(_("Starts at"))
    ends_at = _datetime_field(_("Ends at"))
    members = forms.TypedMultipleChoiceField(
        label=_("On duty"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A shift with nobody on it does not count as cover."),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, editing: bool = False, staff_choices=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            # People are added and taken off on the shift's page, one by one.
            del self.fields["members"]
            self.fields["version"].required = True
        else:
            del self.fields["version"]
            field = self.fields["members"]
            assert isinstance(field, forms.TypedMultipleChoiceField)
            field.choices = list(staff_choices)


def shift_initial(day: dt.date | None, hour: int = 8) -> dict:
    """A new shift's proposed times: eight hours from `hour` on `day` (default today)."""
    day = day or timezone.localdate()
    start = dt.datetime.combine(day, dt.time(hour))
    return {
        "starts_at": start.strftime(DATETIME_FORMAT),
        "ends_at": (start + dt.timedelta(hours=8)).strftime(DATETIME_FORMAT),
    }


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class MemberAddForm(forms.Form):
    staff = forms.TypedChoiceField(label=_("Add a person"), coerce=int)


class HandoverForm(forms.Form):
    text = forms.CharField(
        label=_("Hand-over note"),
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the next shift must know: who needs what, what is pending."),
    )
