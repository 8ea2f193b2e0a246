from django.apps import AppConfig


class MilestonesConfig(AppConfig):
    name = "rounds.milestones"
    label = "milestones"
    verbose_name = "Milestones and the Clinical Competency Committee"
