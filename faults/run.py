"""make faults: start a private PostgreSQL cluster, two Redis servers (cache and broker), gunicorn and a
Celery worker on spare loopback ports, fail one part at a time, and check what the app does.

    python -m faults            # about two to three minutes; exit status 0 when every check holds

Nothing shared is touched: the PostgreSQL on 5432 and the Redis on 6379 are left
alone. Every process started here is stopped at the end, by its own id. Waits
poll with generous deadlines (a loaded two-core machine is slow, never wrong).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
PASSWORD = "yoc-facilitator-demo"
EXTRA_PRACTICES = 8  # the facilitator's batch is long enough to kill its worker mid-way


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(what: str, check: Callable[[], object], seconds: float = 90, every: float = 0.2):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            result = check()
        except Exception:  # noqa: BLE001 - not up yet
            result = None
        if result:
            return result
        time.sleep(every)
    raise Failed(f"gave up waiting {seconds:.0f} s for {what}")


class Failed(Exception):
    pass


class Stack:
    """The processes of one run, each stopped at the end by its own id."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.processes: dict[str, subprocess.Popen] = {}
        self.pg_data = folder / "pg"
        self.pg_port = free_port()
        self.cache_port = free_port()
        self.broker_port = free_port()
        self.web_port = free_port()
        self.env = {
            **os.environ,
            "DJANGO_ENV": "development",
            "DJANGO_DEBUG": "false",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{self.pg_port}/pcsp",
            "DATABASE_CONN_MAX_AGE": "60",
            "DATABASE_STATEMENT_TIMEOUT_MS": "20000",
            "CACHE_URL": f"redis://127.0.0.1:{self.cache_port}/0",
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{self.broker_port}/0",
            "MEDIA_ROOT": str(folder / "media"),
            "AXES_FAILURE_LIMIT": "1000",
            "LOG_LEVEL": "INFO",
        }

    # ------------------------------------------------------------ processes

    def start(self, name: str, command: list[str], **kwargs) -> subprocess.Popen:
        log = open(self.folder / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, **kwargs)
        self.processes[name] = process
        return process

    def stop(self, name: str) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        os.kill(process.pid, signal.SIGCONT)  # a paused process cannot act on SIGTERM
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")

    def redis(self, name: str, port: int, *extra: str) -> None:
        self.start(name, ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", *extra])
        wait_until(f"{name} on {port}", lambda: socket.create_connection(("127.0.0.1", port), 1).close() or True)

    def postgres(self) -> None:
        self.pg_data.mkdir()
        owner = [] if os.geteuid() else ["runuser", "-u", "postgres", "--"]  # initdb refuses to run as root
        if owner:
            shutil.chown(self.folder, "postgres")
            shutil.chown(self.pg_data, "postgres")
        run([*owner, str(PG_BIN / "initdb"), "-D", str(self.pg_data), "-U", "postgres", "--auth=trust", "-E", "UTF8"])
        self.pg_ctl = [*owner, str(PG_BIN / "pg_ctl"), "-D", str(self.pg_data), "-w", "-t", "120"]
        options = f"-p {self.pg_port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.pg_data}"
        run([*self.pg_ctl, "-o", options, "-l", str(self.pg_data / "server.log"), "start"])
        run([str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(self.pg_port), "-U", "postgres", "-qc",
             "CREATE DATABASE pcsp"])  # fmt: skip

    def web(self) -> None:
        self.start(
            "web",
            [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{self.web_port}",
             "--workers", "3", "--timeout", "30"],
        )  # fmt: skip
        wait_until("gunicorn", lambda: requests.get(self.url("/accounts/login/"), timeout=5).ok, seconds=120)

    def worker(self) -> None:
        self.start(
            "worker",
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--concurrency=1", "--loglevel=INFO",
             "--without-gossip", "--without-mingle", "-n", f"faults-{os.getpid()}@localhost"],
        )  # fmt: skip
        wait_until("the Celery worker", lambda: "ready." in self.log("worker"), seconds=120)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.web_port}{path}"

    def close(self) -> None:
        for name in list(self.processes):
            self.stop(name)
        if self.pg_data.exists() and getattr(self, "pg_ctl", None):
            subprocess.run([*self.pg_ctl, "-m", "immediate", "stop"], capture_output=True)


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=600, **kwargs)
    if result.returncode:
        raise Failed(f"{' '.join(command[:4])}: exit {result.returncode}: {(result.stderr or result.stdout)[-1500:]}")
    return result


