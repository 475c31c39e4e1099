"""The decisions page of example C/D, and the comparison page and PDF of the largest model the app accepts.

Both models are imported into the first synthetic practice (as a practice would
import a file) and deleted afterwards. The decisions page is timed with nothing
cached: each request is of a new seed (stored as the practice would store it),
so each analyses the model afresh, 2,000 draws of rates ± 10 % and minutes
± 20 %; then the same seed again, as the cache serves it. The model at the
limits is costing.limits_model's; its PDF is rendered in a fresh process
(bench/pdf.py), as a worker would: the first render and one more (--tiny: the
first alone, as it takes seconds).
"""

from __future__ import annotations

import statistics
import tempfile
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from bench import measure
from costing import exchange
from costing.limits_model import model_at_limits
from pathways.models import CostModel, DecisionInputs
from pathways.services import cost_model_import
from practices.models import Practice

FIXTURE = Path(settings.BASE_DIR) / "costing" / "fixtures" / "example_cd.json"
DRAWS = 2000


def measure_at_limits(practice_id: int, cookie: str, *, requests: int, pdfs: int) -> dict:
    """decisions_* of example C/D's page, compare_at_limits_* and pdf_at_limits_s (the median of
    ``pdfs`` renders after the first; 0: the first alone, as --tiny does)."""
    practice = Practice.objects.get(pk=practice_id)
    largest = model_at_limits()
    cd = cost_model_import(practice=practice, model=exchange.loads(FIXTURE.read_bytes()), by=None)
    at_limits = cost_model_import(practice=practice, model=largest, by=None)
    try:
        out = _pages(cd, at_limits, cookie, requests)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "at_limits.json"
            path.write_text(exchange.dumps(largest))
            pdf = measure.json_subprocess("bench.pdf", str(path), str(pdfs))
        out.update(pdf_at_limits_s=pdf["pdf_s"], pdf_at_limits_first_s=pdf["pdf_first_s"])
        out.update(pdf_at_limits_bytes=pdf["pdf_bytes"])
        return out
    finally:
        CostModel.objects.filter(pk__in=[cd.pk, at_limits.pk]).delete()


def _pages(cd: CostModel, at_limits: CostModel, cookie: str, requests: int) -> dict:
    decisions_url = reverse("model_decisions", args=[cd.practice.ods_code, cd.pk])
    fresh, cached = [], []
    with measure.live_server() as base:
        measure.timed_get(base + cd.get_absolute_url(), cookie)  # the worker's templates and reference data
        for seed in range(1, requests + 1):
            DecisionInputs.objects.update_or_create(
                cost_model=cd,
                defaults={
                    "rate_uncertainty_percent": Decimal(10),
                    "minutes_uncertainty_percent": Decimal(20),
                    "draws": DRAWS,
                    "seed": seed,
                },
            )
            fresh.append(measure.timed_get(base + decisions_url, cookie)[0])
        cached = [measure.timed_get(base + decisions_url, cookie)[0] for _ in range(3)]
        url = at_limits.get_absolute_url()
        times, html = [], b""
        for _ in range(max(1, min(3, requests))):
            seconds, html = measure.timed_get(base + url, cookie)
            times.append(seconds)
    return {
        "decisions_p95_ms": measure.ms(measure.percentile(fresh, 95)),
        "decisions_p50_ms": measure.ms(measure.percentile(fresh, 50)),
        "decisions_cached_ms": measure.ms(statistics.median(cached)),
        "decisions_requests": len(fresh),
        "decisions_draws": DRAWS,
        "compare_at_limits_ms": measure.ms(statistics.median(times)),
        "compare_at_limits_bytes": len(html),
    }
