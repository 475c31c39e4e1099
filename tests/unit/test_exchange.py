"""The model file reader: what it accepts, and where and why it rejects a file.

Each invalid file is worked example B with one thing broken, so that the error
must come from that one thing: as a version 1 file (tests/fixtures/example_b_v1.json,
the shipped example B being a version 2 file with a group), as most of these
checks are of version 1's fields.
"""

from __future__ import annotations

import copy
import json
import re
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from costing import engine, exchange
from costing.exchange import ModelFileError

FIXTURES = Path(__file__).resolve().parents[2] / "costing" / "fixtures"
V1_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
DELETE = object()


@cache
def _example_b_text() -> str:
    return (V1_FIXTURES / "example_b_v1.json").read_text(encoding="utf-8")


def example_b() -> dict:
    return json.loads(_example_b_text())


def changed(path: str, value: Any, data: dict | None = None) -> dict:
    """Example B (or ``data``) with the value at ``path`` ("pathways[0].stages[1].name") replaced,
    or deleted with DELETE."""
    data = copy.deepcopy(data if data is not None else example_b())
    *parents, last = keys_of(path)
    target = data
    for step in parents:
        target = target[step]
    if value is DELETE:
        del target[last]
    else:
        target[last] = value
    return data


def keys_of(path: str) -> tuple:
    """("pathways", 0, "stages", 1, "colour") for "pathways[0].stages[1].colour"."""
    return tuple(int(part) if part.isdigit() else part for part in re.findall(r"[^.\[\]]+", path))


def read_error(text: str | bytes) -> ModelFileError:
    with pytest.raises(ModelFileError) as info:
        exchange.loads(text)
    return info.value


# ------------------------------------------------------------------- valid files


@pytest.mark.parametrize("text", [_example_b_text(), (FIXTURES / "example_b.json").read_text(encoding="utf-8")])
def test_example_b_reads_and_costs_as_the_format_document_says(text):
    # Arrange: as a version 1 file and as the shipped version 2 file

    # Act
    comparison = engine.compare(exchange.loads(text))

    # Assert
    assert comparison.before.cost == Decimal("31.39")
    assert comparison.after.cost == Decimal("17.72")
    assert comparison.saving == Decimal("13.67")
    assert comparison.saving_percent == Decimal("43.5")


def test_utf8_byte_order_mark_is_accepted():
    # Arrange
    data = example_b()
    raw = b"\xef\xbb\xbf" + json.dumps(data, ensure_ascii=False).encode("utf-8")

    # Act
    model = exchange.loads(raw)

    # Assert
    assert model.name == data["name"]


def test_json_number_is_read_as_the_exact_decimal_written_not_a_binary_float():
    # Arrange: 12.30 an hour is 0.205 a minute, exactly a half penny; the float
    # 12.3 is 12.2999..., which would give 0.20.
    data = changed("roles[0].cost_per_hour", 12.3)
    data = changed("pathways[0].stages[0].minutes", 1, data)

    # Act
    model = exchange.loads(json.dumps(data))
    stage = engine.compare(model).pathways["dm"].stages[0]

    # Assert
    assert model.roles[0].cost_per_hour == Decimal("12.3")
    assert isinstance(model.roles[0].cost_per_hour, Decimal)
    assert stage.cost == Decimal("0.21")


@pytest.mark.parametrize(
    ("written", "expected"),
    [("11.40", Decimal("11.40")), (" 11.4 ", Decimal("11.4")), ("11", Decimal(11)), (11, Decimal(11))],
)
def test_money_is_accepted_as_a_string_or_a_number(written, expected):
    # Arrange
    data = changed("roles[0].cost_per_hour", written)

    # Act
    model = exchange.loads(json.dumps(data))

    # Assert
    assert model.roles[0].cost_per_hour == expected


def test_extra_cost_as_a_string_is_read_to_the_penny():
    # Arrange
    data = changed("pathways[0].stages[0].extra_cost", "0.85")

    # Act
    model = exchange.loads(json.dumps(data))

    # Assert
    assert model.pathways[0].stages[0].extra_cost == Decimal("0.85")


