"""The cost model editor, import from the browser, scenarios, delete; and who may do each."""

import json
import re
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from costing import exchange, limits
from pathways.models import Cohort, CohortCondition, CostModel, Pathway, Stage
from pathways.selectors import compare_cost_model
from pathways.services import cost_model_import
from practices.models import FacilitatorAssignment, Membership, StaffRole
from tests.factories import (
    CohortFactory,
    CostModelFactory,
    FacilitatorFactory,
    MembershipFactory,
    PathwayFactory,
    PracticeFactory,
    StaffRoleFactory,
)
from tests.factories.editor import cohort, model_post, pathway_post, stage

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parents[2] / "costing" / "fixtures"
V1_EXAMPLE_B = Path(__file__).resolve().parents[1] / "fixtures" / "example_b_v1.json"


@pytest.fixture
def practice():
    return PracticeFactory(ods_code="B82002")


@pytest.fixture
def admin(client, practice):
    user = MembershipFactory(practice=practice, role=Membership.Role.ADMIN).user
    client.force_login(user)
    return user


@pytest.fixture
def imported(practice, example_b):
    """Worked example B stored in the practice (3 cohorts before, 1 after)."""
    return cost_model_import(practice=practice, model=example_b, by=None)


@pytest.fixture
def imported_v1(practice):
    """Example B as a version 1 file: cohorts of patients, no group (tests/fixtures)."""
    return cost_model_import(practice=practice, model=exchange.loads(V1_EXAMPLE_B.read_bytes()), by=None)


def _edit_url(model):
    return reverse("model_edit", args=[model.practice.ods_code, model.pk])


def _snapshot(practice):
    """Everything the editors write, to prove a refused request wrote nothing."""
    return {
        "models": list(CostModel.objects.filter(practice=practice).order_by("pk").values()),
        "cohorts": list(Cohort.objects.filter(practice=practice).order_by("pk").values()),
        "conditions": list(
            CohortCondition.objects.filter(cohort__practice=practice)
            .order_by("pk")
            .values_list("cohort_id", "condition_id", "position")
        ),
        "pathways": list(Pathway.objects.filter(practice=practice).order_by("pk").values()),
        "stages": list(Stage.objects.filter(practice=practice).order_by("pk").values()),
        "roles": list(StaffRole.objects.filter(practice=practice).order_by("pk").values()),
    }


def _cohort_rows(model, side):
    return [
        cohort(
            c.label,
            c.pathway,
            c.patients,
            [cc.condition.code for cc in c.cohort_conditions.select_related("condition")],
            id=c.pk,
        )
        for c in model.cohorts.filter(side=side).order_by("position", "id")
    ]


def _post_of(model, **changes):
    data = {
        "name": model.name,
        "before": _cohort_rows(model, "before"),
        "after": _cohort_rows(model, "after"),
        "period": model.period,
        "version": model.version,
    }
    data.update(changes)
    return model_post(**data)


# ------------------------------------------------------ worked example B by hand


def _build_pathway(client, practice, name, stages):
    response = client.post(reverse("pathway_create", args=[practice.ods_code]), {"name": name})
    assert response.status_code == 302, response.content.decode()
    pathway = Pathway.objects.get(practice=practice, name=name)
    response = client.post(response.url, {"pathway-version": str(pathway.version)} | pathway_post(name, stages))
    assert response.status_code == 302, response.context["stages"].errors
    return pathway


