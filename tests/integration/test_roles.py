"""The staff roles screens: list, create, edit, delete; the pickers; bad input; who may do what."""

import json
from decimal import Decimal as D

import pytest
from django.db import IntegrityError
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from costing.models import OnCostRate
from costing.reference import employer_on_cost_percent
from practices.models import FacilitatorAssignment, Membership, StaffRole
from tests.factories import FacilitatorFactory, MembershipFactory, PracticeFactory, StaffRoleFactory, StageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def practice():
    return PracticeFactory(ods_code="A81001", name="Riverside Surgery")


@pytest.fixture
def admin(practice):
    return MembershipFactory(practice=practice, role=Membership.Role.ADMIN).user


@pytest.fixture
def staff(practice):
    return MembershipFactory(practice=practice, role=Membership.Role.STAFF).user


@pytest.fixture
def outsider():
    return MembershipFactory(role=Membership.Role.ADMIN).user


@pytest.fixture
def nurse(practice):
    return StaffRoleFactory(
        practice=practice,
        key="pn",
        name="Practice nurse",
        band="AfC 5",
        cost_per_hour=None,
        annual_salary=D("33000"),
        on_cost_percent=D("28.5"),
        paid_hours_per_year=D("1950"),
        cost_basis="salary_on_costs",
    )


@pytest.fixture
def hca(practice):
    return StaffRoleFactory(
        practice=practice, key="hca", name="Healthcare assistant", cost_per_hour=D("12.50"), cost_basis="salary_only"
    )


def url(name, practice, role=None):
    args = [practice.ods_code] if role is None else [practice.ods_code, role.pk]
    return reverse(name, args=args)


def _opened(role) -> dict:
    """The hidden version of an editor opened now."""
    return {"version": str(StaffRole.objects.get(pk=role.pk).version)}


def role_data(**changes):
    data = {
        "name": "Practice nurse",
        "key": "",
        "band": "AfC 5",
        "entry_method": "hourly",
        "cost_per_hour": "21.75",
        "annual_salary": "",
        "on_cost_percent": "",
        "paid_hours_per_year": "",
        "cost_basis": "salary_on_costs",
    }
    data.update(changes)
    return data


SALARY = {"entry_method": "salary", "annual_salary": "33000", "on_cost_percent": "28.5", "paid_hours_per_year": "1950"}


def reference_json(response) -> dict:
    html = response.content.decode()
    start = html.index('<script id="role-reference" type="application/json">') + len(
        '<script id="role-reference" type="application/json">'
    )
    return json.loads(html[start : html.index("</script>", start)])


# ------------------------------------------------------------------------------ list


def test_role_list_shows_each_roles_rates_basis_salary_and_pathway_count(client, staff, practice, nurse, hca):
    StageFactory(pathway__practice=practice, role=nurse)
    StageFactory(pathway__practice=practice, role=nurse)
    client.force_login(staff)

    response = client.get(url("role_list", practice))

    assert response.status_code == 200
    html = response.content.decode()
    # 33,000 x 1.285 / 1,950 = 21.7461... an hour; / 60 = 0.3624... a minute
    assert "£21.75" in html
    assert "£0.3624" in html
    assert "salary + employer on-costs" in html
    assert "£33,000 a year + 28.5% on-costs ÷ 1,950 paid hours" in html
    assert "£12.50" in html
    assert "£0.2083" in html
    assert "salary only" in html
    assert [row.role.key for row in response.context["rows"]] == ["hca", "pn"]  # by name
    rows = {row.role.key: row for row in response.context["rows"]}
    assert rows["pn"].pathway_count == 2
    assert rows["hca"].pathway_count == 0


def test_role_list_by_practice_staff_has_no_edit_or_delete_buttons(client, staff, practice, nurse):
    client.force_login(staff)

    response = client.get(url("role_list", practice))

    assertNotContains(response, url("role_edit", practice, nurse))
    assertNotContains(response, url("role_delete", practice, nurse))
    assertNotContains(response, url("role_create", practice))


def test_role_list_by_practice_admin_has_edit_and_delete_buttons(client, admin, practice, nurse):
    client.force_login(admin)

    response = client.get(url("role_list", practice))

    assertContains(response, url("role_edit", practice, nurse))
    assertContains(response, url("role_delete", practice, nurse))
    assertContains(response, url("role_create", practice))


