from django.apps import AppConfig


class CaselogsConfig(AppConfig):
    name = "rounds.caselogs"
    label = "caselogs"
    verbose_name = "Case and procedure logs"