# ------------------------------------------------------------------ the app, as a user sees it


def login(stack: Stack, username: str = "facilitator", password: str = PASSWORD) -> requests.Session:
    session = requests.Session()
    page = session.get(stack.url("/accounts/login/"), timeout=30)
    token = session.cookies["csrftoken"]
    response = session.post(
        page.url,
        data={"username": username, "password": password, "csrfmiddlewaretoken": token},
        headers={"Referer": page.url},
        timeout=30,
    )
    if "/accounts/login/" in response.url:
        raise Failed(f"could not log in as {username}")
    return session


def post(session: requests.Session, stack: Stack, path: str, data: dict | None = None, **kwargs):
    token = session.cookies["csrftoken"]
    return session.post(
        stack.url(path),
        data={"csrfmiddlewaretoken": token, **(data or {})},
        headers={"Referer": stack.url("/")},
        timeout=60,
        **kwargs,
    )


def pages(session_paths: list[str], session: requests.Session, stack: Stack, *, within: float) -> dict:
    """Each page's status and seconds; a page slower than ``within`` or not a 200 fails."""
    out = {}
    for path in session_paths:
        started = time.monotonic()
        status = session.get(stack.url(path), timeout=60).status_code
        took = time.monotonic() - started
        out[path] = (status, round(took, 2))
        if status != 200 or took > within:
            raise Failed(f"{path}: {status} in {took:.1f} s")
    return out


# ------------------------------------------------------------------ the checks


def check_cache(stack: Stack, session, paths) -> str:
    warm = pages(paths, session, stack, within=30)
    cache = stack.processes["cache"]
    os.kill(cache.pid, signal.SIGSTOP)  # accepts connections, never answers
    try:
        hung = pages(paths, session, stack, within=10)
    finally:
        os.kill(cache.pid, signal.SIGCONT)
    stack.stop("cache")
    down = pages(paths, session, stack, within=10)
    if "cache unavailable" not in stack.log("web"):
        raise Failed("the cache's failure is not in the log")
    slowest = max(t for _s, t in [*hung.values(), *down.values()])
    return (
        f"{len(paths)} pages 200 with the cache hung and down (slowest {slowest} s; warm "
        f"{max(t for _s, t in warm.values())} s), logged"
    )


def check_database_restart(stack: Stack, session) -> str:
    for _ in range(9):
        session.get(stack.url("/"), timeout=30)  # every gunicorn worker holds a connection
    # With its log named: a server started on our pipes would keep them open for ever.
    run([*stack.pg_ctl, "-m", "fast", "-l", str(stack.pg_data / "server.log"), "restart"])
    statuses = [session.get(stack.url("/"), timeout=60).status_code for _ in range(12)]
    if set(statuses) != {200}:
        raise Failed(f"after a database restart: {statuses}")
    return "12 requests after a database restart, every one 200"


def _batches(user="facilitator"):
    from django.db import connections

    from reports.models import BatchReport

    connections.close_all()  # the database may have restarted since
    return BatchReport.objects.filter(user__username=user)


