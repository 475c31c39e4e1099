"""Render a model file's PDF report in a fresh process, as a server or worker process would.

    python -m bench.pdf FILE COUNT

Prints one JSON line: the first render's seconds (fonts and templates loaded on
the way), the median of COUNT more (with COUNT 0, the first's), and the report's size. The process freezes
what it has loaded before rendering, as config/wsgi.py does. Run by `python -m bench`.
"""

from __future__ import annotations

import gc
import json
import os
import statistics
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from costing import exchange
    from reports import pdf

    path, count = Path(argv[0]), int(argv[1])
    model = exchange.loads(path.read_bytes())
    subject = pdf.ReportSubject(
        model_name=model.name, practice_name="Benchmark practice", ods_code="Z90000", list_size=9699
    )
    gc.collect()
    gc.freeze()
    start = time.perf_counter()
    content = pdf.render_pdf(model, subject)
    first = time.perf_counter() - start
    times = [first] if count == 0 else []  # 0: the first render alone
    for _ in range(count):
        start = time.perf_counter()
        content = pdf.render_pdf(model, subject)
        times.append(time.perf_counter() - start)
    result = {
        "pdf_s": round(statistics.median(times), 2),
        "pdf_first_s": round(first, 2),
        "pdf_max_s": round(max(times), 2),
        "pdf_bytes": len(content),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
