"""The pathway editor: create (blank or from a worked example), edit stages, reorder, remove, delete."""

import json
import re
from decimal import Decimal as D

import pytest
from django.urls import reverse

from costing import limits
from pathways.models import CostModel, Pathway, Stage
from pathways.selectors import compare_cost_model
from pathways.services import cost_model_import
from practices.models import Membership, StaffRole
from tests.factories import (
    CohortFactory,
    CostModelFactory,
    MembershipFactory,
    PathwayFactory,
    PracticeFactory,
    StaffRoleFactory,
    StageFactory,
)
from tests.factories.editor import pathway_post, stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def practice():
    return PracticeFactory(ods_code="A81001")


@pytest.fixture
def roles(practice):
    return {
        "admin": StaffRoleFactory(practice=practice, key="admin", name="Administrator", cost_per_hour=D("11.40")),
        "hca": StaffRoleFactory(practice=practice, key="hca", name="Healthcare assistant", cost_per_hour=D("12.00")),
        "np": StaffRoleFactory(practice=practice, key="np", name="Nurse practitioner", cost_per_hour=D("27.00")),
        "pn": StaffRoleFactory(practice=practice, key="pn", name="Practice nurse", cost_per_hour=D("18.60")),
    }


@pytest.fixture
def admin(client, practice):
    user = MembershipFactory(practice=practice, role=Membership.Role.ADMIN).user
    client.force_login(user)
    return user


@pytest.fixture
def dm(practice, roles):
    """Example B's diabetes review, stored directly."""
    pathway = PathwayFactory(practice=practice, key="dm", name="Diabetes review")
    for position, (name, step, role, minutes, visit) in enumerate(
        [
            ("Admin and recall", "recall", "admin", 7, None),
            ("Test taking", "information_gathering", "hca", 25, 1),
            ("Clinical review of tests", "clinical_review", "np", 2, None),
            ("Routine review", "review", "pn", 20, 2),
        ]
    ):
        StageFactory(
            pathway=pathway, position=position, name=name, step=step, role=roles[role], minutes=D(minutes), visit=visit
        )
    return pathway


def _rows(pathway):
    """The stages as stored, to compare before and after a request."""
    return list(
        Stage.objects.filter(pathway=pathway)
        .order_by("position", "id")
        .values_list("id", "position", "name", "step", "role_id", "minutes", "extra_cost", "visit")
    )


def _stage_rows(pathway):
    return [
        stage(s.name, s.step, s.role, s.minutes, s.extra_cost, s.visit, id=s.pk)
        for s in pathway.stages.order_by("position", "id")
    ]


def _edit_url(pathway):
    return reverse("pathway_edit", args=[pathway.practice.ods_code, pathway.pk])


def _opened(pathway) -> dict:
    """The hidden version of an editor opened now (a test that races sets its own)."""
    return {"pathway-version": str(Pathway.objects.get(pk=pathway.pk).version)}


# ------------------------------------------------------------------------ create


def test_blank_pathway_is_created_and_opens_in_the_editor(client, admin, practice):
    response = client.post(reverse("pathway_create", args=[practice.ods_code]), {"name": "Asthma review"})

    pathway = Pathway.objects.get(practice=practice)
    assert response.status_code == 302
    assert response.url == _edit_url(pathway)
    assert pathway.name == "Asthma review"
    assert pathway.key == "asthma-review"
    assert not pathway.stages.exists()


def test_pathway_created_with_a_name_in_use_gets_a_free_key(client, admin, practice):
    PathwayFactory(practice=practice, key="asthma-review")

    client.post(reverse("pathway_create", args=[practice.ods_code]), {"name": "Asthma review"})

    assert Pathway.objects.filter(practice=practice, key="asthma-review-2").exists()


def test_create_form_lists_the_worked_examples_pathways(client, admin, practice):
    html = client.get(reverse("pathway_create", args=[practice.ods_code])).content.decode()

    assert 'value="example_b:dm"' in html
    assert 'value="example_cd:after-cancer"' in html
    assert "Combined care and support planning" in html


