"""A practice's backup: everything that belongs to the practice, as one JSON document, and its restore.

What it holds (README, Backup and restore): the practice and its organisation
(with the organisations above it), its staff roles, pathways and stages (used
or not), cost models with their groups, cohorts and conditions, decision inputs
and set-up costs, scenarios' links to the model they are based on, and who may
see it: memberships and facilitator assignments, by username. What only
``pg_dump`` holds: user accounts and passwords, invitations, the audit trail
(history and deleted items), batch reports, login records and reference data.

Restoring replaces the practice's contents with the backup's, in one
transaction with the practice's row locked: all or nothing, and importing the
same backup twice, or two imports at once, leaves one copy.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, models, transaction
from simple_history.utils import bulk_create_with_history

from pathways import totals
from pathways.models import (
    Cohort,
    CohortCondition,
    CohortGroup,
    CohortGroupCondition,
    Condition,
    CostModel,
    DecisionInputs,
    Pathway,
    PracticeProfile,
    ProfileAgeBand,
    ProfileGroup,
    ProfileGroupCondition,
    ProfileRegister,
    SetupCost,
    Stage,
)
from practices.audit import audited
from practices.models import Facilitator, FacilitatorAssignment, Membership, Organisation, Practice, StaffRole

FORMAT = "pcsp-practice-backup"
FORMAT_VERSION = 1


class BackupError(ValueError):
    """The document is not a practice backup this version can restore; nothing was written."""


@dataclass(frozen=True)
class Table:
    """One kind of row the backup holds: how to find the practice's rows, and what each foreign key names.

    ``links`` maps a foreign key to the table (by name) whose restored rows it
    points at; ``codes`` maps one to a model whose rows are named by ``code``
    (reference data, the same in every database).
    """

    name: str
    model: type[models.Model]
    of_practice: str  # the lookup from a row to its practice
    links: dict[str, str]
    codes: dict[str, type[models.Model]]
    history: bool = True


def backed_up_tables() -> list[Table]:
    """Every table of a practice's own rows, in an order that restores each after what it names.

    A new table of practice data is added here (and to the README's list), and
    the round-trip test checks it is restored.
    """
    return [
        Table("staff_roles", StaffRole, "practice", {}, {}),
        Table("pathways", Pathway, "practice", {}, {}),
        Table("stages", Stage, "practice", {"pathway": "pathways", "role": "staff_roles"}, {}),
        Table("cost_models", CostModel, "practice", {}, {}),  # based_on: after every model is back
        Table("groups", CohortGroup, "practice", {"cost_model": "cost_models"}, {}),
        Table(
            "group_conditions",
            CohortGroupCondition,
            "group__practice",
            {"group": "groups"},
            {"condition": Condition},
        ),
        Table(
            "cohorts",
            Cohort,
            "practice",
            {"cost_model": "cost_models", "pathway": "pathways", "group": "groups"},
            {},
        ),
        Table(
            "cohort_conditions", CohortCondition, "cohort__practice", {"cohort": "cohorts"}, {"condition": Condition}
        ),
        Table("decision_inputs", DecisionInputs, "cost_model__practice", {"cost_model": "cost_models"}, {}, False),
        Table(
            "setup_costs",
            SetupCost,
            "cost_model__practice",
            {"cost_model": "cost_models", "role": "staff_roles"},
            {},
            False,
        ),
        Table("profiles", PracticeProfile, "practice", {}, {}),
        Table("profile_age_bands", ProfileAgeBand, "profile__practice", {"profile": "profiles"}, {}),
        Table(
            "profile_registers",
            ProfileRegister,
            "profile__practice",
            {"profile": "profiles"},
            {"condition": Condition},
        ),
        Table("profile_groups", ProfileGroup, "profile__practice", {"profile": "profiles"}, {}),
        Table(
            "profile_group_conditions",
            ProfileGroupCondition,
            "group__profile__practice",
            {"group": "profile_groups"},
            {"condition": Condition},
        ),
    ]


# Fields a restore sets itself, or that are the database's bookkeeping.
NOT_COPIED = {"id", "practice", "created_by", "based_on"}


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _has(model: type[models.Model], name: str) -> bool:
    return any(f.name == name for f in model._meta.concrete_fields)


def _copied(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if f.name not in NOT_COPIED]


# ------------------------------------------------------------------ reading


def practice_backup(practice: Practice) -> dict:
    """The practice and everything of it, as a JSON-ready document."""
    tables = {}
    for table in backed_up_tables():
        fields = _copied(table.model)
        rows = table.model.objects.filter(**{table.of_practice: practice}).order_by("pk")
        out = []
        for row in rows:
            item = {"id": row.pk}
            for field in fields:
                value = getattr(row, field.attname)
                if field.name in table.codes and value is not None:
                    value = table.codes[field.name].objects.values_list("code", flat=True).get(pk=value)
                item[field.name] = _plain(value)
            out.append(item)
        tables[table.name] = out
    for table in backed_up_tables():
        if _has(table.model, "created_by"):  # who made it, by username
            makers = dict(
                table.model.objects.filter(**{table.of_practice: practice}).values_list("pk", "created_by__username")
            )
            for item in tables[table.name]:
                item["created_by"] = makers[item["id"]]
    based_on = dict(CostModel.objects.filter(practice=practice).values_list("pk", "based_on_id"))
    for item in tables["cost_models"]:
        item["based_on"] = based_on[item["id"]]
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "practice": {
            "name": practice.name,
            "ods_code": practice.ods_code,
            "list_size": practice.list_size,
            "organisation": _organisation_chain(practice.organisation),
        },
        "memberships": [
            {"username": m.user.username, "role": m.role}
            for m in Membership.objects.filter(practice=practice).select_related("user").order_by("user__username")
        ],
        "facilitators": sorted(
            FacilitatorAssignment.objects.filter(practice=practice).values_list(
                "facilitator__user__username", flat=True
            )
        ),
        "tables": tables,
    }


def _organisation_chain(organisation: Organisation | None) -> list[dict]:
    """The organisation and those above it, top first."""
    chain = []
    while organisation is not None:
        chain.insert(0, {"name": organisation.name, "kind": organisation.kind})
        organisation = organisation.parent
    return chain


def comparable(document: dict) -> dict:
    """The backup with each row's id, and every link to it, replaced by its place in its table.

    Two backups of the practice are equal as this when a restore gave back
    what was backed up (restored rows have new ids, and a new version each).
    """
    tables = document["tables"]
    places = {name: {row["id"]: n for n, row in enumerate(rows)} for name, rows in tables.items()}
    links = {t.name: t.links for t in backed_up_tables()}
    out = {}
    for name, rows in tables.items():
        out[name] = []
        for row in rows:
            row = dict(row)
            row["id"] = places[name][row["id"]]
            for field, target in links.get(name, {}).items():
                if row.get(field) is not None:
                    row[field] = places[target][row[field]]
            if name == "cost_models":
                row["based_on"] = places[name].get(row["based_on"])
            row.pop("version", None)
            out[name].append(row)
    return {**document, "tables": out}


# ------------------------------------------------------------------ restoring


@dataclass
class Restored:
    practice: Practice
    created: bool
    counts: dict[str, int]
    missing_users: list[str]


@audited
@transaction.atomic
def practice_restore(*, data: dict, by: AbstractBaseUser | None) -> Restored:
    """The practice as the backup has it, replacing whatever it holds now; all or nothing.

    Users are matched by username; one that does not exist here is named in
    ``missing_users`` (accounts are not in a practice backup) and left out.
    Raises BackupError for a document that is not a backup of this format.
    """
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BackupError("not a practice backup (its format is not pcsp-practice-backup)")
    if data.get("version") != FORMAT_VERSION:
        raise BackupError(f"a practice backup of version {data.get('version')!r}; this app reads version 1")
    try:
        details = data["practice"]
        practice, created = Practice.objects.get_or_create(
            ods_code=details["ods_code"], defaults={"name": details["name"], "list_size": details["list_size"]}
        )
        # Two restores of one practice at once: the second waits here, then replaces the first's rows.
        practice = Practice.objects.select_for_update().get(pk=practice.pk)
        practice.name, practice.list_size = details["name"], details["list_size"]
        practice.organisation = _organisation_from(details.get("organisation") or [])
        practice.save()
        _empty(practice)
        counts = _restore_tables(practice, data["tables"])
        missing = _restore_people(practice, data)
    except (KeyError, TypeError, ValueError, LookupError, IntegrityError) as exc:
        raise BackupError(f"the backup is damaged or incomplete ({type(exc).__name__}: {exc})") from None
    return Restored(practice=practice, created=created, counts=counts, missing_users=missing)


def _organisation_from(chain: list[dict]) -> Organisation | None:
    parent = None
    for item in chain:
        parent, _ = Organisation.objects.get_or_create(name=item["name"], kind=item["kind"], parent=parent)
    return parent


def _empty(practice: Practice) -> None:
    """The practice's rows go, each kind before what it names (recorded in the audit trail)."""
    for table in reversed(backed_up_tables()):
        if table.of_practice == "practice":
            rows = table.model.objects.filter(practice=practice).order_by("-pk")
            if table.model is CostModel:  # scenarios before their bases (a database rule: no overlay without a base)
                rows = sorted(rows, key=lambda row: row.overlay is None)  # stable: each kind by -pk
            for row in rows:
                row.delete()
    Membership.objects.filter(practice=practice).delete()
    FacilitatorAssignment.objects.filter(practice=practice).delete()


def _restore_tables(practice: Practice, tables: dict) -> dict[str, int]:
    new_ids: dict[str, dict[int, int]] = {}
    counts = {}
    users = get_user_model().objects
    for table in backed_up_tables():
        rows = tables.get(table.name, [])
        fields = {f.name: f for f in _copied(table.model)}
        objects, old_ids = [], []
        for item in rows:
            values = {}
            for name, field in fields.items():
                if name not in item and name not in table.links:
                    continue  # a field added since the backup was made: its default
                value = item[name]
                if name in table.links and value is not None:
                    value = new_ids[table.links[name]][value]
                elif name in table.codes and value is not None:
                    value = table.codes[name].objects.values_list("pk", flat=True).get(code=value)
                elif value is not None:
                    value = field.to_python(value)
                values[field.attname] = value
            if _has(table.model, "practice"):
                values["practice_id"] = practice.pk
            if table.model is CostModel:
                values["overlay"] = None  # a scenario's overlay comes back with its base, below
            if _has(table.model, "created_by") and item.get("created_by"):
                values["created_by_id"] = users.filter(username=item["created_by"]).values_list("pk", flat=True).first()
            objects.append(table.model(**values))
            old_ids.append(item["id"])
        if objects and table.history:
            objects = bulk_create_with_history(objects, table.model)
        elif objects:
            objects = table.model.objects.bulk_create(objects)
        # PostgreSQL and SQLite (3.35 and later) give each new row its id here.
        new_ids[table.name] = {old: obj.pk for old, obj in zip(old_ids, objects, strict=True)}
        _keep_times(table.model, objects, rows)
        counts[table.name] = len(objects)
    # Every model is back: a scenario gets its base and its overlay together (no overlay without a base).
    for item in tables.get("cost_models", []):
        if item.get("based_on") in new_ids["cost_models"]:
            CostModel.objects.filter(pk=new_ids["cost_models"][item["id"]]).update(
                based_on_id=new_ids["cost_models"][item["based_on"]], overlay=item.get("overlay")
            )
        elif item.get("overlay") is not None:
            raise BackupError(f"the backup is damaged: the scenario “{item.get('name')}” has no base in it")
    totals.refresh(new_ids.get("cost_models", {}).values())  # derived: computed, not backed up
    return counts


def _keep_times(model, objects, rows) -> None:
    """Times the database sets on insert (created_at, updated_at) as the backup has them."""
    stamped = [f for f in _copied(model) if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    for obj, item in zip(objects, rows, strict=True):
        times = {f.attname: f.to_python(item[f.name]) for f in stamped if item.get(f.name)}
        if times:
            model.objects.filter(pk=obj.pk).update(**times)


def _restore_people(practice: Practice, data: dict) -> list[str]:
    users = {u.username: u for u in get_user_model().objects.filter(username__in=_usernames(data))}
    missing = sorted(_usernames(data) - set(users))
    Membership.objects.bulk_create(
        Membership(practice=practice, user=users[m["username"]], role=m["role"])
        for m in data.get("memberships", [])
        if m["username"] in users
    )
    facilitators = Facilitator.objects.filter(user__username__in=data.get("facilitators", []))
    FacilitatorAssignment.objects.bulk_create(
        FacilitatorAssignment(practice=practice, facilitator=f) for f in facilitators
    )
    missing += sorted(
        set(data.get("facilitators", []))
        - {f.user.username for f in facilitators.select_related("user")}
        - set(missing)
    )
    return missing


def _usernames(data: dict) -> set[str]:
    return {m["username"] for m in data.get("memberships", [])}
