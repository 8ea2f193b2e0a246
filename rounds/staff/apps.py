from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "rounds.staff"
    label = "staff"
    verbose_name = "Staff pages"
