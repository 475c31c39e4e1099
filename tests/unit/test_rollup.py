"""The roll-up's arithmetic, chart and spreadsheet, without a database."""

import dataclasses
import io
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from costing import engine
from reports import rollup

MONTH, YEAR = engine.Period.MONTH, engine.Period.YEAR


def _row(name: str, comparison: engine.Comparison, period: engine.Period | None = None) -> rollup.PracticeRow:
    if period is not None:
        comparison = dataclasses.replace(comparison, period=period)
    return rollup.PracticeRow(name, "A00001", "PCN", "Model", figures=engine.Headline.of(comparison))


def _sum(rows, attribute):
    """The sum of the rows' figures a year (the roll-up's one basis)."""
    return sum((getattr(r.annual, attribute) for r in rows), start=type(getattr(rows[0].annual, attribute))(0))


FIELDS = [
    "before",
    "after",
    "saving",
    "visits_before",
    "visits_after",
    "staff_minutes_before",
    "staff_minutes_after",
    "people_before",
    "people_after",
    "reviews_before",
    "reviews_after",
    "contact_minutes_before",
    "contact_minutes_after",
]


def _totals(period=MONTH, **figures) -> engine.Headline:
    """The engine's totals of a model, zero but for ``figures``."""
    return dataclasses.replace(engine.Headline.zero(period), **figures)


def test_totals_equal_the_sum_of_the_practices(example_b, example_cd):
    rows = [_row("B", engine.compare(example_b), MONTH), _row("CD", engine.compare(example_cd), MONTH)]

    result = rollup.rollup(rows)

    assert len(result.totals) == 1 and not result.mixed_periods
    total = result.totals[0]
    assert total.practices == 2
    for attribute in FIELDS:
        assert getattr(total.figures, attribute) == _sum(rows, attribute), attribute
    assert total.figures.staff_minutes_freed == _sum(rows, "staff_minutes_before") - _sum(rows, "staff_minutes_after")


def test_practice_figures_are_the_engines(example_cd):
    c = engine.compare(example_cd)

    f = _row("CD", c).figures

    assert (f.before, f.after, f.saving, f.saving_percent) == (c.before.cost, c.after.cost, c.saving, c.saving_percent)
    assert (f.visits_before, f.visits_after) == (c.before.visits, c.after.visits)
    assert f.staff_minutes_before == sum(c.before.staff_minutes.values())
    assert f.staff_minutes_after == sum(c.after.staff_minutes.values())
    assert (f.people_before, f.people_after, f.reviews_before, f.reviews_after) == (194, 136, 194, 136)


def test_a_practice_shows_its_people_apart_from_its_reviews(example_b):
    # Example B: one person with three conditions, three reviews before and one after.
    f = _row("B", engine.compare(example_b)).figures

    assert (f.people_before, f.people_after, f.reviews_before, f.reviews_after) == (1, 1, 3, 1)


def test_total_saving_percent_is_of_the_sums_not_an_average_of_percentages():
    big = _totals(before=Decimal("1000.00"), after=Decimal("900.00"))  # 10%
    small = _totals(before=Decimal("10.00"), after=Decimal("5.00"))  # 50%

    result = rollup.rollup(
        [
            rollup.PracticeRow("A", "A00001", figures=big),
            rollup.PracticeRow("B", "B00001", figures=small),
        ]
    )

    assert result.totals[0].figures.saving_percent == Decimal("10.4")  # 105 / 1010


def test_every_model_is_put_on_a_year_and_per_patient_ones_are_apart():
    month = _totals(MONTH, before=Decimal("100.00"), after=Decimal("60.00"), visits_before=4, visits_after=2)
    year = _totals(YEAR, before=Decimal("1200.00"), after=Decimal("1000.00"), visits_before=40, visits_after=30)
    each = _totals(engine.Period.PER_PATIENT, before=Decimal("31.39"), after=Decimal("17.72"))
    rows = [
        rollup.PracticeRow("A", "A00001", figures=year, list_size=6000),
        rollup.PracticeRow("B", "B00001", figures=month, list_size=3000),
        rollup.PracticeRow("C", "C00001", figures=month, list_size=1000),
        rollup.PracticeRow("D", "D00001", figures=each, list_size=500),
    ]

    result = rollup.rollup(rows)

    assert not result.mixed_periods
    (total,) = result.totals
    assert (total.period, total.practices, total.list_size) == (YEAR, 3, 10000)
    assert total.figures.before == Decimal("1200.00") + 2 * 12 * Decimal("100.00")
    assert total.figures.visits_before == 40 + 2 * 12 * 4
    assert total.rates.before_per_thousand == Decimal("360.00")  # £3,600.00 for 10,000 listed patients
    assert [r.practice_name for r in result.apart] == ["D"] and "not a span of time" in result.apart[0].apart_reason
    assert [r.practice_name for r in result.annual_rows] == ["A", "B", "C"]


