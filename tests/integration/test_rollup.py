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

from costing import whatif
from pathways import selectors, services
from pathways.models import Cohort, CostModel
from practices.models import FacilitatorAssignment, Membership, Organisation
from reports.selectors import select
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
    """A model costing £3.00 a patient (15 minutes at £12/h, one visit) on each side.

    The practice's first is its baseline, as pathways.services makes it.
    """
    model = CostModelFactory(practice=practice, period=period, **({"name": name} if name else {}))
    if not CostModel.objects.filter(practice=practice, is_baseline=True).exists():
        CostModel.objects.filter(pk=model.pk).update(is_baseline=True)
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
    # Models of a month, on the roll-up's one basis: a year (x 12).
    assert total.figures.before == 12 * sum(c.before.cost for c in comparisons) == Decimal("720.00")
    assert total.figures.after == 12 * sum(c.after.cost for c in comparisons) == Decimal("576.00")
    assert total.figures.saving == Decimal("144.00")
    assert total.figures.visits_before == 240 and total.figures.visits_after == 192
    assert (total.figures.people_before, total.figures.people_after) == (240, 192)
    assert (total.figures.reviews_before, total.figures.reviews_after) == (240, 192)
    assert (total.figures.contact_minutes_before, total.figures.contact_minutes_after) == (3600, 2880)
    assert total.figures.staff_minutes_freed == Decimal(720)
    assert total.figures.before == sum(row.annual.before for row in result.annual_rows)
    content = response.content.decode()
    assert "£720.00" in content and "£576.00" in content and "20.0%" in content
    assert 'data-chart="chart-rollup"' in content and 'id="chart-rollup-data"' in content


def test_rollup_uses_the_baseline_unless_another_is_chosen(fclient, facilitator):
    practice = assigned(facilitator)
    baseline = model_for(practice, before=100, after=50, name="Baseline", age_days=10)
    new = model_for(practice, before=10, after=4, name="New", age_days=1)

    default = _rows(fclient.get(ROLLUP))[practice.ods_code]
    chosen = _rows(fclient.get(ROLLUP, {f"model_{practice.ods_code}": new.pk}))[practice.ods_code]
    junk = _rows(fclient.get(ROLLUP, {f"model_{practice.ods_code}": "nonsense"}))[practice.ods_code]

    assert (default.model_name, default.figures.before) == ("Baseline", Decimal("300.00"))
    assert (chosen.model_name, chosen.figures.before) == ("New", Decimal("30.00"))
    assert junk.model_name == "Baseline"
    assert baseline.pk != new.pk


def test_a_practice_without_a_baseline_has_no_figures_until_one_is_picked(fclient, facilitator):
    practice = assigned(facilitator)
    model = model_for(practice, name="Latest")
    CostModel.objects.filter(pk=model.pk).update(is_baseline=False)

    row = _rows(fclient.get(ROLLUP))[practice.ods_code]
    picked = _rows(fclient.get(ROLLUP, {f"model_{practice.ods_code}": model.pk}))[practice.ods_code]

    assert row.figures is None and row.note.startswith("No baseline marked")
    assert picked.model_name == "Latest"


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


