"""`make bench`: synthetic data at facilitator scale, then the figures that matter, as one JSON line.

    python -m bench                      # 200 practices x 3 models x 30 cohorts a side
    python -m bench --tiny               # a few of each: proves it works (CI)
    python -m bench --only national      # only some parts' keys (a comma-separated list of PARTS)

On the configured database (DATABASE_URL, or the embedded SQLite file): it
migrates, loads the reference data, writes the synthetic practices (bench/data.py,
bulk_create, a fixed seed) and removes them at the end unless --keep. Pages are
timed through gunicorn on loopback (as in production, DEBUG off, one worker);
query counts through Django's test client. Everything but the JSON line goes to
stderr. Not a test: nothing here fails on a slow figure.
"""

from __future__ import annotations

import io
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.http import QueryDict
from django.test import Client

from bench import data, limits, measure
from costing import engine, exchange
from pathways import selectors
from pathways.models import CostModel
from reports.selectors import build_rollup, select

TINY = {"practices": 5, "models": 1, "cohorts": 5, "requests": 5, "national": 100, "pdfs": 1, "batch": 2, "parallel": 4}
PARTS = ("pages", "limits", "engine", "national", "pdf", "batch")
# Reports of a batch rendered alone, each once, for the time of one report alone (batch_report_alone_s).
ALONE_SAMPLE = 10
# Practices of the roll-ups whose times show how it grows (rollup_scaling), up to --national.
SCALES = (50, 200, 800, 3200)


