from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RostersConfig(AppConfig):
    name = "epigrid.rosters"
    label = "rosters"
    verbose_name = _("Duty rosters")

    def ready(self) -> None:
        from .panels import register

        register()
