from django.apps import AppConfig


class RecordConfig(AppConfig):
    name = "rounds.record"
    label = "record"
    verbose_name = "Training record"