class Command(BaseCommand):
    help = "Benchmark: synthetic practices, then page times, query counts, engine, PDF and memory, as one JSON line."

    def add_arguments(self, parser):
        parser.add_argument("--practices", type=int, default=200)
        parser.add_argument("--models", type=int, default=3, help="models a practice")
        parser.add_argument("--cohorts", type=int, default=30, help="cohorts a side of each model")
        parser.add_argument("--requests", type=int, default=50, help="comparison pages to time")
        parser.add_argument("--national", type=int, default=6500, help="practices of the national roll-up")
        parser.add_argument("--pdfs", type=int, default=5, help="renders of the C/D report to time")
        parser.add_argument("--batch", type=int, default=50, help="reports in the batch whose memory is measured")
        parser.add_argument(
            "--parallel", type=int, default=200, help="reports in the batch timed against one report alone"
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--keep", action="store_true", help="keep the synthetic practices afterwards")
        parser.add_argument("--tiny", action="store_true", help="a few of everything: " + json.dumps(TINY))
        parser.add_argument(
            "--only", default=",".join(PARTS), help="the parts to measure, comma-separated: " + ", ".join(PARTS)
        )

    def handle(self, *args, **options):
        if options["tiny"]:
            options.update(TINY)
        parts = {p.strip() for p in options["only"].split(",") if p.strip()}
        if parts - set(PARTS):
            raise CommandError(f"--only: unknown part(s) {sorted(parts - set(PARTS))}; choose from {', '.join(PARTS)}")
        quiet = io.StringIO()
        load_before = os.getloadavg()
        result = {"database": connection.vendor, "load_average_before": [round(x, 2) for x in load_before]}
        call_command("migrate", interactive=False, verbosity=0, stdout=quiet)
        call_command("load_reference_data", verbosity=0, stdout=quiet)
        data.remove()
        start = time.perf_counter()
        made = data.create(
            practices=options["practices"],
            models_per_practice=options["models"],
            per_side=options["cohorts"],
            seed=options["seed"],
        )
        result["generate_s"] = round(time.perf_counter() - start, 2)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # planner statistics for the rows just written
        result.update(
            practices=options["practices"],
            models_per_practice=options["models"],
            cohorts_per_side=options["cohorts"],
            rows_written=made.rows,
        )
        if parts != set(PARTS):
            result["only"] = sorted(parts)
        try:
            if "pages" in parts:
                result.update(self._pages(made, options))
            if "limits" in parts:
                result.update(self._limits(made, options))
            if "engine" in parts:
                result.update(self._engine(options))
            if "national" in parts:
                result.update(self._national(options))
            if "pdf" in parts:
                result.update(self._pdf(options))
            if "batch" in parts:
                one_a_practice = made.model_ids[:: options["models"]]
                batch = measure.batch_peak_rss(data.FACILITATOR_USERNAME, one_a_practice[: options["batch"]])
                result.update(
                    batch_reports=batch["reports"],
                    batch_50_s=batch["seconds"],
                    # Every process of the batch (its own, its pool's), each one's peak added up.
                    batch_50_peak_rss_mb=batch["peak_rss_mb"],
                    batch_50_processes=batch["processes"],
                    batch_50_pool_peak_rss_mb=batch["pool_peak_rss_mb"],
                )
                result.update(self._parallel(one_a_practice[: options["parallel"]], options))
        finally:
            if not options["keep"]:
                data.remove()
        result.update(
            cpu_calibration_us=measure.cpu_calibration_us(),
            load_average_after=[round(x, 2) for x in os.getloadavg()],
            cpus=os.cpu_count(),
            python=platform.python_version(),
        )
        self.stdout.write(json.dumps(result))

    # ------------------------------------------------------------------ pages

    def _pages(self, made: data.Generated, options) -> dict:
        out = {}
        user = made.facilitator
        client = Client()
        client.force_login(user)
        query_models = CostModel.objects.select_related("practice").in_bulk(made.query_model_ids.values())
        url_10 = query_models[made.query_model_ids[10]].get_absolute_url()
        url_100 = query_models[made.query_model_ids[100]].get_absolute_url()
        client.get(url_10)  # the reference data's cache, as a running server has it
        out["compare_queries_10"] = measure.page_queries(client, url_10)
        out["compare_queries_100"] = measure.page_queries(client, url_100)
        cache.clear()
        out["rollup_queries_cold"] = measure.page_queries(client, "/rollup/")
        out["rollup_queries"] = measure.page_queries(client, "/rollup/")
        out["dashboard_queries"] = measure.page_queries(client, "/")

        # The figures the roll-up shows, against one SQL aggregate of the same rows.
        selection = select(user, QueryDict(), load=False)
        chosen = [m.pk for m in selection.chosen_models]
        floor_seconds, floor_totals = measure.sql_floor(chosen)
        floor_totals = measure.a_year_of(floor_totals)  # the bench's models count a month; the roll-up, a year
        cache.clear()
        shown = measure.rollup_totals(build_rollup(select(user, QueryDict())))
        # PostgreSQL's numeric arithmetic is exact enough to give the roll-up's figures; SQLite's is floating point.
        out["floor_matches_rollup"] = floor_totals == shown if connection.vendor == "postgresql" else None
        if out["floor_matches_rollup"] is False:
            print(f"bench: the SQL floor's totals {floor_totals} differ from the roll-up's {shown}", file=sys.stderr)

        models = CostModel.objects.select_related("practice").in_bulk(made.model_ids)
        one_a_practice = [models[pk] for pk in made.model_ids[:: options["models"]]]
        urls = [one_a_practice[i % len(one_a_practice)].get_absolute_url() for i in range(options["requests"])]
        cookie = measure.session_cookie(client)
        with measure.live_server() as base:
            measure.timed_get(base + url_10, cookie)  # the worker's templates and reference data
            cold, _ = measure.timed_get(base + "/rollup/", cookie)
            warm = [
                measure.timed_get(base + "/rollup/", cookie)[0] for _ in range(max(3, min(10, options["requests"])))
            ]
            times, html = [], b""
            for url in urls:
                seconds, html = measure.timed_get(base + url, cookie)
                times.append(seconds)
            first, _ = measure.timed_get(base + "/", cookie)
            dashboard = [measure.timed_get(base + "/", cookie)[0] for _ in range(3)]
        client.logout()
        rollup_ms = measure.ms(statistics.median(warm))
        floor_ms = max(measure.ms(floor_seconds), 0.1)
        out.update(
            compare_p50_ms=measure.ms(measure.percentile(times, 50)),
            compare_p95_ms=measure.ms(measure.percentile(times, 95)),
            compare_max_ms=measure.ms(max(times)),
            compare_requests=len(times),
            compare_html_bytes=len(html),
            rollup_200_ms=rollup_ms,
            rollup_200_cold_ms=measure.ms(cold),
            rollup_floor_ms=floor_ms,
            rollup_floor_ratio=round(rollup_ms / floor_ms, 2),
            rollup_cold_floor_ratio=round(measure.ms(cold) / floor_ms, 2),
            dashboard_first_ms=measure.ms(first),
            dashboard_ms=measure.ms(statistics.median(dashboard)),
            dashboard_models=len(made.model_ids),
        )
        out.update(measure.first_visit(html))
        return out

    def _limits(self, made: data.Generated, options) -> dict:
        """Example C/D's decisions page; the comparison page and PDF of the model at the app's limits."""
        client = Client()
        client.force_login(made.facilitator)
        try:
            return limits.measure_at_limits(
                made.practice_ids[0],
                measure.session_cookie(client),
                requests=min(20, options["requests"]),
                pdfs=0 if options["tiny"] else 1,
            )
        finally:
            client.logout()

    # ----------------------------------------------------------------- engine

    def _engine(self, options) -> dict:
        """The engine alone, on synthetic models each with its own roles and pathways (no sharing to help it)."""
        models = data.engine_models(min(500, max(50, options["practices"])), options["cohorts"], options["seed"])
        cd = exchange.loads((settings.BASE_DIR / "costing" / "fixtures" / "example_cd.json").read_bytes())
        return {
            # Totals (engine.headlines, as lists and roll-ups cost models), all the models in one call.
            "engine_models_per_s": measure.engine_batch_rate(models),
            # One at a time: the totals alone, and the full comparison with every stage's and cohort's results.
            "engine_headline_models_per_s": measure.engine_rate(engine.headline, models),
            "engine_compare_models_per_s": measure.engine_rate(engine.compare, models),
            "engine_cd_compare_models_per_s": measure.engine_rate(engine.compare, [cd] * 300),
            "engine_models_timed": len(models),
            "engine_model_shape": measure.model_shape(models[0]),
        }

    # ---------------------------------------------------------------- national

    def _national(self, options) -> dict:
        """The roll-up through its service (reports.selectors) of --national practices' stored totals,
        and of the first 50, 200, 800 and 3,200 of them (as many as there are): how its time grows."""
        scales = tuple(n for n in SCALES if n <= options["national"])
        start = time.perf_counter()
        national = data.create_national(
            practices=options["national"], per_side=options["cohorts"], seed=options["seed"], scales=scales
        )
        generated = time.perf_counter() - start
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        scaling = {str(n): measure.ms(measure.rollup_seconds(national.scaled[n])[0]) for n in scales}
        seconds, result = measure.rollup_seconds(national.facilitator)
        # The page itself, as served: its first page of practices, with the totals of all of them.
        client = Client()
        client.force_login(national.facilitator)
        cookie = measure.session_cookie(client)
        with measure.live_server() as base:
            measure.timed_get(base + "/rollup/", cookie)  # the worker's templates
            pages = [measure.timed_get(base + "/rollup/", cookie) for _ in range(5)]
        return {
            "national_rollup_s": round(seconds, 3),
            "national_practices": sum(t.practices for t in result.totals),
            "national_generate_s": round(generated, 2),
            "rollup_scaling": scaling,
            "national_page_ms": measure.ms(statistics.median(t for t, _ in pages)),
            "national_page_bytes": len(pages[0][1]),
        }

    def _parallel(self, model_ids: list[int], options) -> dict:
        """A batch's wall time against the same reports rendered one after another (1: no gain; 0.5: two cores).

        One report alone is the mean of ALONE_SAMPLE of the batch's reports spread over it, each rendered
        alone in a fresh process as pdf_s is (bench/pdf.py, after a first render): the bench's models
        have 30 cohorts a side, so their reports are longer than example C/D's, and pdf_s (C/D's) would
        count that as the batch's own slowness; and their reports differ (the batch's first took 1.0 s
        where most took 1.5 to 2), so one of them alone says little of the rest.
        """
        batch = measure.batch_peak_rss(data.FACILITATOR_USERNAME, model_ids)
        sample = model_ids[:: max(1, len(model_ids) // ALONE_SAMPLE)][:ALONE_SAMPLE]
        with tempfile.TemporaryDirectory() as folder:
            paths = []
            for n, pk in enumerate(sample):
                path = Path(folder) / f"batch_model_{n}.json"
                path.write_text(exchange.dumps(selectors.engine_model(CostModel.objects.get(pk=pk))))
                paths.append(str(path))
            each = measure.json_subprocess("bench.pdf", "--each", "1", *paths)
        alone = each["pdf_s"]
        return {
            "batch_parallel_reports": batch["reports"],
            "batch_parallel_s": batch["seconds"],
            "batch_parallel_cpu_s": batch["cpu_s"],
            "batch_parallel_processes": batch["pool_size"],
            "batch_report_alone_s": alone,
            "batch_reports_alone_s": each["pdf_each_s"],
            "batch_parallel_ratio": round(batch["seconds"] / (len(model_ids) * alone), 2),
            # Against the processor time the batch's own reports took: 1 / the cores it kept busy.
            "batch_parallel_cpu_ratio": round(batch["seconds"] / batch["cpu_s"], 2),
        }

    # -------------------------------------------------------------------- PDF

    def _pdf(self, options) -> dict:
        """The C/D report rendered in a fresh process (bench/pdf.py): a server's, not this big one's."""
        path = Path(settings.BASE_DIR) / "costing" / "fixtures" / "example_cd.json"
        return measure.json_subprocess("bench.pdf", str(path), str(options["pdfs"]))
