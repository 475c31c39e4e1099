"""Decision support pages: tornado, Monte Carlo, set-up and payback, capacity; the estimator; the PDF."""

import io
import time
from decimal import Decimal as D

import pytest
from django.urls import reverse
from pypdf import PdfReader

from costing import engine
from costing.decisions.settings import DecisionSettings, analyse
from pathways import selectors
from pathways.models import DecisionInputs, SetupCost
from pathways.services import cost_model_import
from practices.models import Membership
from tests.factories import MembershipFactory, PracticeFactory, StaffRoleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def practice():
    return PracticeFactory(ods_code="C82001", list_size=9699)


@pytest.fixture
def model_cd(practice, example_cd):
    return cost_model_import(practice=practice, model=example_cd, by=None)


@pytest.fixture
def admin(practice):
    return MembershipFactory(practice=practice, role=Membership.Role.ADMIN).user


@pytest.fixture
def staff(practice):
    return MembershipFactory(practice=practice, role=Membership.Role.STAFF).user


@pytest.fixture
def outsider():
    return MembershipFactory(practice=PracticeFactory(), role=Membership.Role.ADMIN).user


def _url(name, model):
    return reverse(name, args=[model.practice.ods_code, model.pk])


def _edit_data(**overrides) -> dict:
    data = {
        "inputs-rate_percent": "20",
        "inputs-minutes_percent": "20",
        "inputs-extra_costs_percent": "50",
        "inputs-patients_percent": "20",
        "inputs-rate_uncertainty_percent": "10",
        "inputs-minutes_uncertainty_percent": "20",
        "inputs-draws": "2000",
        "inputs-seed": "12345",
        "inputs-gp_appointment_minutes": "10",
        "inputs-nurse_appointment_minutes": "15",
        "inputs-hca_appointment_minutes": "15",
        "inputs-other_appointment_minutes": "15",
        "setup-TOTAL_FORMS": "1",
        "setup-INITIAL_FORMS": "0",
        "setup-MIN_NUM_FORMS": "0",
        "setup-MAX_NUM_FORMS": "50",
        "setup-0-kind": "other",
        "setup-0-role": "",
        "setup-0-hours": "",
        "setup-0-amount": "1000",
        "setup-0-description": "Template building by the system supplier",
    }
    data.update(overrides)
    return data


def test_decisions_page_with_defaults_shows_routine_review_minutes_on_top(client, staff, model_cd):
    client.force_login(staff)

    response = client.get(_url("model_decisions", model_cd))

    html = response.content.decode()
    assert response.status_code == 200
    bars = response.context["r"].tornado
    assert bars[0].label == "Routine review: minutes"
    assert [b.swing for b in bars] == sorted((b.swing for b in bars), reverse=True)
    assert 'data-testid="top-input">Routine review: minutes<' in html
    assert "£677.03" in html
    for chart in ("chart-tornado", "chart-capacity"):
        assert f'id="{chart}-data"' in html
        assert f'data-chart="{chart}"' in html
    assert "No set-up costs are entered." in html
    assert "<script>" not in html.replace('<script src="', "")  # no inline scripts
    assert not DecisionInputs.objects.exists()  # a GET creates nothing


def test_decisions_page_after_saving_shows_monte_carlo_payback_and_appointments(client, admin, model_cd):
    client.force_login(admin)
    saved = client.post(_url("model_decisions_edit", model_cd), _edit_data())
    assert saved.status_code == 302
    assert saved.url == _url("model_decisions", model_cd)

    response = client.get(saved.url)

    html = response.content.decode()
    sim = response.context["sim"]
    assert sim.draws == 2000 and sim.seed == 12345
    assert sim.p5 < sim.median < sim.p95
    assert sim.probability_positive == D("1.000")
    assert f"{sim.p5:,}" in html and f"{sim.p95:,}" in html
    assert 'id="chart-montecarlo-data"' in html
    assert "Probability that the change saves money" in html
    assert "Repays in 1.5 months: within 2 months." in html
    assert "Template building by the system supplier" in html
    assert "£1,000.00" in html
    # GP: 695 minutes freed a month = 69.5 ten-minute appointments.
    gp = next(row for row in response.context["r"].capacity.roles if row.name == "GP")
    assert gp.appointments_freed == D("69.5")
    assert "69.5" in html


