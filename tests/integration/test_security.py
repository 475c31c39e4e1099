"""What protects the data, each part proved: headers, throttling, sessions, the security log."""

import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.urls import reverse

from practices.security import LOGIN_AT, SEEN_AT
from tests.factories import UserFactory
from tests.factories.practices import PASSWORD

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def _production_env(**overrides) -> dict:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": "k" * 20 + "-production-secret-for-tests-" + "z" * 20,
        "DJANGO_ALLOWED_HOSTS": "pcsp.example.nhs.uk",
        "DATABASE_URL": "sqlite:////tmp/pcsp-deploy-check.sqlite3",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    }
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def _manage(*args, env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_with_production_settings_finds_nothing():
    result = _manage("check", "--deploy", env=_production_env())

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stderr + result.stdout


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL", "CELERY_BROKER_URL"])
def test_production_refuses_to_start_without_its_secrets(missing):
    result = _manage("check", env=_production_env(**{missing: None}))

    assert result.returncode != 0
    assert missing in result.stderr


def test_csp_header_forbids_inline_scripts_plugins_and_framing(client):
    response = client.get(reverse("login"))

    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_five_failed_logins_lock_the_account(client):
    user = UserFactory(username="nurse")
    for _ in range(5):
        client.post(reverse("login"), {"username": "nurse", "password": "wrong"})

    response = client.post(reverse("login"), {"username": "nurse", "password": PASSWORD})

    assert response.status_code == 429
    assert "Too many failed log-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert user.is_active


def test_a_good_login_before_the_limit_resets_the_count(client):
    UserFactory(username="admin1")
    for _ in range(3):
        client.post(reverse("login"), {"username": "admin1", "password": "wrong"})

    response = client.post(reverse("login"), {"username": "admin1", "password": PASSWORD})

    assert response.status_code == 302


def _logged_in(client):
    user = UserFactory()
    client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert client.get(reverse("dashboard")).status_code == 200
    return user


def test_session_ends_after_30_minutes_idle(client):
    _logged_in(client)
    session = client.session
    session[SEEN_AT] = int(time.time()) - 31 * 60
    session.save()

    response = client.get(reverse("dashboard"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert client.get(reverse("dashboard")).status_code == 302


def test_session_ends_after_12_hours_however_active(client):
    _logged_in(client)
    session = client.session
    session[LOGIN_AT] = int(time.time()) - 12 * 3600 - 1
    session.save()

    assert client.get(reverse("dashboard")).status_code == 302


def test_deactivated_users_session_ends_at_once(client):
    user = _logged_in(client)

    user.is_active = False
    user.save()

    assert client.get(reverse("dashboard")).status_code == 302


def test_logins_failures_and_refusals_are_logged(client, caplog):
    user = UserFactory()
    with caplog.at_level(logging.INFO, logger="pcsp.security"):
        client.post(reverse("login"), {"username": user.username, "password": "nope"})
        client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
        client.get("/practices/Z99999/")

    messages = [r.getMessage() for r in caplog.records if r.name == "pcsp.security"]
    assert any(m.startswith("failed login") and "nope" not in m for m in messages)
    assert any(m.startswith(f"login user={user.pk}") for m in messages)
    assert any(m.startswith("refused 404 GET /practices/Z99999/") for m in messages)


def test_django_admin_is_for_superusers_only(client):
    staff_user = UserFactory(is_staff=True)
    client.force_login(staff_user)

    assert client.get("/admin/").status_code == 302

    staff_user.is_superuser = True
    staff_user.save()
    assert client.get("/admin/").status_code == 200
