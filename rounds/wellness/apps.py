from django.apps import AppConfig


class WellnessConfig(AppConfig):
    name = "rounds.wellness"
    label = "wellness"
    verbose_name = "Wellness committees, pulse surveys and support"
