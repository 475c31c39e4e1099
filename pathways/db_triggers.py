"""The same-practice rule in the database (docs/adr/0001-same-practice-constraints.md).

A stage's role and pathway, and a cohort's model and pathway, belong to the
stage's or cohort's practice; and a cohort's group belongs to the cohort's own
cost model (the same-model rule, migration pathways/0008).

PostgreSQL: composite foreign keys onto (practice_id, id), added by migration
pathways/0002 and kept by every later migration.

SQLite cannot add a foreign key to an existing table, so there the rule is a set
of triggers; and SQLite's migrations alter a table by rebuilding it, which fails
while a trigger names the table. So no migration handles the triggers: they are
dropped before every `migrate` and installed again after it (PathwaysConfig.ready
connects drop_before_migrate and install_after_migrate), whatever ran in between.

Migrations pathways/0002 and 0008 import this module: keep add_foreign_keys,
drop_foreign_keys, add_group_foreign_key and drop_group_foreign_key working for them.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db import connections, transaction
from django.db.migrations.recorder import MigrationRecorder

# The migration that brought the rule in: the triggers exist wherever it is applied.
RULE_MIGRATION = ("pathways", "0002_same_practice_constraints")

# (table, constraint name, column, referenced table): (practice_id, column) -> target (practice_id, id)
COMPOSITE_KEYS = [
    ("pathways_stage", "stage_pathway_same_practice", "pathway_id", "pathways_pathway"),
    ("pathways_stage", "stage_role_same_practice", "role_id", "practices_staffrole"),
    ("pathways_cohort", "cohort_model_same_practice", "cost_model_id", "pathways_costmodel"),
    ("pathways_cohort", "cohort_pathway_same_practice", "pathway_id", "pathways_pathway"),
]

# The migration that brought the same-model rule in, and its key:
# pathways_cohort (cost_model_id, group_id) -> pathways_cohortgroup (cost_model_id, id).
GROUP_RULE_MIGRATION = ("pathways", "0008_cohort_group_same_model")
GROUP_KEY = ("pathways_cohort", "cohort_group_same_model", "group_id", "pathways_cohortgroup")

# A referenced row may not move to another practice while it is referenced: (table, column) that refer to it.
REFERRERS = {
    "pathways_pathway": [("pathways_stage", "pathway_id"), ("pathways_cohort", "pathway_id")],
    "practices_staffrole": [("pathways_stage", "role_id")],
    "pathways_costmodel": [("pathways_cohort", "cost_model_id")],
}


def sqlite_triggers(*, same_model: bool = True) -> Iterator[tuple[str, str]]:
    """(name, CREATE TRIGGER statement) of every SQLite trigger of the rules.

    ``same_model``: with the same-model rule's triggers (they name pathways_cohortgroup,
    which exists only from GROUP_RULE_MIGRATION's parent on).
    """
    for table, name, column, target in COMPOSITE_KEYS:
        condition = (
            f"NEW.{column} IS NOT NULL AND NEW.practice_id IS NOT "
            f"(SELECT practice_id FROM {target} WHERE id = NEW.{column})"
        )
        message = f"{name}: {column} belongs to another practice"
        for event in ("INSERT", "UPDATE"):
            trigger = f"{name}_{event.lower()}"
            yield (
                trigger,
                f"CREATE TRIGGER IF NOT EXISTS {trigger} BEFORE {event} ON {table} "
                f"FOR EACH ROW WHEN {condition} BEGIN SELECT RAISE(ABORT, '{message}'); END",
            )
    for target, referrers in REFERRERS.items():
        exists = " OR ".join(
            f"EXISTS (SELECT 1 FROM {table} WHERE {column} = OLD.id AND practice_id IS NOT NEW.practice_id)"
            for table, column in referrers
        )
        trigger = f"{target}_practice_fixed"
        yield (
            trigger,
            f"CREATE TRIGGER IF NOT EXISTS {trigger} BEFORE UPDATE OF practice_id ON {target} "
            f"FOR EACH ROW WHEN {exists} BEGIN SELECT RAISE(ABORT, '{target}: referenced by another practice'); END",
        )
    if same_model:
        yield from _same_model_triggers()


def _same_model_triggers() -> Iterator[tuple[str, str]]:
    table, name, column, target = GROUP_KEY
    condition = (
        f"NEW.{column} IS NOT NULL AND NEW.cost_model_id IS NOT "
        f"(SELECT cost_model_id FROM {target} WHERE id = NEW.{column})"
    )
    for event in ("INSERT", "UPDATE"):
        trigger = f"{name}_{event.lower()}"
        yield (
            trigger,
            f"CREATE TRIGGER IF NOT EXISTS {trigger} BEFORE {event} ON {table} FOR EACH ROW WHEN {condition} "
            f"BEGIN SELECT RAISE(ABORT, '{name}: {column} belongs to another cost model'); END",
        )
    trigger = f"{target}_model_fixed"
    yield (
        trigger,
        f"CREATE TRIGGER IF NOT EXISTS {trigger} BEFORE UPDATE OF cost_model_id ON {target} FOR EACH ROW WHEN "
        f"EXISTS (SELECT 1 FROM {table} WHERE {column} = OLD.id AND cost_model_id IS NOT NEW.cost_model_id) "
        f"BEGIN SELECT RAISE(ABORT, '{target}: referenced by another cost model'); END",
    )


def add_foreign_keys(schema_editor) -> None:
    """PostgreSQL: the composite foreign keys (migration pathways/0002)."""
    for table, name, column, target in COMPOSITE_KEYS:
        schema_editor.execute(
            f"ALTER TABLE {table} ADD CONSTRAINT {name} FOREIGN KEY (practice_id, {column}) "
            f"REFERENCES {target} (practice_id, id)"
        )


def drop_foreign_keys(schema_editor) -> None:
    """PostgreSQL: undo add_foreign_keys (migration pathways/0002 reversed)."""
    for table, name, _column, _target in COMPOSITE_KEYS:
        schema_editor.execute(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}")


def add_group_foreign_key(schema_editor) -> None:
    """PostgreSQL: a cohort's group is of its own model (migration pathways/0008)."""
    table, name, column, target = GROUP_KEY
    schema_editor.execute(
        f"ALTER TABLE {table} ADD CONSTRAINT {name} FOREIGN KEY (cost_model_id, {column}) "
        f"REFERENCES {target} (cost_model_id, id)"
    )


