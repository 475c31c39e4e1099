"""Batch zips move from the database (archive) to files in Django's default storage (zip_file).

Each zip is written to storage under the name the model gives new ones; a
batch queued or running when this runs, other than each user's newest, is
failed, so that each user has at most one (the constraint of the next migration).
Backwards, each file is read into archive again and deleted from storage.
"""

import secrets

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import migrations
from django.utils import timezone

RUNNING = ["queued", "running"]
SUPERSEDED = "The batch was stopped when the app was upgraded; build it again."


def zips_to_storage(apps, schema_editor):
    BatchReport = apps.get_model("reports", "BatchReport")
    for batch in BatchReport.objects.filter(archive__isnull=False).only("pk", "user_id").iterator(chunk_size=1):
        content = BatchReport.objects.filter(pk=batch.pk).values_list("archive", flat=True).get()
        if content:
            name = f"batch-reports/{batch.user_id}/{batch.pk}-{secrets.token_hex(8)}.zip"
            stored = default_storage.save(name, ContentFile(bytes(content)))
            BatchReport.objects.filter(pk=batch.pk).update(zip_file=stored, archive=None)
    newest = {}
    for batch in BatchReport.objects.filter(status__in=RUNNING).order_by("created_at", "pk"):
        older = newest.get(batch.user_id)
        if older is not None:
            BatchReport.objects.filter(pk=older).update(status="failed", errors=SUPERSEDED, finished_at=timezone.now())
        newest[batch.user_id] = batch.pk


def zips_to_database(apps, schema_editor):
    BatchReport = apps.get_model("reports", "BatchReport")
    for batch in BatchReport.objects.exclude(zip_file="").only("pk", "zip_file").iterator(chunk_size=1):
        name = batch.zip_file.name
        if default_storage.exists(name):
            with default_storage.open(name, "rb") as stored:
                BatchReport.objects.filter(pk=batch.pk).update(archive=stored.read(), zip_file="")
            default_storage.delete(name)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_batch_zip_file_and_heartbeat"),
    ]

    operations = [migrations.RunPython(zips_to_storage, zips_to_database)]
