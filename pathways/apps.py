from django.apps import AppConfig


class PathwaysConfig(AppConfig):
    name = "pathways"
    verbose_name = "Pathways and cost models"

    def ready(self) -> None:
        from pathways import receivers  # noqa: F401  (listens to costing's and practices' signals)