def test_role_names_are_shown_escaped(client, admin, practice):
    StaffRoleFactory(practice=practice, name="<script>alert('x')</script> Ñurse 看护", band="<b>6</b>")
    client.force_login(admin)

    response = client.get(url("role_list", practice))

    html = response.content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; Ñurse 看护" in html
    assert "&lt;b&gt;6&lt;/b&gt;" in html


# ---------------------------------------------------------------------------- create


def test_role_create_with_a_cost_per_hour(client, admin, practice):
    client.force_login(admin)

    response = client.post(url("role_create", practice), role_data(name="Healthcare assistant", cost_per_hour="£14"))

    assert response.status_code == 302
    assert response.url == url("role_list", practice)
    role = StaffRole.objects.get(practice=practice)
    assert role.key == "healthcare-assistant"  # made from the name
    assert role.cost_per_hour == D("14")
    assert role.annual_salary is role.on_cost_percent is role.paid_hours_per_year is None
    page = client.get(response.url).content.decode()
    assert "Saved “Healthcare assistant”: £14.00 an hour, £0.2333 a minute — salary + employer on-costs." in page


def test_role_create_with_a_salary_gives_the_engines_cost_per_hour(client, admin, practice):
    client.force_login(admin)

    response = client.post(url("role_create", practice), role_data(key="pn", cost_per_hour="99", **SALARY))

    assert response.status_code == 302
    role = StaffRole.objects.get(practice=practice, key="pn")
    assert role.cost_per_hour is None  # the other way of entering the cost is cleared
    assert (role.annual_salary, role.on_cost_percent, role.paid_hours_per_year) == (D(33000), D("28.5"), D(1950))
    assert role.cost_basis == "salary_on_costs"
    assert role.as_engine_role().hourly_rate == D("21.75")
    assertContains(client.get(response.url), "£21.75 an hour, £0.3624 a minute — salary + employer on-costs")


def test_role_create_with_a_cost_per_hour_clears_the_salary_fields(client, admin, practice):
    client.force_login(admin)

    client.post(url("role_create", practice), role_data(annual_salary="abc", on_cost_percent="-5"))

    role = StaffRole.objects.get(practice=practice)
    assert role.cost_per_hour == D("21.75")
    assert role.annual_salary is None


def test_role_key_clash_in_the_practice_is_refused_with_a_message(client, admin, practice, nurse):
    client.force_login(admin)

    response = client.post(url("role_create", practice), role_data(key="pn"))

    assert response.status_code == 200
    assertContains(response, "Another role at this practice, “Practice nurse”, has the key “pn”: choose another key.")
    assert StaffRole.objects.filter(practice=practice).count() == 1


def test_role_key_made_from_the_name_clashes_with_a_message(client, admin, practice, hca):
    client.force_login(admin)

    response = client.post(url("role_create", practice), role_data(name="HCA"))

    assertContains(response, "has the key “hca”")
    assert StaffRole.objects.filter(practice=practice).count() == 1


def test_the_same_key_at_another_practice_is_fine(client, admin, practice):
    StaffRoleFactory(key="pn")
    client.force_login(admin)

    response = client.post(url("role_create", practice), role_data(key="pn"))

    assert response.status_code == 302
    assert StaffRole.objects.filter(practice=practice, key="pn").exists()


# --------------------------------------------------------------------- the pickers


def test_pay_band_json_holds_the_2025_26_band_6_entry_salary(client, admin, practice):
    client.force_login(admin)

    response = client.get(url("role_create", practice))

    reference = reference_json(response)
    scale = next(s for s in reference["scales"] if s["key"] == "afc-2025-26")
    band6 = next(b for b in scale["bands"] if b["band"] == "6")
    assert band6["points"]["entry"]["annual_salary"] == "38682"
    assert band6["points"]["entry"]["label"] == "Entry (£38,682)"
    assert band6["band_text"] == "AfC 6"
    assert reference["paid_hours_per_year"] == "1950"
    # (38,682 - 5,000) x 15% / 38,682 + 14.38% = 27.441%
    assert band6["points"]["entry"]["on_cost_percent"] == "27.441"
    assert any(u["cost_per_hour"] == "47.00" for u in reference["unit_costs"])


