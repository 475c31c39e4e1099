"""The what-if panel's fields, rendered in Python (costing_tags), are the HTML Django's templates give."""

from decimal import Decimal

import pytest
from django import forms
from django.template.loader import render_to_string
from django.utils.html import escape

from costing.selectors import PayBandOption
from costing.templatetags.costing_tags import add_class, field_error, stage_fields
from pathways.forms.whatif import ScenarioNameForm, WhatIfForm

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


def _forms(example_cd):
    untouched = WhatIfForm(model=example_cd, version=3, bands=BANDS)
    data = {name: "" for name in untouched.fields}
    data.update(
        {
            "version": "3",
            "role_0_rate": "-5",
            "role_1_band": BANDS[2].value,
            "stage_0_0_minutes": 'abc "<b>"',
            "stage_1_0_role": "pn-b7",
            "scale": "2",
        }
    )
    invalid = WhatIfForm(data, model=example_cd, version=3, bands=BANDS)
    invalid.is_valid()
    named = ScenarioNameForm(initial={"scenario_name": 'Nurse "<b>" on £24'})
    unnamed = ScenarioNameForm({"scenario_name": ""})
    unnamed.is_valid()
    return [untouched, invalid, named, unnamed]


@pytest.mark.parametrize("css", ["form-control form-control-sm", 'odd "class" <x>'])
def test_fields_render_as_django_renders_them(example_cd, css):
    for form in _forms(example_cd):
        for name in form.fields:
            field = form[name]
            attrs = {"class": css}
            if field.errors:
                attrs.update({"class": css + " is-invalid", "aria-invalid": "true"})
                attrs["aria-describedby"] = f"{field.html_name}-error"

            assert str(add_class(field, css)) == str(field.as_widget(attrs=attrs)), name


def test_select_with_option_groups_still_renders_as_django_does():
    class Grouped(forms.Form):
        choice = forms.ChoiceField(choices=[("Nurses", [("pn", "Practice nurse"), ("np", "Nurse practitioner")])])

    field = Grouped(initial={"choice": "np"})["choice"]

    assert str(add_class(field, "form-select")) == str(field.as_widget(attrs={"class": "form-select"}))


def test_field_errors_render_as_the_template_renders_them(example_cd):
    for form in _forms(example_cd):
        for name in form.fields:
            field = form[name]
            expected = render_to_string("pathways/compare/_field_error.html", {"field": field})

            assert str(field_error(field)) == expected, name


def test_stage_fields_label_every_stage_and_open_the_pathways_with_errors(example_cd):
    untouched, invalid, *_ = _forms(example_cd)

    html = str(stage_fields(untouched))

    assert html.count("<details") == len(example_cd.pathways) and " open" not in html
    for pathway, stages in untouched.pathway_rows:
        assert f'<summary class="small">{escape(pathway.name)}</summary>' in html
        for stage, minutes, role in stages:
            assert f'for="{minutes.id_for_label}">{escape(stage.name)} (min)</label>' in html
            assert str(add_class(minutes, "form-control form-control-sm")) in html
            assert str(add_class(role, "form-select form-select-sm")) in html
            assert f'for="{role.id_for_label}">done by</label>' in html
    errors = str(stage_fields(invalid))
    with_errors = [p for p, stages in invalid.pathway_rows if any(minutes.errors for _s, minutes, _r in stages)]
    assert with_errors and errors.count(" open>") == len(with_errors)
    assert str(field_error(invalid["stage_0_0_minutes"])) in errors
