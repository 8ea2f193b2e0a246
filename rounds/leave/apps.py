from django.apps import AppConfig


class LeaveConfig(AppConfig):
    name = "rounds.leave"
    label = "leave"
    verbose_name = "Leave and board eligibility"
