"""make load: gunicorn + PostgreSQL on loopback, locust headless, then a consistency check.

    DATABASE_URL=postgres://... python -m loadtest.run --users 50 --seconds 60

Prints one JSON line (requests, failures, p50/p95/p99 in ms) and exits non-zero
on any failed request or on any model whose shown figures differ from a fresh
costing. Traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT = 8791


def _manage(*args: str, env: dict) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def prepare(env: dict) -> None:
    _manage("migrate", "--noinput", env=env)
    _manage("load_reference_data", env=env)
    _manage("setup_demo", env=env)
    code = (
        "from django.contrib.auth import get_user_model\n"
        "from practices.models import Membership, Practice\n"
        "from loadtest import PASSWORD, USERS\n"
        "from django.contrib.auth.hashers import make_password\n"
        "User = get_user_model(); practice = Practice.objects.get(ods_code='Y00001')\n"
        "hashed = make_password(PASSWORD)\n"
        "for n in range(USERS):\n"
        "    user, _ = User.objects.update_or_create(username=f'load-user-{n}', defaults={'password': hashed})\n"
        "    Membership.objects.get_or_create(user=user, practice=practice, defaults={'role': 'admin'})\n"
    )
    subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, check=True)


def wait_for(url: str, seconds: int = 60) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - loopback only
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the server did not answer at {url}")


def consistency(env: dict) -> list[str]:
    """Every model's figures as the page shows them, against a fresh costing from the database."""
    code = (
        "import json, re\n"
        "from django.test import Client\n"
        "from django.contrib.auth import get_user_model\n"
        "from pathways import selectors\n"
        "from costing.templatetags.costing_tags import gbp\n"
        "from pathways.models import CostModel\n"
        "client = Client(); client.force_login(get_user_model().objects.get(username='facilitator'))\n"
        "bad = []\n"
        "for model in CostModel.objects.all():\n"
        "    html = client.get(model.get_absolute_url()).content.decode()\n"
        "    shown = re.search(r'data-testid=\"headline-cost\">([^<]+)<', html).group(1)\n"
        "    c = selectors.compare_cost_model(model)\n"
        "    if shown != f'{gbp(c.before.cost)} → {gbp(c.after.cost)}': bad.append(f'{model.pk}: {shown}')\n"
        "print(json.dumps(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument(
        "--workers", type=int, help="gunicorn workers (default: config/gunicorn.py's, as in production)"
    )
    args = parser.parse_args()
    env = {**os.environ, "DJANGO_DEBUG": "false", "AXES_FAILURE_LIMIT": "1000"}
    if not env.get("DATABASE_URL", "").startswith("postgres"):
        print("make load needs DATABASE_URL pointing at PostgreSQL", file=sys.stderr)
        return 2
    prepare(env)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "config/gunicorn.py",  # the production settings: workers for the cores
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{PORT}",
            *(["--workers", str(args.workers)] if args.workers else []),
            # Longer than a simulated user's pause (at most 2 s): with gunicorn's default of
            # 2 s the server could close a kept-alive connection just as the client reused it,
            # a connection reset that says nothing about the app.
            "--keep-alive",
            "10",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_for(f"http://127.0.0.1:{PORT}/accounts/login/")
        with tempfile.TemporaryDirectory() as folder:
            prefix = Path(folder) / "load"
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "locust",
                    "-f",
                    str(ROOT / "loadtest" / "locustfile.py"),
                    "--headless",
                    "--users",
                    str(args.users),
                    "--spawn-rate",
                    str(max(1, args.users // 5)),
                    "--run-time",
                    f"{args.seconds}s",
                    "--host",
                    f"http://127.0.0.1:{PORT}",
                    "--csv",
                    str(prefix),
                    "--only-summary",
                    "--stop-timeout",
                    "10",
                ],
                cwd=ROOT,
                env=env,
                check=False,
                stdout=subprocess.DEVNULL,
            )
            rows = list(csv.DictReader(open(f"{prefix}_stats.csv", encoding="utf-8")))  # noqa: SIM115
            failures = list(csv.DictReader(open(f"{prefix}_failures.csv", encoding="utf-8")))  # noqa: SIM115
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    total = next(r for r in rows if r["Name"] == "Aggregated")
    mismatches = consistency(env)
    result = {
        "users": args.users,
        "seconds": args.seconds,
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "p50_ms": float(total["50%"]),
        "p95_ms": float(total["95%"]),
        "p99_ms": float(total["99%"]),
        "rps": round(float(total["Requests/s"]), 1),
        "inconsistent_models": mismatches,
        "by_request": {
            r["Name"]: {"n": int(r["Request Count"]), "p95_ms": float(r["95%"])}
            for r in rows
            if r["Name"] != "Aggregated"
        },
    }
    print(json.dumps(result))
    for failure in failures[:10]:
        error = re.sub(r"\s+", " ", failure["Error"])[:200]
        print(f"failure: {failure['Method']} {failure['Name']}: {error}", file=sys.stderr)
    return 1 if result["failures"] or mismatches or not result["requests"] else 0


if __name__ == "__main__":
    sys.exit(main())
