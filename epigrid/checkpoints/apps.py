from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CheckpointsConfig(AppConfig):
    name = "epigrid.checkpoints"
    label = "checkpoints"
    verbose_name = _("Temperature checkpoints")

    def ready(self) -> None:
        from epigrid.registry.services import register_mover

        from .services.fever import move_checked_persons

        # A merge of duplicate persons moves the checks that name them to the survivor.
        register_mover("checkpoints.checked_persons", move_checked_persons)
