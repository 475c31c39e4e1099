"""The what-if panel's stage rows (pathways/compare/_stage_fields.html) and the widgets add_class_fast writes."""

import dataclasses
from decimal import Decimal

import pytest
from django import forms
from django.template.loader import render_to_string
from django.test.html import parse_html

from costing import engine
from costing.selectors import PayBandOption
from costing.templatetags.costing_tags import add_class
from pathways.forms.whatif import ScenarioNameForm, WhatIfForm
from pathways.templatetags.whatif_tags import add_class_fast
from tests.markup import Markup

HOSTILE = '<script>alert("x")</script> & “O’Brien”'

BANDS = [
    PayBandOption(
        value=f"afc|{band}|entry",
        label=f"AfC band {band} <entry> & “top”",
        scale_year="2025/26",
        band=str(band),
        annual_salary=Decimal(24000 + 3000 * band),
        on_cost_percent=Decimal("28.5"),
        paid_hours_per_year=Decimal(1950),
    )
    for band in range(2, 9)
]


def _hostile(model: engine.CostModel) -> engine.CostModel:
    """The model with markup in the names of its first role, first pathway and that pathway's first stage."""
    role, *roles = model.roles
    pathway, *pathways = model.pathways
    stage, *stages = pathway.stages
    pathway = dataclasses.replace(pathway, name=HOSTILE, stages=(dataclasses.replace(stage, name=HOSTILE), *stages))
    return dataclasses.replace(
        model, roles=(dataclasses.replace(role, name=HOSTILE), *roles), pathways=(pathway, *pathways)
    )


def _submitted(model: engine.CostModel, **changes) -> WhatIfForm:
    """The panel posted back with every field at the model's value but ``changes``, validated."""
    untouched = WhatIfForm(model=model, version=3, bands=BANDS)
    data = {name: untouched[name].value() for name in untouched.fields}
    data = {name: "" if value is None else str(value) for name, value in data.items()} | changes
    form = WhatIfForm(data, model=model, version=3, bands=BANDS)
    form.is_valid()
    return form


def _stage_rows(form) -> Markup:
    return Markup(render_to_string("pathways/compare/_stage_fields.html", {"form": form}))


def test_every_stage_has_labelled_minutes_and_role_at_the_models_values(example_cd):
    form = WhatIfForm(model=example_cd, version=3, bands=BANDS)

    page = _stage_rows(form)

    sections = page.all("details")
    assert [" ".join(s.text.split()) for s in page.all("summary")] == [p.name for p in example_cd.pathways]
    assert len(sections) == len(example_cd.pathways) and not any("open" in s.attrs for s in sections)
    staffed = [(p, s) for p in example_cd.pathways for s in p.stages if s.role is not None]
    every = [(p, s) for p in example_cd.pathways for s in p.stages]
    assert len(page.all("input", type="number")) == len(page.all("input", type="text")) == len(staffed)
    assert not page.all("select")  # a stage's role is a text box until the page's script makes it a select
    assert len(page.all("input", type="checkbox")) == len(every)
    role_names = {role.key: role.name for role in example_cd.roles}
    for pathway, stages in form.pathway_rows:
        for stage, minutes, role, remove in stages:
            (box,) = page.all("input", name=remove.name)
            # One box a stage, unticked, named by words already on the page: "Remove", its stage, its pathway.
            names = [" ".join(page.by_id(i).text.split()) for i in box.attrs["aria-labelledby"].split()]
            assert names == ["Remove", stage.name, pathway.name]
            assert box.attrs["type"] == "checkbox" and "checked" not in box.attrs
            if minutes is None:
                continue
            minutes_input = page.by_id(minutes.auto_id)
            role_input = page.by_id(role.auto_id)
            # Each is named by its stage and pathway, written once on the page (aria-labelledby).
            assert page.name_of(minutes_input) == f"{stage.name} (min) {pathway.name}"
            assert page.name_of(role_input) == f"{stage.name} {pathway.name} done by"
            assert minutes_input.attrs["name"] == minutes.html_name and minutes_input.attrs["type"] == "number"
            assert minutes_input.attrs["value"] == str(engine.normalise_minutes(stage.minutes))
            # Without a script the role is typed by name: the box holds its role's name.
            assert role_input.attrs["name"] == role.html_name and "data-role-choice" in role_input.attrs
            assert role_input.attrs["value"] == role_names[stage.role]
            assert "required" in minutes_input.attrs and "aria-invalid" not in minutes_input.attrs
            assert page.by_id(f"{minutes.html_name}-error").text == ""


def test_role_choices_are_the_models_roles_written_once(example_cd):
    form = WhatIfForm(model=example_cd, version=3, bands=BANDS)

    page = _stage_rows(form)

    (template,) = page.all("template", id="whatif-roles")
    options = page.inside(template, "option")
    assert [(o.attrs["value"], o.text) for o in options] == [(r.key, r.name) for r in example_cd.roles]
    assert len(page.all("option")) == len(example_cd.roles)


