"""make faults: the app with its own PostgreSQL, Redis cache, Redis broker, gunicorn and a Celery worker,
each part failed in turn (docs/deploy.md, "When a part fails", says what should happen)."""
