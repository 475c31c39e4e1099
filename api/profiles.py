"""A practice profile as the API's JSON, both ways.

A body is read as the profile import reads a sheet: each age band, register and
group becomes a row of the import's table (kind, ages, conditions, number of
conditions, people) and costing.profiles.read_profile parses and checks it, so a
profile means the same whichever way it came in, and every rule is the import's.
Only the JSON's shape (types, keys) is checked here; each problem comes back with
its place in the body (``groups[2].people``) instead of a row number.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date

from django import forms
from rest_framework import serializers

from costing import profiles, tables
from pathways.forms.profiles import ProfileForm
from pathways.models import PracticeProfile

# Keys the API writes that a body may carry back unchanged (a profile read and PUT as it was); not read.
READ_ONLY = frozenset({"id", "version", "created_at", "updated_at"})
FIELDS = frozenset({"read_on", "note", "list_size", "age_bands", "registers", "groups"})
ITEM_FIELDS = {
    "age_bands": ({"ages": str, "people": int}, {"ages", "people"}),
    "registers": ({"code": str, "people": int}, {"code", "people"}),
    "groups": ({"conditions": list, "number_of_conditions": (str, type(None)), "people": int}, {"people"}),
}
KIND = {"age_bands": "age band", "registers": "register", "groups": "group"}
# The import's column a problem names, as the body's key, by section.
KEYS = {
    "list_size": {},
    "age_bands": {"ages": "ages", "people": "people"},
    "registers": {"conditions": "code", "people": "people"},
    "groups": {"conditions": "conditions", "number of conditions": "number_of_conditions", "people": "people"},
}
TIMESTAMP = serializers.DateTimeField()  # as the list's (ModelSerializer) timestamps
TYPE_NAMES = {str: "a string", int: "a whole number", list: "a list", dict: "an object"}


@dataclass(frozen=True)
class FieldProblem:
    field: str  # where in the body: "groups[2].people"; "" for the whole
    problem: str

    def __post_init__(self):
        # A lone surrogate from the body (a key it names) cannot be written out as UTF-8.
        for name in ("field", "problem"):
            object.__setattr__(self, name, getattr(self, name).encode("utf-8", "replace").decode())

    def __str__(self) -> str:
        return f"{self.field}: {self.problem}" if self.field else self.problem


class ProfileBodyInvalid(ValueError):
    """What is wrong with a profile body, each problem at its place; nothing was written."""

    def __init__(self, problems: Iterable[FieldProblem]):
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems[:5]))


@dataclass(frozen=True)
class ProfileBody:
    read_on: date
    note: str
    profile: profiles.Profile


# ------------------------------------------------------------------ out


def profile_json(stored: PracticeProfile, profile: profiles.Profile) -> dict:
    """The stored profile (with ``profile``, its counts as pathways.selectors.engine_profile reads them)."""
    return {
        "id": stored.pk,
        "version": stored.version,
        "read_on": stored.read_on.isoformat(),
        "note": stored.note,
        "list_size": profile.list_size,
        "age_bands": [{"ages": b.label, "people": b.people} for b in profile.age_bands],
        "registers": [{"code": r.code, "people": r.people} for r in profile.registers],
        "groups": [
            {
                "conditions": list(g.conditions),
                "number_of_conditions": g.number or None,
                "people": g.people,
            }
            for g in profile.groups
        ],
        "created_at": TIMESTAMP.to_representation(stored.created_at),
        "updated_at": TIMESTAMP.to_representation(stored.updated_at),
    }


def problem_place(section: str, index: int | None, column: str) -> str:
    """Where a costing.profiles problem (section, row, import column) is in the body."""
    if section == "list_size" or section not in KEYS or index is None:
        return section
    return f"{section}[{index}].{KEYS[section].get(column, 'people')}"


# ------------------------------------------------------------------ in


def _is(value, kind) -> bool:
    if isinstance(value, bool):  # JSON's true is no whole number
        return kind is bool
    return isinstance(value, kind)


def _type_name(kind) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(TYPE_NAMES.get(k, "null") for k in kinds)


def _shape(body) -> list[FieldProblem]:
    """The body's keys and types; the counts themselves are the import's to check."""
    if not isinstance(body, dict):
        return [FieldProblem("", "expected a JSON object with list_size, age_bands, registers and groups")]
    problems = [FieldProblem(key[:50], "unknown field") for key in body if key not in FIELDS | READ_ONLY]
    for key in ("read_on", "list_size"):
        if key not in body:
            problems.append(FieldProblem(key, "missing field"))
    if "list_size" in body and not _is(body["list_size"], int):
        problems.append(FieldProblem("list_size", "expected a whole number"))
    if "note" in body and not isinstance(body["note"], str):
        problems.append(FieldProblem("note", "expected a string"))
    if "read_on" in body and not isinstance(body["read_on"], str):
        problems.append(FieldProblem("read_on", "expected a date (YYYY-MM-DD)"))
    for section, (types, required) in ITEM_FIELDS.items():
        items = body.get(section, [])
        if not isinstance(items, list):
            problems.append(FieldProblem(section, "expected a list"))
            continue
        for i, item in enumerate(items):
            place = f"{section}[{i}]"
            if not isinstance(item, dict):
                problems.append(FieldProblem(place, "expected an object"))
                continue
            problems += [FieldProblem(f"{place}.{k[:50]}", "unknown field") for k in item if k not in types]
            problems += [FieldProblem(f"{place}.{k}", "missing field") for k in sorted(required - set(item))]
            for key, kind in types.items():
                if key in item and not _is(item[key], kind):
                    problems.append(FieldProblem(f"{place}.{key}", f"expected {_type_name(kind)}"))
            for j, code in enumerate(item.get("conditions", []) if isinstance(item.get("conditions"), list) else []):
                if not isinstance(code, str) or not code.strip() or any(c in code for c in ";,"):
                    problems.append(FieldProblem(f"{place}.conditions[{j}]", "expected one condition code"))
    return problems


def _rows(body: dict) -> tuple[list[dict[str, str]], dict[int, tuple[str, int | None]]]:
    """The body as the import's table, and each row's place in the body."""
    table: list[dict[str, str]] = []
    places: dict[int, tuple[str, int | None]] = {}

    def add(section: str, index: int | None, **cells: str) -> None:
        number = len(table) + 2  # as a sheet's rows are numbered, after its header
        table.append({"kind": "", "ages": "", "conditions": "", "number of conditions": "", **cells, "#": str(number)})
        places[number] = (section, index)

    add("list_size", None, kind="list size", people=str(body["list_size"]))
    for i, band in enumerate(body.get("age_bands", [])):
        add("age_bands", i, kind=KIND["age_bands"], ages=band["ages"], people=str(band["people"]))
    for i, register in enumerate(body.get("registers", [])):
        add("registers", i, kind=KIND["registers"], conditions=register["code"], people=str(register["people"]))
    for i, group in enumerate(body.get("groups", [])):
        add(
            "groups",
            i,
            kind=KIND["groups"],
            conditions=";".join(group.get("conditions", [])),
            **{"number of conditions": group.get("number_of_conditions") or ""},
            people=str(group["people"]),
        )
    return table, places


def read_profile_body(body, *, conditions: Collection[str]) -> ProfileBody:
    """A profile body (decoded JSON) as the profile it gives; ProfileBodyInvalid with every problem otherwise."""
    problems = _shape(body)
    if problems:
        raise ProfileBodyInvalid(problems)
    rows = sum(len(body.get(section, [])) for section in ITEM_FIELDS)
    if rows + 1 > tables.MAX_IMPORT_ROWS:
        raise ProfileBodyInvalid(
            [FieldProblem("", f"more than {tables.MAX_IMPORT_ROWS} age bands, registers and groups in all")]
        )
    fields = {"read_on": body["read_on"], "note": body.get("note", "")}
    for name, value in list(fields.items()):
        try:
            fields[name] = ProfileForm.base_fields[name].clean(value)  # the page's own checks
        except forms.ValidationError as error:
            problems.append(FieldProblem(name, " ".join(error.messages).rstrip(".")))
    table, places = _rows(body)
    try:
        profile = profiles.read_profile(table, conditions=conditions)
    except tables.SheetError as error:
        for cell in error.errors:
            section, index = places.get(cell.row, ("", None))
            problems.append(FieldProblem(problem_place(section, index, cell.column), cell.message))
        profile = None
    if problems:
        raise ProfileBodyInvalid(problems)
    return ProfileBody(read_on=fields["read_on"], note=fields["note"], profile=profile)


def service_refusal(problems: Iterable[profiles.Problem]) -> ProfileBodyInvalid:
    """The problems of pathways.services.ProfileInvalid at their places in the body."""
    return ProfileBodyInvalid(FieldProblem(problem_place(p.section, p.index, p.column), p.message) for p in problems)
