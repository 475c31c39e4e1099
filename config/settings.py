"""The one settings module. Everything that differs between machines comes from
the environment (see .env.example); production refuses to start without its
secrets rather than run on a default.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.caches import cache_config
from costing.limits import MAX_MODEL_FILE_BYTES

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# DJANGO_ENV=production switches on every production safeguard. Only the known
# words are accepted: a misspelt "Production" must not start a development server.
DJANGO_ENVS = ("development", "production")
DJANGO_ENV = os.environ.get("DJANGO_ENV", "development")
if DJANGO_ENV not in DJANGO_ENVS:
    raise ImproperlyConfigured(f"DJANGO_ENV must be one of {', '.join(DJANGO_ENVS)}, not {DJANGO_ENV[:40]!r}")
PRODUCTION = DJANGO_ENV == "production"
DEBUG = env_bool("DJANGO_DEBUG", default=not PRODUCTION)

PRODUCTION_NEEDS = ("DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL", "CELERY_BROKER_URL")
if PRODUCTION:
    missing = [n for n in PRODUCTION_NEEDS if not os.environ.get(n)]
    if missing:
        raise ImproperlyConfigured(f"production needs {', '.join(missing)} in the environment")
    if DEBUG:
        raise ImproperlyConfigured("DJANGO_DEBUG must be off in production")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "development-only-not-secret-" + "x" * 40)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "csp",
    "axes",
    "simple_history",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "practices",
    "pathways",
    "costing",
    "reports",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "practices.security.SessionLimitsMiddleware",
    "config.uploads.RefusedUploadMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out accounts and addresses
    "django.contrib.auth.backends.ModelBackend",  # refuses inactive users on every request
]

# Login throttling: 5 failures lock that account from that address for 15 minutes.
# Not the address alone: a whole NHS site often shares one public address.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# The client's address (lockout, throttles, the security log): REMOTE_ADDR, or behind
# DJANGO_TRUSTED_PROXY_COUNT proxies (a TLS terminator: 1) the address the first of
# them saw, read from the right of X-Forwarded-For; never trusted otherwise
# (practices.security.client_address).
TRUSTED_PROXY_COUNT = int(os.environ.get("DJANGO_TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "practices.security.client_address"
# Password change: 5 wrong old passwords lock the form for 15 minutes. Password reset:
# 3 emails an hour to one address, 20 an hour from one client (practices.security.throttle).
PASSWORD_CHANGE_FAILURES = 5
PASSWORD_RESET_EMAILS_PER_ADDRESS = 3
PASSWORD_RESET_EMAILS_PER_CLIENT = 20

# Sessions: 30 minutes idle, 12 hours at most (practices.security.SessionLimitsMiddleware).
SESSION_IDLE_SECONDS = 30 * 60
SESSION_ABSOLUTE_SECONDS = 12 * 60 * 60
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_SECONDS
LOGIN_URL_PATH = "/accounts/login/"

# Content-Security-Policy: scripts only from the app, no inline scripts, no plugins,
# no framing. Inline styles are allowed because plotly.js and htmx inject them.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# Embedded SQLite by default (make run); DATABASE_URL switches to PostgreSQL.
# A kept connection is checked before each request reuses it, so the first
# request after a database restart is served, not a 500. A database that does
# not answer fails a request in seconds, before gunicorn's 30 s kill.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
STATEMENT_TIMEOUT_MS = "20000" if PRODUCTION else "0"
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        connect_timeout=int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "5")),
        # In production only by default: tests and `make run` may wait on their own locks.
        options=f"-c statement_timeout={int(os.environ.get('DATABASE_STATEMENT_TIMEOUT_MS', STATEMENT_TIMEOUT_MS))}",
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Reference data and each model's decision support analysis keyed on its version
# (pathways.selectors.decision_results); models' totals are stored in the database
# (pathways.totals). In each process's memory, or with CACHE_URL=redis://... one Redis shared
# by every worker (config/caches.py; docker-compose does this).
CACHES = {
    "default": cache_config(
        os.environ.get("CACHE_URL", ""), max_entries=int(os.environ.get("CACHE_MAX_ENTRIES", "50000"))
    )
}

# Argon2id first, at OWASP's parameters (config/hashers.py); the others still check the hashes
# made before it, and each is rehashed with the first at its user's next login.
PASSWORD_HASHERS = [
    "config.hashers.OwaspArgon2PasswordHasher",  # Argon2id at OWASP's parameters (config/hashers.py)
    "django.contrib.auth.hashers.Argon2PasswordHasher",  # reads hashes made at Django's defaults
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# plotly.js is the npm "finance" bundle in static/vendor (bar, waterfall and histogram
# traces: 351 kB brotli against 1.1 MB for the full bundle plotly.py carries).
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files the app writes (batch report zips): MEDIA_ROOT on the local filesystem by
# default; any Django storage backend (S3-compatible with django-storages) by
# replacing "default". Never served by URL: downloads go through the app's checks.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "config.storage.StaticFilesStorage"  # whitenoise's, without the vendored libraries' source maps
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "pcsp-costing@localhost")
# Where links in emails point when there is no request to take the host from.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# Uploads (model files, spreadsheets) are small; anything larger is refused as it
# arrives: config.uploads stops reading a file at the limit (costing/limits.py).
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_MODEL_FILE_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = MAX_MODEL_FILE_BYTES
FILE_UPLOAD_HANDLERS = [
    "config.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# The JSON API (api/, README "API"): personal bearer tokens only (the docs page also takes the
# session), throttled per token, JSON in and out, every list paginated.
API_THROTTLE_RATE = os.environ.get("API_THROTTLE_RATE", "300/min")
API_MAX_BODY_BYTES = 5 * 1024 * 1024  # a model file's limit (costing.limits.MAX_MODEL_FILE_BYTES)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.RawJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pages",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "PCSP cost profiling API",
    "DESCRIPTION": (
        "Practices, cost models (as model files, docs/model-format.md), their costing (as `cost_model --json`), "
        "cohorts, practice profiles and the facilitator's roll-up. Send `Authorization: Bearer TOKEN`; make a "
        "token on your account page (API tokens). Money is a string with two decimals."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Background tasks (Celery on Redis). Without CELERY_BROKER_URL (make run, tests)
# tasks run in-process, so nothing else needs to run.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or None
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True  # progress and results live in reports.BatchReport
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # long tasks: one at a time per worker process
CELERY_TASK_TIME_LIMIT = 60 * 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# A task is acknowledged when it ends, and given back to the queue if its worker
# process dies, so a batch whose worker was killed is built again. The broker
# keeps an unacknowledged task for longer than a task may run, so it is never
# delivered twice while running. Starting a task with the broker down fails in
# seconds (reports.services says so), never hangs the request.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 60
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 2 * CELERY_TASK_TIME_LIMIT,
    "socket_connect_timeout": 3,
    "socket_timeout": 10,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
# Celery beat (docker-compose's "beat"): the sweep fails lost batches and deletes old zips.
CELERY_BEAT_SCHEDULE = {
    "sweep-batch-reports": {"task": "reports.tasks.sweep_batch_reports", "schedule": 300.0},
}

# Batch reports: zips are kept this long (README), then deleted by the sweep; a
# batch with no progress for BATCH_REPORT_LOST_AFTER is taken to be lost and failed
# (waiting in the queue, six times that).
BATCH_REPORT_RETENTION_DAYS = int(os.environ.get("BATCH_REPORT_RETENTION_DAYS", "7"))
BATCH_REPORT_LOST_AFTER = timedelta(seconds=int(os.environ.get("BATCH_REPORT_LOST_AFTER_SECONDS", "600")))
# How a batch's reports are built, chosen here and nowhere else (reports.tasks.run_batch):
# "tasks": one Celery task per report, so every worker process is busy, the last
# one zipping them (the default with a broker); "processes": a pool of
# BATCH_REPORT_PROCESSES processes of the process that runs the batch (no broker:
# make run, bench); "sequential": one after another in that process (the tests, whose
# stand-ins for WeasyPrint and whose uncommitted data only that process sees).
BATCH_REPORT_MODE = os.environ.get("BATCH_REPORT_MODE") or ("processes" if CELERY_TASK_ALWAYS_EAGER else "tasks")
if BATCH_REPORT_MODE not in {"tasks", "processes", "sequential"}:
    raise ImproperlyConfigured("BATCH_REPORT_MODE must be tasks, processes or sequential")
# The cores this process may use (os.process_cpu_count from Python 3.13).
CPUS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
BATCH_REPORT_PROCESSES = max(1, int(os.environ.get("BATCH_REPORT_PROCESSES") or CPUS))

from django.contrib.messages import constants as message_constants  # noqa: E402

# Bootstrap's alert classes for Django's message levels.
MESSAGE_TAGS = {message_constants.ERROR: "danger", message_constants.DEBUG: "secondary"}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"refusals_without_traceback": {"()": "config.log_filters.RefusalsWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint narrates every step and every CSS property it skips: errors only.
    "loggers": {
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "WARNING"},
        # Expected refusals (403, 404) as one line each, without the traceback.
        "django.request": {"filters": ["refusals_without_traceback"]},
    },
}
