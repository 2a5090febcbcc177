from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkforceConfig(AppConfig):
    name = "epigrid.workforce"
    label = "workforce"
    verbose_name = _("Grid workers and teams")

    def ready(self) -> None:
        from .panels import register

        register()
