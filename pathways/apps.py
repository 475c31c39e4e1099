from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate


class PathwaysConfig(AppConfig):
    name = "pathways"
    verbose_name = "Pathways and cost models"

    def ready(self) -> None:
        from pathways import db_triggers, receivers  # noqa: F401  (receivers: listens to costing's and practices' signals)

        # SQLite's same-practice triggers, around every migrate (sender=self: once per migrate, not once per app).
        pre_migrate.connect(db_triggers.drop_before_migrate, sender=self, dispatch_uid="pathways.drop_triggers")
        post_migrate.connect(db_triggers.install_after_migrate, sender=self, dispatch_uid="pathways.install_triggers")
