"""The model workbook recalculates in a real spreadsheet program to the engine's figures, to the penny.

LibreOffice (Debian's libreoffice-calc-nogui, installed by .ci/run) opens each
workbook headless, recalculates every formula on load and saves it; the figures
it computed are then read back and compared with the engine's: as exported, and
after inputs are edited as a practice manager would (a minute, a salary, a
cohort's patients). One LibreOffice start converts every workbook of the module.
"""

from __future__ import annotations

import dataclasses
import io
import random
import shutil
import subprocess
from decimal import Decimal as D
from pathlib import Path

import pytest
from openpyxl import load_workbook

from costing import engine, exchange
from reports import model_workbook

FIXTURES = Path(__file__).resolve().parents[2] / "costing" / "fixtures"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")

# LibreOffice's setting "recalculate on load: always" for Excel files, in a profile of its own.
RECALCULATE_ON_LOAD = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
  <prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop>
</item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
  <prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop>
</item>
</oor:items>
"""


def _load(name: str) -> engine.CostModel:
    return exchange.loads((FIXTURES / f"{name}.json").read_bytes())


def _with_exceptions() -> engine.CostModel:
    """Example B (COPD twice, a group of one person, 3 of them) with a triage stage and one person excepted."""
    model = _load("example_b_copd_twice")
    groups = tuple(dataclasses.replace(g, people=3) for g in model.groups)
    triage = engine.Stage("Triage: exceptions checked", engine.Step.TRIAGE, "admin", D(2))
    pathways = tuple(
        dataclasses.replace(p, stages=(p.stages[0], triage, *p.stages[1:])) if p.key == "dm" else p
        for p in model.pathways
    )
    before = tuple(dataclasses.replace(c, patients=3, exceptions=1 if c.pathway == "dm" else 0) for c in model.before)
    after = tuple(dataclasses.replace(c, patients=3, exceptions=1) for c in model.after)
    return dataclasses.replace(model, groups=groups, pathways=pathways, before=before, after=after)


def _half_pennies() -> engine.CostModel:
    """Stages on half pennies (5 minutes at £12.30 is £1.025), sub-penny extra costs and random salaried rates."""
    rng = random.Random(17)
    roles = [
        engine.Role("flat", "Hourly", cost_per_hour=D("12.30")),
        engine.Role("odd", "Odd rate", cost_per_hour=D("9.6150")),
        engine.Role(
            "sal", "Salaried", annual_salary=D("33000"), on_cost_percent=D("28.5"), paid_hours_per_year=D(1950)
        ),
    ]
    for i in range(6):
        roles.append(
            engine.Role(
                f"r{i}",
                f"Random {i}",
                annual_salary=D(rng.randrange(1_800_000, 12_000_000)) / 100,
                on_cost_percent=D(rng.randrange(0, 40_000)) / 1000,
                paid_hours_per_year=D(rng.randrange(100_000, 200_000)) / 100,
            )
        )
    stages = [
        engine.Stage("Half a penny", engine.Step.RECALL, "flat", D(5)),
        engine.Stage("Half a penny with a text", engine.Step.RECALL, "flat", D(1), extra_cost=D("0.0050")),
        engine.Stage("Text message", engine.Step.RECALL, None, D(0), extra_cost=D("0.0125")),
        engine.Stage("Odd rate", engine.Step.REVIEW, "odd", D("7.25"), visit=1),
        engine.Stage("Salaried", engine.Step.REVIEW, "sal", D(20), visit=1),
    ]
    for i in range(40):
        stages.append(
            engine.Stage(
                f"Random {i}",
                rng.choice(list(engine.Step)),
                rng.choice(roles).key,
                D(rng.randrange(0, 6000)) / 100,
                extra_cost=rng.choice([D(0), D("0.56"), D("0.0125")]),
                visit=rng.choice([None, 1, 2]),
            )
        )
    pathway = engine.Pathway("all", "Every stage", tuple(stages))
    short = engine.Pathway("short", "The first five", tuple(stages[:5]))
    return engine.CostModel(
        name="Half pennies",
        period=engine.Period.YEAR,
        roles=tuple(roles),
        pathways=(pathway, short),
        before=(engine.Cohort("All", 37, "all", times=2), engine.Cohort("Short", 11, "short")),
        after=(engine.Cohort("Short", 48, "short", times=3),),
    )


def _edit_cd(data: bytes) -> bytes:
    """C/D with a minute more at its first stage and the GP salaried: edited in the workbook's input cells."""
    wb = load_workbook(io.BytesIO(data))
    stages, roles = wb["Stages"], wb["Roles"]
    header = [c.value for c in stages[1]]
    stages.cell(row=2, column=header.index("Minutes") + 1).value = 11
    role_header = [c.value for c in roles[1]]
    gp = next(r for r in range(2, roles.max_row + 1) if roles.cell(row=r, column=1).value == "gp")

    def set_role(name: str, value) -> None:
        roles.cell(row=gp, column=role_header.index(name) + 1).value = value

    set_role("Cost per hour (£)", None)
    set_role("Annual salary (£)", 91_000)
    set_role("On-costs (%)", 28.5)
    set_role("Paid hours a year", 1650)
    cohorts = wb["Cohorts"]
    cohort_header = [c.value for c in cohorts[1]]
    cohorts.cell(row=2, column=cohort_header.index("Patients") + 1).value = 40
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _edited_cd_model() -> engine.CostModel:
    """The same edits, made to the engine's model."""
    model = _load("example_cd")
    first = model.pathways[0]
    pathways = (
        dataclasses.replace(first, stages=(dataclasses.replace(first.stages[0], minutes=D(11)), *first.stages[1:])),
        *model.pathways[1:],
    )
    roles = tuple(
        engine.Role(
            r.key,
            r.name,
            r.band,
            annual_salary=D(91_000),
            on_cost_percent=D("28.5"),
            paid_hours_per_year=D(1650),
        )
        if r.key == "gp"
        else r
        for r in model.roles
    )
    before = (dataclasses.replace(model.before[0], patients=40), *model.before[1:])
    return dataclasses.replace(model, roles=roles, pathways=pathways, before=before)


