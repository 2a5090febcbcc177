from django import forms
from django.utils.translation import gettext_lazy as _


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"))
    jurisdiction = forms.CharField(
        label=_("Area the file covers (code)"),
        max_length=64,
        help_text=_("Rows name their small grid in a 所属网格 column, or the area is one grid."),
    )
    file = forms.FileField(label=_("Spreadsheet (.xlsx, .xls, .csv)"))