def _pool_children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def check_killed_worker(stack: Stack, session) -> str:
    before = set(_batches().values_list("pk", flat=True))
    response = post(session, stack, "/rollup/reports/")
    batch = wait_until("the new batch", lambda: _batches().exclude(pk__in=before).first(), seconds=30)
    if response.status_code != 200:
        raise Failed(f"starting a batch: {response.status_code}")
    part_built = _batches().filter(pk=batch.pk, status="running", done__gte=1)
    wait_until("the batch to be part-built", part_built.exists, seconds=120, every=0.05)
    children = _pool_children(stack.processes["worker"].pid)
    if not children:
        raise Failed("no Celery pool process to kill")
    killed_at = _batches().get(pk=batch.pk)
    for child in children:
        os.kill(child, signal.SIGKILL)
    final = wait_until(
        "the batch to finish after its worker was killed",
        lambda: _batches().filter(pk=batch.pk, status__in=["done", "failed"]).first(),
        seconds=180,
    )
    text = session.get(stack.url(f"/rollup/reports/{batch.pk}/"), timeout=30).text
    if final.status == "done":
        zipped = session.get(stack.url(f"/rollup/reports/{batch.pk}/download.zip"), timeout=60)
        if zipped.status_code != 200 or not zipped.content.startswith(b"PK"):
            raise Failed(f"the finished batch's zip: {zipped.status_code}")
    elif "Build these reports again" not in text:
        raise Failed("a failed batch without its retry button")
    return (
        f"pool process killed at {killed_at.done} of {killed_at.total}: the batch ended {final.status} "
        f"(attempt {final.attempts}){'' if final.status == 'done' else ': ' + final.errors}"
    )


def check_one_batch_per_user(stack: Stack) -> str:
    sessions = [login(stack) for _ in range(4)]
    worker = stack.processes["worker"]
    os.kill(worker.pid, signal.SIGSTOP)  # the batches stay queued while the starts race
    try:
        before = set(_batches().values_list("pk", flat=True))
        barrier = threading.Barrier(len(sessions))
        codes = []

        def start(session):
            barrier.wait()
            codes.append(post(session, stack, "/rollup/reports/", allow_redirects=False).status_code)

        threads = [threading.Thread(target=start, args=(s,)) for s in sessions]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        made = _batches().exclude(pk__in=before)
        if made.count() != 1 or set(codes) != {302}:
            raise Failed(f"four simultaneous starts: {made.count()} batches, answers {codes}")
        batch = made.get()
    finally:
        os.kill(worker.pid, signal.SIGCONT)
    wait_until("that batch to finish", lambda: _batches().filter(pk=batch.pk, status="done").exists(), seconds=180)
    return "four simultaneous starts made one batch, which finished"


def check_broker_down(stack: Stack, session) -> str:
    stack.stop("broker")
    before = set(_batches().values_list("pk", flat=True))
    started = time.monotonic()
    response = post(session, stack, "/rollup/reports/")
    took = time.monotonic() - started
    made = list(_batches().exclude(pk__in=before))
    if response.status_code != 200 or "could not be queued" not in response.text:
        raise Failed(f"with the broker down: {response.status_code}, the page does not say so")
    if [b.status for b in made] != ["failed"] or _batches().filter(status__in=["queued", "running"]).exists():
        raise Failed(f"with the broker down, batches left: {[(b.pk, b.status) for b in made]}")
    return f"with the broker down, the start said so in {took:.1f} s and nothing is left queued"