def test_on_costs_of_a_2025_26_salary_use_the_2025_26_rates():
    rate = OnCostRate.objects.get(year="2025/26")

    on_costs = employer_on_cost_percent(
        D("46580"),
        ni_percent=rate.employer_ni_percent,
        ni_threshold=rate.ni_secondary_threshold,
        pension_percent=rate.pension_employer_percent,
    )

    # NI: (46,580 - 5,000) x 15% = 6,237 = 13.390% of 46,580; pension 14.38%.
    assert on_costs == D("27.770")


def test_pay_band_picker_without_javascript_fills_the_form(client, admin, practice):
    client.force_login(admin)

    response = client.get(
        url("role_create", practice), {"payband-scale": "afc-2017-18", "payband-band": "6", "payband-point": "top"}
    )

    form = response.context["form"]
    assert form.initial["annual_salary"] == "35577"
    # (35,577 - 8,164) x 13.8% / 35,577 + 14.38% (the 2017/18 rates)
    assert form.initial["on_cost_percent"] == "25.013"
    assert form.initial["paid_hours_per_year"] == "1950"
    assert form.initial["band"] == "AfC 6"
    assert form.initial["entry_method"] == "salary"
    assert form.initial["cost_basis"] == "salary_on_costs"
    assertContains(response, "Filled in from Agenda for Change 2017/18 (England), band 6, top of band (£35,577).")


def test_unit_cost_picker_without_javascript_fills_a_full_unit_cost(client, admin, practice):
    client.force_login(admin)
    option = next(
        u for u in reference_json(client.get(url("role_create", practice)))["unit_costs"] if ":q" in u["value"]
    )

    response = client.get(url("role_create", practice), {"unitcost-option": option["value"]})

    form = response.context["form"]
    assert form.initial["cost_per_hour"] == option["cost_per_hour"]
    assert form.initial["cost_basis"] == "full_unit_cost"
    assert form.initial["entry_method"] == "hourly"


@pytest.mark.parametrize(
    "query",
    [
        {"payband-scale": "nope", "payband-band": "6", "payband-point": "entry"},
        {"payband-scale": "afc-2025-26", "payband-band": "9z", "payband-point": "entry"},
        {"payband-scale": "afc-2025-26", "payband-band": "6", "payband-point": "x" * 5000},
        {"unitcost-option": "999999:q"},
        {"unitcost-option": "<script>"},
    ],
)
def test_picker_nonsense_in_the_query_fills_nothing_and_is_no_500(client, admin, practice, query):
    client.force_login(admin)

    response = client.get(url("role_create", practice), query)

    assert response.status_code == 200
    assert response.context["filled_from"] == ""
    assertNotContains(response, "<script>")


def test_role_form_page_has_no_inline_script_and_loads_roles_js(client, admin, practice):
    client.force_login(admin)

    html = client.get(url("role_create", practice)).content.decode()

    assert "/static/js/roles.js" in html
    assert 'aria-live="polite"' in html
    scripts = html.split("<script")[1:]
    assert all(s.lstrip().startswith(('id="role-reference" type="application/json"', "src=")) for s in scripts)
    assert " onclick=" not in html and " onchange=" not in html and " onsubmit=" not in html


# ------------------------------------------------------------------------------ edit


def test_role_edit_shows_the_role_and_saves_a_change(client, admin, practice, nurse):
    client.force_login(admin)

    page = client.get(url("role_edit", practice, nurse))
    assert page.status_code == 200
    assert page.context["form"].initial["annual_salary"] == "33000"
    assert page.context["form"].initial["on_cost_percent"] == "28.5"
    assert page.context["form"].initial["entry_method"] == "salary"
    assertContains(page, "Saved rate: £21.75 an hour, £0.3624 a minute — salary + employer on-costs.")

    response = client.post(
        url("role_edit", practice, nurse),
        _opened(nurse)
        | role_data(name="Senior nurse", key="pn", band="AfC 6", cost_per_hour="30", cost_basis="full_unit_cost"),
    )

    assert response.status_code == 302
    nurse.refresh_from_db()
    assert (nurse.name, nurse.key, nurse.band, nurse.cost_basis) == ("Senior nurse", "pn", "AfC 6", "full_unit_cost")
    assert nurse.cost_per_hour == D(30)
    assert nurse.annual_salary is nurse.on_cost_percent is nurse.paid_hours_per_year is None


def test_role_edit_keeping_its_own_key_is_no_clash(client, admin, practice, nurse):
    client.force_login(admin)

    response = client.post(url("role_edit", practice, nurse), _opened(nurse) | role_data(key="pn", **SALARY))

    assert response.status_code == 302


