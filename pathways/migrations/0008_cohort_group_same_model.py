"""The database proves that a cohort's group is of the cohort's own cost model
(pathways/db_triggers.py holds the rule's SQL).

PostgreSQL: a composite foreign key (cost_model_id, group_id) onto the group's
(cost_model_id, id), added here. SQLite: triggers, which no migration installs:
they are dropped before every `migrate` and installed after it, wherever this
migration is applied (pathways/db_triggers.py).
"""

from django.db import migrations, models

from pathways import db_triggers


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        db_triggers.add_group_foreign_key(schema_editor)
    elif vendor != "sqlite":  # pragma: no cover - the project supports PostgreSQL and SQLite only
        raise NotImplementedError(f"the same-model constraint is not written for {vendor}")


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        db_triggers.drop_group_foreign_key(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("pathways", "0007_cohort_groups_and_times"),
        ("practices", "0004_cost_basis_as_printed"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="cohortgroup",
            constraint=models.UniqueConstraint(fields=("cost_model", "id"), name="cohortgroup_model_id"),
        ),
        migrations.RunPython(install, uninstall),
    ]
