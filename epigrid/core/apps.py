from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "epigrid.core"
    label = "core"

    def ready(self) -> None:
        from . import journal

        journal.connect_signal()