def test_worked_example_b_built_through_the_editors_costs_as_published(client, admin, practice):
    admin_role = StaffRoleFactory(practice=practice, key="admin", name="Administrator", cost_per_hour=D("11.40"))
    hca = StaffRoleFactory(practice=practice, key="hca", name="Healthcare assistant", cost_per_hour=D("12.00"))
    np = StaffRoleFactory(practice=practice, key="np", name="Nurse practitioner", cost_per_hour=D("27.00"))
    pn = StaffRoleFactory(practice=practice, key="pn", name="Practice nurse", cost_per_hour=D("18.60"))
    recall = stage("Admin and recall", "recall", admin_role, "7")
    review_of_tests = stage("Clinical review of tests", "clinical_review", np, "2")
    dm = _build_pathway(
        client,
        practice,
        "Diabetes review",
        [
            recall,
            stage("Test taking: BP, weight, bloods", "information_gathering", hca, "25", visit=1),
            review_of_tests,
            stage("Routine review", "review", pn, "20", visit=2),
        ],
    )
    chd = _build_pathway(
        client,
        practice,
        "CHD review",
        [
            recall,
            stage("Test taking", "information_gathering", hca, "10", visit=1),
            review_of_tests,
            stage("Routine review/consultation", "review", pn, "15", visit=2),
        ],
    )
    copd = _build_pathway(
        client,
        practice,
        "COPD review",
        [
            recall,
            stage("Test taking", "information_gathering", pn, "10", visit=1),
            stage("Routine review/consultation", "review", pn, "15", visit=1),
        ],
    )
    csp = _build_pathway(
        client,
        practice,
        "Combined care and support planning",
        [
            recall,
            stage("Information gathering: all tests", "information_gathering", hca, "30", visit=1),
            review_of_tests,
            stage("Information sharing: letter production", "information_sharing", admin_role, "1"),
            stage("Care and support planning conversation", "conversation", pn, "30", visit=2),
        ],
    )

    response = client.post(
        reverse("model_create", args=[practice.ods_code]),
        {"model-name": "Worked example B", "model-description": "", "model-period": "per patient"},
    )
    model = CostModel.objects.get(practice=practice)
    assert response.url == _edit_url(model)
    response = client.post(
        _edit_url(model),
        model_post(
            "Worked example B",
            before=[
                cohort("Diabetes", dm, 1, ["DM"]),
                cohort("CHD", chd, 1, ["CHD"]),
                cohort("COPD", copd, 1, ["COPD"]),
            ],
            after=[cohort("Diabetes + CHD + COPD", csp, 1, ["DM", "CHD", "COPD"])],
            version=model.version,
        ),
    )

    assert response.status_code == 302
    assert response.url == reverse("model_detail", args=[practice.ods_code, model.pk])
    c = compare_cost_model(model)
    assert (c.before.cost, c.after.cost, c.saving) == (D("31.39"), D("17.72"), D("13.67"))
    assert (c.before.visits, c.after.visits) == (5, 2)
    assert (c.before.contact_minutes, c.after.contact_minutes) == (D(95), D(60))
    after = model.cohorts.get(side="after")
    assert [cc.condition.code for cc in after.cohort_conditions.all()] == ["DM", "CHD", "COPD"]
    assert "£31.39 → £17.72" in client.get(response.url).content.decode()


# ---------------------------------------------------------------- create, edit


def test_model_create_refuses_an_unknown_period(client, admin, practice):
    response = client.post(
        reverse("model_create", args=[practice.ods_code]), {"model-name": "X", "model-period": "fortnight"}
    )

    assert response.status_code == 200
    assert 'id="id_model-period_error"' in response.content.decode()
    assert not CostModel.objects.filter(practice=practice).exists()


def test_edit_page_lists_both_sides_with_labelled_controls(client, admin, imported):
    html = client.get(_edit_url(imported)).content.decode()

    assert 'for="id_before-2-patients">Patients, before cohort <span data-row-number>3</span>' in html
    assert '<legend class="visually-hidden">Conditions, after cohort' in html
    assert 'value="Diabetes + CHD + COPD"' in html
    # Checkboxes, the chosen conditions first, in their stored order, and named in the summary.
    boxes = html[html.index('<fieldset id="id_after-0-conditions"') :]
    boxes = boxes[: boxes.index("</fieldset>")]
    assert boxes.count('type="checkbox"') == boxes.count("<label") > 3
    dm, chd, copd = (boxes.index(f"({code})</label>") for code in ("DM", "CHD", "COPD"))
    assert dm < chd < copd < boxes.index("(AST)</label>")
    summary = html[html.index('id="id_after-0-conditions"') - 600 : html.index('id="id_after-0-conditions"')]
    assert "(DM); " in summary and "(COPD); " in summary


def test_conditions_are_stored_in_the_order_given(client, admin, imported):
    after = _cohort_rows(imported, "after")
    after[0] = cohort(after[0]["label"], after[0]["pathway"], 1, ["COPD", "DM"], id=after[0]["id"])

    client.post(_edit_url(imported), _post_of(imported, after=after))

    stored = imported.cohorts.get(side="after")
    assert [cc.condition.code for cc in stored.cohort_conditions.all()] == ["COPD", "DM"]


def test_every_save_increments_the_version_by_one(client, admin, imported):
    start = imported.version

    client.post(_edit_url(imported), _post_of(imported))
    imported.refresh_from_db()
    client.post(_edit_url(imported), _post_of(imported, name="Renamed"))
    imported.refresh_from_db()

    assert imported.version == start + 2
    assert imported.name == "Renamed"


