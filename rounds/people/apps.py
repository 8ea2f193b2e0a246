from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "rounds.people"
    label = "people"
    verbose_name = "People and roles"

    def ready(self) -> None:
        # Connects the sign-in audit's signal receivers.
        from rounds.people import auth  # noqa: F401
