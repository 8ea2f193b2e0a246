from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "rounds.api"
    label = "api"
    verbose_name = "API for other systems"
