"""The comparison page, the what-if panel, saving a scenario and the side-by-side page."""

from dataclasses import replace
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from costing import engine, whatif
from pathways import selectors, services
from pathways.models import CostModel
from pathways.services import cost_model_import
from practices.models import Membership
from tests.factories import (
    CohortFactory,
    CostModelFactory,
    MembershipFactory,
    PathwayFactory,
    PracticeFactory,
    StageFactory,
)
from tests.markup import Markup

pytestmark = pytest.mark.django_db


@pytest.fixture
def practice():
    return PracticeFactory(ods_code="B82001")


@pytest.fixture
def model_b(practice, example_b):
    return cost_model_import(practice=practice, model=example_b, by=None)


@pytest.fixture
def admin(practice):
    return MembershipFactory(practice=practice, role=Membership.Role.ADMIN).user


@pytest.fixture
def staff(practice):
    return MembershipFactory(practice=practice, role=Membership.Role.STAFF).user


def _panel_data(client, model) -> dict:
    """The what-if form as the page renders it (every field at the model's value)."""
    response = client.get(model.get_absolute_url())
    form = response.context["form"]
    data = {name: form[name].value() for name in form.fields}
    return {k: "" if v is None else str(v) for k, v in data.items()}


def _role_field(client, model, role_name: str) -> str:
    form = client.get(model.get_absolute_url()).context["form"]
    return next(rate.html_name for role, rate, _band in form.role_rows if role.name == role_name)


def test_comparison_page_has_charts_and_tables(client, staff, model_b):
    client.force_login(staff)

    response = client.get(model_b.get_absolute_url())

    html = response.content.decode()
    assert "£31.39 → £17.72" in html
    for chart in ("chart-steps", "chart-staff", "chart-cohorts", "chart-waterfall"):
        assert f'id="{chart}-data"' in html
    assert "vendor/plotly-finance-4.1.0/plotly-finance.min.js" in html
    assert "<script>" not in html.replace('<script src="', "")  # no inline scripts


def test_comparison_page_headline_counts_people_and_reviews(client, staff, practice, example_b_copd_twice):
    model = cost_model_import(practice=practice, model=example_b_copd_twice, by=None)
    client.force_login(staff)

    response = client.get(model.get_absolute_url())

    assert '<div data-testid="headline-counts">1 person: 4 reviews → 1</div>' in response.content.decode()


def test_comparison_page_cohort_tables_show_times_people_and_reviews(client, staff, practice, example_b_copd_twice):
    model = cost_model_import(practice=practice, model=example_b_copd_twice, by=None)
    client.force_login(staff)

    page = Markup(client.get(model.get_absolute_url()).content.decode())

    (before,) = [s for s in page.all("section") if s.attrs.get("aria-label") == "Before cohorts"]
    headers = [th.text for th in page.inside(before, "th") if th.attrs.get("scope") == "col"]
    assert headers == [
        "Cohort",
        "Conditions",
        "People",
        "Times",
        "Reviews",
        "Per review",
        "Per person",
        "Cost",
        "Visits",
    ] + ["Contact min"]
    rows = [
        [" ".join(c.text.split()) for c in page.inside(tr, "th") + page.inside(tr, "td")]
        for tr in page.inside(before, "tr")
    ]
    assert ["COPD", "COPD", "1", "2", "2", "£9.08", "£18.16", "£18.16", "2", "50"] in rows
    assert ["Total", "", "1", "", "4", "", "", "£40.47", "6", "120"] in rows
    text = " ".join(before.text.split())
    assert "Before: £40.47 for 1 person, 4 reviews" in text
    assert "£40.47 and" in text and "a person; £10.12 a review." in text
    assert "Patients" not in text


def test_comparison_page_cohort_tables_leave_out_times_when_every_cohort_is_once_a_period(client, staff, model_b):
    client.force_login(staff)

    html = client.get(model_b.get_absolute_url()).content.decode()

    assert '<th scope="col" class="num">Times</th>' not in html
    assert "Before: £31.39 for 1 person, 3 reviews" in html and "After: £17.72 for 1 person, 1 review" in html


def test_comparison_page_headline_says_example_b_is_one_person_reviewed_three_times_then_once(client, staff, model_b):
    client.force_login(staff)

    response = client.get(model_b.get_absolute_url())

    assert '<div data-testid="headline-counts">1 person: 3 reviews → 1</div>' in response.content.decode()


