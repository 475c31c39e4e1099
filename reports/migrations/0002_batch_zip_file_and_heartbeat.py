import django.utils.timezone
from django.db import migrations, models

import reports.models


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="batchreport",
            name="zip_file",
            field=models.FileField(blank=True, editable=False, max_length=200, upload_to=reports.models.zip_name),
        ),
        migrations.AddField(
            model_name="batchreport",
            name="notes",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="batchreport",
            name="attempts",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="batchreport",
            name="heartbeat_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
    ]
