from django.apps import AppConfig


class ConcernsConfig(AppConfig):
    name = "rounds.concerns"
    label = "concerns"
    verbose_name = "Speaking up"
