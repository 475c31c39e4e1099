"""Render a model file's PDF report in a fresh process, as a server or worker process would.

    python -m bench.pdf FILE COUNT
    python -m bench.pdf --each COUNT FILE [FILE ...]

Prints one JSON line: the first render's seconds (fonts and templates loaded on
the way), the median of COUNT more (with COUNT 0, the first's), and the report's size. The process freezes
what it has loaded before rendering, as config/wsgi.py does. With --each, after a first render of the
first file, each file is rendered COUNT times and ``pdf_s`` is the mean of their medians: what a
report of theirs takes alone on average. Run by `python -m bench`.
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

    if argv[0] == "--each":
        count, paths = int(argv[1]), [Path(a) for a in argv[2:]]
    else:
        paths, count = [Path(argv[0])], int(argv[1])
    models = [exchange.loads(path.read_bytes()) for path in paths]
    subject = pdf.ReportSubject(
        model_name=models[0].name, practice_name="Benchmark practice", ods_code="Z90000", list_size=9699
    )
    gc.collect()
    gc.freeze()
    start = time.perf_counter()
    content = pdf.render_pdf(models[0], subject)
    first = time.perf_counter() - start
    medians, slowest = [], first
    for model in models:
        times = [first] if count == 0 else []  # 0: the first render alone
        for _ in range(count):
            start = time.perf_counter()
            content = pdf.render_pdf(model, subject)
            times.append(time.perf_counter() - start)
        medians.append(statistics.median(times))
        slowest = max(slowest, *times)
    result = {
        "pdf_s": round(statistics.fmean(medians), 2),
        "pdf_first_s": round(first, 2),
        "pdf_max_s": round(slowest, 2),
        "pdf_bytes": len(content),
    }
    if argv[0] == "--each":
        result["pdf_each_s"] = [round(m, 2) for m in medians]
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