def test_trailing_zeros_beyond_the_allowed_places_are_accepted():
    # Arrange
    data = changed("pathways[0].stages[0].minutes", "7.5000")

    # Act
    model = exchange.loads(json.dumps(data))

    # Assert
    assert model.pathways[0].stages[0].minutes == Decimal("7.5")


def test_salary_based_role_is_accepted_with_all_three_salary_fields():
    # Arrange
    role = {
        "key": "admin",
        "name": "Administrator",
        "annual_salary": "33000",
        "on_cost_percent": "28.5",
        "paid_hours_per_year": "1950",
    }
    data = changed("roles[0]", role)

    # Act
    model = exchange.loads(json.dumps(data))

    # Assert
    assert model.roles[0].annual_salary == Decimal(33000)
    assert model.roles[0].cost_per_hour is None


# ------------------------------------------------------------ not a model file


def test_bad_json_says_where_in_the_text():
    # Arrange
    text = '{\n  "format": "pcsp-cost-model",\n  "version": \n}'

    # Act
    error = read_error(text)

    # Assert
    assert error.path == ""
    assert "not valid JSON" in error.message
    assert "line 4 column 1" in error.message


@pytest.mark.parametrize(("text", "kind"), [("[]", "a list"), ('"model"', "text"), ("3", "a number"), ("null", "null")])
def test_json_that_is_not_an_object_is_rejected(text, kind):
    # Act
    error = read_error(text)

    # Assert
    assert error.path == ""
    assert error.message == f"expected a JSON object, got {kind}"


def test_bytes_that_are_not_utf8_are_rejected_with_the_byte_position():
    # Arrange
    data = changed("name", "Café")
    raw = json.dumps(data, ensure_ascii=False).encode("latin-1")
    position = raw.index("é".encode("latin-1"))

    # Act
    error = read_error(raw)

    # Assert
    assert error.path == ""
    assert error.message == f"not UTF-8 text (byte {position})"


@pytest.mark.parametrize("value", ["cost-model", None, 1])
def test_wrong_format_is_rejected(value):
    # Arrange
    data = changed("format", value)

    # Act
    error = read_error(json.dumps(data))

    # Assert
    assert error.path == "format"
    assert error.message == f"expected 'pcsp-cost-model', got {value!r}"


def test_missing_format_is_rejected_as_the_wrong_format():
    # Act
    error = read_error(json.dumps(changed("format", DELETE)))

    # Assert
    assert error.path == "format"


@pytest.mark.parametrize(("value", "shown"), [(3, "3"), ("1", "'1'"), (True, "True"), (0, "0"), (None, "None")])
def test_unknown_version_is_rejected(value, shown):
    # Arrange
    data = changed("version", value)

    # Act
    error = read_error(json.dumps(data))

    # Assert
    assert error.path == "version"
    assert error.message == f"unknown version {shown} (this reads versions 1 and 2)"


def test_version_is_checked_before_the_fields_so_a_newer_file_says_so():
    # Arrange: a version 3 file might well have fields versions 1 and 2 do not know.
    data = changed("version", 3)
    data["colour"] = "blue"

    # Act
    error = read_error(json.dumps(data))

    # Assert
    assert error.path == "version"


# -------------------------------------------------------------- unknown fields


@pytest.mark.parametrize(
    "path",
    [
        "colour",
        "roles[0].colour",
        "pathways[0].colour",
        "pathways[0].stages[1].colour",
        "before[0].colour",
        "after[0].colour",
    ],
)
def test_unknown_field_is_rejected_with_its_path(path):
    # Arrange
    data = changed(path, "blue")

    # Act
    error = read_error(json.dumps(data))

    # Assert
    assert error.path == path
    assert error.message == "unknown field"
    assert str(error) == f"{path}: unknown field"


# -------------------------------------------------------------- missing fields


@pytest.mark.parametrize(
    "path",
    [
        "name",
        "period",
        "after",
        "roles[0].key",
        "pathways[1].stages",
        "pathways[0].stages[2].step",
        "before[0].patients",
        "after[0].pathway",
    ],
)
def test_missing_field_is_rejected_with_its_path(path):
    # Arrange
    data = changed(path, DELETE)

    # Act
    error = read_error(json.dumps(data))

    # Assert
    assert error.path == path
    assert error.message == "missing field"


