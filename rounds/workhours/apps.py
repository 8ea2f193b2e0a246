from django.apps import AppConfig


class WorkhoursConfig(AppConfig):
    name = "rounds.workhours"
    label = "workhours"
    verbose_name = "Work hours"
