"""Batch reports: a zip of every practice's PDF, built by a Celery task (in-process here)."""

import dataclasses
import errno
import io
import zipfile
from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta

import kombu.exceptions
import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from pypdf import PdfReader

from pathways.models import CostModel
from practices.models import FacilitatorAssignment, Membership
from reports import tasks
from reports.models import BatchReport, BatchReportPart
from tests.factories import FacilitatorFactory, MembershipFactory, PracticeFactory
from tests.integration.test_rollup import assigned, model_for

pytestmark = pytest.mark.django_db

START = reverse("batch_report_start")


@pytest.fixture(autouse=True)
def eager_tasks(settings):
    """As without CELERY_BROKER_URL: tasks run in-process, errors surface in the test."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True


@pytest.fixture
def rendered(monkeypatch):
    """A fast stand-in for WeasyPrint; records which practices were rendered."""
    calls = []

    def fake_render_pdf(model, subject, **kwargs):
        calls.append(subject.ods_code)
        return b"%PDF-fake " + subject.ods_code.encode()

    monkeypatch.setattr("reports.pdf.render_pdf", fake_render_pdf)
    return calls


@pytest.fixture
def facilitator():
    return FacilitatorFactory()


@pytest.fixture
def three(facilitator):
    practices = [assigned(facilitator, name=f"Surgery {n}") for n in "ABC"]
    for practice in practices:
        model_for(practice)
    return practices


@pytest.fixture
def fclient(client, facilitator):
    client.force_login(facilitator.user)
    return client


def _start(client, django_capture_on_commit_callbacks, data=None):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(START, data or {})
    return response


def _zip(client, batch) -> zipfile.ZipFile:
    response = client.get(reverse("batch_report_download", kwargs={"batch_pk": batch.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response.streaming  # from storage, never read whole into memory
    content = b"".join(response.streaming_content)  # the test client closes it once read
    return zipfile.ZipFile(io.BytesIO(content))


def test_batch_of_three_practices_gives_a_zip_of_three_pdfs(
    fclient, facilitator, three, rendered, django_capture_on_commit_callbacks
):
    response = _start(fclient, django_capture_on_commit_callbacks)

    batch = BatchReport.objects.get()
    assert response.status_code == 302 and response.url == batch.get_absolute_url()
    assert batch.user == facilitator.user
    assert (batch.status, batch.done, batch.total, batch.error_lines) == ("done", 3, 3, [])
    archive = _zip(fclient, batch)
    names = archive.namelist()
    assert sorted(names) == sorted(
        f"{p.ods_code}-{CostModel.objects.get(practice=p).name.lower().replace(' ', '-')}.pdf" for p in three
    )
    assert all(archive.read(name).startswith(b"%PDF") for name in names)
    assert sorted(rendered) == sorted(p.ods_code for p in three)


def test_batch_uses_the_chosen_models_and_the_filter(
    fclient, facilitator, rendered, django_capture_on_commit_callbacks
):
    practice = assigned(facilitator)
    old = model_for(practice, name="Old", age_days=9)
    model_for(practice, name="New")
    model_for(assigned(facilitator))

    _start(fclient, django_capture_on_commit_callbacks, {f"model_{practice.ods_code}": old.pk})
    batch = BatchReport.objects.get()

    assert set(batch.model_ids) == {old.pk, CostModel.objects.exclude(practice=practice).get().pk}


def test_a_failing_report_is_listed_and_the_others_are_still_in_the_zip(
    fclient, three, monkeypatch, django_capture_on_commit_callbacks
):
    broken = three[1]

    def render_pdf(model, subject, **kwargs):
        if subject.ods_code == broken.ods_code:
            raise RuntimeError("WeasyPrint fell over")
        return b"%PDF-fake"

    monkeypatch.setattr("reports.pdf.render_pdf", render_pdf)

    _start(fclient, django_capture_on_commit_callbacks)

    batch, archive = _all_but_the_broken_one_zipped(fclient, broken)
    assert broken.ods_code in archive.read(tasks.NOT_INCLUDED_NAME).decode()
    page = fclient.get(batch.get_absolute_url()).content.decode()
    assert "Not in the zip" in page and broken.name in page and "Download the reports" in page


def _all_but_the_broken_one_zipped(client, broken) -> tuple[BatchReport, zipfile.ZipFile]:
    batch = BatchReport.objects.get()
    assert (batch.status, batch.done, batch.total) == ("done", 3, 3)
    assert len(batch.error_lines) == 1 and broken.ods_code in batch.error_lines[0]
    archive = _zip(client, batch)
    pdfs = [n for n in archive.namelist() if n.endswith(".pdf")]
    assert len(pdfs) == 2 and not any(broken.ods_code in n for n in pdfs)
    return batch, archive


def test_when_every_report_fails_the_batch_failed_and_has_no_zip(
    fclient, three, monkeypatch, django_capture_on_commit_callbacks
):
    def render_pdf(model, subject, **kwargs):
        raise RuntimeError("no fonts")

    monkeypatch.setattr("reports.pdf.render_pdf", render_pdf)

    _start(fclient, django_capture_on_commit_callbacks)

    batch = BatchReport.objects.get()
    assert batch.status == "failed" and len(batch.error_lines) == 3
    assert fclient.get(reverse("batch_report_download", kwargs={"batch_pk": batch.pk})).status_code == 404


def test_where_weasyprint_cannot_load_the_batch_failed_and_says_what_to_install(
    fclient, three, no_weasyprint, django_capture_on_commit_callbacks
):
    _start(fclient, django_capture_on_commit_callbacks)

    batch = BatchReport.objects.get()
    assert batch.status == "failed" and not batch.zip_file
    (line,) = batch.error_lines
    assert line.startswith("PDF reports are unavailable on this server")
    page = fclient.get(batch.get_absolute_url()).content.decode()
    assert "The reports could not be built" in page and "libharfbuzz-subset0" in page


def test_practice_without_a_model_is_reported_not_skipped(
    fclient, facilitator, three, rendered, django_capture_on_commit_callbacks
):
    empty = assigned(facilitator, name="Empty Surgery")

    _start(fclient, django_capture_on_commit_callbacks)

    batch = BatchReport.objects.get()
    assert batch.total == 3 and batch.status == "done"
    assert any("Empty Surgery" in line and "no cost model" in line for line in batch.error_lines)
    assert empty.ods_code not in rendered


def _start_then_unassign(client, practice, django_capture_on_commit_callbacks):
    """A batch started, and the practice unassigned before its task runs."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(START)
    FacilitatorAssignment.objects.filter(practice=practice).delete()
    for callback in callbacks:
        callback()


