"""The facilitator's roll-up page and its spreadsheet."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from pathways import selectors
from pathways.models import Cohort, CostModel
from practices.models import FacilitatorAssignment, Membership, Organisation
from tests.factories import (
    CohortFactory,
    CostModelFactory,
    FacilitatorFactory,
    MembershipFactory,
    OrganisationFactory,
    PathwayFactory,
    PracticeFactory,
    StageFactory,
)
from tests.markup import Element, Markup

pytestmark = pytest.mark.django_db

ROLLUP = reverse("rollup")
EXPORT = reverse("rollup_export")


def model_for(practice, *, before=10, after=4, period="month", name=None, age_days=0) -> CostModel:
    """A model costing £3.00 a patient (15 minutes at £12/h, one visit) on each side."""
    model = CostModelFactory(practice=practice, period=period, **({"name": name} if name else {}))
    pathway = PathwayFactory(practice=practice)
    StageFactory(pathway=pathway)
    CohortFactory(cost_model=model, pathway=pathway, side=Cohort.Side.BEFORE, patients=before)
    CohortFactory(cost_model=model, pathway=pathway, side=Cohort.Side.AFTER, patients=after)
    CostModel.objects.filter(pk=model.pk).update(updated_at=timezone.now() - timedelta(days=age_days))
    return model


def assigned(facilitator, **kwargs):
    practice = PracticeFactory(**kwargs)
    FacilitatorAssignment.objects.create(facilitator=facilitator, practice=practice)
    return practice


@pytest.fixture
def facilitator():
    return FacilitatorFactory()


@pytest.fixture
def fclient(client, facilitator):
    client.force_login(facilitator.user)
    return client


def _rows(response):
    return {choice.practice.ods_code: row for choice, row in response.context["rows"]}


def test_rollup_totals_equal_the_sum_of_the_practices(fclient, facilitator):
    models = [model_for(assigned(facilitator), before=b, after=a) for b, a in [(10, 4), (7, 7), (3, 5)]]

    response = fclient.get(ROLLUP)

    assert response.status_code == 200
    result = response.context["result"]
    (total,) = result.totals
    comparisons = [selectors.compare_cost_model(m) for m in models]
    assert total.practices == 3
    assert total.figures.before == sum(c.before.cost for c in comparisons) == Decimal("60.00")
    assert total.figures.after == sum(c.after.cost for c in comparisons) == Decimal("48.00")
    assert total.figures.saving == Decimal("12.00")
    assert total.figures.visits_before == 20 and total.figures.visits_after == 16
    assert (total.figures.people_before, total.figures.people_after) == (20, 16)
    assert (total.figures.reviews_before, total.figures.reviews_after) == (20, 16)
    assert total.figures.staff_minutes_freed == Decimal(60)
    content = response.content.decode()
    assert "£60.00" in content and "£48.00" in content and "20.0%" in content
    assert 'data-chart="chart-rollup"' in content and 'id="chart-rollup-data"' in content


def test_rollup_uses_the_latest_model_unless_another_is_chosen(fclient, facilitator):
    practice = assigned(facilitator)
    old = model_for(practice, before=100, after=50, name="Old", age_days=10)
    model_for(practice, before=10, after=4, name="New", age_days=1)

    latest = _rows(fclient.get(ROLLUP))[practice.ods_code]
    chosen = _rows(fclient.get(ROLLUP, {f"model_{practice.ods_code}": old.pk}))[practice.ods_code]
    junk = _rows(fclient.get(ROLLUP, {f"model_{practice.ods_code}": "nonsense"}))[practice.ods_code]

    assert (latest.model_name, latest.figures.before) == ("New", Decimal("30.00"))
    assert (chosen.model_name, chosen.figures.before) == ("Old", Decimal("300.00"))
    assert junk.model_name == "New"


def test_rollup_never_takes_another_practices_model(fclient, facilitator):
    mine = assigned(facilitator)
    model_for(mine, name="Mine")
    theirs = model_for(PracticeFactory(), name="Theirs")

    rows = _rows(fclient.get(ROLLUP, {f"model_{mine.ods_code}": theirs.pk}))

    assert rows[mine.ods_code].model_name == "Mine"


def test_rollup_filters_by_organisation_or_its_parent(fclient, facilitator):
    icb = OrganisationFactory(name="North ICB", kind=Organisation.Kind.ICB)
    pcn_a = OrganisationFactory(name="PCN A", parent=icb)
    pcn_b = OrganisationFactory(name="PCN B")
    in_a = assigned(facilitator, organisation=pcn_a)
    in_b = assigned(facilitator, organisation=pcn_b)
    nowhere = assigned(facilitator)
    for practice in (in_a, in_b, nowhere):
        model_for(practice)

    by_icb = _rows(fclient.get(ROLLUP, {"organisation": icb.pk}))
    by_pcn = _rows(fclient.get(ROLLUP, {"organisation": pcn_b.pk}))
    everything = fclient.get(ROLLUP)

    assert set(by_icb) == {in_a.ods_code}
    assert set(by_pcn) == {in_b.ods_code}
    assert set(_rows(everything)) == {in_a.ods_code, in_b.ods_code, nowhere.ods_code}
    assert [o.name for o in everything.context["selection"].organisations] == ["North ICB", "PCN A", "PCN B"]


def test_rollup_filter_by_someone_elses_organisation_shows_an_error_and_all_mine(fclient, facilitator):
    mine = assigned(facilitator, organisation=OrganisationFactory(name="My PCN"))
    other = OrganisationFactory(name="Secret PCN")
    PracticeFactory(organisation=other)

    response = fclient.get(ROLLUP, {"organisation": other.pk})

    assert set(_rows(response)) == {mine.ods_code}
    assert "Choose one of the organisations" in response.content.decode()
    assert "Secret PCN" not in response.content.decode()


def test_rollup_totals_per_period_when_periods_differ(fclient, facilitator):
    model_for(assigned(facilitator), period="month")
    model_for(assigned(facilitator), period="year")
    model_for(assigned(facilitator), period="month")

    response = fclient.get(ROLLUP)

    result = response.context["result"]
    assert result.mixed_periods
    assert [(t.label, t.practices, t.figures.before) for t in result.totals] == [
        ("per month", 2, Decimal("60.00")),
        ("per year", 1, Decimal("30.00")),
    ]
    assert "different periods" in response.content.decode()


def test_rollup_by_non_facilitator_is_403(client):
    admin = MembershipFactory(role=Membership.Role.ADMIN)
    client.force_login(admin.user)

    assert client.get(ROLLUP).status_code == 403
    assert client.get(EXPORT).status_code == 403


def test_rollup_by_anonymous_is_sent_to_login(client):
    response = client.get(ROLLUP)

    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_unassigned_practices_never_appear(fclient, facilitator):
    mine = assigned(facilitator, name="Assigned Surgery")
    model_for(mine)
    stranger = PracticeFactory(name="Stranger Surgery")
    model_for(stranger, name="Stranger model")
    member_only = PracticeFactory(name="Member Only Surgery")
    model_for(member_only)
    MembershipFactory(user=facilitator.user, practice=member_only, role=Membership.Role.ADMIN)
    other_facilitator = FacilitatorFactory()
    FacilitatorAssignment.objects.create(facilitator=other_facilitator, practice=stranger)

    page = fclient.get(ROLLUP).content.decode()
    sheet = load_workbook(io.BytesIO(fclient.get(EXPORT).content)).active
    cells = " ".join(str(c.value) for row in sheet.iter_rows() for c in row)

    assert "Assigned Surgery" in page and "Assigned Surgery" in cells
    for name in ("Stranger Surgery", "Stranger model", "Member Only Surgery"):
        assert name not in page and name not in cells


def test_practice_without_a_model_is_shown_and_left_out_of_totals(fclient, facilitator):
    model_for(assigned(facilitator))
    empty = assigned(facilitator, name="Empty Surgery")

    response = fclient.get(ROLLUP)

    assert not _rows(response)[empty.ods_code].has_model
    assert response.context["result"].totals[0].practices == 1
    assert "left out of the totals" in response.content.decode()


def test_rollup_with_no_practices(fclient):
    response = fclient.get(ROLLUP)

    assert response.status_code == 200
    assert "No practices are assigned to you yet" in response.content.decode()


def test_export_opens_with_numbers_as_numbers_and_formulas_neutralised(fclient, facilitator):
    practice = assigned(facilitator, name='=HYPERLINK("http://evil.example/","Click me")')
    model_for(practice, name="+cmd|' /C calc'!A0")
    model_for(assigned(facilitator, name="Riverside Surgery"))

    response = fclient.get(EXPORT)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith("attachment;")
    ws = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in ws[1]]
    assert header[:6] == ["Practice", "ODS code", "Organisation", "Cost model", "Period", "Before (£)"]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=2) if r[0].value}
    evil = rows['\'=HYPERLINK("http://evil.example/","Click me")']
    assert evil[0].data_type == "s"
    assert evil[3].value == "'+cmd|' /C calc'!A0"
    before, after, saving = (evil[i].value for i in (5, 6, 7))
    assert (before, after, saving) == (30, 12, 18)
    assert all(isinstance(v, (int, float)) for v in (before, after, saving))
    assert "£" in evil[5].number_format
    assert isinstance(evil[9].value, int) and evil[9].value == 10
    assert [
        evil[header.index(f"{count} {side}")].value for count in ("People", "Reviews") for side in ("before", "after")
    ] == [
        10,
        4,
        10,
        4,
    ]
    total = next(r for name, r in rows.items() if str(name).startswith("Total"))
    assert total[5].value == 60 and total[7].value == 36
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)


def test_export_follows_the_filter_and_choices(fclient, facilitator):
    pcn = OrganisationFactory(name="PCN Z")
    practice = assigned(facilitator, organisation=pcn, name="Zeta Surgery")
    old = model_for(practice, name="Old one", age_days=5)
    model_for(practice, name="New one")
    model_for(assigned(facilitator, name="Elsewhere Surgery"))

    ws = load_workbook(
        io.BytesIO(fclient.get(EXPORT, {"organisation": pcn.pk, f"model_{practice.ods_code}": old.pk}).content)
    ).active

    names = [r[0].value for r in ws.iter_rows(min_row=2) if r[0].value]
    assert names[0] == "Zeta Surgery" and ws[2][3].value == "Old one"
    assert "Elsewhere Surgery" not in names


def _page_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(ROLLUP).status_code == 200
    return len(ctx.captured_queries)


def test_rollup_queries_do_not_grow_with_practices(client):
    counts = []
    for n in (3, 10):
        facilitator = FacilitatorFactory()
        org = OrganisationFactory(parent=OrganisationFactory())
        for i in range(n):
            practice = assigned(facilitator, organisation=org if i % 2 else None)
            model_for(practice)
            model_for(practice, age_days=3)
        client.force_login(facilitator.user)
        client.get(ROLLUP)  # warm anything cached per process
        counts.append(_page_queries(client))

    assert counts[0] == counts[1]


def _row_of(page: Markup, practice_name: str) -> Element:
    return next(tr for tr in page.all("tr") if [a.text for a in page.inside(tr, "a")][:1] == [practice_name])


def _cells(page: Markup, row: Element) -> list[str]:
    return [" ".join(td.text.split()) for td in page.inside(row, "td")]


def test_each_row_shows_its_practice_and_figures_with_a_labelled_choice_of_model(fclient, facilitator):
    practice = assigned(facilitator, name="Two models", organisation=OrganisationFactory(name="PCN A"))
    older = model_for(practice, name="Older", age_days=2)
    latest = model_for(practice, name="Latest", before=10, after=4)

    page = Markup(fclient.get(ROLLUP).content.decode())

    row = _row_of(page, "Two models")
    (heading,) = page.inside(row, "th")
    select = page.by_id(f"id_model_{practice.ods_code}")
    options = page.inside(select, "option")
    (link,) = [a for a in page.inside(row, "a") if a.attrs["href"] == latest.get_absolute_url()]
    assert heading.attrs["scope"] == "row" and page.inside(heading, "a")[0].attrs["href"] == practice.get_absolute_url()
    assert f"{practice.ods_code} · PCN A" in " ".join(heading.text.split())
    assert select.attrs["name"] == f"model_{practice.ods_code}" and page.label_of(select) == "Cost model of Two models"
    assert [(o.attrs["value"], o.text, "selected" in o.attrs) for o in options] == [
        (str(latest.pk), "Latest (latest)", True),
        (str(older.pk), "Older", False),
    ]
    assert " ".join(link.text.split()) == "Open model Latest"
    assert _cells(page, row)[1:] == [
        "Per month",
        "£30.00",
        "£12.00",
        "£18.00",
        "60.0%",
        "10",
        "4",
        "10",
        "4",
        "10",
        "4",
        "1.5",
    ]


def test_rows_of_practices_without_figures_say_so(fclient, facilitator):
    assigned(facilitator, name="No model")
    model_for(assigned(facilitator, name="Costs more"), before=2, after=5)

    page = Markup(fclient.get(ROLLUP).content.decode())

    assert _cells(page, _row_of(page, "No model")) == ["No cost model yet."]
    assert page.inside(_row_of(page, "No model"), "td")[0].attrs["colspan"] == "13"
    assert "saving-negative" in page.inside(_row_of(page, "Costs more"), "td")[4].attrs["class"]


def test_rows_show_names_with_markup_as_text(fclient, facilitator):
    hostile = '<script>alert("x")</script> & O\'Brien'
    practice = assigned(facilitator, name=hostile, organisation=OrganisationFactory(name=hostile))
    model = model_for(practice, name=hostile)

    html = fclient.get(ROLLUP).content.decode()

    page = Markup(html)
    row = _row_of(page, hostile)
    assert "<script>" not in html
    assert f"{practice.ods_code} · {hostile}" in page.inside(row, "th")[0].text
    select = page.by_id(f"id_model_{practice.ods_code}")
    assert page.label_of(select) == f"Cost model of {hostile}"
    assert [(o.attrs["value"], o.text) for o in page.inside(select, "option")] == [
        (str(model.pk), f"{hostile} (latest)")
    ]
