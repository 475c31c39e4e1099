"""One process that builds a batch of PDF reports, as the background task does, and reports its peak memory.

    python -m bench.batch USERNAME MODEL_ID [MODEL_ID ...]

Prints one JSON line: the reports built, the seconds taken and the peak resident
set size of the process that built them (resource.getrusage), in MB. Run by
`python -m bench`.

Linux keeps a process's peak across fork and exec: a process started straight
from the (large) bench process would report the bench's size. So this module,
started small, starts the process that does the work (--run), and relays its line.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time


def main(argv: list[str]) -> int:
    if argv[:1] != ["--run"]:  # this small process only starts the one that measures
        return subprocess.run([sys.executable, "-m", "bench.batch", "--run", *argv], check=False).returncode  # noqa: S603
    argv = argv[1:]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from reports.models import BatchReport
    from reports.tasks import run_batch

    username, *ids = argv
    user = get_user_model().objects.get(username=username)
    model_ids = [int(i) for i in ids]
    batch = BatchReport.objects.create(user=user, model_ids=model_ids, total=len(model_ids))
    start = time.perf_counter()
    run_batch(batch.pk)
    seconds = time.perf_counter() - start
    batch.refresh_from_db()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    result = {
        "reports": batch.done,
        "status": batch.status,
        "errors": batch.error_lines,
        "seconds": round(seconds, 2),
        "zip_bytes": batch.zip_file.size if batch.zip_file else 0,
        "peak_rss_mb": round(peak_kb / 1024, 1),
        "vm_hwm_mb": round(_status_kb("VmHWM") / 1024, 1),  # the same peak, as the kernel reports it
    }
    if batch.zip_file:
        batch.zip_file.delete(save=False)  # the bench leaves nothing behind
    print(json.dumps(result))
    return 0 if batch.status == BatchReport.Status.DONE else 1


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