def test_template_asks_which_practice_role_does_each_template_role(client, admin, practice, roles):
    roles.pop("np").delete()
    hca = roles.pop("hca")
    hca.key, hca.name = "assistant", "Healthcare assistant"  # same name, another key
    hca.save()
    url = reverse("pathway_create", args=[practice.ods_code])

    response = client.post(url, {"name": "My diabetes review", "start_from": "example_b:dm"})

    html = response.content.decode()
    assert response.status_code == 200
    assert not Pathway.objects.filter(practice=practice).exists()
    assert 'name="mapped" value="example_b:dm"' in html
    form = response.context["mapping_form"]
    assert set(form.fields) == {"role_admin", "role_hca", "role_np", "role_pn"}
    # Defaults: a practice role with the same key, else the same name, else create it.
    assert form["role_admin"].initial == str(roles["admin"].pk)
    assert form["role_hca"].initial == str(hca.pk)
    assert form["role_pn"].initial == str(roles["pn"].pk)
    assert form["role_np"].initial == "__create__"
    assert 'for="id_role_admin"' in html


def test_pathway_from_a_template_copies_its_stages_onto_the_chosen_roles(client, admin, practice, roles):
    roles["np"].delete()
    url = reverse("pathway_create", args=[practice.ods_code])

    response = client.post(
        url,
        {
            "name": "My diabetes review",
            "start_from": "example_b:dm",
            "mapped": "example_b:dm",
            "role_admin": roles["admin"].pk,
            "role_hca": roles["hca"].pk,
            "role_np": "__create__",
            "role_pn": roles["pn"].pk,
        },
    )

    pathway = Pathway.objects.get(practice=practice)
    assert response.status_code == 302
    assert response.url == _edit_url(pathway)
    created = StaffRole.objects.get(practice=practice, key="np")
    assert (created.name, created.cost_per_hour, created.cost_basis) == (
        "Nurse practitioner",
        D("27.00"),
        "as_printed",
    )
    stages = list(pathway.stages.order_by("position"))
    assert [(s.step, s.role.key, s.minutes, s.visit) for s in stages] == [
        ("recall", "admin", D(7), None),
        ("information_gathering", "hca", D(25), 1),
        ("clinical_review", "np", D(2), None),
        ("review", "pn", D(20), 2),
    ]
    page = client.get(response.url).content.decode()
    assert "£13.43 per patient, 2 visits, 45 minutes contact time" in page


