"""The database proves that a stage's role and pathway, and a cohort's model and
pathway, belong to one practice (pathways/db_triggers.py holds the rule's SQL).

PostgreSQL: composite foreign keys onto (practice_id, id), added here. SQLite:
triggers, which no migration installs: they are dropped before every `migrate`
and installed after it, wherever this migration is applied (pathways/db_triggers.py).
"""

from django.db import migrations

from pathways import db_triggers


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        db_triggers.add_foreign_keys(schema_editor)
    elif vendor != "sqlite":  # pragma: no cover - the project supports PostgreSQL and SQLite only
        raise NotImplementedError(f"same-practice constraints are not written for {vendor}")


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        db_triggers.drop_foreign_keys(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("pathways", "0001_initial"),
        ("practices", "0001_initial"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
