from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "rounds.core"
    label = "core"
    verbose_name = "Institution, sites and programs"

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from rounds.lib.pagecache import watched_change

        # Any write to data the public pages show moves the cached pages' data version on.
        for signal in (post_save, post_delete, m2m_changed):
            signal.connect(watched_change, dispatch_uid=f"public-pages-{id(signal)}")
