from django.apps import AppConfig


class PracticesConfig(AppConfig):
    name = "practices"
    verbose_name = "Practices and staff"

    def ready(self) -> None:
        from practices import security  # noqa: F401  (connects the login signals)
