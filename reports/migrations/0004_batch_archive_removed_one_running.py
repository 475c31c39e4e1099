from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_batch_zips_to_storage"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="batchreport",
            name="archive",
        ),
        migrations.AddConstraint(
            model_name="batchreport",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ["queued", "running"])),
                fields=("user",),
                name="batch_one_running_per_user",
            ),
        ),
    ]
