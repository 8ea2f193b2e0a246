from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "rounds.people"
    label = "people"
    verbose_name = "People and roles"

    def ready(self) -> None:
        # Connects the sign-in audit's and the second factor's signal receivers, and the check.
        from rounds.people import auth, signin  # noqa: F401
