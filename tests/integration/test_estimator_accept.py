"""The cohort estimator's proposal accepted: cohorts created in a new or existing model, all or nothing."""

from decimal import Decimal as D

import pytest
from django.urls import reverse

from pathways import selectors
from pathways.models import Cohort, Condition, CostModel
from pathways.services import cost_model_import
from practices.models import Membership
from tests.factories import MembershipFactory, PracticeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def practice():
    return PracticeFactory(ods_code="C82002", list_size=10000)


@pytest.fixture
def model_b(practice, example_b):
    """Example B's pathways (dm, chd, copd, csp) in the practice, in a model of its own."""
    return cost_model_import(practice=practice, model=example_b, by=None)


@pytest.fixture
def prevalence():
    """Fixed figures, whatever the reference data says: diabetes of patients aged 17+, the rest of the list."""
    Condition.objects.update(prevalence_percent=None, denominator_min_age=None)
    Condition.objects.filter(code="DM").update(prevalence_percent=D("7.7"), denominator_min_age=17)
    Condition.objects.filter(code="HYP").update(prevalence_percent=D("14.8"))
    Condition.objects.filter(code="COPD").update(prevalence_percent=D("1.9"))


@pytest.fixture
def admin(practice):
    return MembershipFactory(practice=practice, role=Membership.Role.ADMIN).user


def _pathway(model, key):
    return next(
        c.pathway for c in Cohort.objects.filter(cost_model=model).select_related("pathway") if c.pathway.key == key
    )


