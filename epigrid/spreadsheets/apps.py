from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Readable names of the audit actions this app writes, for people reading the trail.
AUDIT_ACTIONS = {
    "import.upload": _("Spreadsheet uploaded for import"),
    "import.preview": _("Import previewed"),
    "import.commit": _("Import started"),
    "import.finish": _("Import finished"),
    "import.error_report": _("Import error report downloaded"),
}


class SpreadsheetsConfig(AppConfig):
    name = "epigrid.spreadsheets"
    label = "spreadsheets"
    verbose_name = _("Spreadsheet import and export")

    def ready(self) -> None:
        # The audit app names the actions of every app; this app brings its own names with it
        # rather than teach the audit app about imports.
        from epigrid.audit.labels import ACTION_LABELS

        for action, label in AUDIT_ACTIONS.items():
            ACTION_LABELS.setdefault(action, label)