def test_role_edit_to_another_roles_key_is_refused(client, admin, practice, nurse, hca):
    client.force_login(admin)

    response = client.post(url("role_edit", practice, nurse), _opened(nurse) | role_data(key="hca"))

    assertContains(response, "has the key “hca”")
    nurse.refresh_from_db()
    assert nurse.key == "pn"


# ---------------------------------------------------------------------------- delete


def test_role_delete_is_refused_while_a_stage_uses_it(client, admin, practice, nurse):
    StageFactory(pathway__practice=practice, role=nurse, pathway__name="Diabetes annual review")
    client.force_login(admin)

    response = client.post(url("role_delete", practice, nurse), follow=True)

    assert StaffRole.objects.filter(pk=nurse.pk).exists()
    assertContains(
        response,
        "“Practice nurse” was not deleted: 1 stage use it, in “Diabetes annual review”. "
        "Give those stages another role first, then delete it.",
    )


def test_role_edit_page_says_which_pathways_use_the_role(client, admin, practice, nurse):
    StageFactory(pathway__practice=practice, role=nurse, pathway__name="Diabetes annual review")
    client.force_login(admin)

    response = client.get(url("role_edit", practice, nurse))

    assertContains(response, "Used by 1 stage, in “Diabetes annual review”.")
    assertContains(response, "It cannot be deleted while stages use it.")


