from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "rounds.public"
    label = "public"
    verbose_name = "Public program finder"