def _cases() -> dict[str, tuple[engine.CostModel, bytes]]:
    cases = {}
    for name in ("example_cd", "example_b", "example_b_copd_twice"):
        model = _load(name)
        cases[name] = (model, model_workbook.workbook(model, engine.compare(model)))
    for name, model in (("exceptions", _with_exceptions()), ("half_pennies", _half_pennies())):
        cases[name] = (model, model_workbook.workbook(model, engine.compare(model)))
    cases["example_cd_edited"] = (_edited_cd_model(), _edit_cd(cases["example_cd"][1]))
    return cases


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory):
    """{case: (model, the workbook as LibreOffice recalculated and saved it)}, from one LibreOffice start."""
    folder = tmp_path_factory.mktemp("workbooks")
    profile = folder / "profile"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALCULATE_ON_LOAD)
    cases = _cases()
    for name, (_model, data) in cases.items():
        (folder / f"{name}.xlsx").write_bytes(data)
    out = folder / "out"
    result = subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            *(str(folder / f"{name}.xlsx") for name in cases),
        ],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr
    return {name: (model, load_workbook(out / f"{name}.xlsx", data_only=True)) for name, (model, _) in cases.items()}


def _money(value) -> D:
    return D(repr(value)).quantize(D("0.01"))


def _rows(ws) -> list[dict]:
    header = [c.value for c in ws[1]]
    return [dict(zip(header, row, strict=True)) for row in ws.iter_rows(min_row=2, values_only=True)]


CASES = ["example_cd", "example_b", "example_b_copd_twice", "exceptions", "half_pennies", "example_cd_edited"]


@pytest.mark.parametrize("case", CASES)
def test_summary_recalculates_to_the_engines_totals(recalculated, case):
    model, wb = recalculated[case]
    c = engine.compare(model)

    summary = {row[0]: row[1] for row in wb["Summary"].iter_rows(min_row=2, values_only=True) if row[0]}

    assert _money(summary["Cost before"]) == c.before.cost
    assert _money(summary["Cost after"]) == c.after.cost
    assert _money(summary["Saving"]) == c.saving
    assert D(repr(summary["Saving %"])) * 100 == c.saving_percent
    for side, result in (("before", c.before), ("after", c.after)):
        assert summary[f"People {side}"] == result.people
        assert summary[f"Reviews {side}"] == result.reviews
        assert summary[f"Visits {side}"] == result.visits
        assert D(repr(summary[f"Contact minutes {side}"])) == result.contact_minutes
    freed = engine.Headline.of(c).staff_minutes_freed
    assert D(repr(summary["Staff hours freed"])) == engine.round_half_up(freed / 60, D("0.1"))


@pytest.mark.parametrize("case", CASES)
def test_staff_steps_and_stages_recalculate_to_the_engines_figures(recalculated, case):
    model, wb = recalculated[case]
    c = engine.compare(model)

    staff = {row["Role"]: row for row in _rows(wb["Staff"])}
    for role in model.roles:
        row = staff[role.name]
        for side, result in (("before", c.before), ("after", c.after)):
            assert _money(row[f"Cost {side} (£)"]) == result.staff_cost[role.key], (role.key, side)
            assert D(repr(row[f"Minutes {side}"])) == result.staff_minutes[role.key]
            assert D(repr(row[f"Hours {side}"])) == engine.round_half_up(result.staff_minutes[role.key] / 60, D("0.1"))
    extra = staff["Postage and other extra costs"]
    assert (_money(extra["Cost before (£)"]), _money(extra["Cost after (£)"])) == (
        c.before.extra_cost,
        c.after.extra_cost,
    )
    assert (_money(staff["Total"]["Cost before (£)"]), _money(staff["Total"]["Cost after (£)"])) == (
        c.before.cost,
        c.after.cost,
    )
    steps = {row["Step"]: row for row in _rows(wb["Steps"])}
    for step in engine.Step:
        assert _money(steps[step.label]["Cost before (£)"]) == c.before.cost_by_step[step]
        assert _money(steps[step.label]["Cost after (£)"]) == c.after.cost_by_step[step]
    stage_costs = [_money(row["Cost (£)"]) for row in _rows(wb["Stages"])]
    assert stage_costs == [s.cost for p in model.pathways for s in c.pathways[p.key].stages]
    cohort_costs = [_money(row["Cost (£)"]) for row in _rows(wb["Cohorts"])]
    assert cohort_costs == [co.cost for co in c.before.cohorts + c.after.cohorts]


def test_edits_change_the_totals(recalculated):
    """The edited workbook's totals are not the exported ones: the formulas followed the inputs."""
    _, exported = recalculated["example_cd"]
    _, edited = recalculated["example_cd_edited"]

    assert exported["Summary"]["B4"].value == 2785.5
    assert edited["Summary"]["B4"].value != exported["Summary"]["B4"].value
    assert edited["Summary"]["B5"].value != exported["Summary"]["B5"].value
