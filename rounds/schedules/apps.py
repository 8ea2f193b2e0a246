from django.apps import AppConfig


class SchedulesConfig(AppConfig):
    name = "rounds.schedules"
    label = "schedules"
    verbose_name = "Rotation and call schedules"
