from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "rounds.jobs"
    label = "jobs"
    verbose_name = "Background jobs"