def test_a_key_taken_at_the_moment_of_saving_is_a_message_not_a_500(client, admin, practice, monkeypatch):
    def taken_meanwhile(**kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr("practices.services.roles.staff_role_create", taken_meanwhile)
    client.force_login(admin)

    response = client.post(url("role_create", practice), role_data(key="pn"))

    assert response.status_code == 200
    assertContains(response, "Another role at this practice has this key: choose another key.")


def test_role_delete_of_an_unused_role(client, admin, practice, nurse):
    client.force_login(admin)

    response = client.post(url("role_delete", practice, nurse), follow=True)

    assert not StaffRole.objects.filter(pk=nurse.pk).exists()
    assertContains(response, "Deleted the role “Practice nurse”.")


def test_role_delete_by_get_is_not_allowed_and_deletes_nothing(client, admin, practice, nurse):
    client.force_login(admin)

    response = client.get(url("role_delete", practice, nurse))

    assert response.status_code == 405
    assert StaffRole.objects.filter(pk=nurse.pk).exists()


# ------------------------------------------------------------------ who may do what


def test_role_create_edit_delete_by_practice_staff_is_403(client, staff, practice, nurse):
    client.force_login(staff)

    assert client.get(url("role_list", practice)).status_code == 200
    assert client.get(url("role_create", practice)).status_code == 403
    assert client.post(url("role_create", practice), role_data(key="new")).status_code == 403
    assert client.get(url("role_edit", practice, nurse)).status_code == 403
    assert (
        client.post(url("role_edit", practice, nurse), _opened(nurse) | role_data(key="pn", name="Changed")).status_code
        == 403
    )
    assert client.post(url("role_delete", practice, nurse)).status_code == 403
    nurse.refresh_from_db()
    assert nurse.name == "Practice nurse"
    assert StaffRole.objects.filter(practice=practice).count() == 1


def test_role_pages_for_an_outsider_are_404(client, outsider, practice, nurse):
    client.force_login(outsider)

    for name, role in (("role_list", None), ("role_create", None), ("role_edit", nurse), ("role_delete", nurse)):
        assert client.get(url(name, practice, role)).status_code == 404, name
        assert client.post(url(name, practice, role), role_data(key="x")).status_code == 404, name
    assert StaffRole.objects.filter(practice=practice).count() == 1


def test_role_pages_for_an_unassigned_facilitator_are_404_and_for_an_assigned_one_work(client, practice, nurse):
    unassigned = FacilitatorFactory().user
    assigned = FacilitatorFactory()
    FacilitatorAssignment.objects.create(facilitator=assigned, practice=practice)

    client.force_login(unassigned)
    assert client.get(url("role_edit", practice, nurse)).status_code == 404
    client.force_login(assigned.user)
    assert client.get(url("role_edit", practice, nurse)).status_code == 200


def test_role_pages_send_anonymous_users_to_login(client, practice, nurse):
    for name, role in (("role_list", None), ("role_create", None), ("role_edit", nurse), ("role_delete", nurse)):
        response = client.post(url(name, practice, role))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_role_of_another_practice_under_my_practices_url_is_404(client, admin, practice):
    theirs = StaffRoleFactory(name="Their nurse")
    client.force_login(admin)

    assert client.get(url("role_edit", practice, theirs)).status_code == 404
    assert client.post(url("role_edit", practice, theirs), _opened(theirs) | role_data(key="x")).status_code == 404
    assert client.post(url("role_delete", practice, theirs)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "Their nurse"


# ---------------------------------------------------------------------- bad input

TOO_LONG = "x" * 5000


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"cost_per_hour": "-1"}, "cost_per_hour", "A cost per hour cannot be negative."),
        ({"cost_per_hour": "abc"}, "cost_per_hour", "Give the cost of one hour in pounds, e.g. 21.75."),
        ({"cost_per_hour": "1000.01"}, "cost_per_hour", "A cost per hour over £1,000 is surely a typo."),
        ({"cost_per_hour": "NaN"}, "cost_per_hour", "Give the cost of one hour in pounds"),
        ({"cost_per_hour": "Infinity"}, "cost_per_hour", "Give the cost of one hour in pounds"),
        ({"cost_per_hour": "1e99999999999999999999"}, "cost_per_hour", "Give the cost of one hour in pounds"),
        ({"cost_per_hour": "9" * 5000}, "cost_per_hour", "A cost per hour over £1,000 is surely a typo."),
        ({"cost_per_hour": "21.123456"}, "cost_per_hour", "no more than 4 decimal places"),
        ({"cost_per_hour": ""}, "cost_per_hour", "Give the cost per hour, or choose to enter an annual salary."),
        ({**SALARY, "annual_salary": "1000000000"}, "annual_salary", "An annual salary over £1,000,000 is surely"),
        ({**SALARY, "annual_salary": "-33000"}, "annual_salary", "A salary cannot be negative."),
        ({**SALARY, "annual_salary": "thirty grand"}, "annual_salary", "Give the full-time annual salary in pounds"),
        ({**SALARY, "annual_salary": ""}, "annual_salary", "Give the annual salary, or choose to enter a cost"),
        ({**SALARY, "on_cost_percent": "-1"}, "on_cost_percent", "On-costs cannot be negative."),
        ({**SALARY, "on_cost_percent": "150"}, "on_cost_percent", "Employer on-costs over 100% are surely a typo"),
        ({**SALARY, "paid_hours_per_year": "0"}, "paid_hours_per_year", "Paid hours a year must be at least 1"),
        ({**SALARY, "paid_hours_per_year": "9000"}, "paid_hours_per_year", "A year has only 8,760 hours."),
        ({**SALARY, "paid_hours_per_year": "10"}, "paid_hours_per_year", "make £4,240.50 an hour, over the £1,000"),
        ({**SALARY, "cost_basis": "salary_only"}, "cost_basis", "“Salary only” means no employer on-costs"),
        ({"entry_method": "both"}, "entry_method", "Choose how to enter the cost."),
        ({"entry_method": ""}, "entry_method", "Choose how to enter the cost."),
        ({"cost_basis": ""}, "cost_basis", "Say what the cost includes."),
        ({"cost_basis": "<b>free</b>"}, "cost_basis", "Say what the cost includes."),
        ({"name": ""}, "name", "This field is required."),
        ({"name": TOO_LONG}, "name", "Ensure this value has at most 200 characters (it has 5000)."),
        ({"key": TOO_LONG}, "key", "Ensure this value has at most 50 characters (it has 5000)."),
        ({"key": "a b"}, "key", "Use letters, digits, &#x27;-&#x27; and &#x27;_&#x27; only."),
        ({"key": "<script>"}, "key", "Use letters, digits"),
        ({"key": "", "name": "看护 ✓"}, "key", "Give a key: the name has no letters or digits to make one from."),
        ({"band": TOO_LONG}, "band", "Ensure this value has at most 50 characters (it has 5000)."),
        ({"name": "nurse\x00"}, "name", "Null characters are not allowed."),
    ],
)
def test_role_create_with_bad_input_saves_nothing_and_says_why_beside_the_field(
    client, admin, practice, changes, field, message
):
    client.force_login(admin)

    response = client.post(url("role_create", practice), role_data(**{"key": "new", **changes}))

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assertContains(response, message)
    assertContains(response, f'id="error_1_id_{field}"')
    assert not StaffRole.objects.filter(practice=practice).exists()


