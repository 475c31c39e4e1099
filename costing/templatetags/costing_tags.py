from decimal import Decimal

from django import forms, template
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
    context = widget.get_context(field.html_name, field.value(), attrs)["widget"]
    name = conditional_escape(context["name"])
    if isinstance(widget, forms.Select):
        parts = [f'<select name="{name}"{_attrs_html(context["attrs"])}>']
        for group_name, options, _index in context["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            for option in options:
                parts.append(
                    f'\n  <option value="{conditional_escape(str(option["value"]))}"{_attrs_html(option["attrs"])}>'
                    f"{conditional_escape(option['label'])}</option>\n"
                )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 -- every part above is escaped
    value = context["value"]
    value_html = "" if value is None else f' value="{conditional_escape(str(value))}"'
    html = (
        f'<input type="{conditional_escape(context["type"])}" name="{name}"{value_html}{_attrs_html(context["attrs"])}>'
    )
    return mark_safe(html)  # noqa: S308 -- every part above is escaped


def _flat_select(field, widget: forms.Select, attrs: dict) -> str | None:
    """A select without option groups, as Select.optgroups would make it (the first match selected)."""
    choices = list(widget.choices)
    if any(isinstance(label, (list, tuple)) for _value, label in choices):
        return None  # option groups: the general path
    wanted = widget.format_value(field.value())
    parts = [
        f'<select name="{conditional_escape(field.html_name)}"{_attrs_html(widget.build_attrs(widget.attrs, attrs))}>'
    ]
    selected = False
    for value, label in choices:
        value = "" if value is None else str(value)
        mark = ""
        if not selected and value in wanted:
            mark, selected = " selected", True
        parts.append(f'\n  <option value="{conditional_escape(value)}"{mark}>{conditional_escape(label)}</option>\n')
    parts.append("\n</select>")
    return mark_safe("".join(parts))  # noqa: S308 -- every part above is escaped


def _attrs_html(attrs: dict) -> str:
    """django/forms/widgets/attrs.html: ``name="value"``, a bare name for True, nothing for False."""
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


@register.filter
def absolute(value):
    """The size of an amount, for text that already says which way it goes ("Extra cost £14.23")."""
    return None if value is None else abs(value)