def test_whatif_recalculates_without_saving(client, staff, model_b):
    client.force_login(staff)
    data = _panel_data(client, model_b)
    data[_role_field(client, model_b, "Practice nurse")] = "24.00"

    response = client.post(reverse("model_whatif", args=["B82001", model_b.pk]), data, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert response.status_code == 200
    assert "£36.79 → £20.42" in html  # the nurse's 60 minutes before cost £5.40 more, 30 after £2.70
    assert "Practice nurse £18.60 → £24.00 an hour" in html
    assert selectors.compare_cost_model(model_b).before.cost == D("31.39")
    assert CostModel.objects.count() == 1


def test_whatif_untouched_form_changes_nothing(client, staff, model_b):
    client.force_login(staff)

    response = client.post(reverse("model_whatif", args=["B82001", model_b.pk]), _panel_data(client, model_b))

    assert "£31.39 → £17.72" in response.content.decode()
    assert response.context["changes"] == []


@pytest.mark.parametrize("value", ["-5", "abc", "100000", "1e9"])
def test_whatif_bad_rate_shows_message_beside_field(client, staff, model_b, value):
    client.force_login(staff)
    data = _panel_data(client, model_b)
    field = _role_field(client, model_b, "Practice nurse")
    data[field] = value

    response = client.post(reverse("model_whatif", args=["B82001", model_b.pk]), data, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="{field}-error" hx-swap-oob="true">' in html
    assert "not valid" in html
    assert "£31.39 → £17.72" in html


def test_whatif_panel_labels_every_field_and_points_an_error_to_its_message(client, staff, model_b):
    client.force_login(staff)
    data = _panel_data(client, model_b)
    rate = _role_field(client, model_b, "Practice nurse")
    data[rate] = "-5"

    response = client.post(reverse("model_whatif", args=["B82001", model_b.pk]), data)

    page = Markup(response.content.decode())
    panel = page.one("form", id="whatif-form")
    fields = [e for e in page.inside(panel, "input") + page.inside(panel, "select") if e.attrs.get("type") != "hidden"]
    assert response.status_code == 422
    assert len(fields) == len(data) - 1  # all but the hidden version
    assert all(page.name_of(field) for field in fields)
    invalid = [field for field in fields if field.attrs.get("aria-invalid") == "true"]
    assert [field.attrs["name"] for field in invalid] == [rate]
    message = page.by_id(invalid[0].attrs["aria-describedby"])
    assert message.text == "Ensure this value is greater than or equal to 0."


def test_whatif_absurd_minutes_refused(client, staff, model_b):
    client.force_login(staff)
    data = _panel_data(client, model_b)
    minutes_field = next(k for k in data if k.endswith("_minutes"))
    data[minutes_field] = "10000"

    response = client.post(reverse("model_whatif", args=["B82001", model_b.pk]), data)

    assert response.status_code == 422
    assert "Ensure this value is less than or equal to 480" in response.content.decode()


def test_save_as_scenario_creates_a_new_model_and_keeps_the_original(client, admin, model_b):
    client.force_login(admin)
    data = _panel_data(client, model_b)
    data[_role_field(client, model_b, "Practice nurse")] = "24.00"
    data["scenario_name"] = "Nurse on £24"

    response = client.post(reverse("model_whatif_save", args=["B82001", model_b.pk]), data)

    scenario = CostModel.objects.get(name="Nurse on £24")
    assert response.status_code == 302
    assert response.url == scenario.get_absolute_url()
    assert scenario.based_on == model_b
    assert selectors.compare_cost_model(scenario).after.cost == D("20.42")
    assert selectors.compare_cost_model(model_b).after.cost == D("17.72")
    assert "Practice nurse £18.60 → £24.00 an hour" in scenario.description


def test_save_as_scenario_by_practice_staff_is_403(client, staff, model_b):
    client.force_login(staff)
    data = {**_panel_data(client, model_b), "scenario_name": "x"}

    response = client.post(reverse("model_whatif_save", args=["B82001", model_b.pk]), data)

    assert response.status_code == 403
    assert CostModel.objects.count() == 1


def test_save_as_scenario_after_someone_else_changed_the_model_saves_nothing(client, admin, model_b):
    client.force_login(admin)
    data = {**_panel_data(client, model_b), "scenario_name": "x"}
    CostModel.objects.filter(pk=model_b.pk).update(version=model_b.version + 1)

    response = client.post(reverse("model_whatif_save", args=["B82001", model_b.pk]), data)

    assert response.status_code == 302
    assert CostModel.objects.count() == 1


def test_side_by_side_shows_each_model(client, staff, model_b, practice, example_b):
    other = cost_model_import(practice=practice, model=example_b, by=None, name="Copy of B")
    client.force_login(staff)

    response = client.get(reverse("scenario_compare", args=["B82001"]), {"m": [model_b.pk, other.pk]})

    html = response.content.decode()
    assert "Copy of B" in html
    assert html.count("£31.39") >= 2
    page = Markup(html)
    rows = {
        " ".join(page.inside(tr, "th")[0].text.split()): [td.text for td in page.inside(tr, "td")]
        for tr in page.all("tr")
        if page.inside(tr, "th")
    }
    assert rows["People before"] == ["1", "1", "0 (0.0%)"]
    assert rows["Reviews before"] == ["3", "3", "0 (0.0%)"]
    assert "Patients before" not in html
    assert 'id="chart-scenarios-data"' in html


def test_side_by_side_measures_each_scenario_against_the_base(client, staff, model_b):
    scenario = services.scenario_save(
        cost_model=model_b,
        model=selectors.engine_model(model_b),
        changes=whatif.WhatIf(
            roles={"pn": engine.Role(key="pn", name="Practice nurse", cost_per_hour=D("24.00"))},
            patient_scale=D(2),
        ),
        name="Twice, nurse on £24",
        by=None,
    )
    client.force_login(staff)

    response = client.get(reverse("scenario_compare", args=["B82001"]), {"m": [scenario.pk, model_b.pk]})

    page = Markup(response.content.decode())
    rows = {
        " ".join(page.inside(tr, "th")[0].text.split()): [" ".join(td.text.split()) for td in page.inside(tr, "td")]
        for tr in page.all("tr")
        if page.inside(tr, "th")
    }
    assert [col["model"] for col in response.context["columns"]] == [model_b, scenario]  # the base first
    # £17.72 after; the scenario: twice £20.42 = £40.84 (nurse at £24 an hour).
    assert rows["Cost after"] == ["£17.72", "£40.84", "+£23.12 (+130.5%)"]
    assert rows["People after"] == ["1", "2", "+1 (+100.0%)"]
    assert rows["Practice nurse: staff hours after"] == ["0.5", "1.0", "+0.5 (+100.0%)"]


def test_side_by_side_ignores_other_practices_models(client, staff, model_b, example_b):
    foreign = cost_model_import(practice=PracticeFactory(), model=example_b, by=None, name="Foreign model")
    client.force_login(staff)

    response = client.get(reverse("scenario_compare", args=["B82001"]), {"m": [model_b.pk, foreign.pk, "x"]})

    assert "Foreign model" not in response.content.decode()
    assert response.context["too_few"]


def _model_with(cohorts: int, practice):
    model = CostModelFactory(practice=practice)
    for i in range(cohorts):
        pathway = PathwayFactory(practice=practice)
        StageFactory(pathway=pathway)
        CohortFactory(cost_model=model, pathway=pathway, side="before" if i % 2 else "after")
    return model


def test_comparison_page_query_count_does_not_grow_with_cohorts(client, staff, practice):
    client.force_login(staff)
    small, large = _model_with(10, practice), _model_with(100, practice)
    client.get(small.get_absolute_url())  # warm the reference-data cache

    counts = []
    for model in (small, large):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(model.get_absolute_url()).status_code == 200
        counts.append(len(ctx.captured_queries))

    assert counts[0] == counts[1] <= 12


# ------------------------------------------------------------- letter prices in the what-if panel


@pytest.fixture
def model_letters(practice, example_b):
    """Example B with an 85p letter on the first stage of its first pathway."""
    first = example_b.pathways[0]
    stages = (replace(first.stages[0], extra_cost=D("0.85")), *first.stages[1:])
    model = replace(example_b, pathways=(replace(first, stages=stages), *example_b.pathways[1:]))
    return cost_model_import(practice=practice, model=model, by=None)


@pytest.mark.parametrize(
    ("day", "amount"),
    [("2026-04-06", D("0.87")), ("2026-04-07", D("0.91"))],  # the day before and the day of a price change
)
def test_whatif_letter_price_at_a_date_replaces_the_extra_cost(client, staff, model_letters, day, amount):
    client.force_login(staff)
    data = _panel_data(client, model_letters)
    data["extra_0_letter_class"] = "second"
    data["extra_0_letter_date"] = day

    response = client.post(reverse("model_whatif", args=["B82001", model_letters.pk]), data)

    assert response.status_code == 200
    assert response.context["form"].whatif().extra_costs == {D("0.85"): amount}
    assert "Royal Mail second class, from" in response.content.decode()


def test_whatif_letter_price_on_an_unknown_date_is_refused_and_changes_nothing(client, staff, model_letters):
    client.force_login(staff)
    data = _panel_data(client, model_letters)
    data["extra_0_letter_class"] = "first"
    data["extra_0_letter_date"] = "2016-12-31"

    response = client.post(reverse("model_whatif", args=["B82001", model_letters.pk]), data, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert 'id="extra_0_letter_date-error" hx-swap-oob="true">The Royal Mail letter price on 31 December 2016' in html
    assert "is not known" in html
    assert response.context["changes"] == []


def test_whatif_panel_offers_letter_prices_with_their_sources(client, staff, model_letters):
    client.force_login(staff)

    response = client.get(model_letters.get_absolute_url())

    page = Markup(response.content.decode())
    assert 'id="letter-prices"' in response.content.decode()
    assert "Citizens Advice responds to Royal Mail increasing stamp prices" in response.content.decode()
    assert page.label_of(page.one("select", name="extra_0_letter_class")).endswith(": or a letter price")
    assert page.label_of(page.one("input", name="extra_0_letter_date")).endswith(": letter price on")


def test_whatif_panel_without_extra_costs_offers_no_letter_price(client, staff, model_b):
    client.force_login(staff)

    response = client.get(model_b.get_absolute_url())

    assert 'id="letter-prices"' not in response.content.decode()


def _sharing_stages(model) -> int:
    return sum(1 for p in model.pathways for s in p.stages if s.step == engine.Step.INFORMATION_SHARING)


def test_whatif_channel_gives_every_results_stage_a_letter_price_though_none_had_an_extra_cost(client, staff, model_b):
    client.force_login(staff)
    model = selectors.engine_model(model_b)
    assert _sharing_stages(model) and not any(s.extra_cost for p in model.pathways for s in p.stages)
    data = {**_panel_data(client, model_b), "channel": "letter_second", "channel_letter_date": "2026-04-07"}

    response = client.post(reverse("model_whatif", args=["B82001", model_b.pk]), data)

    assert response.status_code == 200
    channel = response.context["form"].whatif().channel
    assert (channel.kind, channel.cost) == (whatif.ChannelKind.LETTER_SECOND, D("0.91"))
    expected = engine.compare(whatif.apply(model, whatif.WhatIf(channel=channel)))
    assert response.context["c"].before.cost == expected.before.cost
    assert expected.before.extra_cost == D("0.91") * sum(
        1
        for co in model.before
        for s in next(p for p in model.pathways if p.key == co.pathway).stages
        if s.step == engine.Step.INFORMATION_SHARING
    )
    assert response.context["changes"] == [
        "Results shared by second class letter at £0.91 a letter: Royal Mail second class, from 7 April 2026"
    ]


def test_whatif_channel_text_message_costs_a_fraction_of_a_penny(client, admin, model_b):
    client.force_login(admin)
    data = {**_panel_data(client, model_b), "channel": "text", "channel_text_cost": "0.0125"}
    data["scenario_name"] = "By text"

    client.post(reverse("model_whatif_save", args=["B82001", model_b.pk]), data)

    scenario = CostModel.objects.get(name="By text")
    assert scenario.overlay["channel"] == {"kind": "text", "cost": "0.0125", "detail": ""}
    stages = [s for p in selectors.engine_model(scenario).pathways for s in p.stages]
    assert {s.extra_cost for s in stages if s.step == engine.Step.INFORMATION_SHARING} == {D("0.0125")}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"channel": "text"}, "channel_text_cost"),
        ({"channel": "letter_first", "channel_letter_date": "2016-01-01"}, "channel_letter_date"),
    ],
)
def test_whatif_channel_without_its_cost_is_refused_beside_the_field(client, staff, model_b, data, field):
    client.force_login(staff)

    response = client.post(
        reverse("model_whatif", args=["B82001", model_b.pk]), {**_panel_data(client, model_b), **data}
    )

    assert response.status_code == 422
    assert response.context["form"].errors[field]


