"""The cost model exchange format, versions 1 and 2 (docs/model-format.md).

Reads both versions (version 2 adds groups of people, a cohort's ``group`` and
``times``, and extra costs to 4 decimal places); writes version 2.

Reads a model file into the engine's dataclasses, writes them back, and writes a
comparison as the ``cost_model --json`` output. Pure Python: no Django, no I/O
beyond the text handed in. Every problem is a ``ModelFileError`` naming where it
is, in the file's own terms (``before[2].pathway``), so a person can fix it.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import Any

from costing import limits
from costing.engine import (
    Cohort,
    Comparison,
    CostBasis,
    CostModel,
    Group,
    Pathway,
    Period,
    Role,
    SideResult,
    Stage,
    Step,
    compare,
    normalise_minutes,
)

FORMAT_NAME = "pcsp-cost-model"
FORMAT_VERSION = 2  # what dump writes
READ_VERSIONS = (1, 2)
# fullmatch: a key ends where its text does ("admin\n" is not a key).
KEY_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")

_TOP_REQUIRED = ("format", "version", "name", "period", "roles", "pathways", "before", "after")
_TOP_OPTIONAL = ("description",)
_TOP_OPTIONAL_V2 = ("description", "groups")
_GROUP_REQUIRED = ("key", "label", "people")
_GROUP_OPTIONAL = ("conditions",)
_ROLE_REQUIRED = ("key", "name")
_ROLE_OPTIONAL = (
    "band",
    "cost_per_hour",
    "annual_salary",
    "on_cost_percent",
    "paid_hours_per_year",
    "cost_basis",
)
_SALARY_FIELDS = ("annual_salary", "on_cost_percent", "paid_hours_per_year")
_PATHWAY_REQUIRED = ("key", "name", "stages")
_PATHWAY_OPTIONAL = ("description",)
_STAGE_REQUIRED = ("name", "step")
_STAGE_OPTIONAL = ("role", "minutes", "extra_cost", "visit", "printed_cost")
_COHORT_REQUIRED = ("label", "patients", "pathway")
_COHORT_OPTIONAL = ("conditions", "printed_cost_per_patient", "printed_contact_minutes")
# Version 2: a cohort gives patients or names a group (checked apart), and may say how often.
_COHORT_REQUIRED_V2 = ("label", "pathway")
_COHORT_OPTIONAL_V2 = ("patients", "group", "times", "exceptions", *_COHORT_OPTIONAL)


class ModelFileError(ValueError):
    """A model file that cannot be read; ``path`` says where the problem is."""

    def __init__(self, path: str, message: str):
        # A lone surrogate from the file (a key it names, say) cannot be written to a page as UTF-8.
        path, message = (text.encode("utf-8", "replace").decode() for text in (path, message))
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}" if path else message)


# ------------------------------------------------------------------------- reading


def loads(text: str | bytes) -> CostModel:
    """Parse the text of a model file. Raises ModelFileError."""
    return parse(decode(text))


def decode(text: str | bytes) -> Any:
    """The JSON of a model file (or a part of one), numbers with a point as exact decimals. Raises ModelFileError."""
    if len(text) > limits.MAX_MODEL_FILE_BYTES:
        raise ModelFileError("", f"file is larger than {limits.MAX_MODEL_FILE_BYTES} bytes")
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ModelFileError("", f"not UTF-8 text (byte {exc.start})") from None
    try:
        data = json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise ModelFileError("", f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except ValueError as exc:
        raise ModelFileError("", str(exc)) from None
    except RecursionError:
        raise ModelFileError("", "not valid JSON: nested too deeply") from None
    return data


def _reject_constant(name: str) -> Any:
    raise ValueError(f"not valid JSON: {name} is not a number")


def parse(data: Any) -> CostModel:
    """Turn decoded JSON into a CostModel, checking every field. Raises ModelFileError."""
    if not isinstance(data, dict):
        raise ModelFileError("", f"expected a JSON object, got {_kind(data)}")
    # Format and version first: a file of another kind or version fails on that, not on a field.
    if data.get("format") != FORMAT_NAME:
        raise ModelFileError("format", f"expected {FORMAT_NAME!r}, got {data.get('format')!r}")
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version not in READ_VERSIONS:
        raise ModelFileError("version", f"unknown version {version!r} (this reads versions 1 and 2)")
    _check_keys(data, "", _TOP_REQUIRED, _TOP_OPTIONAL if version == 1 else _TOP_OPTIONAL_V2)
    name = _text(data["name"], "name")
    period = _choice(data["period"], "period", Period)
    description = (
        _text(data["description"], "description", allow_empty=True, max_length=limits.MAX_DESCRIPTION_LENGTH)
        if "description" in data
        else ""
    )

    roles = tuple(_role(item, f"roles[{i}]") for i, item in enumerate(_list(data["roles"], "roles", limits.MAX_ROLES)))
    role_keys = _unique_keys(roles, "roles")
    # Version 1 money is to the penny; version 2 extra costs may be sub-penny.
    extra_places = limits.MONEY_PLACES if version == 1 else limits.EXTRA_COST_PLACES
    pathways = tuple(
        _pathway(item, f"pathways[{i}]", role_keys, extra_places)
        for i, item in enumerate(_list(data["pathways"], "pathways", limits.MAX_PATHWAYS))
    )
    pathway_keys = _unique_keys(pathways, "pathways")
    groups = tuple(
        _group(item, f"groups[{i}]")
        for i, item in enumerate(_list(data.get("groups", []), "groups", limits.MAX_GROUPS))
    )
    _unique_keys(groups, "groups")
    people = {group.key: group.people for group in groups}
    sides = {
        side: tuple(
            _cohort(item, f"{side}[{i}]", pathway_keys)
            if version == 1
            else _cohort_v2(item, f"{side}[{i}]", pathway_keys, people)
            for i, item in enumerate(_list(data[side], side, limits.MAX_COHORTS_PER_SIDE))
        )
        for side in ("before", "after")
    }
    return CostModel(
        name=name,
        period=period,
        roles=roles,
        pathways=pathways,
        before=sides["before"],
        after=sides["after"],
        description=description,
        groups=groups,
    )


def _role(data: Any, path: str) -> Role:
    _check_keys(data, path, _ROLE_REQUIRED, _ROLE_OPTIONAL)
    key = _key(data["key"], f"{path}.key")
    has_rate = "cost_per_hour" in data
    salary_given = [f for f in _SALARY_FIELDS if f in data]
    if has_rate and salary_given:
        raise ModelFileError(path, "give cost_per_hour or a salary, not both")
    if not has_rate and len(salary_given) < len(_SALARY_FIELDS):
        missing = [f for f in _SALARY_FIELDS if f not in data]
        if not salary_given:
            raise ModelFileError(
                path, "missing field 'cost_per_hour' (or annual_salary, on_cost_percent and paid_hours_per_year)"
            )
        raise ModelFileError(f"{path}.{missing[0]}", "missing field")
    basis = _choice(data["cost_basis"], f"{path}.cost_basis", CostBasis) if "cost_basis" in data else None
    if has_rate:
        return Role(
            key=key,
            name=_text(data["name"], f"{path}.name"),
            band=_text(data.get("band", ""), f"{path}.band", allow_empty=True, max_length=limits.MAX_BAND_LENGTH),
            cost_per_hour=_number(
                data["cost_per_hour"], f"{path}.cost_per_hour", limits.MAX_COST_PER_HOUR, limits.RATE_PLACES
            ),
            cost_basis=basis,
        )
    paid_hours = _number(
        data["paid_hours_per_year"],
        f"{path}.paid_hours_per_year",
        limits.MAX_PAID_HOURS_PER_YEAR,
        limits.HOURS_PLACES,
    )
    if paid_hours == 0:
        raise ModelFileError(f"{path}.paid_hours_per_year", "must be more than 0")
    return Role(
        key=key,
        name=_text(data["name"], f"{path}.name"),
        band=_text(data.get("band", ""), f"{path}.band", allow_empty=True, max_length=limits.MAX_BAND_LENGTH),
        annual_salary=_number(
            data["annual_salary"], f"{path}.annual_salary", limits.MAX_ANNUAL_SALARY, limits.MONEY_PLACES
        ),
        on_cost_percent=_number(
            data["on_cost_percent"],
            f"{path}.on_cost_percent",
            limits.MAX_ON_COST_PERCENT,
            limits.PERCENT_PLACES,
        ),
        paid_hours_per_year=paid_hours,
        cost_basis=basis,
    )


def _pathway(data: Any, path: str, role_keys: set[str], extra_places: int) -> Pathway:
    _check_keys(data, path, _PATHWAY_REQUIRED, _PATHWAY_OPTIONAL)
    description = ""
    if "description" in data:
        description = _text(
            data["description"], f"{path}.description", allow_empty=True, max_length=limits.MAX_DESCRIPTION_LENGTH
        )
    stages = _list(data["stages"], f"{path}.stages", limits.MAX_STAGES_PER_PATHWAY)
    return Pathway(
        key=_key(data["key"], f"{path}.key"),
        name=_text(data["name"], f"{path}.name"),
        stages=tuple(_stage(item, f"{path}.stages[{i}]", role_keys, extra_places) for i, item in enumerate(stages)),
        description=description,
    )


def _stage(data: Any, path: str, role_keys: set[str], extra_places: int) -> Stage:
    _check_keys(data, path, _STAGE_REQUIRED, _STAGE_OPTIONAL)
    minutes = (
        _number(data["minutes"], f"{path}.minutes", limits.MAX_STAGE_MINUTES, limits.MINUTES_PLACES)
        if "minutes" in data
        else Decimal(0)
    )
    role = data.get("role")
    if role is None:
        if minutes != 0:
            raise ModelFileError(f"{path}.role", "missing field (a stage with minutes needs a role)")
    else:
        role = _key(role, f"{path}.role")
        if role not in role_keys:
            raise ModelFileError(f"{path}.role", f"unknown role {role!r}")
    visit = None
    if data.get("visit") is not None:
        visit = _integer(data["visit"], f"{path}.visit", limits.MAX_VISIT_NUMBER, minimum=1)
    return Stage(
        name=_text(data["name"], f"{path}.name"),
        step=_choice(data["step"], f"{path}.step", Step),
        role=role,
        minutes=minutes,
        extra_cost=_extra_cost(data.get("extra_cost", "0"), f"{path}.extra_cost", extra_places),
        visit=visit,
        printed_cost=_optional_money(data, "printed_cost", path),
    )


def _group(data: Any, path: str) -> Group:
    _check_keys(data, path, _GROUP_REQUIRED, _GROUP_OPTIONAL)
    return Group(
        key=_key(data["key"], f"{path}.key"),
        label=_text(data["label"], f"{path}.label"),
        people=_integer(data["people"], f"{path}.people", limits.MAX_COHORT_PATIENTS),
        conditions=_conditions(data, path),
    )


def _conditions(data: dict, path: str) -> tuple[str, ...]:
    conditions = _list(data.get("conditions", []), f"{path}.conditions", 100)
    codes = tuple(_key(code, f"{path}.conditions[{i}]").upper() for i, code in enumerate(conditions))
    if len(set(codes)) != len(codes):
        raise ModelFileError(f"{path}.conditions", "a condition is listed twice")
    return codes


def _cohort_v2(data: Any, path: str, pathway_keys: set[str], people: dict[str, int]) -> Cohort:
    """A version 2 cohort: patients, or a group whose people are its patients; times per period."""
    _check_keys(data, path, _COHORT_REQUIRED_V2, _COHORT_OPTIONAL_V2)
    if "patients" in data and "group" in data:
        raise ModelFileError(path, "give patients or group, not both")
    if "patients" not in data and "group" not in data:
        raise ModelFileError(f"{path}.patients", "missing field (or give a group)")
    group = None
    fields = dict(data)
    if "group" in data:
        group = _key(data["group"], f"{path}.group")
        if group not in people:
            raise ModelFileError(f"{path}.group", f"unknown group {group!r}")
        fields["patients"] = people[group]
        del fields["group"]
    fields.pop("times", None)
    times = _integer(data["times"], f"{path}.times", limits.MAX_TIMES, minimum=1) if "times" in data else 1
    fields.pop("exceptions", None)
    cohort = _cohort(fields, path, pathway_keys)
    exceptions = 0
    if "exceptions" in data:
        # Bounded by the largest cohort first, so a huge number never reaches int().
        exceptions = _integer(data["exceptions"], f"{path}.exceptions", limits.MAX_COHORT_PATIENTS)
        if exceptions > cohort.patients:
            raise ModelFileError(f"{path}.exceptions", "more than the cohort's patients")
    return replace(cohort, times=times, group=group, exceptions=exceptions)


def _cohort(data: Any, path: str, pathway_keys: set[str]) -> Cohort:
    _check_keys(data, path, _COHORT_REQUIRED, _COHORT_OPTIONAL)
    pathway = _key(data["pathway"], f"{path}.pathway")
    if pathway not in pathway_keys:
        raise ModelFileError(f"{path}.pathway", f"unknown pathway {pathway!r}")
    codes = _conditions(data, path)
    printed_minutes = None
    if data.get("printed_contact_minutes") is not None:
        printed_minutes = _number(
            data["printed_contact_minutes"],
            f"{path}.printed_contact_minutes",
            limits.MAX_STAGE_MINUTES * limits.MAX_STAGES_PER_PATHWAY,
            limits.MINUTES_PLACES,
        )
    return Cohort(
        label=_text(data["label"], f"{path}.label"),
        patients=_integer(data["patients"], f"{path}.patients", limits.MAX_COHORT_PATIENTS),
        pathway=pathway,
        conditions=codes,
        printed_cost_per_patient=_optional_money(data, "printed_cost_per_patient", path),
        printed_contact_minutes=printed_minutes,
    )


# ------------------------------------------------------------------ field checkers


def _check_keys(data: Any, path: str, required: tuple[str, ...], optional: tuple[str, ...]) -> None:
    if not isinstance(data, dict):
        raise ModelFileError(path, f"expected an object, got {_kind(data)}")
    for key in data:
        if key not in required and key not in optional:
            raise ModelFileError(_join(path, key), "unknown field")
    for key in required:
        if key not in data:
            raise ModelFileError(_join(path, key), "missing field")


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, Decimal)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _list(value: Any, path: str, max_items: int) -> list:
    if not isinstance(value, list):
        raise ModelFileError(path, f"expected a list, got {_kind(value)}")
    if len(value) > max_items:
        raise ModelFileError(path, f"more than {max_items} items")
    return value


def _text(value: Any, path: str, *, allow_empty: bool = False, max_length: int = limits.MAX_NAME_LENGTH) -> str:
    if not isinstance(value, str):
        raise ModelFileError(path, f"expected text, got {_kind(value)}")
    value = value.strip()
    if not value and not allow_empty:
        raise ModelFileError(path, "must not be empty")
    if len(value) > max_length:
        raise ModelFileError(path, f"longer than {max_length} characters")
    problem = limits.text_problem(value, multiline=max_length > limits.MAX_NAME_LENGTH)
    if problem:
        raise ModelFileError(path, problem)
    return value


def _key(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise ModelFileError(path, f"expected a key (text), got {_kind(value)}")
    if len(value) > limits.MAX_KEY_LENGTH or not KEY_PATTERN.fullmatch(value):
        raise ModelFileError(
            path, f"{value[:60]!r} is not a key (letters, digits, '-' and '_', at most {limits.MAX_KEY_LENGTH})"
        )
    return value


def _choice(value: Any, path: str, choices: type) -> Any:
    try:
        return choices(value)
    except (ValueError, TypeError):
        allowed = ", ".join(repr(c.value) for c in choices)
        raise ModelFileError(path, f"{str(value)[:40]!r} is not one of {allowed}") from None


def _number(value: Any, path: str, maximum: Decimal, places: int) -> Decimal:
    """A figure ≥ 0 given as a JSON number or a string, read as an exact decimal."""
    if isinstance(value, bool) or not isinstance(value, (int, Decimal, str)):
        raise ModelFileError(path, f"expected a number, got {_kind(value)}")
    try:
        number = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        raise ModelFileError(path, f"{str(value)[:40]!r} is not a number") from None
    if not number.is_finite():
        raise ModelFileError(path, f"{str(value)[:40]!r} is not a number")
    if number < 0:
        raise ModelFileError(path, f"must not be negative (got {str(value)[:40]})")
    if number.is_zero():
        number = number.copy_abs()  # "-0" is zero
    if number > maximum:
        raise ModelFileError(path, f"{str(value)[:40]} is more than the maximum of {maximum}")
    if -number.as_tuple().exponent > places:
        # "1." and 100,000 zeros is 1, but as written it overflows a database's numeric column.
        quantized = number.quantize(Decimal(1).scaleb(-places))
        if number != quantized:
            raise ModelFileError(path, f"{str(value)[:40]} has more than {places} decimal places")
        number = quantized
    return number


def _money(value: Any, path: str, maximum: Decimal) -> Decimal:
    return _number(value, path, maximum, limits.MONEY_PLACES).quantize(Decimal("0.01"))


def _extra_cost(value: Any, path: str, places: int) -> Decimal:
    """An extra cost: to the penny as money is, or to ``places`` where it has a fraction of a penny."""
    number = _number(value, path, limits.MAX_EXTRA_COST, places)
    pennies = number.quantize(Decimal("0.01"))
    return pennies if pennies == number else number.quantize(Decimal(1).scaleb(-places))


def _optional_money(data: dict, key: str, path: str) -> Decimal | None:
    if data.get(key) is None:
        return None
    return _money(data[key], f"{path}.{key}", limits.MAX_EXTRA_COST * limits.MAX_STAGES_PER_PATHWAY)


def _integer(value: Any, path: str, maximum: int, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise ModelFileError(path, f"expected a whole number, got {_kind(value)}")
    if isinstance(value, Decimal) and value != value.to_integral_value():
        raise ModelFileError(path, f"{str(value)[:40]} is not a whole number")
    # Bounds before int(): int(Decimal("1e999999999")) would build a billion-digit number.
    if value < minimum:
        raise ModelFileError(path, f"must be at least {minimum} (got {str(value)[:40]})")
    if value > maximum:
        raise ModelFileError(path, f"{str(value)[:40]} is more than the maximum of {maximum}")
    return int(value)


def _unique_keys(items: tuple, path: str) -> set[str]:
    keys: set[str] = set()
    for i, item in enumerate(items):
        if item.key in keys:
            raise ModelFileError(f"{path}[{i}].key", f"duplicate key {item.key!r}")
        keys.add(item.key)
    return keys


# ------------------------------------------------------------------------- writing


def money(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))


def figure(value: Decimal) -> str:
    """A non-money figure as written in files: no exponent, no trailing zeros."""
    return format(normalise_minutes(value), "f")


def dump(model: CostModel) -> dict:
    """The model as a version 2 file (a dict ready for json.dumps).

    Groups are written when the model has any; a cohort naming a group writes the
    group, not its patients; ``times`` is written only when it is not 1.
    """
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "name": model.name,
        "period": model.period.value,
        **({"description": model.description} if model.description else {}),
        "roles": [_dump_role(role) for role in model.roles],
        "pathways": [
            {
                "key": p.key,
                "name": p.name,
                **({"description": p.description} if p.description else {}),
                "stages": [_dump_stage(s) for s in p.stages],
            }
            for p in model.pathways
        ],
        **({"groups": [_dump_group(g) for g in model.groups]} if model.groups else {}),
        "before": [_dump_cohort(c) for c in model.before],
        "after": [_dump_cohort(c) for c in model.after],
    }


def dumps(model: CostModel) -> str:
    return json.dumps(dump(model), indent=2, ensure_ascii=False) + "\n"


def _dump_role(role: Role) -> dict:
    out: dict[str, Any] = {"key": role.key, "name": role.name}
    if role.band:
        out["band"] = role.band
    if role.cost_per_hour is not None:
        out["cost_per_hour"] = figure(role.cost_per_hour)
    else:
        out["annual_salary"] = figure(role.annual_salary)
        out["on_cost_percent"] = figure(role.on_cost_percent)
        out["paid_hours_per_year"] = figure(role.paid_hours_per_year)
    if role.cost_basis is not None:
        out["cost_basis"] = role.cost_basis.value
    return out


def _dump_stage(stage: Stage) -> dict:
    out: dict[str, Any] = {"name": stage.name, "step": stage.step.value}
    if stage.role is not None:
        out["role"] = stage.role
    out["minutes"] = figure(stage.minutes)
    if stage.extra_cost:
        out["extra_cost"] = extra_cost_text(stage.extra_cost)
    if stage.visit is not None:
        out["visit"] = stage.visit
    if stage.printed_cost is not None:
        out["printed_cost"] = money(stage.printed_cost)
    return out


def extra_cost_text(value: Decimal) -> str:
    """An extra cost as written: two places, or up to four where it has a fraction of a penny."""
    pennies = value.quantize(Decimal("0.01"))
    return str(pennies) if pennies == value else format(value.normalize(), "f")


def _dump_group(group: Group) -> dict:
    out: dict[str, Any] = {"key": group.key, "label": group.label, "people": group.people}
    if group.conditions:
        out["conditions"] = list(group.conditions)
    return out


def _dump_cohort(cohort: Cohort) -> dict:
    out: dict[str, Any] = {"label": cohort.label}
    if cohort.conditions:
        out["conditions"] = list(cohort.conditions)
    if cohort.group is None:
        out["patients"] = cohort.patients
    else:
        out["group"] = cohort.group
    out["pathway"] = cohort.pathway
    if cohort.times != 1:
        out["times"] = cohort.times
    if cohort.exceptions:
        out["exceptions"] = cohort.exceptions
    if cohort.printed_cost_per_patient is not None:
        out["printed_cost_per_patient"] = money(cohort.printed_cost_per_patient)
    if cohort.printed_contact_minutes is not None:
        out["printed_contact_minutes"] = figure(cohort.printed_contact_minutes)
    return out


def costing_json(model: CostModel) -> dict:
    """A model's costing as ``cost_model --json`` prints it; the API serves the same."""
    return comparison_json(compare(model))