def test_template_role_mapped_onto_another_practices_role_is_refused(client, admin, practice, roles):
    foreign = StaffRoleFactory()
    url = reverse("pathway_create", args=[practice.ods_code])

    response = client.post(
        url,
        {
            "name": "My diabetes review",
            "start_from": "example_b:dm",
            "mapped": "example_b:dm",
            "role_admin": foreign.pk,
            "role_hca": roles["hca"].pk,
            "role_np": roles["np"].pk,
            "role_pn": roles["pn"].pk,
        },
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Pathway.objects.filter(practice=practice).exists()


def test_blank_name_is_refused_beside_the_field(client, admin, practice):
    response = client.post(reverse("pathway_create", args=[practice.ods_code]), {"name": " "})

    assert response.status_code == 200
    assert 'id="id_name_error"' in response.content.decode()
    assert not Pathway.objects.exists()


# -------------------------------------------------------------------------- edit


def test_edit_page_shows_the_stages_labels_and_how_many_models_use_it(client, admin, practice, dm):
    for _ in range(2):
        CohortFactory(cost_model=CostModelFactory(practice=practice), pathway=dm)

    response = client.get(_edit_url(dm))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Changing it changes 2 models" in html
    assert (
        '<label class="visually-hidden" for="id_stages-0-minutes">Minutes, stage <span data-row-number>1</span>' in html
    )
    assert 'value="Routine review"' in html
    assert "£13.43" in html
    assert "<script>" not in html.replace('<script src="/static/', "")


def test_saving_stages_shows_the_resulting_figures(client, admin, practice, roles):
    pathway = PathwayFactory(practice=practice, name="CHD review")
    data = pathway_post(
        "CHD review",
        [
            stage("Admin and recall", "recall", roles["admin"], "7"),
            stage("Test taking", "information_gathering", roles["hca"], "10", visit=1),
            stage("Clinical review of tests", "clinical_review", roles["np"], "2"),
            stage("Routine review/consultation", "review", roles["pn"], "15", visit=2),
        ],
    )

    response = client.post(_edit_url(pathway), _opened(pathway) | data, follow=True)

    assert response.redirect_chain == [(_edit_url(pathway), 302)]
    assert "Saved “CHD review”: £8.88 per patient, 2 visits, 25 minutes contact time." in response.content.decode()
    assert [s.name for s in pathway.stages.order_by("position")] == [
        "Admin and recall",
        "Test taking",
        "Clinical review of tests",
        "Routine review/consultation",
    ]


def test_extra_cost_such_as_postage_is_added_to_the_stage(client, admin, practice, roles):
    pathway = PathwayFactory(practice=practice, name="Letters")
    data = pathway_post("Letters", [stage("Results letter", "information_sharing", roles["admin"], "1", "0.85")])

    response = client.post(_edit_url(pathway), _opened(pathway) | data, follow=True)

    assert "£1.04 per patient, 0 visits, 0 minutes contact time" in response.content.decode()
    assert pathway.stages.get().extra_cost == D("0.85")


def test_move_up_without_javascript_reorders_the_form_and_saves_nothing(client, admin, dm):
    before = _rows(dm)
    data = pathway_post("Diabetes review", _stage_rows(dm), action="up:stages:3")

    response = client.post(_edit_url(dm), _opened(dm) | data)

    html = response.content.decode()
    assert response.status_code == 200
    assert _rows(dm) == before
    assert html.index('value="Routine review"') < html.index('value="Clinical review of tests"')
    assert "Not saved yet" in html
    # The keyboard focus stays on the moved row's button.
    assert re.search(r'<button [^>]*value="up:stages:2"[^>]* autofocus>', html)


def test_saving_a_new_order_keeps_the_stages_and_their_ids(client, admin, dm):
    rows = _stage_rows(dm)
    rows[2], rows[3] = rows[3], rows[2]

    client.post(_edit_url(dm), _opened(dm) | pathway_post("Diabetes review", rows))

    stages = list(dm.stages.order_by("position"))
    assert [s.name for s in stages] == ["Admin and recall", "Test taking", "Routine review", "Clinical review of tests"]
    assert [s.pk for s in stages] == [r["id"] for r in rows]


def test_add_a_stage_without_javascript_adds_an_empty_row(client, admin, dm):
    response = client.post(
        _edit_url(dm), _opened(dm) | pathway_post("Diabetes review", _stage_rows(dm), action="add:stages")
    )

    assert response.status_code == 200
    assert len(response.context["stages"].forms) == 5
    assert dm.stages.count() == 4


def test_an_added_row_left_empty_is_ignored_on_save(client, admin, dm):
    rows = [*_stage_rows(dm), stage("", "", minutes="")]  # as the browser sends an untouched row

    response = client.post(_edit_url(dm), _opened(dm) | pathway_post("Diabetes review", rows))

    assert response.status_code == 302
    assert dm.stages.count() == 4


def test_remove_without_javascript_drops_the_row_and_saves_nothing(client, admin, dm):
    response = client.post(
        _edit_url(dm), _opened(dm) | pathway_post("Diabetes review", _stage_rows(dm), action="remove:stages:1")
    )

    assert [f.initial["name"] for f in response.context["stages"].forms] == [
        "Admin and recall",
        "Clinical review of tests",
        "Routine review",
    ]
    assert dm.stages.count() == 4


def test_saving_without_a_stage_removes_it(client, admin, dm):
    rows = _stage_rows(dm)
    del rows[1]

    response = client.post(_edit_url(dm), _opened(dm) | pathway_post("Diabetes review", rows), follow=True)

    assert [s.name for s in dm.stages.order_by("position")] == [
        "Admin and recall",
        "Clinical review of tests",
        "Routine review",
    ]
    assert "£8.43 per patient, 1 visit, 20 minutes contact time" in response.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("minutes", "-5", "Minutes cannot be negative."),
        ("minutes", "seven", "Enter the minutes as a number, like 7 or 7.5."),
        ("minutes", "10000", "At most 480 minutes for one stage (a working day): check for a typo."),
        ("minutes", "7.125", "Give minutes to at most 2 decimal places."),
        ("minutes", "NaN", "Enter the minutes as a number, like 7 or 7.5."),
        ("extra_cost", "-0.85", "An extra cost cannot be negative."),
        ("extra_cost", "85p", "Enter an amount in pounds, like 0.85."),
        ("visit", "0", "Visit numbers start at 1"),
        ("visit", "one", "Enter a visit number"),
        ("step", "lunch", "Select a valid choice."),
        ("name", "", "This field is required."),
        ("role", "", "A stage with minutes needs a role: choose who does it."),
    ],
)
def test_invalid_stage_is_refused_beside_the_field_and_nothing_is_saved(client, admin, dm, field, value, message):
    before = _rows(dm)
    rows = _stage_rows(dm)
    rows[3][field] = value
    rows[0]["name"] = "Renamed, but not saved"

    response = client.post(_edit_url(dm), _opened(dm) | pathway_post("Renamed pathway", rows))

    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert f'id="id_stages-3-{field}_error"' in html
    assert f'aria-describedby="id_stages-3-{field}_error"' in html
    assert "Nothing was saved" in html
    assert _rows(dm) == before
    dm.refresh_from_db()
    assert dm.name == "Diabetes review"