def test_rollup_puts_every_model_on_a_year_and_per_patient_ones_apart(fclient, facilitator):
    model_for(assigned(facilitator), period="month")
    model_for(assigned(facilitator), period="year")
    model_for(assigned(facilitator), period="month")
    apart = model_for(assigned(facilitator, name="Per patient Surgery"), period="per patient")

    response = fclient.get(ROLLUP)

    result = response.context["result"]
    assert not result.mixed_periods
    # 2 x £30.00 a month x 12 + £30.00 a year.
    assert [(t.label, t.practices, t.figures.before) for t in result.totals] == [("per year", 3, Decimal("750.00"))]
    assert [r.model_name for r in result.apart] == [apart.name]
    content = response.content.decode()
    assert "Shown apart, not in the total" in content and "not a span of time" in content


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
    assert "left out of the total" in response.content.decode()


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
    assert header[:8] == [
        "Practice",
        "ODS code",
        "Organisation",
        "Cost model",
        "Model counts",
        "Basis",
        "List size",
        "Before (£ a year)",
    ]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=2) if r[0].value}
    evil = rows['\'=HYPERLINK("http://evil.example/","Click me")']
    assert evil[0].data_type == "s"
    assert evil[3].value == "'+cmd|' /C calc'!A0"
    before, after, saving = (evil[i].value for i in (7, 8, 9))
    assert (before, after, saving) == (360, 144, 216)  # £30.00, £12.00 and £18.00 a month, x 12
    assert all(isinstance(v, (int, float)) for v in (before, after, saving))
    assert "£" in evil[7].number_format
    assert isinstance(evil[13].value, int) and evil[13].value == 120
    assert [
        evil[header.index(f"{count} {side}")].value for count in ("People", "Reviews") for side in ("before", "after")
    ] == [120, 48, 120, 48]
    total = next(r for name, r in rows.items() if str(name).startswith("Total"))
    assert total[7].value == 720 and total[9].value == 432
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
    older = model_for(practice, name="Older", age_days=2)  # the first: the baseline
    latest = model_for(practice, name="Latest", before=10, after=4)

    page = Markup(fclient.get(ROLLUP).content.decode())

    row = _row_of(page, "Two models")
    (heading,) = page.inside(row, "th")
    select = page.by_id(f"id_model_{practice.ods_code}")
    options = page.inside(select, "option")
    (link,) = [a for a in page.inside(row, "a") if a.attrs["href"] == older.get_absolute_url()]
    assert heading.attrs["scope"] == "row" and page.inside(heading, "a")[0].attrs["href"] == practice.get_absolute_url()
    assert f"{practice.ods_code} · PCN A" in " ".join(heading.text.split())
    assert select.attrs["name"] == f"model_{practice.ods_code}" and page.label_of(select) == "Cost model of Two models"
    assert [(o.attrs["value"], o.text, "selected" in o.attrs) for o in options] == [
        (str(older.pk), "Older (baseline)", True),
        (str(latest.pk), "Latest", False),
    ]
    assert " ".join(link.text.split()) == "Open model Older"
    assert _cells(page, row)[1:] == [
        "a month × 12",
        "8,000",
        "£360.00",
        "£144.00",
        "£216.00",
        "60.0%",
        "£45.00",  # £360.00 for 8,000 listed patients
        "£18.00",
        "120",
        "48",
        "30.0",  # 15 minutes x 120 visits
        "12.0",
        "120",
        "48",
        "120",
        "48",
        "£3.00",
        "£3.00",
        "18.0",
    ]


def test_rows_of_practices_without_figures_say_so(fclient, facilitator):
    assigned(facilitator, name="No model")
    model_for(assigned(facilitator, name="Costs more"), before=2, after=5)

    page = Markup(fclient.get(ROLLUP).content.decode())

    assert _cells(page, _row_of(page, "No model")) == ["", "No cost model yet."]
    assert page.inside(_row_of(page, "No model"), "td")[1].attrs["colspan"] == "19"
    assert "saving-negative" in page.inside(_row_of(page, "Costs more"), "td")[5].attrs["class"]


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
        (str(model.pk), f"{hostile} (baseline)")
    ]


def test_a_scenario_saved_later_never_replaces_the_baseline_in_the_rollup_workbook_or_batch(fclient, facilitator):
    practice = assigned(facilitator)
    baseline = model_for(practice, name="Real figures", age_days=3)
    scenario = services.scenario_save(
        cost_model=baseline,
        model=selectors.engine_model(baseline),
        changes=whatif.WhatIf(patient_scale=Decimal(2)),
        name="What if twice",
        by=None,
    )

    row = _rows(fclient.get(ROLLUP))[practice.ods_code]
    ws = load_workbook(io.BytesIO(fclient.get(EXPORT).content)).active
    picked = _rows(fclient.get(ROLLUP, {f"model_{practice.ods_code}": scenario.pk}))[practice.ods_code]

    assert row.model_name == "Real figures" and row.annual.before == Decimal("360.00")
    assert ws[2][3].value == "Real figures"
    assert [m.pk for m in select(facilitator.user, {}, load=False).chosen_models] == [baseline.pk]
    assert picked.model_name == "What if twice" and picked.annual.before == Decimal("720.00")


