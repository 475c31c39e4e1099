"""gunicorn's settings for the app (the Dockerfile and `make load` start it with ``-c config/gunicorn.py``).

Workers: gunicorn's rule of thumb, two per core plus one, so a worker waiting on
PostgreSQL or hashing a password never leaves a core idle; ``WEB_CONCURRENCY``
overrides it (a container given a share of a larger host's cores should set it).
Each worker recycles after about 1,000 requests (with jitter, so they do not all
restart at once) and is restarted if a request takes more than 30 s.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")  # noqa: S104 - in a container, behind the proxy
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * (os.cpu_count() or 1) + 1)
max_requests = 1000
max_requests_jitter = 50
timeout = 30