def test_whatif_of_a_model_with_stored_extra_costs_recalculates(client, staff, practice, example_cd):
    """Extra costs are stored to 4 places (0.5600): the panel shows £0.56 and accepts its own value."""
    model = cost_model_import(practice=practice, model=example_cd, by=None)
    client.force_login(staff)
    data = {**_panel_data(client, model), "scale": "2"}

    response = client.post(reverse("model_whatif", args=["B82001", model.pk]), data)

    assert response.status_code == 200, response.context["form"].errors
    assert response.context["c"].before.cost == D("5571.00")
    assert response.context["form"]["extra_0"].label.startswith("Every extra cost of £0.56 ")


def test_whatif_without_a_script_reads_a_stages_role_typed_by_name(client, staff, model_b):
    """The page writes each stage's role as a text box holding its name (static/js/whatif.js makes it a select)."""
    client.force_login(staff)
    data = _panel_data(client, model_b)
    field = "stage_3_4_role"  # Combined care and support planning: the conversation, by the practice nurse
    assert data[field] == "Practice nurse"
    data[field] = "nurse practitioner"

    response = client.post(reverse("model_whatif", args=["B82001", model_b.pk]), data)

    assert response.status_code == 200
    assert response.context["form"].whatif().stage_roles == {("csp", 4): "np"}
    assert response.context["changes"]
    assert 'data-testid="headline-cost">£31.39 → £17.72<' not in response.content.decode()  # as saved, no more

    data[field] = "Receptionist"
    response = client.post(reverse("model_whatif", args=["B82001", model_b.pk]), data)

    assert response.status_code == 422
    assert "Not one of this model&#x27;s staff roles" in response.content.decode()
    assert response.context["changes"] == []
