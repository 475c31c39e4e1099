"""The production shape: settings refuse what is unsafe, the image builds, compose puts a proxy in front."""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.test_security import _manage, _production_env

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("value", ["Production", "prod", "production ", "staging", ""])
def test_an_unknown_django_env_is_refused_at_start_up(value):
    result = _manage("check", env=_production_env(DJANGO_ENV=value))

    assert result.returncode != 0
    assert "DJANGO_ENV must be one of development, production" in result.stderr


def test_setup_demo_refuses_to_run_in_production(tmp_path):
    database = tmp_path / "production.sqlite3"
    env = _production_env(DATABASE_URL=f"sqlite:///{database}")
    assert _manage("migrate", "--noinput", env=env).returncode == 0

    result = _manage("setup_demo", env=env)

    assert result.returncode != 0 and "does not run in production" in result.stderr
    users = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("
            "'select count(*) from auth_user').fetchone()[0])",
            str(database),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert users.stdout.strip() == "0"


def _dockerfile_collectstatic() -> tuple[dict, list[str]]:
    """The Dockerfile's ENV and its collectstatic RUN line: (environment, command)."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    env = {}
    for line in text.splitlines():
        if line.startswith("ENV "):
            env.update(part.split("=", 1) for part in shlex.split(line[4:]))
    (run,) = [line[4:] for line in text.splitlines() if line.startswith("RUN ") and "collectstatic" in line]
    words = shlex.split(run)
    while "=" in words[0]:
        name, value = words.pop(0).split("=", 1)
        env[name] = value
    return env, words


def test_the_dockerfiles_collectstatic_step_works_as_written(tmp_path):
    env, command = _dockerfile_collectstatic()
    assert command[:2] == ["python", "manage.py"]
    env |= {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "STATIC_ROOT": str(tmp_path / "static")}

    result = subprocess.run(
        [sys.executable, *command[1:]], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )

    assert result.returncode == 0, result.stderr[-2000:]
    manifest = (tmp_path / "static" / "staticfiles.json").read_text()
    assert re.search(r"vendor/bootstrap-[\d.]+/bootstrap\.min\.[0-9a-f]{12}\.css", manifest)


def _compose_services() -> dict[str, str]:
    """Each service's block of docker-compose.yml, as text (no YAML library in the lock file)."""
    text = (ROOT / "docker-compose.yml").read_text()
    block = text.split("\nservices:\n", 1)[1].split("\nnetworks:\n", 1)[0]
    return dict(re.findall(r"(?m)^  ([a-z]+):\n((?:    .*\n|\n)*)", block + "\n"))


def test_compose_serves_only_through_the_tls_proxy_and_runs_beat():
    services = _compose_services()
    anchor = (ROOT / "docker-compose.yml").read_text().split("\nservices:\n", 1)[0]

    assert {"proxy", "web", "worker", "beat", "db", "broker", "cache"} <= set(services)
    assert {name for name, text in services.items() if "ports:" in text} == {"proxy"}
    assert '"443:443"' in services["proxy"]
    assert '"beat"' in services["beat"] and '"worker"' in services["worker"]
    for name in ("web", "worker", "beat"):  # one image, storage, broker and cache for all three
        assert "<<: *app" in services[name]
    assert "media:/app/media" in anchor
    assert "CELERY_BROKER_URL: redis://broker:6379/0" in anchor and "CACHE_URL: redis://cache:6379/0" in anchor

    caddyfile = (ROOT / "Caddyfile").read_text()
    assert "reverse_proxy web:8000" in caddyfile
    assert re.search(r"request_body \{\s*max_size \d+MB", caddyfile)
    assert "trusted_proxies" not in caddyfile  # a client's forwarded headers are replaced, never passed on
