"""Before migrations that rebuild the tables the same-practice triggers name
(SQLite rebuilds a table to add a column), drop the triggers; 0005 installs them
again. PostgreSQL: nothing to do.
"""

from importlib import import_module

from django.db import migrations

constraints = import_module("pathways.migrations.0002_same_practice_constraints")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        constraints.uninstall(apps, schema_editor)


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        constraints.install(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("pathways", "0002_same_practice_constraints"),
        ("practices", "0002_invitation"),
    ]

    operations = [migrations.RunPython(drop, install)]
