"""Install the SQLite same-practice triggers again after 0004 rebuilt the tables
(see 0003). Idempotent; PostgreSQL's composite foreign keys were never dropped.
"""

from importlib import import_module

from django.db import migrations

constraints = import_module("pathways.migrations.0002_same_practice_constraints")


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        constraints.install(apps, schema_editor)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        constraints.uninstall(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("pathways", "0004_pathway_version_historicalcohort_and_more"),
        ("practices", "0003_staffrole_version_historicalstaffrole"),
    ]

    operations = [migrations.RunPython(install, drop)]
