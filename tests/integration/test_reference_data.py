"""The reference data files load, carry their sources, and hold the figures the seed uses."""

from datetime import date
from decimal import Decimal as D

import pytest

from costing import reference
from costing.models import OnCostRate, PayBand, PayScale, PostageRate
from pathways.models import Condition

pytestmark = pytest.mark.django_db

SEED_CONDITIONS = {
    "AST",
    "COPD",
    "DM",
    "CHD",
    "STIA",
    "HF",
    "PAD",
    "AF",
    "THY",
    "EP",
    "MH",
    "LD",
    "RA",
    "DEM",
    "OST",
    "CKD",
    "CAN",
}


def test_both_agenda_for_change_scales_have_bands_2_to_8a():
    for key in ("afc-2017-18", "afc-2025-26"):
        bands = set(PayBand.objects.filter(scale__key=key).values_list("band", flat=True))
        assert bands == {"2", "3", "4", "5", "6", "7", "8a"}


def test_every_reference_figure_has_a_source():
    assert all(s.source for s in PayScale.objects.all())
    assert all(b.source for b in PayBand.objects.all())
    assert all(p.source for p in PostageRate.objects.all())
    assert all(r.source for r in OnCostRate.objects.all())


def test_second_class_postage_2017_and_2025():
    def second_class_on(day):
        return PostageRate.objects.filter(effective_from__lte=day).order_by("-effective_from").first().second_class

    assert second_class_on(date(2017, 6, 1)) == D("0.56")
    assert second_class_on(date(2025, 6, 1)) == D("0.87")


def test_every_condition_of_the_seed_is_a_register():
    assert set(Condition.objects.values_list("code", flat=True)) >= SEED_CONDITIONS


def test_band_3_2017_matches_the_seeds_admin_rate_order_of_magnitude():
    band3 = PayBand.objects.get(scale__key="afc-2017-18", band="3")

    assert (band3.entry, band3.top) == (D("16968"), D("19852"))


def test_employer_on_costs_charge_ni_only_above_the_threshold():
    # 2025/26: 15 % NI above £5,000 and 14.38 % pension on a £30,000 salary.
    percent = reference.employer_on_cost_percent(
        D(30000), ni_percent=D(15), ni_threshold=D(5000), pension_percent=D("14.38")
    )

    assert percent == D("26.880")


def test_reference_files_are_consistent():
    data = reference.read_pay_and_postage()

    assert [p["effective_from"] for p in data["postage"]] == sorted(p["effective_from"] for p in data["postage"])
    assert len(reference.read_conditions()) >= len(SEED_CONDITIONS)