# ------------------------------------------------------------------ pages of practices


@pytest.fixture
def five_practices(facilitator, monkeypatch):
    """Five practices, two to a page: pages of practices 1-2, 3-4 and 5, by name."""
    monkeypatch.setattr("reports.views.rollup.PAGE_SIZE", 2)
    practices = [assigned(facilitator, name=f"Practice {i}") for i in range(1, 6)]
    models = [model_for(p, before=10 * i, after=4) for i, p in enumerate(practices, start=1)]
    return practices, models


def test_a_page_shows_its_practices_and_the_total_of_all_of_them(fclient, five_practices):
    practices, _ = five_practices

    response = fclient.get(ROLLUP, {"page": 2})
    page = Markup(response.content.decode())

    assert list(_rows(response)) == [practices[2].ods_code, practices[3].ods_code]
    total = response.context["result"].total
    assert total.practices == 5
    assert total.figures.before == Decimal("3.00") * 12 * (10 + 20 + 30 + 40 + 50)
    assert " ".join(page.by_id("rollup-page-status").text.split()).startswith("Practices 3 to 4 of 5, by name.")
    footer = page.one("tr", data_testid="rollup-total")
    assert "sum of all pages" in " ".join(footer.text.split())
    # The chart draws the practices of the page, not all of them.
    assert response.context["chart"]["data"][0]["x"] == ["Practice 3", "Practice 4"]


def test_the_pages_are_links_with_the_current_one_marked_for_screen_readers(fclient, five_practices):
    page = Markup(fclient.get(ROLLUP, {"page": 2}).content.decode())

    nav = page.one("nav", aria_label="Pages of the roll-up")
    links = {" ".join(a.text.split()): a.attrs["href"] for a in page.inside(nav, "a")}
    assert links == {
        "Previous page": "?page=1",
        "Page 1": "?page=1",
        "Page 3": "?page=3",
        "Next page": "?page=3",
    }
    (current,) = [li for li in page.inside(nav, "li") if li.attrs.get("aria-current") == "page"]
    assert " ".join(current.text.split()) == "Page 2"


@pytest.mark.parametrize(("asked", "shown"), [("abc", 1), ("0", 1), ("-3", 1), ("99", 3), ("", 1)])
def test_a_page_that_is_not_there_shows_the_nearest_one(fclient, five_practices, asked, shown):
    response = fclient.get(ROLLUP, {"page": asked})

    assert response.status_code == 200
    assert response.context["page"].number == shown


def test_a_model_picked_on_another_page_is_kept_by_this_pages_form_and_its_links(fclient, five_practices):
    practices, _ = five_practices
    other = model_for(practices[0], before=1, after=1, name="Other")  # on page 1
    picked = {f"model_{practices[0].ods_code}": other.pk}

    response = fclient.get(ROLLUP, {**picked, "page": 2})
    page = Markup(response.content.decode())

    form = page.by_id("rollup-form")
    hidden = {i.attrs["name"]: i.attrs["value"] for i in page.inside(form, "input") if i.attrs.get("type") == "hidden"}
    assert hidden == {f"model_{practices[0].ods_code}": str(other.pk)}
    update = next(b for b in page.inside(form, "button") if "Update" in b.text)
    assert (update.attrs["name"], update.attrs["value"]) == ("page", "2")
    nav = page.one("nav", aria_label="Pages of the roll-up")
    assert all(f"model_{practices[0].ods_code}={other.pk}" in a.attrs["href"] for a in page.inside(nav, "a"))
    # The total counts the picked model, though its practice is on another page.
    assert response.context["result"].total.figures.before == Decimal("3.00") * 12 * (1 + 20 + 30 + 40 + 50)


def test_one_page_has_no_page_links(fclient, facilitator):
    model_for(assigned(facilitator))

    page = Markup(fclient.get(ROLLUP).content.decode())

    assert page.all("nav", aria_label="Pages of the roll-up") == []
    assert not [e for e in page.elements if e.attrs.get("id") == "rollup-page-status"]