def comparison_json(comparison: Comparison) -> dict:
    """The ``cost_model --json`` output: money as 2-place strings, minutes as strings."""
    out: dict[str, Any] = {
        "name": comparison.name,
        "period": comparison.period.value,
        "roles": [
            {
                "key": role.key,
                "name": role.name,
                "cost_per_hour": money(role.hourly_rate),
                "cost_per_minute": str(role.minute_rate),
                "cost_basis": role.cost_basis.value if role.cost_basis else None,
            }
            for role in comparison.roles
        ],
        "before": _side_json(comparison.before),
        "after": _side_json(comparison.after),
        "saving": money(comparison.saving),
    }
    if comparison.saving_percent is not None:
        out["saving_percent"] = str(comparison.saving_percent)
    factor = comparison.periods_per_year
    if factor is not None:
        out["annual"] = {
            "before": money(comparison.before.cost * factor),
            "after": money(comparison.after.cost * factor),
            "saving": money(comparison.saving * factor),
        }
    out["discrepancies"] = [
        {
            "where": d.where,
            "what": d.what,
            "printed": figure(d.printed) if "minutes" in d.what else money(d.printed),
            "computed": figure(d.computed) if "minutes" in d.what else money(d.computed),
        }
        for d in comparison.discrepancies
    ]
    return out


def _side_json(side: SideResult) -> dict:
    return {
        "cost": money(side.cost),
        "patients": side.patients,
        "people": side.people,
        "reviews": side.reviews,
        "visits": side.visits,
        "contact_minutes": figure(side.contact_minutes),
        "staff_minutes": {k: figure(v) for k, v in side.staff_minutes.items()},
        "staff_cost": {k: money(v) for k, v in side.staff_cost.items()},
        "extra_cost": money(side.extra_cost),
        "cost_by_step": {step.value: money(v) for step, v in side.cost_by_step.items() if v},
        "cohorts": [
            {
                "label": c.label,
                "conditions": list(c.conditions),
                "pathway": c.pathway,
                "patients": c.patients,
                "times": c.times,
                "exceptions": c.exceptions,
                "cost_per_patient": money(c.cost_per_patient),
                "cost": money(c.cost),
                "visits": c.visits,
                "contact_minutes": figure(c.contact_minutes),
            }
            for c in side.cohorts
        ],
    }
