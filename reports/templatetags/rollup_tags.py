"""The roll-up's table rows, rendered in Python: a facilitator's 200 practices were most of the page's time."""

from django import template
from django.utils.safestring import mark_safe

from costing.templatetags.costing_tags import escape, gbp, hours

register = template.Library()


@register.simple_tag
def rollup_row(choice, row) -> str:
    """One practice's row of templates/reports/rollup.html: its model select and its chosen model's figures."""
    practice = choice.practice
    organisation = f" · {escape(row.organisation)}" if row.organisation else ""
    parts = [
        "<tr>\n",
        f'<th scope="row" class="fw-normal"><a href="{escape(practice.get_absolute_url())}">'
        f"{escape(practice.name)}</a>\n",
        f'<div class="text-body-secondary small">{escape(practice.ods_code)}{organisation}</div></th>\n',
    ]
    if choice.models:
        param = escape(choice.param)
        parts += [
            "<td>\n",
            f'<label class="visually-hidden" for="id_{param}">Cost model of {escape(practice.name)}</label>\n',
            f'<select class="form-select form-select-sm" id="id_{param}" name="{param}"'
            ' style="min-width: 10rem; max-width: 16rem">\n',
        ]
        for index, model in enumerate(choice.models):
            selected = " selected" if model == choice.chosen else ""
            latest = " (latest)" if index == 0 else ""
            parts.append(f'<option value="{model.pk}"{selected}>{escape(model.name)}{latest}</option>')
        parts.append("\n</select>\n")
        if choice.headline:
            parts.append(
                f'<a class="small" href="{escape(choice.chosen.get_absolute_url())}">Open model'
                f'<span class="visually-hidden"> {escape(choice.chosen.name)}</span></a>\n'
            )
        parts.append("</td>\n")
    f = row.figures
    if f:
        direction = "saving-positive" if f.saving >= 0 else "saving-negative"
        percent = "–" if f.saving_percent is None else f"{f.saving_percent}%"
        parts += [
            f"<td>{escape(row.period_label[:1].upper() + row.period_label[1:])}</td>\n",
            f'<td class="num">{escape(gbp(f.before))}</td>\n',
            f'<td class="num">{escape(gbp(f.after))}</td>\n',
            f'<td class="num {direction}">{escape(gbp(f.saving))}</td>\n',
            f'<td class="num">{percent}</td>\n',
            f'<td class="num">{f.visits_before}</td>\n',
            f'<td class="num">{f.visits_after}</td>\n',
            f'<td class="num">{escape(hours(f.staff_minutes_freed))}</td>\n',
        ]
    else:
        span = 8 if choice.models else 9
        gone = " (the chosen model is no longer there)" if choice.models else ""
        parts.append(f'<td colspan="{span}" class="text-body-secondary">No cost model yet{gone}.</td>\n')
    parts.append("</tr>\n")
    return mark_safe("".join(parts))  # noqa: S308 -- every value above is escaped or a number
