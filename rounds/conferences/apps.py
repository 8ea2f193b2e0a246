from django.apps import AppConfig


class ConferencesConfig(AppConfig):
    name = "rounds.conferences"
    label = "conferences"
    verbose_name = "Conferences and didactics"