def test_role_of_another_practice_is_refused(client, admin, dm):
    before = _rows(dm)
    foreign = StaffRoleFactory(cost_per_hour=D("1.00"))
    rows = _stage_rows(dm)
    rows[0]["role"] = foreign

    response = client.post(_edit_url(dm), _opened(dm) | pathway_post("Diabetes review", rows))

    assert response.status_code == 200
    assert "Choose one of this practice&#x27;s staff roles." in response.content.decode()
    assert _rows(dm) == before


def test_stage_id_of_another_pathway_is_not_touched(client, admin, practice, dm, roles):
    other = StageFactory(pathway=PathwayFactory(practice=practice), name="Other pathway's stage", role=roles["pn"])
    rows = _stage_rows(dm)
    rows[0]["id"] = other.pk

    client.post(_edit_url(dm), _opened(dm) | pathway_post("Diabetes review", rows))

    other.refresh_from_db()
    assert other.name == "Other pathway's stage"
    assert dm.stages.count() == 4


def test_more_stages_than_the_limit_are_refused(client, admin, dm, roles):
    rows = [stage(f"Stage {i}", "other", roles["pn"], "1") for i in range(limits.MAX_STAGES_PER_PATHWAY + 1)]

    response = client.post(_edit_url(dm), _opened(dm) | pathway_post("Diabetes review", rows))

    assert response.status_code == 200
    assert f"A pathway has at most {limits.MAX_STAGES_PER_PATHWAY} stages." in response.content.decode()
    assert dm.stages.count() == 4


def test_a_changed_stage_loses_the_cost_printed_in_its_source(client, admin, example_b, practice):
    cost_model_import(practice=practice, model=example_b, by=None)
    pathway = Pathway.objects.get(practice=practice, key="dm")
    rows = _stage_rows(pathway)
    rows[3]["minutes"] = "25"

    client.post(_edit_url(pathway), _opened(pathway) | pathway_post(pathway.name, rows))

    printed = list(pathway.stages.order_by("position").values_list("printed_cost", flat=True))
    assert printed == [D("1.33"), D("5.00"), D("0.90"), None]


def test_saving_a_pathway_gives_every_model_using_it_a_new_version(client, admin, practice, dm):
    using = CohortFactory(cost_model=CostModelFactory(practice=practice), pathway=dm).cost_model
    other = CostModelFactory(practice=practice)

    client.post(_edit_url(dm), _opened(dm) | pathway_post("Diabetes review", _stage_rows(dm)))

    assert CostModel.objects.get(pk=using.pk).version == using.version + 1
    assert CostModel.objects.get(pk=other.pk).version == other.version


def test_editing_a_stage_changes_the_models_that_use_it(client, admin, example_b, practice):
    model = cost_model_import(practice=practice, model=example_b, by=None)
    csp = Pathway.objects.get(practice=practice, key="csp")
    rows = _stage_rows(csp)
    rows[3]["extra_cost"] = "0.85"  # post the results letter

    client.post(_edit_url(csp), _opened(csp) | pathway_post(csp.name, rows))

    assert compare_cost_model(model).after.cost == D("18.57")


# ------------------------------------------------------------------------ delete


def test_pathway_in_use_is_not_deleted(client, admin, practice, dm):
    model = CohortFactory(cost_model=CostModelFactory(practice=practice, name="Clinic 2024"), pathway=dm).cost_model

    response = client.post(reverse("pathway_delete", args=[practice.ods_code, dm.pk]), follow=True)

    assert response.redirect_chain == [(_edit_url(dm), 302)]
    assert "was not deleted: 1 cost model uses it (“Clinic 2024”)" in response.content.decode()
    assert Pathway.objects.filter(pk=dm.pk).exists()
    assert model.cohorts.count() == 1