def test_save_over_someone_elses_save_is_refused(client, admin, imported):
    stale = _post_of(imported, name="Mine")
    CostModel.objects.filter(pk=imported.pk).update(version=imported.version + 1)  # someone else saved
    before = _snapshot(imported.practice)

    response = client.post(_edit_url(imported), stale)

    assert response.status_code == 200
    assert "Someone else saved this model while you were editing it" in response.content.decode()
    assert _snapshot(imported.practice) == before


def test_reorder_remove_and_add_cohorts(client, admin, imported):
    before = _cohort_rows(imported, "before")
    ids = [row["id"] for row in before]
    rows = [before[2], before[0], cohort("Asthma", before[0]["pathway"], 4, ["AST"])]  # CHD removed

    response = client.post(_edit_url(imported), _post_of(imported, before=rows))

    assert response.status_code == 302
    stored = list(imported.cohorts.filter(side="before").order_by("position"))
    assert [c.label for c in stored] == ["COPD", "Diabetes", "Asthma"]
    assert [c.pk for c in stored[:2]] == [ids[2], ids[0]]
    assert not Cohort.objects.filter(pk=ids[1]).exists()
    assert compare_cost_model(imported).before.cost == D("9.08") + D("13.43") * 5


def test_row_buttons_without_javascript_change_the_form_not_the_database(client, admin, imported):
    before = _snapshot(imported.practice)

    moved = client.post(_edit_url(imported), _post_of(imported, action="down:before:0"))
    added = client.post(_edit_url(imported), _post_of(imported, action="add:after"))
    removed = client.post(_edit_url(imported), _post_of(imported, action="remove:before:1"))

    labels = [f.initial["label"] for f in moved.context["sides"][0]["formset"].forms]
    assert labels == ["CHD", "Diabetes", "COPD"]
    assert len(added.context["sides"][1]["formset"].forms) == 2
    assert re.search(r'<input [^>]*name="after-1-label"[^>]* autofocus[ >]', added.content.decode())
    assert [f.initial["label"] for f in removed.context["sides"][0]["formset"].forms] == ["Diabetes", "COPD"]
    assert _snapshot(imported.practice) == before


def test_a_cohort_moved_to_another_pathway_loses_its_printed_figures(client, admin, imported):
    csp = Pathway.objects.get(practice=imported.practice, key="csp")
    before = _cohort_rows(imported, "before")
    before[0]["pathway"] = csp

    client.post(_edit_url(imported), _post_of(imported, before=before))

    moved = Cohort.objects.get(pk=before[0]["id"])
    assert moved.pathway == csp
    assert moved.printed_cost_per_patient is None
    assert Cohort.objects.get(pk=before[1]["id"]).printed_cost_per_patient == D("8.88")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("patients", str(10**7), "At most 1,000,000 patients in one cohort: check for a typo."),
        ("patients", "-1", "The number of patients cannot be negative."),
        ("patients", "twelve", "Enter the number of patients as a whole number, like 23."),
        ("patients", "1.5", "Enter the number of patients as a whole number, like 23."),
        ("patients", "", "Enter the number of patients (0 or more)."),
        ("label", "", "This field is required."),
        ("pathway", "", "Choose the pathway these patients go through."),
        ("pathway", "999999", "Choose one of this practice&#x27;s pathways."),
        ("conditions", ["999999"], "Choose conditions from the list."),
    ],
)
def test_invalid_cohort_is_refused_beside_the_field_and_nothing_is_saved(
    client, admin, imported_v1, field, value, message
):
    imported = imported_v1  # patients of cohorts that name no group are typed
    rows = _cohort_rows(imported, "before")
    rows[1][field] = value
    before = _snapshot(imported.practice)

    response = client.post(_edit_url(imported), _post_of(imported, name="Renamed, not saved", before=rows))

    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert f'id="id_before-1-{field}_error"' in html
    assert "Nothing was saved" in html
    assert _snapshot(imported.practice) == before


def test_pathway_of_another_practice_is_refused(client, admin, imported):
    foreign = PathwayFactory()
    rows = _cohort_rows(imported, "after")
    rows[0]["pathway"] = foreign
    before = _snapshot(imported.practice)

    response = client.post(_edit_url(imported), _post_of(imported, after=rows))

    assert response.status_code == 200
    assert "Choose one of this practice&#x27;s pathways." in response.content.decode()
    assert _snapshot(imported.practice) == before
    assert not Cohort.objects.filter(pathway=foreign).exists()


