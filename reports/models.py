"""Batch reports: a zip of PDF reports, one per practice, built in the background."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

RUNNING_STATUSES = ["queued", "running"]


def zip_name(batch: "BatchReport", filename: str) -> str:
    """Where a batch's zip is stored (Django's storage API): not guessable from the batch's number."""
    return f"batch-reports/{batch.user_id}/{batch.pk}-{secrets.token_hex(8)}.zip"


class BatchReport(models.Model):
    """A facilitator's request for the reports of their practices, and its progress.

    ``model_ids`` are the cost models chosen when it was started (one per
    practice); the task checks again that the facilitator is still assigned to
    each. A report that fails is named in ``errors``, never silently left out;
    ``notes`` name the practices shown without a model.

    Always finished in the end: a task whose worker is lost is delivered again
    (``attempts`` counts them), and a batch with no sign of life for a while
    (``heartbeat_at``) is failed by the sweep (reports.services). One user has
    at most one batch queued or running (a constraint). The zip is a file in
    Django's default storage, deleted after ``BATCH_REPORT_RETENTION_DAYS``.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="batch_reports")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    model_ids = models.JSONField(default=list, blank=True)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    # One line per practice whose report is missing from the zip, and why.
    errors = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    zip_file = models.FileField(upload_to=zip_name, max_length=200, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    heartbeat_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed"]), name="batch_status_known"
            ),
            models.CheckConstraint(condition=Q(done__lte=models.F("total")), name="batch_done_not_above_total"),
            models.UniqueConstraint(
                fields=["user"], condition=Q(status__in=RUNNING_STATUSES), name="batch_one_running_per_user"
            ),
        ]

    def __str__(self) -> str:
        return f"Reports of {self.user} at {self.created_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("batch_report_detail", kwargs={"batch_pk": self.pk})

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}

    @property
    def percent(self) -> int:
        if not self.total:
            return 100 if self.is_finished else 0
        return self.done * 100 // self.total

    @property
    def error_lines(self) -> list[str]:
        return [line for line in (self.notes + "\n" + self.errors).splitlines() if line.strip()]

    @property
    def zip_deleted(self) -> bool:
        """Built, and its zip since deleted (the retention period passed)."""
        return self.status == self.Status.DONE and not self.zip_file


class BatchReportPart(models.Model):
    """One report of a batch built by its own Celery task (BATCH_REPORT_MODE "tasks"), until the zip is made.

    Made for each of the batch's models when an attempt starts, in the zip's
    order (``position``); a model no longer there is made finished, with its
    ``error``. A task delivered again after its worker was lost builds its report
    again (``tries`` counts them) unless ``finished``; the task that finishes the
    last part writes the zip from the PDFs kept in storage (``stored``), and the
    parts are deleted with them.
    """

    batch = models.ForeignKey(BatchReport, on_delete=models.CASCADE, related_name="parts")
    attempt = models.PositiveSmallIntegerField()
    position = models.PositiveIntegerField()
    model_id = models.PositiveIntegerField(null=True, blank=True)
    filename = models.CharField(max_length=200, blank=True)  # its name in the zip
    tries = models.PositiveSmallIntegerField(default=0)
    finished = models.BooleanField(default=False)
    stored = models.CharField(max_length=300, blank=True)  # the PDF in storage, until zipped
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["batch", "attempt", "position"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "attempt", "position"], name="batch_part_one_a_position"),
        ]

    def __str__(self) -> str:
        return f"Part {self.position} of batch {self.batch_id} (attempt {self.attempt})"
