from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "rounds.core"
    label = "core"
    verbose_name = "Institution, sites and programs"