def test_a_practice_unassigned_before_the_task_runs_is_not_reported(
    fclient, facilitator, three, rendered, django_capture_on_commit_callbacks
):
    _start_then_unassign(fclient, three[0], django_capture_on_commit_callbacks)

    batch = BatchReport.objects.get()
    assert three[0].ods_code not in rendered and len(rendered) == 2
    assert batch.done == batch.total == 3 and len(batch.error_lines) == 1
    assert len(_zip(fclient, batch).namelist()) == 3  # two PDFs and the list of what is missing


def test_the_task_is_enqueued_only_after_commit(fclient, three, rendered, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        fclient.post(START)

    batch = BatchReport.objects.get()
    assert len(callbacks) == 1 and batch.status == "queued" and rendered == []
    progress = fclient.get(reverse("batch_report_progress", kwargs={"batch_pk": batch.pk})).content.decode()
    assert 'hx-trigger="every 1s"' in progress and 'aria-valuenow="0"' in progress


def test_progress_stops_polling_when_done(fclient, three, rendered, django_capture_on_commit_callbacks):
    _start(fclient, django_capture_on_commit_callbacks)
    batch = BatchReport.objects.get()

    progress = fclient.get(reverse("batch_report_progress", kwargs={"batch_pk": batch.pk})).content.decode()
    detail = fclient.get(batch.get_absolute_url()).content.decode()

    assert "hx-get" not in progress and "hx-trigger" not in progress
    assert 'role="progressbar"' in progress and 'aria-valuenow="3"' in progress and 'aria-valuemax="3"' in progress
    assert "download.zip" in progress
    assert "htmx-2.min.js" in detail and 'role="progressbar"' in detail


def test_a_redelivered_task_does_nothing(fclient, three, rendered, django_capture_on_commit_callbacks):
    _start(fclient, django_capture_on_commit_callbacks)
    batch = BatchReport.objects.get()

    tasks.build_batch_report.delay(batch.pk)

    assert len(rendered) == 3


def test_a_second_start_while_one_is_running_shows_the_running_one(fclient, three, rendered):
    first = fclient.post(START)  # on_commit never runs inside the test's transaction: still queued
    second = fclient.post(START)

    assert BatchReport.objects.count() == 1
    assert second.url == first.url


@pytest.mark.parametrize("who", ["other_facilitator", "practice_admin", "assigned_colleague"])
def test_another_user_gets_404_for_the_job(
    client, facilitator, three, rendered, django_capture_on_commit_callbacks, who
):
    client.force_login(facilitator.user)
    _start(client, django_capture_on_commit_callbacks)
    batch = BatchReport.objects.get()
    colleague = FacilitatorFactory()
    FacilitatorAssignment.objects.create(facilitator=colleague, practice=three[0])
    users = {
        "other_facilitator": FacilitatorFactory().user,
        "practice_admin": MembershipFactory(practice=three[0], role=Membership.Role.ADMIN).user,
        "assigned_colleague": colleague.user,
    }
    client.force_login(users[who])

    for name in ("batch_report_detail", "batch_report_progress", "batch_report_download"):
        assert client.get(reverse(name, kwargs={"batch_pk": batch.pk})).status_code == 404, name


def test_start_by_non_facilitator_is_403_and_creates_nothing(client, rendered):
    client.force_login(MembershipFactory(practice=PracticeFactory(), role=Membership.Role.ADMIN).user)

    assert client.post(START).status_code == 403
    assert not BatchReport.objects.exists()


def test_start_is_post_only(fclient):
    assert fclient.get(START).status_code == 405


def test_start_with_no_models_says_so_and_creates_nothing(fclient, facilitator):
    assigned(facilitator)

    response = fclient.post(START, follow=True)

    assert not BatchReport.objects.exists()
    assert "no report to build" in response.content.decode()


def test_download_before_done_is_404(fclient, three, rendered):
    fclient.post(START)
    batch = BatchReport.objects.get()

    assert fclient.get(reverse("batch_report_download", kwargs={"batch_pk": batch.pk})).status_code == 404


def test_real_pdf_in_the_zip(fclient, facilitator, django_capture_on_commit_callbacks):
    """The one test that renders with WeasyPrint: the zip holds a real report of the practice."""
    model_for(assigned(facilitator, name="Riverside Surgery"))

    _start(fclient, django_capture_on_commit_callbacks)

    archive = _zip(fclient, BatchReport.objects.get())
    (name,) = archive.namelist()
    content = archive.read(name)
    assert content.startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "Riverside Surgery" in text and "£30.00" in text


def test_under_the_development_server_the_batch_is_built_outside_the_request(
    fclient, three, rendered, django_capture_on_commit_callbacks, settings, monkeypatch
):
    # make run: no broker (eager tasks) and DEBUG on. The request returns at once; a thread builds the zip.
    settings.DEBUG = True
    started = []

    class RecordedThread:
        def __init__(self, *, target, args, name, daemon):
            started.append((target, args, name, daemon))

        def start(self):
            pass

    monkeypatch.setattr("reports.services.threading.Thread", RecordedThread)
    monkeypatch.setattr("reports.services.connections.close_all", lambda: None)  # the test's own connection

    _start(fclient, django_capture_on_commit_callbacks)

    batch = BatchReport.objects.get()
    assert batch.status == "queued" and rendered == []
    [(target, args, name, daemon)] = started
    assert daemon and name == f"batch-report-{batch.pk}"
    target(*args)
    batch.refresh_from_db()
    assert (batch.status, batch.done) == ("done", 3)


# ------------------------------------------------------------------ when a part fails


def test_with_the_broker_down_the_batch_says_so_and_nothing_waits(
    fclient, three, rendered, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise kombu.exceptions.OperationalError("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr(tasks.build_batch_report, "delay", broker_down)

    response = _start(fclient, django_capture_on_commit_callbacks)

    batch = BatchReport.objects.get()
    assert response.status_code == 302 and response.url == batch.get_absolute_url()
    assert batch.status == "failed" and "could not be queued" in batch.errors and rendered == []
    page = fclient.get(batch.get_absolute_url()).content.decode()
    assert "could not be queued" in page and "Build these reports again" in page and "hx-trigger" not in page


def test_a_failed_batch_is_built_again_by_its_retry_button(
    fclient, three, rendered, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(tasks.pdf, "render_pdf", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("no")))
    _start(fclient, django_capture_on_commit_callbacks)
    failed = BatchReport.objects.get()
    assert failed.status == "failed"
    monkeypatch.undo()
    monkeypatch.setattr("reports.pdf.render_pdf", lambda model, subject, **k: b"%PDF " + subject.ods_code.encode())

    with django_capture_on_commit_callbacks(execute=True):
        response = fclient.post(reverse("batch_report_retry", kwargs={"batch_pk": failed.pk}))

    again = BatchReport.objects.exclude(pk=failed.pk).get()
    assert response.url == again.get_absolute_url()
    assert again.status == "done" and again.model_ids == failed.model_ids and len(_zip(fclient, again).namelist()) == 3


def test_one_running_batch_per_user_is_a_database_constraint(facilitator):
    BatchReport.objects.create(user=facilitator.user, total=1, model_ids=[1])

    with pytest.raises(IntegrityError), transaction.atomic():
        BatchReport.objects.create(user=facilitator.user, total=1, model_ids=[1], status="running")
    BatchReport.objects.create(user=facilitator.user, total=1, model_ids=[1], status="done")  # finished: any number


def test_a_task_delivered_again_after_its_worker_was_lost_builds_the_batch(fclient, three, rendered):
    fclient.post(START)  # queued; its task never ran (on_commit does not run in the test's transaction)
    batch = BatchReport.objects.get()
    # The first delivery's worker was killed mid-batch: running, one practice done.
    BatchReport.objects.filter(pk=batch.pk).update(status="running", attempts=1, done=1, errors="half")

    tasks.run_batch(batch.pk)

    batch.refresh_from_db()
    assert (batch.status, batch.attempts, batch.done, batch.errors) == ("done", 2, 3, "")
    assert len(_zip(fclient, batch).namelist()) == 3


def test_a_batch_that_kills_its_worker_every_time_is_failed_not_tried_for_ever(fclient, three, rendered):
    fclient.post(START)
    batch = BatchReport.objects.get()
    BatchReport.objects.filter(pk=batch.pk).update(status="running", attempts=tasks.MAX_ATTEMPTS)

    tasks.run_batch(batch.pk)

    batch.refresh_from_db()
    assert batch.status == "failed" and "stopped 3 times" in batch.errors and rendered == []


def test_a_lost_batch_is_failed_when_read_so_polling_ends(fclient, three, rendered, settings):
    fclient.post(START)
    batch = BatchReport.objects.get()
    quiet = timezone.now() - settings.BATCH_REPORT_LOST_AFTER - timedelta(seconds=1)
    BatchReport.objects.filter(pk=batch.pk).update(status="running", attempts=1, done=1, heartbeat_at=quiet)

    progress = fclient.get(reverse("batch_report_progress", kwargs={"batch_pk": batch.pk})).content.decode()

    batch.refresh_from_db()
    assert batch.status == "failed" and "stopped without finishing" in batch.errors
    assert "hx-trigger" not in progress and "Build these reports again" in progress


def test_a_lost_batch_does_not_block_a_new_start(fclient, three, rendered, django_capture_on_commit_callbacks):
    fclient.post(START)
    lost = BatchReport.objects.get()
    BatchReport.objects.filter(pk=lost.pk).update(heartbeat_at=timezone.now() - timedelta(days=1))

    _start(fclient, django_capture_on_commit_callbacks)

    lost.refresh_from_db()
    assert lost.status == "failed" and BatchReport.objects.filter(status="done").count() == 1


def test_the_sweep_deletes_zips_past_their_retention(
    fclient, three, rendered, settings, media_root, django_capture_on_commit_callbacks
):
    _start(fclient, django_capture_on_commit_callbacks)
    batch = BatchReport.objects.get()
    stored = media_root / batch.zip_file.name
    assert stored.exists()
    BatchReport.objects.filter(pk=batch.pk).update(
        finished_at=timezone.now() - timedelta(days=settings.BATCH_REPORT_RETENTION_DAYS, seconds=1)
    )

    tasks.sweep_batch_reports()

    batch.refresh_from_db()
    assert not stored.exists() and not batch.zip_file and batch.status == "done"
    assert fclient.get(reverse("batch_report_download", kwargs={"batch_pk": batch.pk})).status_code == 404
    assert "deleted 7 days after" in fclient.get(batch.get_absolute_url()).content.decode()


def test_with_no_disk_space_for_the_zip_the_batch_says_so(fclient, three, rendered, monkeypatch):
    fclient.post(START)
    batch = BatchReport.objects.get()

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(tasks.tempfile, "TemporaryFile", disk_full)
    tasks.run_batch(batch.pk)

    batch.refresh_from_db()
    assert batch.status == "failed" and "ran out of disk space" in batch.errors


# ------------------------------------------------------------------ in parallel


def _texts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Each PDF's text, by its name in the zip (the figures the facilitator reads)."""
    return {
        name: "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(archive.read(name))).pages)
        for name in archive.namelist()
    }


def test_a_batch_built_by_a_pool_of_processes_gives_the_reports_built_one_after_another(
    fclient, three, settings, django_capture_on_commit_callbacks
):
    """Real reports (WeasyPrint) in two spawned processes: same names, same figures, none empty."""
    _start(fclient, django_capture_on_commit_callbacks)
    one_by_one = BatchReport.objects.get()
    sequential = _texts(_zip(fclient, one_by_one))
    BatchReport.objects.filter(pk=one_by_one.pk).update(finished_at=timezone.now())
    settings.BATCH_REPORT_MODE = "processes"
    settings.BATCH_REPORT_PROCESSES = 2

    with django_capture_on_commit_callbacks(execute=True):
        fclient.post(reverse("batch_report_retry", kwargs={"batch_pk": one_by_one.pk}))

    pooled = BatchReport.objects.exclude(pk=one_by_one.pk).get()
    assert (pooled.status, pooled.done, pooled.total, pooled.error_lines) == ("done", 3, 3, [])
    parallel = _texts(_zip(fclient, pooled))
    assert len(parallel) == 3 and list(parallel) == list(sequential)
    assert parallel == sequential
    for practice in three:
        (text,) = [text for name, text in parallel.items() if name.startswith(practice.ods_code)]
        assert practice.name in text and "£30.00" in text


def test_a_report_that_fails_in_a_pool_process_is_listed_and_the_others_are_built(
    fclient, three, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.BATCH_REPORT_MODE = "processes"
    settings.BATCH_REPORT_PROCESSES = 2
    broken = three[1]
    job = tasks._job

    def job_that_breaks_in_the_worker(cost_model, filename):
        made = job(cost_model, filename)  # a model that is not one: render_pdf raises in the pool process
        return dataclasses.replace(made, model="not a model") if cost_model.practice == broken else made

    monkeypatch.setattr(tasks, "_job", job_that_breaks_in_the_worker)
    monkeypatch.setattr(tasks, "ProcessPoolExecutor", RecordedPool)
    RecordedPool.submitted = []

    _start(fclient, django_capture_on_commit_callbacks)

    _batch, archive = _all_but_the_broken_one_zipped(fclient, broken)
    assert all(archive.read(name).startswith(b"%PDF") for name in archive.namelist() if name.endswith(".pdf"))
    # The pool is given two ahead, so the first two (the broken one among them); this process renders the third.
    assert len(RecordedPool.submitted) >= 2 and any(broken.ods_code in name for name in RecordedPool.submitted)


class RecordedPool(ProcessPoolExecutor):
    submitted: list[str] = []

    def submit(self, fn, job, /):
        RecordedPool.submitted.append(job.filename)
        return super().submit(fn, job)


# ------------------------------------------------------------------ one Celery task a report


@pytest.fixture
def one_task_a_report(settings):
    settings.BATCH_REPORT_MODE = "tasks"


def test_with_a_task_a_report_the_zip_holds_every_report_and_no_part_is_left(
    fclient, three, rendered, one_task_a_report, media_root, monkeypatch, django_capture_on_commit_callbacks
):
    handed_out, run_part = [], tasks.run_part
    monkeypatch.setattr(tasks, "run_part", lambda *args: handed_out.append(args) or run_part(*args))

    _start(fclient, django_capture_on_commit_callbacks)

    batch = BatchReport.objects.get()
    assert (batch.status, batch.done, batch.total, batch.error_lines) == ("done", 3, 3, [])
    assert sorted(position for _batch, _attempt, position in handed_out) == [0, 1, 2]
    archive = _zip(fclient, batch)
    assert len(archive.namelist()) == 3 and sorted(rendered) == sorted(p.ods_code for p in three)
    assert not BatchReportPart.objects.exists()
    assert not list((media_root / "batch-reports" / str(batch.user_id) / "parts").glob("*"))


def test_with_a_task_a_report_a_failing_one_is_listed_and_a_gone_one_named(
    fclient, facilitator, three, one_task_a_report, monkeypatch, django_capture_on_commit_callbacks
):
    broken = three[1]

    def render_pdf(model, subject, **kwargs):
        if subject.ods_code == broken.ods_code:
            raise RuntimeError("WeasyPrint fell over")
        return b"%PDF-fake " + subject.ods_code.encode()

    monkeypatch.setattr("reports.pdf.render_pdf", render_pdf)
    _start_then_unassign(fclient, three[0], django_capture_on_commit_callbacks)

    batch = BatchReport.objects.get()
    assert (batch.status, batch.done, batch.total) == ("done", 3, 3)
    assert len(batch.error_lines) == 2
    assert "no longer there" in batch.error_lines[0] and broken.ods_code in batch.error_lines[1]
    archive = _zip(fclient, batch)
    built = CostModel.objects.get(practice=three[2])
    assert archive.namelist() == [f"{three[2].ods_code}-{slugify(built.name)}.pdf", tasks.NOT_INCLUDED_NAME]


@pytest.fixture
def handed_out(fclient, three, rendered, one_task_a_report, monkeypatch):
    """A batch whose parts are made and their tasks sent, none of them run yet."""
    monkeypatch.setattr(tasks, "group", lambda signatures: type("Sent", (), {"delay": lambda self: None})())
    fclient.post(START)
    batch = BatchReport.objects.get()
    tasks.run_batch(batch.pk)
    return batch


def test_with_a_task_a_report_the_parts_count_as_they_finish_and_a_part_delivered_again_does_nothing(
    fclient, handed_out, rendered
):
    batch = handed_out
    batch.refresh_from_db()
    assert (batch.status, batch.done) == ("running", 0) and BatchReportPart.objects.count() == 3

    tasks.run_part(batch.pk, 1, 0)
    tasks.run_part(batch.pk, 1, 0)  # delivered again: already built
    batch.refresh_from_db()
    assert (batch.status, batch.done) == ("running", 1) and len(rendered) == 1

    # A part whose worker was lost each time it was delivered: named, not tried for ever.
    BatchReportPart.objects.filter(position=1).update(tries=tasks.MAX_ATTEMPTS)
    tasks.run_part(batch.pk, 1, 1)
    tasks.run_part(batch.pk, 1, 2)

    batch.refresh_from_db()
    assert (batch.status, batch.done, batch.total) == ("done", 3, 3) and len(rendered) == 2
    assert len(batch.error_lines) == 1 and "stopped its worker 3 times" in batch.error_lines[0]
    assert len(_zip(fclient, batch).namelist()) == 3  # two PDFs and the list of what is missing
    tasks.run_part(batch.pk, 1, 2)  # delivered again after the zip: nothing
    assert len(rendered) == 2 and not BatchReportPart.objects.exists()


def test_with_a_task_a_report_the_parts_of_an_attempt_taken_over_write_nothing(handed_out, media_root):
    batch = handed_out
    tasks.run_part(batch.pk, 1, 0)
    tasks.run_batch(batch.pk)  # delivered again (its worker lost): attempt 2, new parts

    tasks.run_part(batch.pk, 1, 1)  # a straggler of attempt 1

    batch.refresh_from_db()
    assert (batch.status, batch.attempts, batch.done) == ("running", 2, 0)
    assert set(BatchReportPart.objects.values_list("attempt", flat=True)) == {2}
    assert not list(media_root.rglob("*.pdf"))
    for position in range(3):
        tasks.run_part(batch.pk, 2, position)
    batch.refresh_from_db()
    assert (batch.status, batch.done) == ("done", 3)


def test_with_a_task_a_report_the_sweep_deletes_the_parts_of_a_lost_batch(handed_out, media_root):
    batch = handed_out
    tasks.run_part(batch.pk, 1, 0)
    assert len(list(media_root.rglob("*.pdf"))) == 1
    BatchReport.objects.filter(pk=batch.pk).update(heartbeat_at=timezone.now() - timedelta(days=1))

    tasks.sweep_batch_reports()

    batch.refresh_from_db()
    assert batch.status == "failed" and not BatchReportPart.objects.exists()
    assert not list(media_root.rglob("*.pdf"))


def test_with_a_task_a_report_a_batch_whose_reports_wait_in_the_queue_is_given_a_queued_ones_time(handed_out, settings):
    batch = handed_out
    lost_after = settings.BATCH_REPORT_LOST_AFTER
    BatchReport.objects.filter(pk=batch.pk).update(heartbeat_at=timezone.now() - lost_after - timedelta(seconds=1))

    tasks.sweep_batch_reports()

    batch.refresh_from_db()
    assert batch.status == "running"  # its parts are waiting behind other batches'
    BatchReport.objects.filter(pk=batch.pk).update(heartbeat_at=timezone.now() - 6 * lost_after - timedelta(seconds=1))

    tasks.sweep_batch_reports()

    batch.refresh_from_db()
    assert batch.status == "failed" and "stopped without finishing" in batch.errors


@pytest.mark.parametrize("mode", ["sequential", "tasks"])
def test_a_model_that_cannot_be_read_fails_its_report_alone(
    fclient, three, rendered, settings, monkeypatch, django_capture_on_commit_callbacks, mode
):
    settings.BATCH_REPORT_MODE = mode
    broken = three[1]
    engine_model = tasks.selectors.engine_model

    def unreadable(cost_model):
        if cost_model.practice_id == broken.pk:
            raise ValueError("a row the engine refuses")
        return engine_model(cost_model)

    monkeypatch.setattr(tasks.selectors, "engine_model", unreadable)

    _start(fclient, django_capture_on_commit_callbacks)

    _all_but_the_broken_one_zipped(fclient, broken)
    assert broken.ods_code not in rendered
