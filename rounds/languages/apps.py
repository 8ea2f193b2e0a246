from django.apps import AppConfig


class LanguagesConfig(AppConfig):
    name = "rounds.languages"
    label = "languages"
    verbose_name = "Language access"
