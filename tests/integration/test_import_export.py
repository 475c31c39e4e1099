"""Model files into a practice and back out: the same costing, all or nothing."""

import dataclasses
import json
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.core.management import call_command

from costing import engine, exchange
from pathways import selectors
from pathways.models import Cohort, CostModel, Pathway
from pathways.services import cost_model_duplicate, cost_model_import
from practices.models import StaffRole
from tests.factories import PracticeFactory, StaffRoleFactory

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parents[2] / "costing" / "fixtures"


def _figures(c: engine.Comparison):
    return exchange.comparison_json(c)


@pytest.mark.parametrize("fixture", ["example_b", "example_cd", "example_b_copd_twice"])
def test_import_then_cost_gives_the_files_figures(request, fixture):
    model = request.getfixturevalue(fixture)
    practice = PracticeFactory()

    stored = cost_model_import(practice=practice, model=model, by=None)

    assert _figures(selectors.compare_cost_model(stored)) == _figures(engine.compare(model))


@pytest.mark.parametrize("fixture", ["example_b", "example_cd", "example_b_copd_twice"])
def test_import_export_import_is_lossless(request, fixture):
    model = request.getfixturevalue(fixture)
    practice = PracticeFactory()
    stored = cost_model_import(practice=practice, model=model, by=None)

    exported = exchange.dumps(selectors.engine_model(selectors.cost_model_with_rows(cost_model_id=stored.pk)))
    again = cost_model_import(practice=PracticeFactory(), model=exchange.loads(exported), by=None)

    assert exchange.loads(exported) == model
    assert _figures(selectors.compare_cost_model(again)) == _figures(engine.compare(model))


def test_groups_times_and_sub_penny_extra_costs_survive_import_export_and_duplicate(example_b_copd_twice):
    # Arrange: a text message at a fraction of a penny on the CSP letter
    csp = next(p for p in example_b_copd_twice.pathways if p.key == "csp")
    letter = csp.stages[3]
    texted = dataclasses.replace(
        csp, stages=(*csp.stages[:3], dataclasses.replace(letter, extra_cost=D("0.0125")), *csp.stages[4:])
    )
    model = dataclasses.replace(
        example_b_copd_twice, pathways=tuple(texted if p.key == "csp" else p for p in example_b_copd_twice.pathways)
    )
    stored = cost_model_import(practice=PracticeFactory(), model=model, by=None)

    # Act
    exported = exchange.dump(selectors.engine_model(selectors.cost_model_with_rows(cost_model_id=stored.pk)))
    copy = cost_model_duplicate(cost_model=stored, by=None)

    # Assert
    assert exported["version"] == 2
    assert exported["groups"] == [
        {"key": "dm-chd-copd", "label": "Diabetes, CHD and COPD", "people": 1, "conditions": ["DM", "CHD", "COPD"]}
    ]
    assert [c.get("times", 1) for c in exported["before"]] == [1, 1, 2]
    assert exported["pathways"][3]["stages"][3]["extra_cost"] == "0.0125"
    assert exchange.parse(exported) == model
    figures = selectors.compare_cost_model(copy)
    assert (figures.before.people, figures.before.reviews, figures.after.reviews) == (1, 4, 1)
    assert {**_figures(figures), "name": model.name} == _figures(engine.compare(model))


def test_importing_twice_reuses_identical_roles_and_pathways(example_b):
    practice = PracticeFactory()

    cost_model_import(practice=practice, model=example_b, by=None)
    cost_model_import(practice=practice, model=example_b, by=None)

    assert StaffRole.objects.filter(practice=practice).count() == 4
    assert Pathway.objects.filter(practice=practice).count() == 4
    assert CostModel.objects.filter(practice=practice).count() == 2


def test_import_with_a_clashing_role_key_keeps_both_rates(example_b):
    practice = PracticeFactory()
    existing = StaffRoleFactory(practice=practice, key="pn", name="Practice nurse", cost_per_hour=D("30.00"))

    stored = cost_model_import(practice=practice, model=example_b, by=None)

    existing.refresh_from_db()
    assert existing.cost_per_hour == D("30.00")
    assert StaffRole.objects.get(practice=practice, key="pn-2").cost_per_hour == D("18.60")
    assert selectors.compare_cost_model(stored).after.cost == D("17.72")


def test_import_with_an_unknown_condition_writes_nothing(example_b):
    practice = PracticeFactory()
    cohort = example_b.before[0]
    bad = example_b.__class__(
        **{**example_b.__dict__, "before": (cohort.__class__(**{**cohort.__dict__, "conditions": ("ZZZ",)}),)}
    )

    with pytest.raises(exchange.ModelFileError, match=r"before\[0\]\.conditions\[0\]"):
        cost_model_import(practice=practice, model=bad, by=None)

    assert not StaffRole.objects.filter(practice=practice).exists()
    assert not CostModel.objects.filter(practice=practice).exists()


def test_import_model_and_export_model_commands(tmp_path, capsys):
    practice = PracticeFactory(ods_code="A81001")

    call_command("import_model", str(FIXTURES / "example_cd.json"), "--practice", "a81001")
    out = capsys.readouterr().out
    stored = CostModel.objects.get(practice=practice)
    call_command("export_model", str(stored.pk), "-o", str(tmp_path / "out.json"))

    assert "£2,785.50 → £2,108.47 (saving £677.03, 24.3%)" in out
    assert json.loads((tmp_path / "out.json").read_text())["period"] == "month"
    assert Cohort.objects.filter(cost_model=stored).count() == 28