def test_monte_carlo_is_reproducible_and_fast_on_example_cd(model_cd):
    cost_model = selectors.cost_model_with_rows(cost_model_id=model_cd.pk)
    model = selectors.engine_model(cost_model)
    settings = DecisionSettings(rate_uncertainty_percent=D(10), minutes_uncertainty_percent=D(20))

    start = time.perf_counter()
    first = analyse(model, engine.compare(model), settings)
    elapsed = time.perf_counter() - start
    second = analyse(model, engine.compare(model), settings)

    assert elapsed < 1.0
    assert first.simulation == second.simulation
    assert first.histogram == second.histogram
    assert sum(b.draws for b in first.histogram) == 2000


def test_edit_form_saves_inputs_and_setup_lines(client, admin, model_cd, practice):
    nurse = StaffRoleFactory(practice=practice, name="Lead nurse", cost_per_hour=D("30.00"))
    client.force_login(admin)
    data = _edit_data(
        **{
            "setup-TOTAL_FORMS": "2",
            "setup-1-kind": "training",
            "setup-1-role": str(nurse.pk),
            "setup-1-hours": "3",
            "setup-1-amount": "",
            "setup-1-description": "",
        }
    )

    response = client.post(_url("model_decisions_edit", model_cd), data)

    assert response.status_code == 302
    inputs = DecisionInputs.objects.get(cost_model=model_cd)
    assert inputs.rate_uncertainty_percent == D(10)
    assert inputs.minutes_uncertainty_percent == D(20)
    lines = list(SetupCost.objects.filter(cost_model=model_cd).order_by("position"))
    assert [(line.kind, line.amount, line.hours) for line in lines] == [
        ("other", D("1000.00"), None),
        ("training", None, D("3.00")),
    ]
    settings = selectors.decision_settings(model_cd)
    model = selectors.engine_model(selectors.cost_model_with_rows(cost_model_id=model_cd.pk))
    result = analyse(model, engine.compare(model), settings)
    assert result.setup_total == D("1090.00")  # £1,000 + 3 hours at £30


def test_edit_form_get_shows_the_stored_values(client, admin, model_cd):
    client.force_login(admin)
    client.post(_url("model_decisions_edit", model_cd), _edit_data())

    response = client.get(_url("model_decisions_edit", model_cd))

    form = response.context["form"]
    assert response.status_code == 200
    assert form["rate_uncertainty_percent"].value() == D("10")
    assert response.context["setup"].forms[0]["amount"].value() == D("1000.00")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("inputs-rate_percent", "-5", "A percentage cannot be negative."),
        ("inputs-rate_percent", "1000000000", "A percentage is at most 100."),
        ("inputs-patients_percent", "twenty", "Enter a percentage as a number"),
        ("inputs-draws", "1000000000", "At most 20,000."),
        ("inputs-draws", "lots", "Enter a whole number from 100 to 20,000."),
        ("inputs-seed", "-1", "At least 0."),
        ("inputs-gp_appointment_minutes", "0", "An appointment is at least 1 minute."),
        ("inputs-nurse_appointment_minutes", "1000000000", "At most 480 minutes."),
        ("setup-0-amount", "-1", "An amount cannot be negative."),
        ("setup-0-amount", "1000000000", "check for a typo"),
        ("setup-0-amount", "a lot", "Enter an amount in pounds"),
    ],
)
def test_edit_form_bad_input_gives_a_message_and_saves_nothing(client, admin, model_cd, field, value, message):
    client.force_login(admin)

    response = client.post(_url("model_decisions_edit", model_cd), _edit_data(**{field: value}))

    assert response.status_code == 422
    assert message in response.content.decode()
    assert "Nothing was saved" in response.content.decode()
    assert not DecisionInputs.objects.exists()
    assert not SetupCost.objects.exists()


def test_edit_form_refuses_negative_hours_and_hours_without_a_role(client, admin, model_cd, practice):
    role = StaffRoleFactory(practice=practice)
    client.force_login(admin)
    bad = _edit_data(
        **{
            "setup-TOTAL_FORMS": "3",
            "setup-1-kind": "training",
            "setup-1-role": str(role.pk),
            "setup-1-hours": "-2",
            "setup-2-kind": "admin",
            "setup-2-hours": "4",
        }
    )

    response = client.post(_url("model_decisions_edit", model_cd), bad)

    html = response.content.decode()
    assert response.status_code == 422
    assert "Hours cannot be negative." in html
    assert "Choose whose time these hours are." in html
    assert not SetupCost.objects.exists()


