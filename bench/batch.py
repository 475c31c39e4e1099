"""The processes that build a batch of PDF reports, as the background task does, and their peak memory.

    python -m bench.batch USERNAME MODEL_ID [MODEL_ID ...]

Prints one JSON line: the reports built, the seconds taken, and the peak resident
set size of the processes that built them, in MB: the batch's own process and
the pool it starts (BATCH_REPORT_MODE "processes", BATCH_REPORT_PROCESSES of
them with this one; reports.tasks), each process's peak added up
(``peak_rss_mb``: as if every one peaked at the same moment, and a shared
library's pages counted in each process that maps it, so more than the machine
needed at once), and the most their proportional set sizes came to at once
(``peak_pss_mb``, sampled). The pool's figures are read from /proc every 50 ms
while it runs, so growth in a process's last 50 ms may be missed. Run by
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
import threading
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    if argv[:1] != ["--run"]:  # this small process only starts the one that measures
        return subprocess.run([sys.executable, "-m", "bench.batch", "--run", *argv], check=False).returncode  # noqa: S603
    argv = argv[1:]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("BATCH_REPORT_MODE", "processes")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from reports.models import BatchReport
    from reports.tasks import run_batch

    username, *ids = argv
    user = get_user_model().objects.get(username=username)
    model_ids = [int(i) for i in ids]
    batch = BatchReport.objects.create(user=user, model_ids=model_ids, total=len(model_ids))
    watch = PeakWatch()
    watch.start()
    start = time.perf_counter()
    try:
        run_batch(batch.pk)
        seconds = time.perf_counter() - start
    finally:
        watch.stop()
    batch.refresh_from_db()
    own_kb = _status_kb("VmHWM")
    cpu_s = sum(
        usage.ru_utime + usage.ru_stime
        for usage in (resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN))
    )
    pool_kb = sorted(watch.peaks.values(), reverse=True)
    result = {
        "reports": batch.done,
        "status": batch.status,
        "errors": batch.error_lines,
        "seconds": round(seconds, 2),
        # Processor time of this process and its pool (from its start): on a machine of its own, about
        # seconds × the processes rendering; less when others share the cores.
        "cpu_s": round(cpu_s, 2),
        "zip_bytes": batch.zip_file.size if batch.zip_file else 0,
        "mode": settings.BATCH_REPORT_MODE,
        "pool_size": settings.BATCH_REPORT_PROCESSES,
        "processes": 1 + len(pool_kb),  # this one, its pool and multiprocessing's resource tracker
        "peak_rss_mb": round((own_kb + sum(pool_kb)) / 1024, 1),
        "own_peak_rss_mb": round(own_kb / 1024, 1),
        "pool_peak_rss_mb": [round(kb / 1024, 1) for kb in pool_kb],
        "peak_pss_mb": round(watch.pss_kb / 1024, 1),
    }
    if batch.zip_file:
        batch.zip_file.delete(save=False)  # the bench leaves nothing behind
    batch.delete()
    print(json.dumps(result))
    return 0 if batch.status == BatchReport.Status.DONE else 1


class PeakWatch(threading.Thread):
    """Read every 50 ms: each child process's peak resident set size (VmHWM), and the most all of them and
    this one used at once as proportional set size (Pss: a page shared by n processes counts 1/n in each)."""

    def __init__(self):
        super().__init__(name="peak-watch", daemon=True)
        self.peaks: dict[int, int] = {}
        self.pss_kb = 0
        self._stopped = threading.Event()

    def run(self) -> None:
        while not self._stopped.wait(0.05):
            self._sample()

    def stop(self) -> None:
        self._stopped.set()
        self.join()
        self._sample()

    def _sample(self) -> None:
        children = _children(os.getpid())
        for pid in children:
            kb = _status_kb("VmHWM", pid)
            if kb:
                self.peaks[pid] = max(self.peaks.get(pid, 0), kb)
        self.pss_kb = max(self.pss_kb, sum(_pss_kb(pid) for pid in ["self", *children]))


def _children(pid: int) -> list[int]:
    """The processes multiprocessing started for this one (its pool, its resource tracker); not the short-lived
    ldconfig and gcc that WeasyPrint's import runs to find its libraries, nor theirs."""
    found = []
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(child) for child in children.read_text().split()]
        except OSError:
            continue  # the thread ended meanwhile
    return [child for child in found if b"multiprocessing" in _cmdline(child)]


def _cmdline(pid: int) -> bytes:
    """A process's command line; a child forked to run another program has this one's until it does."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _pss_kb(pid: int | str) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        return 0
    return 0


def _status_kb(field: str, pid: int | str = "self") -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return 0  # gone meanwhile
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