def test_practices_without_a_model_add_nothing_to_the_totals():
    f = _totals(before=Decimal("10.00"), after=Decimal("4.00"))
    rows = [rollup.PracticeRow("A", "A00001", figures=f), rollup.PracticeRow("B", "B00001")]

    result = rollup.rollup(rows)

    assert result.totals[0].figures == f.times(12, YEAR) and result.totals[0].practices == 1
    assert [r.practice_name for r in result.without_model] == ["B"]


def test_no_models_no_totals():
    result = rollup.rollup([rollup.PracticeRow("A", "A00001")])

    assert result.totals == () and not result.mixed_periods


money = st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False, allow_infinity=False)
minutes = st.decimals(min_value=0, max_value=10**5, places=1, allow_nan=False, allow_infinity=False)
figures = st.builds(
    engine.Headline,
    period=st.sampled_from(list(engine.Period)),
    before=money,
    after=money,
    visits_before=st.integers(0, 10**5),
    visits_after=st.integers(0, 10**5),
    staff_minutes_before=minutes,
    staff_minutes_after=minutes,
    people_before=st.integers(0, 10**5),
    people_after=st.integers(0, 10**5),
    reviews_before=st.integers(0, 10**5),
    reviews_after=st.integers(0, 10**5),
    contact_minutes_before=minutes,
    contact_minutes_after=minutes,
)


@given(st.lists(figures, min_size=1, max_size=12))
def test_the_total_is_the_sum_of_the_rows_a_year(items):
    rows = [rollup.PracticeRow(f"P{i}", f"P{i:05d}", figures=f) for i, f in enumerate(items)]

    result = rollup.rollup(rows)

    annual = [r for r in rows if r.period != engine.Period.PER_PATIENT]
    assert sum(t.practices for t in result.totals) == len(annual)
    assert len(result.apart) == len(rows) - len(annual)
    for total in result.totals:
        for attribute in FIELDS:
            assert getattr(total.figures, attribute) == _sum(annual, attribute)
    for row in annual:  # a month x 12 exactly, to the penny: no rounding
        factor = 12 if row.period == MONTH else 1
        assert (
            row.annual.before == row.figures.before * factor
            and row.annual.people_after == row.figures.people_after * factor
        )


def test_staff_hours_freed_are_minutes_before_less_after_in_hours():
    f = _totals(staff_minutes_before=Decimal(95), staff_minutes_after=Decimal(60))

    assert f.staff_hours_freed == Decimal("0.58")  # 35 minutes
    assert _totals(staff_minutes_after=Decimal(30)).staff_hours_freed == Decimal("-0.50")


def test_totals_of_different_periods_do_not_add_up():
    with pytest.raises(ValueError, match="per month"):
        _totals(YEAR) + _totals(MONTH)


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x","y")'])
def test_formula_like_text_is_quoted(text):
    assert rollup.safe_text(text) == "'" + text


@pytest.mark.parametrize("text", ["Riverside Surgery", "A&B (x)", "", "1 = 1"])
def test_ordinary_text_is_unchanged(text):
    assert rollup.safe_text(text) == text


def test_spreadsheet_has_a_header_numbers_and_no_formulas(example_b):
    rows = [
        _row('=HYPERLINK("http://evil.example","Click")', engine.compare(example_b), MONTH),
        rollup.PracticeRow("No model practice", "B00001", "-PCN"),
    ]

    ws = load_workbook(io.BytesIO(rollup.xlsx(rollup.rollup(rows)))).active

    assert [c.value for c in ws[1]] == list(rollup.HEADER)
    first = ws[2]
    assert first[0].value == '\'=HYPERLINK("http://evil.example","Click")' and first[0].data_type == "s"
    assert first[5].value == "a month × 12"
    assert isinstance(first[7].value, (int, float)) and "£" in first[7].number_format
    assert first[7].value == pytest.approx(12 * 31.39)
    assert first[10].value == pytest.approx(0.435) and first[10].number_format == "0.0%"
    counts = {
        name: first[rollup.HEADER.index(name)] for name in rollup.HEADER if name.startswith(("People", "Reviews"))
    }
    assert {name: cell.value for name, cell in counts.items()} == {
        "People before": 12,
        "People after": 12,
        "Reviews before": 36,
        "Reviews after": 12,
    }
    assert all(cell.number_format == rollup.FRACTIONAL_COUNT_FORMAT for cell in counts.values())
    assert ws[3][2].value == "'-PCN"
    total = ws[4]
    assert total[0].value.startswith("Total") and total[7].value == pytest.approx(12 * 31.39)
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)


def test_chart_shows_each_practice_a_year_and_nothing_per_patient(example_b, example_cd):
    rows = [
        _row("B", engine.compare(example_b), MONTH),
        _row("CD", engine.compare(example_cd), YEAR),
        _row("Per patient", engine.compare(example_b)),
        rollup.PracticeRow("None", "N00001"),
    ]

    figure = rollup.chart(rows)

    before, after = figure["data"]
    assert before["x"] == ["B", "CD"]
    assert before["y"] == [376.68, 2785.5] and after["y"] == [212.64, 2108.47]
    assert figure["layout"]["yaxis"]["title"]["text"] == "£ a year"