def test_role_edit_with_bad_input_changes_nothing(client, admin, practice, nurse):
    client.force_login(admin)

    response = client.post(
        url("role_edit", practice, nurse),
        role_data(key="pn", name="<i>Changed</i>", **SALARY | {"annual_salary": "1e9"}),
    )

    assert response.status_code == 200
    assertContains(response, "An annual salary over £1,000,000 is surely a typo.")
    assertContains(response, "&lt;i&gt;Changed&lt;/i&gt;")
    nurse.refresh_from_db()
    assert nurse.name == "Practice nurse"
    assert nurse.annual_salary == D(33000)


def test_role_create_forgives_pound_signs_commas_and_percent_signs(client, admin, practice):
    client.force_login(admin)

    response = client.post(
        url("role_create", practice),
        role_data(
            key="pn",
            entry_method="salary",
            annual_salary="£33,000",
            on_cost_percent="28.5 %",
            paid_hours_per_year="1,950",
        ),
    )

    assert response.status_code == 302
    assert StaffRole.objects.get(practice=practice).as_engine_role().hourly_rate == D("21.75")


def test_role_create_with_a_unicode_name_keeps_it(client, admin, practice):
    client.force_login(admin)

    response = client.post(url("role_create", practice), role_data(name="Ñurse practitioner – 看护", key=""))

    assert response.status_code == 302
    role = StaffRole.objects.get(practice=practice)
    assert (role.name, role.key) == ("Ñurse practitioner – 看护", "nurse-practitioner")


def test_role_form_says_which_pension_rate_the_on_costs_use(client, admin, practice):
    client.force_login(admin)

    response = client.get(url("role_create", practice))

    rate = next(r for r in reference_json(response)["on_cost_rates"] if r["year"] == "2025/26")
    assert (rate["pension_employer_percent"], rate["pension_full_cost_percent"]) == ("14.38", "23.7")
    assertContains(response, "Which pension rate the on-costs use")
    assertContains(response, "The full employer cost to the NHS is 23.7%")


def test_pay_band_json_offers_the_2025_26_intermediate_point(client, admin, practice):
    client.force_login(admin)

    reference = reference_json(client.get(url("role_create", practice)))

    scale = next(s for s in reference["scales"] if s["key"] == "afc-2025-26")
    band7 = next(b for b in scale["bands"] if b["band"] == "7")
    band4 = next(b for b in scale["bands"] if b["band"] == "4")
    assert band7["point_order"] == ["entry", "intermediate", "top"]
    assert band7["points"]["intermediate"]["label"] == "Intermediate point (£50,273)"
    assert band4["point_order"] == ["entry", "top"]


def test_pay_band_picker_without_javascript_fills_an_intermediate_point(client, admin, practice):
    client.force_login(admin)

    response = client.get(
        url("role_create", practice),
        {"payband-scale": "afc-2025-26", "payband-band": "5", "payband-point": "intermediate"},
    )

    assert response.context["form"].initial["annual_salary"] == "33487"
    assertContains(
        response, "Filled in from Agenda for Change 2025/26 (England), band 5, intermediate point (£33,487)."
    )


def test_salaried_gp_picker_fills_the_2025_26_range_and_says_it_is_computed(client, admin, practice):
    client.force_login(admin)

    response = client.get(
        url("role_create", practice),
        {"payband-scale": "salaried-gp-2025-26", "payband-band": "GP", "payband-point": "maximum"},
    )

    form = response.context["form"]
    assert (form.initial["annual_salary"], form.initial["band"]) == ("114744", "Salaried GP")
    assert form.initial["on_cost_percent"] == "28.726"  # (114,744 - 5,000) x 15% / 114,744 + 14.38%
    assertContains(response, "Salaried GP pay range 2025/26 (England), computed, not published, salaried GP")
    assertContains(response, "Where these salaries come from")


def test_pay_band_picker_refuses_a_point_the_band_does_not_have(client, admin, practice):
    client.force_login(admin)

    response = client.get(
        url("role_create", practice),
        {"payband-scale": "afc-2025-26", "payband-band": "4", "payband-point": "intermediate"},
    )

    assert response.context["filled_from"] == ""
    assertContains(response, "Band 4: choose entry, top of band.")
