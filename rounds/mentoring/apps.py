from django.apps import AppConfig


class MentoringConfig(AppConfig):
    name = "rounds.mentoring"
    label = "mentoring"
    verbose_name = "Mentorship and coaching"
