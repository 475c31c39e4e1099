"""The database proves that a stage's role and pathway, and a cohort's model and
pathway, belong to one practice.

PostgreSQL: composite foreign keys onto (practice_id, id). SQLite cannot add a
foreign key to an existing table, so there the same rule is a trigger. If a later
migration rebuilds one of these tables on SQLite, run install() again there;
tests/integration/test_constraints.py fails if the rule is lost.
"""

from django.db import migrations

# (table, constraint name, column, referenced table): (practice_id, column) -> target (practice_id, id)
COMPOSITE_KEYS = [
    ("pathways_stage", "stage_pathway_same_practice", "pathway_id", "pathways_pathway"),
    ("pathways_stage", "stage_role_same_practice", "role_id", "practices_staffrole"),
    ("pathways_cohort", "cohort_model_same_practice", "cost_model_id", "pathways_costmodel"),
    ("pathways_cohort", "cohort_pathway_same_practice", "pathway_id", "pathways_pathway"),
]


def _sqlite_statements():
    for table, name, column, target in COMPOSITE_KEYS:
        condition = (
            f"NEW.{column} IS NOT NULL AND NEW.practice_id IS NOT "
            f"(SELECT practice_id FROM {target} WHERE id = NEW.{column})"
        )
        message = f"{name}: {column} belongs to another practice"
        for event in ("INSERT", "UPDATE"):
            yield (
                f"CREATE TRIGGER IF NOT EXISTS {name}_{event.lower()} BEFORE {event} ON {table} "
                f"FOR EACH ROW WHEN {condition} BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )
    # A referenced row may not move to another practice while it is referenced.
    for target, referrers in {
        "pathways_pathway": [("pathways_stage", "pathway_id"), ("pathways_cohort", "pathway_id")],
        "practices_staffrole": [("pathways_stage", "role_id")],
        "pathways_costmodel": [("pathways_cohort", "cost_model_id")],
    }.items():
        exists = " OR ".join(
            f"EXISTS (SELECT 1 FROM {table} WHERE {column} = OLD.id AND practice_id IS NOT NEW.practice_id)"
            for table, column in referrers
        )
        yield (
            f"CREATE TRIGGER IF NOT EXISTS {target}_practice_fixed BEFORE UPDATE OF practice_id ON {target} "
            f"FOR EACH ROW WHEN {exists} BEGIN SELECT RAISE(ABORT, '{target}: referenced by another practice'); END"
        )


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for table, name, column, target in COMPOSITE_KEYS:
            schema_editor.execute(
                f"ALTER TABLE {table} ADD CONSTRAINT {name} FOREIGN KEY (practice_id, {column}) "
                f"REFERENCES {target} (practice_id, id)"
            )
    elif vendor == "sqlite":
        for statement in _sqlite_statements():
            schema_editor.execute(statement)
    else:  # pragma: no cover - the project supports PostgreSQL and SQLite only
        raise NotImplementedError(f"same-practice constraints are not written for {vendor}")


def uninstall(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for table, name, _column, _target in COMPOSITE_KEYS:
            schema_editor.execute(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}")
    elif vendor == "sqlite":
        for statement in _sqlite_statements():
            name = statement.split("IF NOT EXISTS ")[1].split(" ")[0]
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("pathways", "0001_initial"),
        ("practices", "0001_initial"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
