from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "rounds.imports"
    label = "imports"
    verbose_name = "Imports"