def test_a_stage_with_an_error_is_marked_invalid_described_by_its_message_and_shown(example_cd):
    form = _submitted(example_cd, stage_0_0_minutes="abc", stage_1_0_role="not a role")

    page = _stage_rows(form)

    for name in ("stage_0_0_minutes", "stage_1_0_role"):
        widget = page.by_id(f"id_{name}")
        assert widget.has_class("is-invalid") and widget.attrs["aria-invalid"] == "true"
        assert widget.attrs["aria-describedby"] == f"{name}-error"
        assert page.by_id(f"{name}-error").text == " ".join(form[name].errors)
    opened = ["open" in s.attrs for s in page.all("details")]
    assert opened[:2] == [True, True] and not any(opened[2:])
    assert page.by_id("id_stage_0_0_minutes").attrs["value"] == "abc"


def test_names_and_values_with_markup_are_shown_as_text(example_cd):
    model = _hostile(example_cd)
    form = _submitted(model, stage_0_0_minutes=HOSTILE)

    html = render_to_string("pathways/compare/_stage_fields.html", {"form": form})

    page = Markup(html)
    assert "<script>" not in html
    assert page.all("summary")[0].text.strip() == HOSTILE
    assert page.name_of(page.by_id("id_stage_0_0_minutes")) == f"{HOSTILE} (min) {model.pathways[0].name}"
    assert page.by_id("id_stage_0_0_minutes").attrs["value"] == HOSTILE
    assert HOSTILE in [o.text for o in page.all("option", value=model.roles[0].key)]
    assert page.by_id("id_stage_0_0_role").attrs["value"] == HOSTILE


def _forms(example_cd):
    untouched = WhatIfForm(model=example_cd, version=3, bands=BANDS)
    invalid = _submitted(
        example_cd, role_0_rate="-5", role_1_band=BANDS[2].value, stage_0_0_minutes='abc "<b>"', scale="2"
    )
    named = ScenarioNameForm(initial={"scenario_name": 'Nurse "<b>" on £24'})
    unnamed = ScenarioNameForm({"scenario_name": ""})
    unnamed.is_valid()
    return [untouched, invalid, named, unnamed]


@pytest.mark.parametrize("css", ["form-control form-control-sm", 'odd "class" <x>'])
def test_quick_widgets_are_the_elements_djangos_templates_render(example_cd, css):
    for form in _forms(example_cd):
        for name in form.fields:
            field = form[name]

            assert parse_html(add_class_fast(field, css)) == parse_html(add_class(field, css)), name


def test_select_with_option_groups_renders_as_djangos_template_does():
    class Grouped(forms.Form):
        choice = forms.ChoiceField(choices=[("", "None"), ("Nurses", [("pn", "Practice nurse"), ("np", "Nurse <NP>")])])

    field = Grouped(initial={"choice": "np"})["choice"]

    assert parse_html(add_class_fast(field, "form-select")) == parse_html(add_class(field, "form-select"))


def test_a_ticked_remove_box_stays_ticked_when_the_panel_comes_back(example_cd):
    form = _submitted(example_cd, stage_0_0_remove="on")

    page = _stage_rows(form)

    assert "checked" in page.one("input", name="stage_0_0_remove").attrs
    assert "checked" not in page.one("input", name="stage_0_1_remove").attrs
    assert form.whatif().removed_stages == {(example_cd.pathways[0].key, 0)}


@pytest.mark.parametrize(
    ("typed", "role"),
    [("Nurse practitioner", "np-b8"), ("  nurse PRACTITIONER ", "np-b8"), ("np-b8", "np-b8"), ("GP", "gp")],
)
def test_a_stage_role_typed_without_a_script_is_read_by_name_or_key(example_cd, typed, role):
    form = _submitted(example_cd, stage_0_0_role=typed)

    assert form.is_valid(), form.errors
    assert form.whatif().stage_roles == {(example_cd.pathways[0].key, 0): role}


def test_a_stage_role_no_role_has_is_refused_with_a_message(example_cd):
    form = _submitted(example_cd, stage_0_0_role="Receptionist")

    assert not form.is_valid()
    assert form.errors["stage_0_0_role"] == [
        "Not one of this model's staff roles: give a role's name as the staff rates above name it."
    ]


def test_roles_sharing_a_name_or_cut_short_are_told_apart_by_their_key(example_cd):
    long_name = "Advanced clinical practitioner for long-term conditions and frailty"
    nurse, hca, *roles = example_cd.roles
    roles = (
        dataclasses.replace(nurse, name="Nurse"),
        dataclasses.replace(hca, name="nurse"),
        dataclasses.replace(roles[0], name=long_name),
        *roles[1:],
    )
    model = dataclasses.replace(example_cd, roles=roles)
    keys = [r.key for r in roles]

    form = WhatIfForm(model=model, version=3, bands=BANDS)

    labels = form.role_options
    assert labels[keys[0]] == f"Nurse ({keys[0]})" and labels[keys[1]] == f"nurse ({keys[1]})"
    assert labels[keys[2]] == f"{long_name[:40].rstrip()}… ({keys[2]})"
    assert len(set(labels.values())) == len(labels)
    for typed, key in [
        (labels[keys[1]], keys[1]),
        (keys[0], keys[0]),
        (long_name, keys[2]),
        (labels[keys[2]], keys[2]),
    ]:
        form = _submitted(model, stage_0_0_role=typed)
        assert form.is_valid(), (typed, form.errors)
        assert form.cleaned_data["stage_0_0_role"] == key, typed
    assert not _submitted(model, stage_0_0_role="Nurse").is_valid()  # which nurse?
