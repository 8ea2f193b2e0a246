from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "rounds.people"
    label = "people"
    verbose_name = "People and roles"
