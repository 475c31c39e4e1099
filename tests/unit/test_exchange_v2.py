"""Model file format version 2: groups of people, a cohort's group and times, sub-penny extra costs.

The valid file is the format's own version 2 example: worked example B with the
COPD review held twice (costing/fixtures/example_b_copd_twice.json).
"""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path

import pytest

from costing import engine, exchange
from costing.exchange import ModelFileError

FIXTURES = Path(__file__).resolve().parents[2] / "costing" / "fixtures"


def example() -> dict:
    return json.loads((FIXTURES / "example_b_copd_twice.json").read_text(encoding="utf-8"))


def read_error(data: dict) -> ModelFileError:
    with pytest.raises(ModelFileError) as info:
        exchange.loads(json.dumps(data))
    return info.value


def test_example_b_with_copd_twice_counts_one_person_and_four_reviews_before():
    # Arrange
    model = exchange.loads((FIXTURES / "example_b_copd_twice.json").read_bytes())

    # Act
    comparison = engine.compare(model)

    # Assert: 13.43 + 8.88 + 2 x 9.08 before, 17.72 after
    before, after = comparison.before, comparison.after
    assert (before.cost, after.cost, comparison.saving) == (Decimal("40.47"), Decimal("17.72"), Decimal("22.75"))
    assert (before.people, before.reviews, before.patients) == (1, 4, 3)
    assert (after.people, after.reviews, after.patients) == (1, 1, 1)
    assert (before.visits, before.contact_minutes) == (6, Decimal(120))
    assert [c.times for c in before.cohorts] == [1, 1, 2]
    assert before.cohorts[2].cost == Decimal("18.16")


def test_a_group_cohort_has_its_groups_people_as_patients():
    # Arrange
    data = example()
    data["groups"][0]["people"] = 7

    # Act
    model = exchange.loads(json.dumps(data))

    # Assert
    assert {c.patients for c in model.before + model.after} == {7}
    assert {c.group for c in model.before} == {"dm-chd-copd"}


def test_version_1_file_reads_with_every_cohort_once_and_no_groups():
    # Arrange
    text = (FIXTURES / "example_cd.json").read_bytes()

    # Act
    comparison = engine.compare(exchange.loads(text))

    # Assert: without groups, people are the patients and each is reviewed once
    assert (comparison.before.people, comparison.before.reviews) == (194, 194)
    assert (comparison.after.people, comparison.after.reviews) == (136, 136)


def test_export_writes_version_2_with_groups_and_times_and_reads_back_the_same():
    # Arrange
    model = exchange.loads(json.dumps(example()))

    # Act
    written = exchange.dump(model)
    reread = exchange.loads(exchange.dumps(model))

    # Assert
    assert written["version"] == 2
    assert written["groups"] == example()["groups"]
    assert written["before"][2]["times"] == 2
    assert "times" not in written["before"][0]
    assert "patients" not in written["before"][0]
    assert reread == model


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["after"][0].update(patients=1), "after[0]: give patients or group, not both"),
        (lambda d: d["before"][1].update(group="dm-chd"), "before[1].group: unknown group 'dm-chd'"),
        (lambda d: d["after"][0].pop("group"), "after[0].patients: missing field (or give a group)"),
        (lambda d: d["before"][2].update(times=13), "before[2].times: 13 is more than the maximum of 12"),
        (lambda d: d["before"][2].update(times=0), "before[2].times: must be at least 1 (got 0)"),
        (lambda d: d["before"][2].update(times="2"), "before[2].times: expected a whole number, got text"),
        (lambda d: d["before"][2].update(times=1.5), "before[2].times: 1.5 is not a whole number"),
        (lambda d: d["groups"][0].update(people=-1), "groups[0].people: must be at least 0 (got -1)"),
        (lambda d: d["groups"].append(copy.deepcopy(d["groups"][0])), "groups[1].key: duplicate key 'dm-chd-copd'"),
        (lambda d: d["groups"][0].update(colour="blue"), "groups[0].colour: unknown field"),
        (
            lambda d: d["pathways"][0]["stages"][0].update(extra_cost="0.00125"),
            "pathways[0].stages[0].extra_cost: 0.00125 has more than 4 decimal places",
        ),
    ],
)
def test_invalid_version_2_file_names_the_field_and_why(change, message):
    # Arrange
    data = example()
    change(data)

    # Act
    error = read_error(data)

    # Assert
    assert str(error) == message


@pytest.mark.parametrize("field", ["groups", "times", "group"])
def test_version_1_file_does_not_take_version_2_fields(field):
    # Arrange
    data = example()
    data["version"] = 1
    if field == "groups":
        for cohort in data["before"] + data["after"]:
            cohort["patients"] = 1
            cohort.pop("group")
            cohort.pop("times", None)

    # Act
    error = read_error(data)

    # Assert
    assert "unknown field" in str(error) or "missing field" in str(error)


def test_sub_penny_extra_cost_enters_the_stage_line_before_it_is_rounded():
    # Arrange: 1 minute at 11.40 an hour is 0.19 exactly; a text message at 0.0125 twice
    data = example()
    stage = data["pathways"][3]["stages"][3]  # letter production, admin 1 minute
    stage["extra_cost"] = "0.0125"
    data["pathways"][3]["stages"].append(
        {"name": "Text reminder", "step": "recall", "role": "admin", "minutes": "0.5", "extra_cost": "0.0049"}
    )

    # Act
    model = exchange.loads(json.dumps(data))
    csp = engine.compare(model).pathways["csp"]

    # Assert: 0.19 + 0.0125 = 0.2025 -> 0.20; 0.095 + 0.0049 = 0.0999 -> 0.10 (0.10 + 0.00 apart)
    letter, text = csp.stages[3], csp.stages[5]
    assert (letter.cost, letter.staff_cost, letter.extra_cost) == (Decimal("0.20"), Decimal("0.19"), Decimal("0.01"))
    assert (text.cost, text.staff_cost, text.extra_cost) == (Decimal("0.10"), Decimal("0.10"), Decimal("0.00"))
    assert exchange.dump(model)["pathways"][3]["stages"][3]["extra_cost"] == "0.0125"
