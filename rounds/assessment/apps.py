from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "rounds.assessment"
    label = "assessment"
    verbose_name = "Assessment and evaluations"
