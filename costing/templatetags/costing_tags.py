from decimal import Decimal
from functools import lru_cache
from html import escape as html_escape

from django import forms, template
from django.forms.widgets import Input
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from costing.exchange import figure

register = template.Library()


@register.filter
def gbp(value: Decimal | None) -> str:
    """£1,234.56; a negative amount as −£1.00; nothing as an en dash."""
    if value is None or value == "":
        return "–"
    value = Decimal(value).quantize(Decimal("0.01"))
    sign = "−" if value < 0 else ""
    return f"{sign}£{abs(value):,}"


@register.filter
def minutes(value: Decimal | None) -> str:
    if value is None:
        return "–"
    return figure(Decimal(value))


@register.filter
def hours(value: Decimal | None) -> str:
    """Minutes shown as hours to one decimal place."""
    if value is None:
        return "–"
    return f"{(Decimal(value) / 60).quantize(Decimal('0.1')):,}"


@register.filter
def get_item(mapping, key):
    return mapping.get(key)


@register.filter
def add_class(field, css: str):
    """Render a bound field's widget with Bootstrap classes and its error wiring."""
    attrs = {"class": css}
    if field.errors:
        attrs["class"] += " is-invalid"
        attrs["aria-invalid"] = "true"
        attrs["aria-describedby"] = f"{field.html_name}-error"
    if type(field.field.widget) in FAST_WIDGETS and not field.field.localize:
        return _render_widget(field, attrs)
    return field.as_widget(attrs=attrs)


@register.simple_tag
def field_error(field) -> str:
    """pathways/compare/_field_error.html for ``field`` (without hx-swap-oob), without the template engine."""
    messages = " ".join(conditional_escape(message) for message in field.errors)
    html = f'<div class="invalid-feedback d-block" id="{conditional_escape(field.html_name)}-error">{messages}</div>\n'
    return mark_safe(html)  # noqa: S308 -- every part above is escaped


@register.simple_tag
def stage_fields(form) -> str:
    """The what-if panel's minutes and role of each stage, by pathway, without the template engine.

    Two fields for each of a model's stages, a hundred or more: as a template
    loop this was a fifth of the comparison page's time.
    """
    parts = []
    for pathway, stages in form.pathway_rows:
        opened = " open" if any(minutes.errors for _stage, minutes, _role in stages) else ""
        parts.append(f'<details class="mb-1"{opened}>\n<summary class="small">{escape(pathway.name)}</summary>\n')
        for stage, minutes, role in stages:
            parts.append(
                '<div class="row g-1 align-items-end mb-1">\n<div class="col-4">\n'
                f'<label class="form-label small mb-0" for="{escape(minutes.id_for_label)}">'
                f"{escape(stage.name)} (min)</label>\n"
                f"{add_class(minutes, 'form-control form-control-sm')}\n{field_error(minutes)}"
                '</div>\n<div class="col-8">\n'
                f'<label class="form-label small mb-0" for="{escape(role.id_for_label)}">done by</label>\n'
                f"{add_class(role, 'form-select form-select-sm')}\n{field_error(role)}"
                "</div>\n</div>\n"
            )
        parts.append("</details>\n")
    return mark_safe("".join(parts))  # noqa: S308 -- every part above is escaped or rendered escaped


# The what-if panel has a few hundred inputs and selects: rendering each through
# Django's widget templates took most of the comparison page's time. These widgets
# are rendered here instead, to the same HTML (tests/unit/test_widget_html.py).
FAST_WIDGETS = (forms.NumberInput, forms.TextInput, forms.HiddenInput, forms.Select)


def _render_widget(field, attrs: dict) -> str:
    """What ``field.as_widget(attrs=attrs)`` returns, without the template engine."""
    widget = field.field.widget
    attrs = field.build_widget_attrs(attrs, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    if isinstance(widget, forms.Select) and not widget.allow_multiple_selected:
        flat = _flat_select(field, widget, attrs)
        if flat is not None:
            return flat
    if isinstance(widget, Input):  # Input.get_context, without the context
        value = widget.format_value(field.value())
        value_html = "" if value is None else f' value="{escape(str(value))}"'
        attrs_html = _attrs_html(widget.build_attrs(widget.attrs, attrs))
        html = f'<input type="{escape(widget.input_type)}" name="{escape(field.html_name)}"'
        return mark_safe(html + value_html + attrs_html + ">")  # noqa: S308 -- every part above is escaped
    # A select with option groups.
    context = widget.get_context(field.html_name, field.value(), attrs)["widget"]
    parts = [f'<select name="{escape(context["name"])}"{_attrs_html(context["attrs"])}>']
    for group_name, options, _index in context["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{escape(group_name)}">')
        for option in options:
            parts.append(
                f'\n  <option value="{escape(str(option["value"]))}"{_attrs_html(option["attrs"])}>'
                f"{escape(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))  # noqa: S308 -- every part above is escaped


def _flat_select(field, widget: forms.Select, attrs: dict) -> str | None:
    """A select without option groups, as Select.optgroups would make it (the first match selected)."""
    choices = tuple(widget.choices)
    if any(isinstance(label, (list, tuple)) for _value, label in choices):
        return None  # option groups: the general path
    options = _escaped_options(choices)
    wanted = widget.format_value(field.value())
    parts = [f'<select name="{escape(field.html_name)}"{_attrs_html(widget.build_attrs(widget.attrs, attrs))}>']
    selected = False
    for value, value_html, label_html in options:
        mark = ""
        if not selected and value in wanted:
            mark, selected = " selected", True
        parts.append(f'\n  <option value="{value_html}"{mark}>{label_html}</option>\n')
    parts.append("\n</select>")
    return mark_safe("".join(parts))  # noqa: S308 -- every part above is escaped


@lru_cache(maxsize=256)
def _escaped_options(choices: tuple) -> tuple[tuple[str, str, str], ...]:
    """(value, value escaped, label escaped) of each choice (no option groups).

    The what-if panel has a hundred selects over the same few lists of choices:
    each list is escaped once.
    """
    found = []
    for value, label in choices:
        value = "" if value is None else str(value)
        found.append((value, escape(value), escape(label)))
    return tuple(found)


def escape(value) -> str:
    """conditional_escape, without the lazy-string wrapper that made it the page's costliest call."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html_escape(str(value))


def _attrs_html(attrs: dict) -> str:
    """django/forms/widgets/attrs.html: ``name="value"``, a bare name for True, nothing for False."""
    return "".join(
        f" {escape(name)}" if value is True else f' {escape(name)}="{escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


@register.filter
def absolute(value):
    """The size of an amount, for text that already says which way it goes ("Extra cost £14.23")."""
    return None if value is None else abs(value)