def test_role_without_any_cost_says_what_it_needs():
    # Arrange
    data = changed("roles[0].cost_per_hour", DELETE)

    # Act
    error = read_error(json.dumps(data))

    # Assert
    assert error.path == "roles[0]"
    assert "cost_per_hour" in error.message
    assert "annual_salary" in error.message


def test_role_with_both_cost_per_hour_and_a_salary_is_rejected():
    # Arrange
    data = example_b()
    data["roles"][0].update(annual_salary="33000", on_cost_percent="28.5", paid_hours_per_year="1950")

    # Act
    error = read_error(json.dumps(data))

    # Assert
    assert error.path == "roles[0]"
    assert error.message == "give cost_per_hour or a salary, not both"


def test_role_with_a_salary_but_no_paid_hours_names_the_missing_field():
    # Arrange
    salary_without_hours = {
        "key": "admin",
        "name": "Administrator",
        "annual_salary": "33000",
        "on_cost_percent": "28.5",
    }
    data = changed("roles[0]", salary_without_hours)

    # Act
    error = read_error(json.dumps(data))

    # Assert
    assert error.path == "roles[0].paid_hours_per_year"
    assert error.message == "missing field"


def test_role_with_zero_paid_hours_is_rejected():
    # Arrange
    role = {
        "key": "admin",
        "name": "Administrator",
        "annual_salary": "33000",
        "on_cost_percent": "28.5",
        "paid_hours_per_year": "0",
    }
    data = changed("roles[0]", role)

    # Act
    error = read_error(json.dumps(data))

    # Assert
    assert error.path == "roles[0].paid_hours_per_year"
    assert error.message == "must be more than 0"


def test_stage_with_minutes_but_no_role_is_rejected():
    # Arrange
    data = changed("pathways[0].stages[0].role", DELETE)

    # Act
    error = read_error(json.dumps(data))

    # Assert
    assert error.path == "pathways[0].stages[0].role"
    assert error.message == "missing field (a stage with minutes needs a role)"


def test_stage_with_no_minutes_needs_no_role():
    # Arrange
    data = changed("pathways[0].stages[0].role", DELETE)
    data = changed("pathways[0].stages[0].minutes", "0", data)

    # Act
    model = exchange.loads(json.dumps(data))

    # Assert
    assert model.pathways[0].stages[0].role is None


# ------------------------------------------------------------------ bad figures


MINUTES = "pathways[0].stages[0].minutes"
COST_PER_HOUR = "roles[0].cost_per_hour"
PATIENTS = "before[0].patients"


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (MINUTES, "-5", "must not be negative (got -5)"),
        (MINUTES, -5, "must not be negative (got -5)"),
        (COST_PER_HOUR, "abc", "'abc' is not a number"),
        (COST_PER_HOUR, "", "'' is not a number"),
        (COST_PER_HOUR, "NaN", "'NaN' is not a number"),
        (COST_PER_HOUR, "Infinity", "'Infinity' is not a number"),
        (COST_PER_HOUR, "-Infinity", "'-Infinity' is not a number"),
        (COST_PER_HOUR, None, "expected a number, got null"),
        (COST_PER_HOUR, True, "expected a number, got true/false"),
        (COST_PER_HOUR, ["11.40"], "expected a number, got a list"),
        (MINUTES, "10000", "10000 is more than the maximum of 480"),
        (MINUTES, 10000, "10000 is more than the maximum of 480"),
        (MINUTES, "7.125", "7.125 has more than 2 decimal places"),
        ("pathways[0].stages[0].extra_cost", "0.855", "0.855 has more than 2 decimal places"),
        (COST_PER_HOUR, "11.40001", "11.40001 has more than 4 decimal places"),
        (PATIENTS, 1.5, "1.5 is not a whole number"),
        (PATIENTS, True, "expected a whole number, got true/false"),
        (PATIENTS, "12", "expected a whole number, got text"),
        (PATIENTS, -1, "must be at least 0 (got -1)"),
        (PATIENTS, 1_000_001, "1000001 is more than the maximum of 1000000"),
        ("pathways[0].stages[1].visit", 0, "must be at least 1 (got 0)"),
    ],
)
def test_bad_figure_is_rejected_with_its_path_and_why(path, value, message):
    # Arrange
    data = changed(path, value)

    # Act
    error = read_error(json.dumps(data))

    # Assert
    assert error.path == path
    assert error.message == message


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_json_nan_or_infinity_is_rejected_as_not_a_number(constant):
    # Arrange
    text = json.dumps(example_b()).replace('"cost_per_hour": "11.40"', f'"cost_per_hour": {constant}', 1)
    assert constant in text

    # Act
    error = read_error(text)

    # Assert
    assert error.path == ""
    assert error.message == f"not valid JSON: {constant} is not a number"


