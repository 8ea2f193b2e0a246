from django.apps import AppConfig


class MoonlightingConfig(AppConfig):
    name = "rounds.moonlighting"
    label = "moonlighting"
    verbose_name = "Moonlighting"
