"""Costing rule 7: exceptions screened out at triage (docs/model-format.md, "Exceptions")."""

import json
from decimal import Decimal
from pathlib import Path

import pytest

from costing import engine, exchange

EXAMPLE_B = Path(__file__).resolve().parents[2] / "costing" / "fixtures" / "example_b.json"
TRIAGE = {"name": "Triage: exceptions checked", "step": "triage", "role": "admin", "minutes": "2"}


def example_b_with_triage(*, people: int, exceptions: int) -> dict:
    """Example B with a 2-minute admin triage after the diabetes recall, and exceptions on the diabetes cohort."""
    data = json.loads(EXAMPLE_B.read_text())
    data["pathways"][0]["stages"].insert(1, TRIAGE)
    data["groups"][0]["people"] = people
    for cohort in data["before"] + data["after"]:
        cohort.pop("printed_cost_per_patient", None)
        cohort.pop("printed_contact_minutes", None)
    data["before"][0]["exceptions"] = exceptions
    return data


def test_example_b_with_one_person_excepted_at_triage_costs_the_hand_calculation():
    # Arrange: 2 people; 1 is screened out at the diabetes triage.
    model = exchange.parse(example_b_with_triage(people=2, exceptions=1))

    # Act
    result = engine.compare(model)

    # Assert, by hand: triage = 2 x 11.40 / 60 = 0.38. Diabetes pathway =
    # 1.33 + 0.38 + 5.00 + 0.90 + 6.20 = 13.81; the exception incurs recall and
    # triage only, 1.33 + 0.38 = 1.71. Diabetes cohort = 1 x 13.81 + 1 x 1.71 = 15.52;
    # CHD 2 x 8.88 = 17.76; COPD 2 x 9.08 = 18.16; before = 51.44.
    diabetes = result.before.cohorts[0]
    assert diabetes.cost_per_patient == Decimal("13.81")
    assert diabetes.cost == Decimal("15.52")
    assert diabetes.exceptions == 1
    assert diabetes.visits == 2  # the exception attends no visit
    assert diabetes.contact_minutes == Decimal("45")
    assert result.before.cost == Decimal("51.44")
    assert result.after.cost == Decimal("35.44")  # 2 x 17.72
    assert result.before.people == 2
    assert result.before.patients == 6
    assert result.before.reviews == 5  # the exception's diabetes review does not happen
    assert engine.headline(model) == engine.Headline.of(result)


def test_exceptions_incur_every_stage_where_the_pathway_has_no_triage():
    data = json.loads(EXAMPLE_B.read_text())
    data["groups"][0]["people"] = 2
    data["before"][2]["exceptions"] = 2
    result = engine.compare(exchange.parse(data))
    plain = engine.compare(exchange.parse(json.loads(EXAMPLE_B.read_text().replace('"people": 1', '"people": 2'))))
    assert result.before.cost == plain.before.cost
    assert result.before.reviews == plain.before.reviews - 2


def test_screened_stages_stop_at_the_last_triage_stage():
    steps = [engine.Step.RECALL, engine.Step.TRIAGE, engine.Step.REVIEW, engine.Step.TRIAGE, engine.Step.FOLLOW_UP]
    assert engine.screened_stages(steps) == 4
    assert engine.screened_stages([engine.Step.RECALL, engine.Step.REVIEW]) == 2
    assert engine.screened_stages([]) == 0


def test_exceptions_round_trip_through_the_file():
    model = exchange.parse(example_b_with_triage(people=2, exceptions=1))
    again = exchange.loads(exchange.dumps(model))
    assert again.before[0].exceptions == 1
    assert engine.compare(again).before.cost == Decimal("51.44")


@pytest.mark.parametrize(
    ("exceptions", "message"),
    [
        (3, "before[0].exceptions: more than the cohort's patients"),
        (-1, "before[0].exceptions: must be at least 0 (got -1)"),
        ("1", "before[0].exceptions: expected a whole number, got text"),
    ],
)
def test_invalid_exceptions_are_one_line_errors(exceptions, message):
    data = example_b_with_triage(people=2, exceptions=0)
    data["before"][0]["exceptions"] = exceptions
    with pytest.raises(exchange.ModelFileError) as error:
        exchange.parse(data)
    assert str(error.value) == message


def test_exceptions_are_not_a_version_1_field():
    data = example_b_with_triage(people=2, exceptions=1)
    data["version"] = 1
    with pytest.raises(exchange.ModelFileError):
        exchange.parse(data)