def test_cohort_id_of_another_model_is_not_touched(client, admin, imported, practice):
    other = CohortFactory(cost_model=CostModelFactory(practice=practice), label="Other model's cohort")
    rows = _cohort_rows(imported, "before")
    rows[0]["id"] = other.pk

    client.post(_edit_url(imported), _post_of(imported, before=rows))

    other.refresh_from_db()
    assert (other.label, other.cost_model_id) == ("Other model's cohort", other.cost_model_id)
    assert imported.cohorts.filter(side="before").count() == 3


# ----------------------------------------------------------- duplicate, delete


def test_duplicate_is_a_scenario_with_the_same_cohorts_and_pathways(client, admin, imported):
    response = client.post(reverse("model_duplicate", args=[imported.practice.ods_code, imported.pk]))

    copy = CostModel.objects.exclude(pk=imported.pk).get(practice=imported.practice)
    assert response.status_code == 302
    assert response.url == _edit_url(copy)
    assert copy.name == f"{imported.name} (copy)"
    assert copy.based_on == imported
    assert copy.created_by == admin
    copies = list(copy.cohorts.filter(side="before").order_by("position"))
    originals = _cohort_rows(imported, "before")
    assert _cohort_rows(copy, "before") == [{**row, "id": c.pk} for row, c in zip(originals, copies, strict=True)]
    assert {c.pathway_id for c in copy.cohorts.all()} == {c.pathway_id for c in imported.cohorts.all()}
    assert exchange.comparison_json(compare_cost_model(copy)) == {
        **exchange.comparison_json(compare_cost_model(imported)),
        "name": copy.name,
    }
    assert Pathway.objects.filter(practice=imported.practice).count() == 4


def test_changing_a_scenario_leaves_the_original(client, admin, imported_v1):
    imported = imported_v1  # patients of cohorts that name no group are typed
    client.post(reverse("model_duplicate", args=[imported.practice.ods_code, imported.pk]))
    copy = CostModel.objects.get(based_on=imported)
    after = _cohort_rows(copy, "after")
    after[0]["patients"] = 10

    client.post(_edit_url(copy), _post_of(copy, after=after))

    assert compare_cost_model(copy).after.cost == D("177.20")
    assert compare_cost_model(imported).after.cost == D("17.72")


def test_duplicate_is_post_only(client, admin, imported):
    assert client.get(reverse("model_duplicate", args=[imported.practice.ods_code, imported.pk])).status_code == 405


def test_delete_asks_first_then_deletes_the_model_but_not_its_pathways(client, admin, imported):
    url = reverse("model_delete", args=[imported.practice.ods_code, imported.pk])
    scenario = CostModelFactory(practice=imported.practice, based_on=imported)

    confirm = client.get(url)
    assert confirm.status_code == 200
    assert CostModel.objects.filter(pk=imported.pk).exists()
    assert scenario.name in confirm.content.decode()

    response = client.post(url)

    assert response.status_code == 302
    assert not CostModel.objects.filter(pk=imported.pk).exists()
    assert not Cohort.objects.filter(cost_model_id=imported.pk).exists()
    assert Pathway.objects.filter(practice=imported.practice).count() == 4
    scenario.refresh_from_db()
    assert scenario.based_on is None


# ------------------------------------------------------------------------ import


def _upload(content: bytes, name="model.json"):
    return SimpleUploadedFile(name, content, content_type="application/json")


def test_import_of_a_good_file_opens_the_new_models_comparison(client, admin, practice):
    response = client.post(
        reverse("model_import", args=[practice.ods_code]),
        {"file": _upload((FIXTURES / "example_b.json").read_bytes()), "name": ""},
    )

    model = CostModel.objects.get(practice=practice)
    assert response.status_code == 302
    assert response.url == reverse("model_detail", args=[practice.ods_code, model.pk])
    assert model.created_by == admin
    c = compare_cost_model(model)
    assert (c.before.cost, c.after.cost) == (D("31.39"), D("17.72"))


def test_import_can_name_the_new_model(client, admin, practice):
    client.post(
        reverse("model_import", args=[practice.ods_code]),
        {"file": _upload((FIXTURES / "example_cd.json").read_bytes()), "name": "Our clinic, 2017"},
    )

    assert CostModel.objects.get(practice=practice).name == "Our clinic, 2017"