def test_edit_form_refuses_another_practices_role(client, admin, model_cd):
    elsewhere = StaffRoleFactory(practice=PracticeFactory())
    client.force_login(admin)
    data = _edit_data(
        **{"setup-0-kind": "training", "setup-0-role": str(elsewhere.pk), "setup-0-hours": "2", "setup-0-amount": ""}
    )

    response = client.post(_url("model_decisions_edit", model_cd), data)

    assert response.status_code == 422
    assert "Choose one of this practice&#x27;s staff roles." in response.content.decode()
    assert not SetupCost.objects.exists()


def test_edit_form_ignores_blank_new_lines_and_removes_ticked_ones(client, admin, model_cd):
    client.force_login(admin)
    client.post(_url("model_decisions_edit", model_cd), _edit_data())
    data = _edit_data(
        **{
            "setup-TOTAL_FORMS": "2",
            "setup-INITIAL_FORMS": "1",
            "setup-0-DELETE": "on",
            "setup-1-kind": "training",
        }
    )

    response = client.post(_url("model_decisions_edit", model_cd), data)

    assert response.status_code == 302
    assert not SetupCost.objects.filter(cost_model=model_cd).exists()


def test_edit_by_practice_staff_is_403(client, staff, model_cd):
    client.force_login(staff)

    assert client.get(_url("model_decisions_edit", model_cd)).status_code == 403
    assert client.post(_url("model_decisions_edit", model_cd), _edit_data()).status_code == 403
    assert not DecisionInputs.objects.exists()


def test_decision_pages_for_an_outsider_are_404(client, outsider, model_cd):
    client.force_login(outsider)

    for name in ("model_decisions", "model_decisions_edit"):
        assert client.get(_url(name, model_cd)).status_code == 404
        assert client.post(_url(name, model_cd), _edit_data()).status_code == 404
    assert client.get(reverse("cohort_estimator", args=[model_cd.practice.ods_code])).status_code == 404
    assert not DecisionInputs.objects.exists()


def test_decisions_page_refuses_post_with_405(client, admin, model_cd):
    client.force_login(admin)

    assert client.post(_url("model_decisions", model_cd)).status_code == 405


# ------------------------------------------------------------------- estimator


def test_estimator_prefills_the_list_size_and_lists_conditions_without_prevalence(client, staff, practice):
    client.force_login(staff)

    response = client.get(reverse("cohort_estimator", args=[practice.ods_code]))

    html = response.content.decode()
    estimates = {e.code: e for e in response.context["estimates"].conditions}
    assert response.status_code == 200
    assert response.context["form"]["list_size"].value() == 9699
    assert estimates["HYP"].register == 1368  # 9,699 x 14.1 % (QOF 2019-20, whole list) = 1,367.559
    assert estimates["HYP"].patients_per_month == 114
    assert "No prevalence available" in html
    assert "Coronary heart disease" in [c.name for c in response.context["missing"]]


def test_estimator_uses_entered_register_counts(client, staff, practice):
    client.force_login(staff)

    response = client.get(
        reverse("cohort_estimator", args=[practice.ods_code]), {"list_size": "10000", "register_DM": "720"}
    )

    estimates = {e.code: e for e in response.context["estimates"].conditions}
    assert estimates["DM"].register == 720
    assert estimates["DM"].patients_per_month == 60
    assert estimates["HYP"].register == 1410
    assert "Diabetes mellitus (aged 17+)" not in [c.name for c in response.context["missing"]]


@pytest.mark.parametrize("value", ["-1", "1000000000", "lots"])
def test_estimator_bad_list_size_gives_a_message(client, staff, practice, value):
    client.force_login(staff)

    response = client.get(reverse("cohort_estimator", args=[practice.ods_code]), {"list_size": value})

    assert response.status_code == 200
    assert response.context["estimates"] is None
    assert "No estimate: correct the figures marked below." in response.content.decode()


# ------------------------------------------------------------------------- PDF


def _pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_pdf_has_decision_support_with_the_stored_inputs(client, admin, model_cd):
    client.force_login(admin)
    client.post(_url("model_decisions_edit", model_cd), _edit_data())

    response = client.get(reverse("model_pdf", args=[model_cd.practice.ods_code, model_cd.pk]))

    text = _pdf_text(response.content)
    assert response.status_code == 200
    assert "Decision support" in text
    assert "Routine review: minutes" in text
    assert "Repays in 1.5 months: within 2 months." in text
    flat = " ".join(text.split())
    assert "based on 2,000 simulated variations of the model" in flat
    assert "the change saves money in 100.0% of them" in flat
    assert "Seed" not in flat and "Draws" not in flat
    assert "69.5" in text  # GP appointments freed a month


