"""The Celery app: background tasks (batch reports) on a Redis broker.

Settings are Django's, prefixed CELERY_ (config/settings.py). Without
CELERY_BROKER_URL tasks run in-process (CELERY_TASK_ALWAYS_EAGER), so `make run`
and the tests need no broker. A worker: `celery -A config worker -l info`.
"""

import os

from celery import Celery
from django.core.signals import setting_changed

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _follow_setting(*, setting: str, value, **kwargs) -> None:
    """Celery copies its settings once; let override_settings (and pytest's settings) reach it."""
    if setting.startswith("CELERY_"):
        app.conf[setting.removeprefix("CELERY_").lower()] = value


setting_changed.connect(_follow_setting, dispatch_uid="config.celery.follow_setting")
