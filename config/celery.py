"""The Celery app: background tasks (batch reports) on a Redis broker.

Settings are Django's, prefixed CELERY_ (config/settings.py). Without
CELERY_BROKER_URL tasks run in-process (CELERY_TASK_ALWAYS_EAGER), so `make run`
and the tests need no broker. A worker: `celery -A config worker -l info`.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