def test_unused_pathway_is_deleted_with_its_stages(client, admin, practice, dm):
    response = client.post(reverse("pathway_delete", args=[practice.ods_code, dm.pk]))

    assert response.status_code == 302
    assert response.url == reverse("pathway_list", args=[practice.ods_code])
    assert not Pathway.objects.filter(pk=dm.pk).exists()
    assert not Stage.objects.filter(pathway_id=dm.pk).exists()


def test_delete_is_post_only(client, admin, practice, dm):
    assert client.get(reverse("pathway_delete", args=[practice.ods_code, dm.pk])).status_code == 405


# -------------------------------------------------------------------- list, read


def test_pathway_list_shows_cost_stage_count_and_models_using_each(client, practice, dm):
    CohortFactory(cost_model=CostModelFactory(practice=practice), pathway=dm)
    CohortFactory(cost_model=CostModelFactory(practice=practice), pathway=dm)
    staff = MembershipFactory(practice=practice, role=Membership.Role.STAFF).user
    client.force_login(staff)

    response = client.get(reverse("pathway_list", args=[practice.ods_code]))

    html = response.content.decode()
    assert response.status_code == 200
    row = html[html.index("Diabetes review") :]
    row = row[: row.index("</tr>")]
    assert '<td class="num">4</td><td class="num">£13.43</td><td class="num">2</td><td class="num">45</td>' in row
    assert '<td class="num">2</td>' in row
    assert reverse("pathway_edit", args=[practice.ods_code, dm.pk]) not in html  # staff may not edit


def test_pathway_page_links_to_the_editor_for_editors(client, admin, practice, dm):
    html = client.get(dm.get_absolute_url()).content.decode()

    assert reverse("pathway_edit", args=[practice.ods_code, dm.pk]) in html


# ------------------------------------------------------------- letter prices


def _letter_post(roles, letter_class, letter_date, extra_cost=""):
    data = pathway_post("Letters", [stage("Results letter", "information_sharing", roles["admin"], "1", extra_cost)])
    data["stages-0-letter_class"] = letter_class
    data["stages-0-letter_date"] = letter_date
    return data


@pytest.mark.parametrize(
    ("letter_class", "day", "amount"),
    [
        ("second", "2026-04-06", D("0.87")),  # the day before a change: the old price
        ("second", "2026-04-07", D("0.91")),  # the day of the change: the new price
        ("first", "2017-03-27", D("0.65")),  # the first day the list knows
    ],
)
def test_letter_price_at_a_date_sets_the_stage_extra_cost(client, admin, practice, roles, letter_class, day, amount):
    pathway = PathwayFactory(practice=practice, name="Letters")

    response = client.post(
        _edit_url(pathway), _opened(pathway) | _letter_post(roles, letter_class, day, extra_cost="9.99"), follow=True
    )

    assert response.redirect_chain == [(_edit_url(pathway), 302)]
    assert pathway.stages.get().extra_cost == amount


@pytest.mark.parametrize("day", ["2017-03-26", "2099-01-01"])
def test_letter_price_on_an_unknown_date_is_refused_and_nothing_changes(client, admin, dm, roles, day):
    before = _rows(dm)
    data = pathway_post("Diabetes review", _stage_rows(dm))
    data["stages-0-letter_class"] = "second"
    data["stages-0-letter_date"] = day

    response = client.post(_edit_url(dm), _opened(dm) | data)

    assert response.status_code == 200
    assert "Nothing was saved" in response.content.decode()
    assert "The Royal Mail letter price on" in response.content.decode()
    assert "is not known" in response.content.decode()
    assert _rows(dm) == before


def test_edit_page_embeds_the_letter_prices_with_their_sources(client, admin, dm):
    response = client.get(_edit_url(dm))

    html = response.content.decode()
    assert 'id="letter-prices"' in html
    table = json.loads(re.search(r'<script id="letter-prices" type="application/json">(.*?)</script>', html).group(1))
    assert {"from": "2026-04-07", "first": "1.80", "second": "0.91"}.items() <= table["rows"][-1].items()
    assert all(row["source"] for row in table["rows"])
    assert "Citizens Advice responds to Royal Mail increasing stamp prices" in html
    assert 'for="id_stages-0-letter_class"' in html and 'for="id_stages-0-letter_date"' in html
