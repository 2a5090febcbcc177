from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "epigrid.indicators"
    label = "indicators"
    verbose_name = _("Figures")

    def ready(self) -> None:
        # Each app defines its own figures in <app>/indicators.py.
        autodiscover_modules("indicators")
