from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SweepsConfig(AppConfig):
    name = "epigrid.sweeps"
    label = "sweeps"
    verbose_name = _("Door-to-door sweeps")

    def ready(self) -> None:
        from epigrid.registry.services import register_mover

        from .panels import register
        from .services import move_visit_persons

        register()
        # A merge of duplicate persons moves the people found in visits to the survivor.
        register_mover("sweeps.visits", move_visit_persons)
