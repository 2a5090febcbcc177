from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuarantineConfig(AppConfig):
    name = "epigrid.quarantine"
    label = "quarantine"
    verbose_name = _("Home quarantine and follow-up")

    def ready(self) -> None:
        from epigrid.registry.services import register_mover

        from .services.cases import move_cases
        from .services.external import move_alerts

        # A merge of duplicate persons moves their observation cases to the survivor.
        register_mover("quarantine.cases", move_cases)
        # ... and their alerts (an alert names its person, with or without a case).
        register_mover("quarantine.alerts", move_alerts)

        from .panels import register as register_panels

        # Open alerts on a jurisdiction's page (escalation).
        register_panels()
