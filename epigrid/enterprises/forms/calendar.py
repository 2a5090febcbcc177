"""The form of the working-calendar page: a local change to one day (the service checks
again and says more)."""

from django import forms
from django.utils.translation import gettext_lazy as _

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class WorkdayOverrideForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=DATE)
    workday = forms.TypedChoiceField(
        label=_("The day becomes"),
        choices=[("0", _("a holiday")), ("1", _("a working day"))],
        coerce=lambda v: v == "1",
        empty_value=None,
    )
    note = forms.CharField(
        label=_("Decision"),
        max_length=200,
        help_text=_("Who decided it and how, e.g. the provincial notice of 2020-02-02."),
    )
