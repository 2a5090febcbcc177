"""Forms of the field part: task forces, inspections, liaisons, needs, consultations and
the FAQ. The services validate again (and say more); a form only shapes what a person
typed. Choices that depend on the actor's scope are filled in by the view."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import NeedKind, NeedStatus
from ..services.consultations import LOGGED_CHANNELS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _today() -> dt.date:
    return timezone.localdate()


class TaskForceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    jurisdiction = forms.ChoiceField(label=_("Area"))
    leader = forms.TypedChoiceField(label=_("Leader"), coerce=int)
    members = forms.TypedMultipleChoiceField(
        label=_("Members"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    active_from = forms.DateField(label=_("Active from"), widget=DATE, initial=_today)


class TaskForceEditForm(TaskForceForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["jurisdiction"]
        del self.fields["active_from"]


class LiaisonForm(forms.Form):
    enterprise = forms.TypedChoiceField(label=_("Enterprise"), coerce=int)
    leader = forms.TypedChoiceField(label=_("Leader"), coerce=int)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class NeedForm(forms.Form):
    enterprise = forms.TypedChoiceField(label=_("Enterprise"), coerce=int)
    kind = forms.ChoiceField(label=_("Kind"), choices=NeedKind.choices)
    description = forms.CharField(
        label=_("Description"), max_length=500, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, own: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if own:  # an enterprise user raises needs of its own enterprise only
            del self.fields["enterprise"]


class NeedUpdateForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("Status"), choices=NeedStatus.choices)
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int, required=False, empty_value=None)
    resolution = forms.CharField(
        label=_("Resolution"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ConsultationLogForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[(c.value, c.label) for c in LOGGED_CHANNELS]
    )
    question = forms.CharField(
        label=_("Question"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    answer = forms.CharField(
        label=_("Answer"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    asker = forms.CharField(label=_("Asked by"), max_length=50, required=False)
    asker_phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    enterprise = forms.TypedChoiceField(
        label=_("Enterprise"), coerce=int, required=False, empty_value=None
    )


class ConsultationAskForm(forms.Form):
    question = forms.CharField(
        label=_("Your question"), max_length=2000, widget=forms.Textarea(attrs={"rows": 5})
    )


class ConsultationAnswerForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    answer = forms.CharField(
        label=_("Answer"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5})
    )


class FaqPublishForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    faq_topic = forms.CharField(
        label=_("FAQ topic"),
        max_length=50,
        required=False,
        help_text=_("Questions of one topic are shown together."),
    )
    faq_question = forms.CharField(
        label=_("FAQ question"),
        max_length=300,
        help_text=_("As the public will read it: no names, no phone numbers."),
    )
    faq_answer = forms.CharField(
        label=_("FAQ answer"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5})
    )
    faq_order = forms.IntegerField(label=_("Order"), min_value=0, max_value=100_000, initial=0)


class InspectionForm(forms.Form):
    """One ok/not-ok answer per checklist item (big radio targets), with a finding and a
    deadline for a failing one; the fields of item `code` are ok_<code>, finding_<code>,
    deadline_<code>."""

    inspected_on = forms.DateField(label=_("Inspected on"), widget=DATE, initial=_today)
    task_force = forms.TypedChoiceField(
        label=_("Task force"), coerce=int, required=False, empty_value=None
    )
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, checklist: list[dict], language: str = "zh", **kwargs):
        super().__init__(*args, **kwargs)
        self.checklist = checklist
        self.items = []
        for item in checklist:
            code = item["code"]
            label = item.get("zh" if language.startswith("zh") else "en") or code
            self.fields[f"ok_{code}"] = forms.ChoiceField(
                label=label,
                choices=[("1", _("In order")), ("0", _("Not in order"))],
                widget=forms.RadioSelect,
                required=False,
            )
            self.fields[f"finding_{code}"] = forms.CharField(
                label=_("Finding"), max_length=500, required=False
            )
            self.fields[f"deadline_{code}"] = forms.DateField(
                label=_("Put right by"), widget=DATE, required=False
            )
            self.items.append(
                (code, label, self[f"ok_{code}"], self[f"finding_{code}"], self[f"deadline_{code}"])
            )

    def results(self) -> dict:
        """The answers in the shape inspection_record takes (unanswered items left out, so
        the service names them)."""
        data = self.cleaned_data
        out = {}
        for item in self.checklist:
            code = item["code"]
            answer = data.get(f"ok_{code}")
            if answer not in ("0", "1"):
                continue
            out[code] = {
                "ok": answer == "1",
                "finding": data.get(f"finding_{code}") or "",
                "deadline": data.get(f"deadline_{code}"),
            }
        return out
