"""The measurements of `python -m bench`, each on its own."""

from __future__ import annotations

import gzip
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import timeit
import urllib.request
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import brotli
from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import connection
from django.http import QueryDict
from django.test import Client
from django.test.utils import CaptureQueriesContext

from costing import engine
from pathways.models import Cohort, Stage
from practices.models import StaffRole
from reports import rollup
from reports.selectors import build_rollup, select

ROOT = Path(settings.BASE_DIR)


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile, linear between the closest ranks (as numpy's default)."""
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def cpu_calibration_us() -> float:
    """Microseconds for sum(range(1000)) on this machine now: a yardstick for every other figure."""
    return round(min(timeit.repeat("sum(range(1000))", number=2000, repeat=5)) / 2000 * 1e6, 2)


# ------------------------------------------------------------------- live server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def live_server(workers: int = 1):
    """gunicorn serving the app (as in production, DEBUG off) on a free loopback port."""
    port = _free_port()
    env = {**os.environ, "DJANGO_DEBUG": "false", "PYTHONUNBUFFERED": "1"}
    server = subprocess.Popen(  # noqa: S603 -- our own interpreter and arguments
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/accounts/login/", timeout=5).read()  # noqa: S310 -- loopback
                break
            except OSError:
                if time.time() > deadline or server.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.3)
        yield base
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def session_cookie(client: Client) -> str:
    """The session of a logged-in test client (stored in the database), as a Cookie header."""
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def timed_get(url: str, cookie: str) -> tuple[float, bytes]:
    request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310 -- loopback
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310 -- loopback
        body = response.read()
        status = response.status
    elapsed = time.perf_counter() - start
    if status != 200:
        raise RuntimeError(f"{url}: {status}")
    return elapsed, body


# ------------------------------------------------------------------- query counts


def page_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url}: {response.status_code}")
    return len(ctx.captured_queries)


# ------------------------------------------------------------------- the SQL floor


def _floor_sql(count: int) -> str:
    cohort, stage, role = Cohort._meta.db_table, Stage._meta.db_table, StaffRole._meta.db_table
    ids = ", ".join(["%s"] * count)
    # Rule 1 in SQL: minutes x hourly rate / 60 to the penny + extra cost; then the
    # sums of rules 2 to 5 by model and side. The rate of a salaried role is
    # salary x (100 + on-costs) / (100 x paid hours).
    return f"""
        SELECT c.cost_model_id, c.side, SUM(c.patients * p.cost), SUM(c.patients * p.visits),
               SUM(c.patients * p.staff_minutes)
        FROM {cohort} c
        JOIN (
            SELECT s.pathway_id,
                   SUM(COALESCE(ROUND(s.minutes * COALESCE(r.cost_per_hour,
                       r.annual_salary * (100 + r.on_cost_percent) / (100 * r.paid_hours_per_year)) / 60, 2), 0)
                       + s.extra_cost) AS cost,
                   COUNT(DISTINCT s.visit) AS visits,
                   SUM(CASE WHEN s.role_id IS NULL THEN 0 ELSE s.minutes END) AS staff_minutes
            FROM {stage} s LEFT JOIN {role} r ON r.id = s.role_id
            WHERE s.pathway_id IN (SELECT pathway_id FROM {cohort} WHERE cost_model_id IN ({ids}))
            GROUP BY s.pathway_id
        ) p ON p.pathway_id = c.pathway_id
        WHERE c.cost_model_id IN ({ids})
        GROUP BY c.cost_model_id, c.side
    """  # noqa: S608 -- table names from the models, values as parameters


def sql_floor(model_ids: list[int], repeat: int = 7) -> tuple[float, dict]:
    """The median time of one raw SQL aggregate of the roll-up's figures, and the totals it gives."""
    sql = _floor_sql(len(model_ids))
    params = model_ids * 2
    times = []
    with connection.cursor() as cursor:
        for _ in range(repeat):
            start = time.perf_counter()
            cursor.execute(sql, params)
            rows = cursor.fetchall()
            times.append(time.perf_counter() - start)
    totals = {"before": Decimal(0), "after": Decimal(0), "visits_before": 0, "visits_after": 0}
    minutes = {"before": Decimal(0), "after": Decimal(0)}
    for _model, side, cost, visits, staff_minutes in rows:
        totals[side] += Decimal(str(cost))
        totals[f"visits_{side}"] += int(visits)
        minutes[side] += Decimal(str(staff_minutes))
    totals["staff_minutes_freed"] = engine.normalise_minutes(minutes["before"] - minutes["after"])
    return statistics.median(times), totals


def a_year_of(monthly: dict) -> dict:
    """The SQL floor's totals of the bench's monthly models on the roll-up's basis, a year (x 12)."""
    months = engine.MONTHS_PER_YEAR
    return {
        key: engine.normalise_minutes(value * months) if key == "staff_minutes_freed" else value * months
        for key, value in monthly.items()
    }