def test_pdf_of_a_model_file_has_decision_support_with_the_defaults(example_cd):
    from reports.pdf import ReportSubject, render_pdf

    text = _pdf_text(render_pdf(example_cd, ReportSubject(model_name=example_cd.name)))

    assert "Decision support" in text
    assert "Routine review: minutes" in text
    assert "Nothing to repay: there is no set-up cost." in text
    assert "No uncertainty is stated" in text


def test_decisions_page_of_a_per_patient_model_repays_in_patients(client, admin, practice, example_b):
    model_b = cost_model_import(practice=practice, model=example_b, by=None)
    client.force_login(admin)
    client.post(_url("model_decisions_edit", model_b), _edit_data(**{"setup-0-amount": "136.70"}))

    response = client.get(_url("model_decisions", model_b))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Repays after 10 patients go through the new process (£13.67 saved each)." in html
    assert response.context["r"].capacity.fte_freed is None


def test_decisions_page_of_an_empty_model_answers(client, admin, practice):
    from tests.factories import CostModelFactory

    empty = CostModelFactory(practice=practice)
    client.force_login(admin)

    response = client.get(_url("model_decisions", empty))

    assert response.status_code == 200
    assert "Never repays" in response.content.decode() or "Nothing to repay" in response.content.decode()


def test_decisions_page_is_cached_by_the_model_version_and_settings(
    client, staff, model_cd, monkeypatch, django_capture_on_commit_callbacks
):
    # Arrange: the page once, its analysis cached when the request's work is committed
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.get(_url("model_decisions", model_cd))
    monkeypatch.setattr(selectors, "analyse", lambda *args: pytest.fail("analysed again"))

    # Act
    second = client.get(_url("model_decisions", model_cd))

    # Assert: the same figures without costing; a new version or other settings are another key
    assert second.status_code == 200
    assert second.context["r"] == first.context["r"]
    settings = selectors.decision_settings(model_cd)
    key = selectors.decisions_key(model_cd, settings)
    model_cd.version += 1
    assert selectors.decisions_key(model_cd, settings) != key
    model_cd.version -= 1
    assert selectors.decisions_key(model_cd, DecisionSettings(draws=100)) != key


def test_decisions_page_serves_when_the_cache_fails(
    client, staff, model_cd, monkeypatch, django_capture_on_commit_callbacks
):
    # Arrange: a cache that can neither read nor write
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(selectors.cache, "get", broken)
    monkeypatch.setattr(selectors.cache, "set", broken)
    client.force_login(staff)

    # Act
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(_url("model_decisions", model_cd))

    # Assert: the page, costed afresh
    assert response.status_code == 200
    assert response.context["r"].comparison.saving == engine.compare(selectors.engine_model(model_cd)).saving


def test_a_scenarios_cached_analysis_is_keyed_by_its_base_version_too(model_cd):
    # Arrange: a scenario of example C/D (patients x 2)
    from costing import whatif
    from pathways import services
    from pathways.models import CostModel

    scenario = services.scenario_save(
        cost_model=model_cd,
        model=selectors.engine_model(model_cd),
        changes=whatif.WhatIf(patient_scale=D(2)),
        name="Twice the patients",
        by=None,
    )
    settings = DecisionSettings()
    key = selectors.decisions_key(CostModel.objects.get(pk=scenario.pk), settings)

    # Act: the base gets a new version (an edit to it reaches the scenario)
    CostModel.objects.filter(pk=model_cd.pk).update(version=model_cd.version + 1)

    # Assert
    assert selectors.decisions_key(CostModel.objects.get(pk=scenario.pk), settings) != key


def test_decisions_page_states_an_extra_cost_as_an_amount_not_a_negative_one(client, staff, practice, example_cd):
    from dataclasses import replace

    dearer = cost_model_import(
        practice=practice, model=replace(example_cd, before=example_cd.after, after=example_cd.before), by=None
    )
    client.force_login(staff)

    html = client.get(_url("model_decisions", dearer)).content.decode()

    lead = html[html.index('data-testid="base-saving"') :].split("</p>")[0]
    assert "an extra cost of <strong>£677.03</strong>" in lead
    assert "−" not in lead  # neither the amount nor its percentage
