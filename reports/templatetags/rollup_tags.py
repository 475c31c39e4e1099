"""The roll-up table's figures, written in one go.

A roll-up row has seventeen figures, each a variable and a filter: through the
template engine the 200 rows of a facilitator's roll-up took most of the page's
time (about 80 %, against 6 ms for its queries), so the page missed issue 19's
target of twice the SQL floor. The cells are the same as the template wrote
(reports/_rollup_figures.html before), formatted by the same filters and
written as figures (nothing in them to escape); tests/integration/test_rollup.py checks them.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from costing.templatetags.costing_tags import count, gbp, hours

register = template.Library()
SELECTED = mark_safe(" selected")  # noqa: S308 - a constant


@register.simple_tag
def rollup_figures(f, r) -> SafeString:
    """The cells of a row's (or the total's) figures a year: f, its Headline a year; r, its rates (rollup.Rates)."""
    saving = "saving-positive" if f.saving >= 0 else "saving-negative"
    percent = f"{f.saving_percent}%" if f.saving_percent is not None else "–"
    rest = (
        percent,
        gbp(r.before_per_thousand),
        gbp(r.after_per_thousand),
        count(f.visits_before),
        count(f.visits_after),
        hours(f.contact_minutes_before),
        hours(f.contact_minutes_after),
        count(f.people_before),
        count(f.people_after),
        count(f.reviews_before),
        count(f.reviews_after),
        gbp(r.cost_per_person_before),
        gbp(r.cost_per_person_after),
        hours(f.staff_minutes_freed),
    )
    # Every value is a figure the filters wrote (digits, separators, £, %, signs): nothing to escape,
    # which is what format_html would spend its time on, seventeen times a row.
    cells = (
        f'<td class="num">{gbp(f.before)}</td><td class="num">{gbp(f.after)}</td>'
        f'<td class="num {saving}">{gbp(f.saving)}</td>' + "".join(f'<td class="num">{v}</td>' for v in rest)
    )
    return mark_safe(cells)  # noqa: S308 - figures only, as above


@register.simple_tag
def rollup_row(choice, row) -> SafeString:
    """One practice's row of the roll-up table: its name, its choice of model, its basis, list size and figures.

    Written here for the reason the figures are (the module's docstring): a practice's
    select of models was the other half of the template's lookups, 200 rows over.
    """
    practice = choice.practice
    organisation = format_html(" · {}", row.organisation) if row.organisation else ""
    head = format_html(
        '<th scope="row" class="fw-normal"><a href="{}">{}</a>\n'
        '          <div class="text-body-secondary small">{}{}</div></th>',
        practice.get_absolute_url(),
        practice.name,
        practice.ods_code,
        organisation,
    )
    if row.annual:
        figures = format_html(
            '<td>{}</td><td class="num">{}</td>{}',
            row.basis,
            count(row.list_size),
            rollup_figures(row.annual, row.rates),
        )
    elif row.figures:
        figures = format_html(
            '<td colspan="19" class="text-body-secondary">{}</td>', "Per patient: shown apart below, not in the total."
        )
    else:
        why = choice.note or ("The chosen model is no longer there." if choice.models else "No cost model yet.")
        figures = format_html('<td colspan="19" class="text-body-secondary">{}</td>', why)
    return format_html(
        "<tr{}>{}<td>{}</td>{}</tr>",
        format_html(' data-testid="{}"', "rollup-row") if row.annual else "",
        head,
        _model_choice(choice) if choice.models else "",
        figures,
    )


def _model_choice(choice) -> SafeString:
    """The select of a practice's models for this run, with a link to the chosen one."""
    practice, chosen = choice.practice, choice.chosen
    blank = (
        format_html('<option value=""{}>No baseline marked: pick one</option>', "" if chosen else SELECTED)
        if not choice.baseline
        else ""
    )
    options = format_html_join(
        "",
        '<option value="{}"{}>{}{}</option>',
        (
            (
                m.pk,
                SELECTED if chosen is not None and m.pk == chosen.pk else "",
                m.name,
                " (baseline)" if m.is_baseline else " (scenario)" if m.is_scenario else " (copy)" if m.is_copy else "",
            )
            for m in choice.models
        ),
    )
    html = format_html(
        '<label class="visually-hidden" for="id_{}">Cost model of {}</label>'
        '<select class="form-select form-select-sm" id="id_{}" name="{}" style="min-width: 10rem; max-width: 16rem">'
        "{}{}</select>",
        choice.param,
        practice.name,
        choice.param,
        choice.param,
        blank,
        options,
    )
    if choice.headline:
        html += format_html(
            ' <a class="small" href="{}">Open model<span class="visually-hidden"> {}</span></a>',
            chosen.get_absolute_url(),
            chosen.name,
        )
    if chosen and not chosen.is_baseline:
        html += format_html(
            '<div class="small text-body-secondary">Picked for this run{}</div>',
            ": a scenario" if chosen.is_scenario else "",
        )
    return html