def rollup_totals(result: rollup.Rollup) -> dict:
    (total,) = result.totals
    f = total.figures
    return {
        "before": f.before,
        "after": f.after,
        "visits_before": f.visits_before,
        "visits_after": f.visits_after,
        "staff_minutes_freed": f.staff_minutes_freed,
    }


# -------------------------------------------------------------------- the engine


def engine_rate(function, models: list, repeat: int = 3) -> float:
    """Models a second through ``function``, the best of ``repeat`` passes over ``models``."""
    best = 0.0
    for _ in range(repeat):
        start = time.perf_counter()
        for model in models:
            function(model)
        best = max(best, len(models) / (time.perf_counter() - start))
    return round(best)


def engine_batch_rate(models: list[engine.CostModel], repeat: int = 3) -> float:
    """Models a second through engine.headlines, all of ``models`` in one batch (the best of ``repeat``).

    Each model keeps its own roles and pathways, keyed by whole numbers as the
    database's ids key them (selectors.totals_batch), so no pathway is costed for
    two models: the batch saves only the per-call overhead.
    """
    totals, pathways, roles = {}, {}, {}
    for index, model in enumerate(models):
        own_pathway = {p.key: index * 100 + n for n, p in enumerate(model.pathways)}
        own_role = {r.key: index * 100 + n for n, r in enumerate(model.roles)}
        totals[index] = engine.TotalsModel(
            period=model.period,
            before=tuple((own_pathway[c.pathway], c.patients * c.times) for c in model.before),
            after=tuple((own_pathway[c.pathway], c.patients * c.times) for c in model.after),
            people_before=engine.people(model.before),
            people_after=engine.people(model.after),
        )
        for pathway in model.pathways:
            pathways[own_pathway[pathway.key]] = [
                (None if s.role is None else own_role[s.role], s.minutes, s.extra_cost, s.visit) for s in pathway.stages
            ]
        roles.update({own_role[role.key]: role for role in model.roles})
    best = 0.0
    for _ in range(repeat):
        start = time.perf_counter()
        engine.headlines(totals, pathways, roles)
        best = max(best, len(models) / (time.perf_counter() - start))
    return round(best)


def model_shape(model: engine.CostModel) -> dict:
    return {
        "roles": len(model.roles),
        "pathways": len(model.pathways),
        "stages": sum(len(p.stages) for p in model.pathways),
        "cohorts": len(model.before) + len(model.after),
    }


def rollup_seconds(user, repeat: int = 3) -> tuple[float, rollup.Rollup]:
    """The median seconds of the facilitator's roll-up through its service, as the page and the API
    read it (reports.selectors: their practices, their models, the chosen models' stored totals),
    without the page's HTML; and the roll-up."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = build_rollup(select(user, QueryDict()))
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


# ------------------------------------------------------------------ first visit


ASSET = re.compile(r'<(?:script[^>]*\bsrc|link[^>]*\bhref)="(?P<url>/static/[^"]+)"')


def first_visit(html: bytes) -> dict:
    """What a first visit transfers: the page as served, and every CSS/JS/icon it names, as whitenoise
    serves them in production (its precompressed .br, or .gz for a browser without brotli)."""
    assets = {}
    for match in ASSET.finditer(html.decode()):
        url = match.group("url")
        path = finders.find(url[len(settings.STATIC_URL) :])
        if path is None:
            raise RuntimeError(f"{url}: not a static file")
        data = Path(path).read_bytes()
        assets[url] = {
            "raw": len(data),
            "br": min(len(data), len(brotli.compress(data))),
            "gzip": min(len(data), len(gzip.compress(data, 9))),
        }
    br = sum(a["br"] for a in assets.values())
    gz = sum(a["gzip"] for a in assets.values())
    return {
        "first_visit_bytes": len(html) + br,
        "first_visit_gzip_only_bytes": len(html) + gz,
        "first_visit_html_bytes": len(html),
        "first_visit_html_gzip_bytes": len(gzip.compress(html, 6)),
        "first_visit_assets": {url.rsplit("/", 1)[-1]: a["br"] for url, a in assets.items()},
    }


# ------------------------------------------------------------------ batch of PDFs


def json_subprocess(module: str, *args: str) -> dict:
    """Run ``python -m module args`` here and read the JSON line it prints last."""
    out = subprocess.run(  # noqa: S603 -- our own interpreter and arguments
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if out.returncode != 0 or not lines:
        raise RuntimeError(f"{module} failed: {out.stderr[-2000:]}")
    return json.loads(lines[-1])


def batch_peak_rss(username: str, model_ids: list[int]) -> dict:
    """Time and peak RSS of a separate process, and of its pool, that render a batch of reports (bench/batch.py)."""
    return json_subprocess("bench.batch", username, *map(str, model_ids))