def _data(model_b, **overrides) -> dict:
    data = {
        "list_size": "10000",
        "list_aged_17": "8000",
        "pathway_DM": _pathway(model_b, "dm").pk,
        "pathway_HYP": _pathway(model_b, "chd").pk,
        "pathway_COPD": _pathway(model_b, "copd").pk,
        "after": "none",
        "target": "new",
        "name": "From registers",
        "period": "year",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _accept(client, practice, data):
    return client.post(reverse("cohort_estimate_accept", args=[practice.ods_code]), data)


def test_estimator_page_applies_diabetes_to_the_17_plus_list_and_says_reviews_not_people(
    client, admin, practice, prevalence
):
    client.force_login(admin)

    response = client.get(
        reverse("cohort_estimator", args=[practice.ods_code]), {"list_size": "10000", "list_aged_17": "8000"}
    )

    html = response.content.decode()
    estimates = {e.code: e for e in response.context["estimates"].conditions}
    assert estimates["DM"].register == 616  # 8,000 x 7.7 %, not 10,000 x 7.7 %
    assert estimates["DM"].denominator.label == "list aged 17+"
    assert estimates["HYP"].register == 1480
    assert "list aged 17+ (8000)" in html
    assert "Reviews, not people." in html
    assert "up to 2286" in html
    assert response.context["accept"] is not None


def test_estimator_page_without_the_age_band_does_not_estimate_diabetes(client, admin, practice, prevalence):
    client.force_login(admin)

    response = client.get(reverse("cohort_estimator", args=[practice.ods_code]), {"list_size": "10000"})

    assert "DM" not in {e.code for e in response.context["estimates"].conditions}
    assert "list aged 17+" in response.content.decode()
    assert response.context["needs_age_list"][0][1] == 17


def test_staff_see_the_proposal_without_the_accept_form(client, practice, prevalence):
    client.force_login(MembershipFactory(practice=practice, role=Membership.Role.STAFF).user)

    response = client.get(reverse("cohort_estimator", args=[practice.ods_code]), {"list_size": "10000"})

    assert response.status_code == 200
    assert response.context["accept"] is None
    assert reverse("cohort_estimate_accept", args=[practice.ods_code]) not in response.content.decode()


def test_accept_creates_a_new_model_with_one_review_cohort_per_register(client, admin, practice, model_b, prevalence):
    client.force_login(admin)

    response = _accept(client, practice, _data(model_b))

    created = CostModel.objects.get(practice=practice, name="From registers")
    assert response.status_code == 302
    assert response.url == created.get_absolute_url()
    before = list(created.cohorts.filter(side="before").order_by("position"))
    assert [(c.label, c.patients, c.pathway.key) for c in before] == [
        ("Chronic obstructive pulmonary disease: review", 190, "copd"),
        ("Diabetes mellitus (aged 17+): review", 616, "dm"),
        ("Hypertension: review", 1480, "chd"),
    ]
    assert [list(c.conditions.values_list("code", flat=True)) for c in before] == [["COPD"], ["DM"], ["HYP"]]
    assert created.period == "year"
    assert "count reviews, one per register, not people" in created.description
    assert "up to 2,286" in created.description
    assert created.history.first().history_user == admin
    assert before[0].history.first().history_user == admin
    assert selectors.compare_cost_model(created).before.reviews == 2286


def test_accept_everyone_after_with_the_practices_people(client, admin, practice, model_b, prevalence):
    client.force_login(admin)
    csp = _pathway(model_b, "csp")

    response = _accept(
        client, practice, _data(model_b, people="1900", after="one", after_pathway=csp.pk, period="month")
    )

    created = CostModel.objects.get(name="From registers")
    assert response.status_code == 302
    (after,) = created.cohorts.filter(side="after")
    assert (after.label, after.patients, after.pathway_id) == ("Care and support planning", 158, csp.pk)  # 1,900 / 12
    assert list(created.cohorts.filter(side="before").values_list("patients", flat=True)) == [16, 51, 123]


def test_accept_split_after_side_needs_people_on_two_or_more(client, admin, practice, model_b, prevalence):
    client.force_login(admin)
    csp = _pathway(model_b, "csp")

    refused = _accept(client, practice, _data(model_b, after="split", after_pathway=csp.pk, after_pathway_multi=csp.pk))
    accepted = _accept(
        client,
        practice,
        _data(
            model_b, people="1900", multimorbid="350", after="split", after_pathway=csp.pk, after_pathway_multi=csp.pk
        ),
    )

    assert refused.status_code == 422
    assert "To split the after side" in refused.content.decode()
    assert accepted.status_code == 302
    created = CostModel.objects.get(name="From registers")
    assert list(created.cohorts.filter(side="after").values_list("patients", flat=True)) == [1550, 350]


def test_accept_into_an_existing_model_adds_cohorts_and_a_note(client, admin, practice, model_b, prevalence):
    client.force_login(admin)
    yearly = cost_model_import(practice=practice, model=model_b_engine(model_b), by=None, name="Yearly")
    CostModel.objects.filter(pk=yearly.pk).update(period="year")
    kept = yearly.cohorts.count()
    version = CostModel.objects.get(pk=yearly.pk).version

    response = _accept(client, practice, _data(model_b, target=str(yearly.pk), pathway_HYP="", pathway_COPD=""))

    yearly.refresh_from_db()
    assert response.status_code == 302
    assert yearly.cohorts.count() == kept + 1
    assert yearly.cohorts.filter(side="before").order_by("-position").first().patients == 616
    assert yearly.version == version + 1
    assert "From the cohort estimator" in yearly.description


def model_b_engine(model_b):
    return selectors.engine_model(model_b)


def test_accept_refuses_a_per_patient_model_and_writes_nothing(client, admin, practice, model_b, prevalence):
    client.force_login(admin)
    before = Cohort.objects.count()

    response = _accept(client, practice, _data(model_b, target=str(model_b.pk)))  # example B is "per patient"

    assert response.status_code == 422
    assert "counts one patient" in response.content.decode()
    assert Cohort.objects.count() == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"pathway_DM": "", "pathway_HYP": "", "pathway_COPD": ""}, "__all__"),
        ({"name": ""}, "name"),
        ({"pathway_DM": "999999999"}, "pathway_DM"),
        ({"after": "one"}, "after_pathway"),
        ({"target": "12345678"}, "target"),
    ],
)
def test_accept_bad_choices_get_a_message_and_write_nothing(
    client, admin, practice, model_b, prevalence, overrides, field
):
    client.force_login(admin)
    models = CostModel.objects.count()

    response = _accept(client, practice, _data(model_b, **overrides))

    assert response.status_code == 422
    assert field in response.context["accept"].errors
    assert CostModel.objects.count() == models


def test_accept_with_people_the_registers_rule_out_gets_a_message(client, admin, practice, model_b, prevalence):
    client.force_login(admin)

    response = _accept(client, practice, _data(model_b, people="3000"))

    assert response.status_code == 422
    assert "More people (3,000) than register entries (2,286)" in response.content.decode()
    assert not CostModel.objects.filter(name="From registers").exists()


def test_accept_refuses_another_practices_pathway(client, admin, practice, model_b, example_b, prevalence):
    other = cost_model_import(practice=PracticeFactory(), model=example_b, by=None)
    client.force_login(admin)

    response = _accept(client, practice, _data(model_b, pathway_DM=_pathway(other, "dm").pk))

    assert response.status_code == 422
    assert "pathway_DM" in response.context["accept"].errors
    assert not CostModel.objects.filter(name="From registers").exists()


def test_accept_by_staff_is_403_and_get_is_405(client, practice, model_b, prevalence):
    staff = MembershipFactory(practice=practice, role=Membership.Role.STAFF).user
    client.force_login(staff)

    assert _accept(client, practice, _data(model_b)).status_code == 403
    assert not CostModel.objects.filter(name="From registers").exists()
    admin = MembershipFactory(practice=practice, role=Membership.Role.ADMIN).user
    client.force_login(admin)
    assert client.get(reverse("cohort_estimate_accept", args=[practice.ods_code])).status_code == 405
