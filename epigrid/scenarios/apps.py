from django.apps import AppConfig


class ScenariosConfig(AppConfig):
    name = "epigrid.scenarios"
    label = "scenarios"