@pytest.mark.parametrize(
    ("change", "where", "what"),
    [
        (lambda d: d["before"][2].update(pathway="nope"), "before[2].pathway", "unknown pathway &#x27;nope&#x27;"),
        (lambda d: d["pathways"][0]["stages"][1].update(minutes="-25"), "pathways[0].stages[1].minutes", "negative"),
        (lambda d: d["after"][0].update(conditions=["ZZZ"]), "after[0].conditions[0]", "unknown condition code"),
        (lambda d: d.update(version=3), "version", "unknown version 3"),
        (lambda d: d["before"][0].update(times=2), "before[0].times", "unknown field"),
    ],
)
def test_import_of_a_bad_file_shows_where_the_problem_is_and_saves_nothing(
    client, admin, practice, change, where, what
):
    data = json.loads(V1_EXAMPLE_B.read_text())  # a version 1 file: "times" is a version 2 field
    change(data)
    before = _snapshot(practice)

    response = client.post(
        reverse("model_import", args=[practice.ods_code]), {"file": _upload(json.dumps(data).encode())}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert f"problem at {where}:" in html
    assert what in html
    assert 'id="id_file_error"' in html
    assert "Nothing was imported" in html
    assert _snapshot(practice) == before


def test_import_of_a_file_that_is_not_json_is_refused(client, admin, practice):
    response = client.post(reverse("model_import", args=[practice.ods_code]), {"file": _upload(b"\x89PNG\r\n")})

    assert response.status_code == 200
    assert "This file cannot be imported" in response.content.decode()
    assert not CostModel.objects.filter(practice=practice).exists()


def test_import_of_a_file_over_the_size_limit_is_refused(client, admin, practice):
    content = b" " * (limits.MAX_MODEL_FILE_BYTES + 1)

    response = client.post(reverse("model_import", args=[practice.ods_code]), {"file": _upload(content)})

    html = response.content.decode()
    assert response.status_code == 200
    assert "a model file may be at most 5 MB. Nothing was imported." in html
    assert not CostModel.objects.filter(practice=practice).exists()


def test_import_without_a_file_is_refused(client, admin, practice):
    response = client.post(reverse("model_import", args=[practice.ods_code]), {})

    assert response.status_code == 200
    assert 'id="id_file_error"' in response.content.decode()


# ------------------------------------------------------------------ who may write


@pytest.fixture
def targets(practice, imported):
    pathway = PathwayFactory(practice=practice)
    code = practice.ods_code
    return [
        ("pathway_create", [code]),
        ("pathway_edit", [code, pathway.pk]),
        ("pathway_delete", [code, pathway.pk]),
        ("model_create", [code]),
        ("model_import", [code]),
        ("model_edit", [code, imported.pk]),
        ("model_delete", [code, imported.pk]),
        ("model_duplicate", [code, imported.pk]),
    ]


@pytest.mark.parametrize("method", ["get", "post"])
def test_practice_staff_may_not_write_403(client, practice, targets, method):
    client.force_login(MembershipFactory(practice=practice, role=Membership.Role.STAFF).user)
    before = _snapshot(practice)

    for name, args in targets:
        response = getattr(client, method)(reverse(name, args=args), {})
        expected = 405 if (method == "get" and name in ("pathway_delete", "model_duplicate")) else 403
        assert response.status_code == expected, name

    assert _snapshot(practice) == before


@pytest.mark.parametrize("who", ["outsider", "unassigned_facilitator"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_users_of_other_practices_get_404(client, practice, targets, who, method):
    client.force_login(
        MembershipFactory(role=Membership.Role.ADMIN).user if who == "outsider" else FacilitatorFactory().user
    )
    before = _snapshot(practice)

    for name, args in targets:
        response = getattr(client, method)(reverse(name, args=args), {})
        expected = 405 if (method == "get" and name in ("pathway_delete", "model_duplicate")) else 404
        assert response.status_code == expected, name

    assert _snapshot(practice) == before


def test_assigned_facilitator_may_write(client, practice, targets):
    facilitator = FacilitatorFactory()
    FacilitatorAssignment.objects.create(facilitator=facilitator, practice=practice)
    client.force_login(facilitator.user)

    for name, args in targets:
        if name not in ("pathway_delete", "model_duplicate", "model_delete"):
            assert client.get(reverse(name, args=args)).status_code == 200, name


def test_objects_of_another_practice_under_my_practices_url_are_404(client, admin, practice):
    other = PracticeFactory()
    model = CostModelFactory(practice=other)
    pathway = PathwayFactory(practice=other)
    before = _snapshot(other)

    for name, pk in [
        ("pathway_edit", pathway.pk),
        ("pathway_delete", pathway.pk),
        ("model_edit", model.pk),
        ("model_delete", model.pk),
        ("model_duplicate", model.pk),
    ]:
        assert client.post(reverse(name, args=[practice.ods_code, pk]), {}).status_code == 404, name

    assert _snapshot(other) == before


def test_anonymous_users_are_sent_to_log_in(client, targets):
    for name, args in targets:
        response = client.post(reverse(name, args=args), {})
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


# ------------------------------------------------------- groups and times (v2)


@pytest.fixture
def copd_twice(practice, example_b_copd_twice):
    """A version 2 model: one group of 1 person, named by all four cohorts; COPD reviewed twice."""
    return cost_model_import(practice=practice, model=example_b_copd_twice, by=None)


def _grouped_rows(model, side, **changes):
    rows = []
    for c in model.cohorts.filter(side=side).order_by("position", "id"):
        row = cohort(c.label, c.pathway, c.patients, id=c.pk, times=c.times)
        row.update(changes)
        rows.append(row)
    return rows


def test_model_editor_shows_a_grouped_cohorts_patients_as_its_groups_people(client, admin, copd_twice):
    response = client.get(_edit_url(copd_twice))

    html = response.content.decode()
    assert html.count("1 person (group: Diabetes, CHD and COPD)") == 4
    assert 'name="before-0-patients"' not in html


def test_model_editor_keeps_a_grouped_cohorts_patients_whatever_is_posted(client, admin, copd_twice):
    post = _post_of(copd_twice, before=_grouped_rows(copd_twice, "before", patients=5))

    response = client.post(_edit_url(copd_twice), post)

    assert response.status_code == 302
    assert set(copd_twice.cohorts.values_list("patients", flat=True)) == {1}
    assert compare_cost_model(copd_twice.pk).before.reviews == 4


def test_model_editor_refuses_patients_that_differ_from_the_group_with_a_form_error(
    client, admin, copd_twice, monkeypatch
):
    """Were the field editable (a group changed while the editor was open), the service still refuses."""
    monkeypatch.setattr("pathways.selectors.cohort_groups_by_cohort", lambda *, cost_model: {})
    before = _snapshot(copd_twice.practice)
    post = _post_of(copd_twice, before=_grouped_rows(copd_twice, "before", patients=5))

    response = client.post(_edit_url(copd_twice), post)

    assert response.status_code == 200
    errors = response.context["sides"][0]["formset"].forms[0].errors["patients"]
    assert errors == [
        "“Diabetes” has the 1 person of its group “Diabetes, CHD and COPD”; "
        "its patients cannot differ from the group's."
    ]
    assert _snapshot(copd_twice.practice) == before


def test_cohort_update_service_refuses_a_grouped_cohort_with_other_patients(copd_twice):
    from pathways import services

    rows = {
        side: [
            services.CohortInput(label=c.label, patients=2, pathway=c.pathway, id=c.pk, times=c.times)
            for c in copd_twice.cohorts.filter(side=side).order_by("position", "id")
        ]
        for side in ("before", "after")
    }

    with pytest.raises(services.GroupedCohortPatients):
        services.cost_model_update(
            cost_model=copd_twice, name="x", description="", period="per patient", by=None, **rows
        )
    assert set(copd_twice.cohorts.values_list("patients", flat=True)) == {1}


def test_model_editor_saves_times_in_the_period(client, admin, imported):
    after = _cohort_rows(imported, "after")
    after[0]["times"] = 2

    response = client.post(_edit_url(imported), _post_of(imported, after=after))

    assert response.status_code == 302
    assert imported.cohorts.get(side="after").times == 2
    comparison = compare_cost_model(imported.pk)
    assert (comparison.after.reviews, comparison.after.cost) == (2, D("35.44"))
    assert 'value="2"' in client.get(_edit_url(imported)).content.decode()


@pytest.mark.parametrize(
    ("typed", "message"),
    [("13", "At most 12 times in the model&#x27;s period."), ("0", "At least once"), ("twice", "a whole number")],
)
def test_model_editor_shows_a_times_error_beside_the_field(client, admin, imported, typed, message):
    before = _snapshot(imported.practice)
    after = _cohort_rows(imported, "after")
    after[0]["times"] = typed

    response = client.post(_edit_url(imported), _post_of(imported, after=after))

    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'id="id_after-0-times_error"[^>]*>.*' + re.escape(message), html, re.S)
    assert _snapshot(imported.practice) == before


def test_model_editor_labels_times_in_the_period(client, admin, imported):
    assert "Times in the period" in client.get(_edit_url(imported)).content.decode()
