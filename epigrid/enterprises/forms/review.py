"""Forms of the desk's review panel and of publishing a batch. They only parse what was
posted; the services decide (and word) every refusal, so the page and the API give the same
messages."""

from django import forms
from django.utils.translation import gettext_lazy as _


class DecisionForm(forms.Form):
    """Start, approve or the green channel: the version the reviewer saw and a note."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class ReturnForm(DecisionForm):
    # The missing items arrive as a list (request.POST.getlist("items")), checked by the
    # service against the application's checklist.
    deadline = forms.DateField(
        label=_("Supplement by"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class RejectForm(forms.Form):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)


class PublishForm(forms.Form):
    subdistrict = forms.CharField(label=_("Subdistrict"), max_length=64)
    title = forms.CharField(label=_("Title"), required=False, max_length=100)
