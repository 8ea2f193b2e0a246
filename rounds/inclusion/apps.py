from django.apps import AppConfig


class InclusionConfig(AppConfig):
    name = "rounds.inclusion"
    label = "inclusion"
    verbose_name = "Inclusion: self-identification, recruitment and advancement"