@pytest.mark.parametrize("path", [PATIENTS, "pathways[0].stages[1].visit"])
def test_huge_whole_number_written_with_an_exponent_is_rejected_at_once(path):
    # Arrange: turning 1e999999999 into a Python int would take a billion digits.
    text = json.dumps(changed(path, "PLACEHOLDER")).replace('"PLACEHOLDER"', "1e999999999")

    # Act
    error = read_error(text)

    # Assert
    assert error.path == path
    assert "more than the maximum" in error.message


# ------------------------------------------------------------- bad choices, keys


def test_invalid_step_is_rejected_listing_the_steps():
    # Arrange
    data = changed("pathways[0].stages[0].step", "coffee")

    # Act
    error = read_error(json.dumps(data))

    # Assert
    assert error.path == "pathways[0].stages[0].step"
    assert error.message.startswith("'coffee' is not one of ")
    assert "'recall'" in error.message and "'follow_up'" in error.message


def test_invalid_period_is_rejected_listing_the_periods():
    # Arrange
    data = changed("period", "fortnight")

    # Act
    error = read_error(json.dumps(data))

    # Assert
    assert error.path == "period"
    assert error.message == "'fortnight' is not one of 'per patient', 'month', 'year'"


def test_stage_naming_an_unknown_role_is_rejected():
    # Arrange
    data = changed("pathways[0].stages[0].role", "gp")

    # Act
    error = read_error(json.dumps(data))

    # Assert
    assert str(error) == "pathways[0].stages[0].role: unknown role 'gp'"


def test_cohort_naming_an_unknown_pathway_is_rejected():
    # Arrange
    data = changed("before[0].pathway", "asthma")

    # Act
    error = read_error(json.dumps(data))

    # Assert
    assert error.path == "before[0].pathway"
    assert str(error) == "before[0].pathway: unknown pathway 'asthma'"


def test_duplicate_role_keys_are_rejected_at_the_second():
    # Arrange
    data = changed("roles[1].key", "admin")

    # Act
    error = read_error(json.dumps(data))

    # Assert
    assert error.path == "roles[1].key"
    assert error.message == "duplicate key 'admin'"


def test_duplicate_pathway_keys_are_rejected_at_the_second():
    # Arrange
    data = changed("pathways[1].key", "dm")

    # Act
    error = read_error(json.dumps(data))

    # Assert
    assert error.path == "pathways[1].key"
    assert error.message == "duplicate key 'dm'"


def test_key_with_a_space_is_rejected():
    # Arrange
    data = changed("roles[0].key", "practice nurse")

    # Act
    error = read_error(json.dumps(data))

    # Assert
    assert error.path == "roles[0].key"
    assert "is not a key" in error.message


def test_empty_name_is_rejected():
    # Arrange
    data = changed("pathways[0].stages[0].name", "   ")

    # Act
    error = read_error(json.dumps(data))

    # Assert
    assert error.path == "pathways[0].stages[0].name"
    assert error.message == "must not be empty"


def test_list_given_as_an_object_is_rejected():
    # Arrange
    data = changed("roles", {"admin": "11.40"})

    # Act
    error = read_error(json.dumps(data))

    # Assert
    assert error.path == "roles"
    assert error.message == "expected a list, got an object"