def drop_group_foreign_key(schema_editor) -> None:
    """PostgreSQL: undo add_group_foreign_key (migration pathways/0008 reversed)."""
    table, name, _column, _target = GROUP_KEY
    schema_editor.execute(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}")


def drop_triggers(connection) -> None:
    """SQLite: drop every trigger of the rule; nothing to do where there is none (a fresh database)."""
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for trigger, _statement in sqlite_triggers():
            cursor.execute(f"DROP TRIGGER IF EXISTS {trigger}")


def install_triggers(connection, *, same_model: bool = True) -> None:
    """SQLite: every trigger of the rules, as this module writes it now (an older one is replaced)."""
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for trigger, statement in sqlite_triggers(same_model=same_model):
            cursor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
            cursor.execute(statement)


def drop_before_migrate(sender, using: str, **kwargs) -> None:
    """pre_migrate (sender: the pathways app): SQLite may then rebuild any table the triggers name."""
    connection = connections[using]
    if connection.vendor == "sqlite":
        drop_triggers(connection)


def install_after_migrate(sender, using: str, **kwargs) -> None:
    """post_migrate (sender: the pathways app): the triggers again, wherever the schema has the rule.

    Not where the database is migrated back before RULE_MIGRATION (or to zero, when
    the tables are gone). post_migrate also follows `flush`: installing is idempotent.
    """
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    applied = MigrationRecorder(connection).applied_migrations()
    if RULE_MIGRATION in applied:
        install_triggers(connection, same_model=GROUP_RULE_MIGRATION in applied)
