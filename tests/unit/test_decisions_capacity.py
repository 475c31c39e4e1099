from decimal import Decimal as D

import pytest

from costing import engine
from costing.decisions import capacity
from costing.decisions.capacity import RoleKind


def test_example_cd_capacity_freed_by_role(example_cd):
    result = capacity.capacity_freed(engine.compare(example_cd))

    rows = {r.role: r for r in result.roles}
    admin = rows["admin-b3"]
    # 2,116 - 1,413 = 703 admin minutes a month = 11.72 h; 140.60 h a year / 1,950 = 0.07 FTE.
    assert (admin.minutes_before, admin.minutes_after, admin.minutes_freed) == (D(2116), D(1413), D(703))
    assert (admin.hours_freed, admin.hours_freed_per_year, admin.fte_freed) == (D("11.72"), D("140.60"), D("0.07"))
    # Band 6 nurses: 2,725 minutes = 181.7 fifteen-minute appointments a month.
    assert (rows["pn-b6"].hours_freed, rows["pn-b6"].appointments_freed) == (D("45.42"), D("181.7"))
    assert rows["pn-b6"].appointments_freed_per_year == D("2180.0")
    # GP: 695 minutes = 69.5 ten-minute appointments.
    assert (rows["gp"].kind, rows["gp"].appointment_minutes, rows["gp"].appointments_freed) == (
        RoleKind.GP,
        D(10),
        D("69.5"),
    )
    # More healthcare assistant time after: negative.
    hca = rows["hca-b3"]
    assert (hca.minutes_freed, hca.hours_freed, hca.appointments_freed, hca.fte_freed) == (
        D(-710),
        D("-11.83"),
        D("-47.3"),
        D("-0.07"),
    )
    # Gross: 703 + 2,725 + 695 = 4,123 minutes freed (68.72 h); 710 + 2,215 + 311 = 3,236 more (53.93 h).
    assert (result.hours_released, result.hours_added) == (D("68.72"), D("53.93"))
    assert (rows["pn-b7"].hours_added, rows["pn-b7"].hours_released) == (D("36.92"), D(0))
    assert (rows["pn-b6"].hours_added, rows["pn-b6"].hours_released) == (D(0), D("45.42"))
    # Net: 703 - 710 + 2,725 - 2,215 - 311 + 695 = 887 minutes = 14.78 h a month; 177.4 h a year = 0.09 FTE.
    assert (result.minutes_freed, result.hours_freed, result.hours_freed_per_year, result.fte_freed) == (
        D(887),
        D("14.78"),
        D("177.40"),
        D("0.09"),
    )
    assert [r.role for r in result.roles] == ["admin-b3", "hca-b3", "pn-b6", "pn-b7", "np-b8", "gp"]


def test_appointment_lengths_are_editable(example_cd):
    result = capacity.capacity_freed(engine.compare(example_cd), appointment_minutes={"gp": D(15), "pn-b6": D(20)})

    rows = {r.role: r for r in result.roles}
    assert rows["gp"].appointments_freed == D("46.3")  # 695 / 15
    assert rows["pn-b6"].appointments_freed == D("136.3")  # 2,725 / 20
    with pytest.raises(ValueError):
        capacity.capacity_freed(engine.compare(example_cd), appointment_minutes={"gp": D(0)})


def test_per_patient_model_has_no_yearly_figures(example_b):
    result = capacity.capacity_freed(engine.compare(example_b))

    pn = next(r for r in result.roles if r.role == "pn")
    assert (pn.minutes_freed, pn.hours_freed, pn.appointments_freed) == (D(30), D("0.50"), D("2.0"))
    assert pn.fte_freed is pn.hours_freed_per_year is pn.appointments_freed_per_year is None
    assert result.fte_freed is None


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("GP", RoleKind.GP),
        ("Salaried GP", RoleKind.GP),
        ("General practitioner", RoleKind.GP),
        ("Nurse practitioner", RoleKind.NURSE),
        ("Practice nurse (band 6)", RoleKind.NURSE),
        ("Paramedic practitioner", RoleKind.NURSE),
        ("Healthcare assistant", RoleKind.HCA),
        ("Health care assistant", RoleKind.HCA),
        ("HCA", RoleKind.HCA),
        ("Administrator", RoleKind.OTHER),
        ("Pharmacist", RoleKind.OTHER),
    ],
)
def test_role_kind_from_name(name, kind):
    assert capacity.role_kind(engine.Role(key="r", name=name, cost_per_hour=D(10))) is kind
