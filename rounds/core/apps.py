from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "rounds.core"
    label = "core"
    verbose_name = "Institution, sites and programs"

    def ready(self) -> None:
        from django.db import connections
        from django.db.backends.signals import connection_created

        from rounds.lib.cache import watch_connection

        # Any write to data a cached page or computation reads moves its data version on.
        connection_created.connect(watch_connection, dispatch_uid="public-pages-watch")
        for connection in connections.all(initialized_only=True):
            watch_connection(connection)
