from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "epigrid.registry"
    label = "registry"
    verbose_name = _("Population and housing register")

    def ready(self) -> None:
        from . import imports
        from .panels import register

        register()
        imports.register()
