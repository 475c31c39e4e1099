"""The reference data files load, carry their sources, and hold the figures the seed uses."""

import json
import re
from datetime import date, timedelta
from decimal import Decimal as D

import pytest

from costing import reference, selectors
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


# ------------------------------------------------------------------ postage by date

# Every Royal Mail standard letter price change since 2017: (from, first class, second class).
LETTER_PRICES = [
    (date(2017, 3, 27), D("0.65"), D("0.56")),
    (date(2018, 3, 26), D("0.67"), D("0.58")),
    (date(2019, 3, 25), D("0.70"), D("0.61")),
    (date(2020, 3, 23), D("0.76"), D("0.65")),
    (date(2021, 1, 1), D("0.85"), D("0.66")),
    (date(2022, 4, 4), D("0.95"), D("0.68")),
    (date(2023, 4, 3), D("1.10"), D("0.75")),
    (date(2023, 10, 2), D("1.25"), D("0.75")),
    (date(2024, 4, 2), D("1.35"), D("0.85")),
    (date(2024, 10, 7), D("1.65"), D("0.85")),
    (date(2025, 4, 7), D("1.70"), D("0.87")),
    (date(2026, 4, 7), D("1.80"), D("0.91")),
]
BOUNDARIES = [
    pytest.param(day - timedelta(days=1), earlier, id=f"day-before-{day}")
    for (day, *_), earlier in zip(LETTER_PRICES[1:], LETTER_PRICES, strict=False)
] + [pytest.param(row[0], row, id=f"day-of-{row[0]}") for row in LETTER_PRICES]


def test_the_postage_file_holds_every_price_change_since_2017():
    rows, _checked = reference.postage_table()

    assert [(r.effective_from, r.first_class, r.second_class) for r in rows] == LETTER_PRICES


def test_every_postage_row_names_its_source_and_where_to_read_it():
    data = reference.read_pay_and_postage()

    for row in data["postage"]:
        assert row["source"] and row["url"].startswith("http"), row["effective_from"]
        assert row.get("verified", True), row["effective_from"]


@pytest.mark.parametrize(("day", "expected"), BOUNDARIES)
def test_postage_on_a_boundary_gives_the_price_in_force_that_day(day, expected):
    rows, checked = reference.postage_table()

    prices = reference.postage_on(day, rows, checked_until=checked)

    assert (prices.first_class, prices.second_class) == expected[1:]


@pytest.mark.parametrize(("day", "expected"), BOUNDARIES)
def test_letter_prices_selector_agrees_with_the_file_on_a_boundary(day, expected):
    prices = selectors.letter_prices_on(day)

    assert (prices.first_class, prices.second_class, bool(prices.source)) == (*expected[1:], True)


def test_postage_before_the_first_row_is_not_known():
    rows, checked = reference.postage_table()

    assert reference.postage_on(date(2017, 3, 26), rows, checked_until=checked) is None
    assert selectors.letter_prices_on(date(2017, 3, 26)) is None


def test_postage_after_the_list_was_last_checked_is_not_known():
    rows, checked = reference.postage_table()

    assert reference.postage_on(checked, rows, checked_until=checked).first_class == D("1.80")
    assert reference.postage_on(checked + timedelta(days=1), rows, checked_until=checked) is None


def test_a_postage_file_out_of_date_order_is_refused(tmp_path):
    data = json.loads(reference.PAY_AND_POSTAGE.read_text(encoding="utf-8"))
    data["postage"].reverse()
    path = tmp_path / "pay_and_postage.json"
    path.write_text(json.dumps(data), encoding="utf-8")

    with pytest.raises(reference.ReferenceDataError, match="date order"):
        reference.read_pay_and_postage(path)


# ------------------------------------------------------------------ pension basis


def test_every_on_cost_year_says_which_pension_rate_it_uses():
    for rate in OnCostRate.objects.all():
        assert rate.pension_basis and rate.pension_full_cost_percent is not None, rate.year
        assert str(rate.pension_employer_percent.normalize()) in rate.pension_basis, rate.year


def test_2025_26_pension_is_what_a_practice_pays_not_the_full_cost_to_the_nhs():
    rate = OnCostRate.objects.get(year="2025/26")

    assert rate.pension_employer_percent == D("14.38")
    assert (rate.pension_full_cost_percent, rate.pension_levy_percent) == (D("23.7"), D("0.08"))


# ------------------------------------------------------------------ pay points


def test_pay_points_rise_from_entry_to_top_within_every_band():
    for band in PayBand.objects.all():
        points = [band.entry, *map(D, band.intermediate_points), band.top]

        assert points == sorted(points), band
        assert len(set(points[:-1])) == len(points) - 1 or band.entry == band.top, band


def test_2025_26_bands_5_to_8a_have_their_intermediate_pay_point():
    middle = dict(PayBand.objects.filter(scale__key="afc-2025-26").values_list("band", "intermediate_points"))

    assert middle == {"2": [], "3": [], "4": [], "5": ["33487"], "6": ["40823"], "7": ["50273"], "8a": ["58487"]}


def test_a_band_whose_points_do_not_rise_is_refused(tmp_path):
    data = json.loads(reference.PAY_AND_POSTAGE.read_text(encoding="utf-8"))
    data["pay_scales"][1]["bands"][4]["intermediate_points"] = ["99999"]
    path = tmp_path / "pay_and_postage.json"
    path.write_text(json.dumps(data), encoding="utf-8")

    with pytest.raises(reference.ReferenceDataError, match="pay points must rise"):
        reference.read_pay_and_postage(path)


def test_pay_band_options_offer_every_2025_26_point_and_the_salaried_gp_range(django_capture_on_commit_callbacks):
    selectors.cache.delete(selectors.pay_band_cache_key())

    options = {o.value: o for o in selectors.pay_band_options()}

    assert options["afc-2025-26|6|intermediate"].annual_salary == D("40823")
    assert [v for v in options if v.startswith("afc-2025-26|6|")] == [
        "afc-2025-26|6|entry",
        "afc-2025-26|6|intermediate",
        "afc-2025-26|6|top",
    ]
    gp = options["salaried-gp|2025/26|minimum"]
    assert (gp.annual_salary, gp.as_role("gp", "GP").band) == (D("76037"), "Salaried GP")
    assert "computed, not published" in gp.label
    assert "salaried-gp|2023/24|minimum" not in options  # no on-cost rates for 2023/24


# ------------------------------------------------------------------ prevalence


def test_every_prevalence_is_a_percentage_with_its_year_and_denominator():
    for row in reference.read_conditions():
        if row.prevalence_percent is None:
            assert row.note.startswith(("Missing", "Not a QOF register")), row.code
        else:
            assert D(0) <= row.prevalence_percent <= D(100), row.code
            assert row.prevalence_year and row.denominator and row.source, row.code


def test_a_prevalence_of_an_age_specific_register_is_of_that_age():
    """Diabetes (aged 17+) is a percentage of patients aged 17+: the estimator applies it to that list."""
    for row in reference.read_conditions():
        if row.prevalence_percent is None:
            continue
        register_age = re.search(r"aged (\d+)\+", row.name)
        assert row.denominator_min_age == (int(register_age.group(1)) if register_age else None), row.code
        assert (row.denominator_min_age is None) == ("all" in row.denominator), row.code


def test_conditions_load_their_denominator_and_note():
    dm = Condition.objects.get(code="DM")
    copd = Condition.objects.get(code="COPD")

    assert (dm.denominator_min_age, dm.denominator, dm.prevalence_year) == (17, "patients aged 17+", "2023-24")
    assert copd.prevalence_percent is None and copd.prevalence_note.startswith("Missing")