def check_backup(stack: Stack) -> str:
    from django.db import connections

    from pathways.backup import comparable, practice_backup
    from pathways.models import CostModel
    from practices.models import Practice

    folder = stack.folder / "backup"
    manage = [sys.executable, "manage.py"]
    run([*manage, "export_practice", "Y00001", "-o", str(folder)], env=stack.env)
    connections.close_all()
    practice = Practice.objects.get(ods_code="Y00001")
    original = comparable(practice_backup(practice))
    # Two restores at once, then a third: one copy of everything, as it was.
    both = [subprocess.Popen([*manage, "import_practice", str(folder)], cwd=ROOT, env=stack.env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]  # fmt: skip
    results = [(p.wait(180), p.stderr.read().decode()[-500:]) for p in both]
    if any(code for code, _err in results):
        raise Failed(f"two restores at once: {results}")
    run([*manage, "import_practice", str(folder)], env=stack.env)
    connections.close_all()
    after = comparable(practice_backup(Practice.objects.get(ods_code="Y00001")))
    if after != original:
        changed = [name for name in original["tables"] if original["tables"][name] != after["tables"].get(name)]
        raise Failed(f"the restored practice differs from its backup in {changed or 'its people'}")
    counts = {name: len(rows) for name, rows in original["tables"].items() if rows}
    models = CostModel.objects.filter(practice__ods_code="Y00001").count()
    return f"restored three times (two at once), as backed up, no duplicates ({models} models; {counts})"


# ------------------------------------------------------------------ the run


def prepare(stack: Stack) -> None:
    manage = [sys.executable, "manage.py"]
    run([*manage, "migrate", "--noinput"], env=stack.env)
    run([*manage, "load_reference_data"], env=stack.env)
    run([*manage, "setup_demo"], env=stack.env)
    code = (
        "from costing import exchange, reference\n"
        "from pathways.services import cost_model_import\n"
        "from practices.models import Facilitator, FacilitatorAssignment, Practice\n"
        "facilitator = Facilitator.objects.get(user__username='facilitator')\n"
        "model = exchange.loads((reference.EXAMPLES_DIR / 'example_cd.json').read_bytes())\n"
        f"for n in range({EXTRA_PRACTICES}):\n"
        "    practice = Practice.objects.create(ods_code=f'F9{n:04d}', name=f'Faults practice {n}', list_size=7000)\n"
        "    cost_model_import(practice=practice, model=model, by=None)\n"
        "    FacilitatorAssignment.objects.create(facilitator=facilitator, practice=practice)\n"
    )
    run([*manage, "shell", "-c", code], env=stack.env)


def main() -> int:
    # Stopped (CI's timeout, ^C): every server started here is stopped too (the finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.monotonic()
    folder = Path(tempfile.mkdtemp(prefix="pcsp-faults-"))
    stack = Stack(folder)
    results: list[tuple[str, bool, str]] = []
    try:
        stack.postgres()
        stack.redis("cache", stack.cache_port)
        stack.redis("broker", stack.broker_port, "--appendonly", "yes", "--dir", str(folder))
        prepare(stack)
        os.environ.update(stack.env)  # this process reads the same database, to check what the app did
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        import django

        django.setup()
        stack.web()
        stack.worker()
        session = login(stack)
        from django.urls import reverse

        from pathways.models import CostModel

        model = CostModel.objects.filter(practice__ods_code="Y00001").order_by("pk").first()
        paths = [
            reverse("dashboard"),
            reverse("practice_detail", args=["Y00001"]),
            reverse("model_detail", args=["Y00001", model.pk]),
            reverse("scenario_compare", args=["Y00001"]),
            reverse("rollup"),
            reverse("rollup_export"),
        ]
        checks = [
            ("cache down or hung", lambda: check_cache(stack, session, paths)),
            ("database restart", lambda: check_database_restart(stack, session)),
            ("worker killed mid-batch", lambda: check_killed_worker(stack, session)),
            ("one running batch per user", lambda: check_one_batch_per_user(stack)),
            ("broker down", lambda: check_broker_down(stack, session)),
            ("backup restored twice", lambda: check_backup(stack)),
        ]
        for name, check in checks:
            try:
                results.append((name, True, check()))
            except Exception as exc:  # noqa: BLE001 - each check reports, the next still runs
                results.append((name, False, f"{type(exc).__name__}: {exc}"))
            print(f"{'ok  ' if results[-1][1] else 'FAIL'} {name}: {results[-1][2]}", flush=True)
    except (Exception, KeyboardInterrupt) as exc:  # noqa: BLE001
        results.append(("set-up", False, f"{type(exc).__name__}: {exc}"))
        print(f"FAIL set-up: {exc}", flush=True)
    finally:
        stack.close()
    failed = [name for name, ok, _ in results if not ok]
    summary = {"checks": len(results), "failed": failed, "seconds": round(time.monotonic() - started)}
    print(json.dumps(summary))
    if failed:
        print(f"logs kept in {folder}", file=sys.stderr)
        for name in ("web", "worker"):
            tail = (
                (folder / f"{name}.log").read_text(errors="replace")[-3000:]
                if (folder / f"{name}.log").exists()
                else ""
            )
            print(f"--- {name}.log (end)\n{re.sub(r'(?m)^', '  ', tail)}", file=sys.stderr)
        return 1
    shutil.rmtree(folder, ignore_errors=True)
    return 0
