"""Template filters of the what-if panel (templates/pathways/compare/_whatif.html, _stage_fields.html)."""

from itertools import chain

from django import forms, template
from django.utils.html import format_html

from costing.templatetags.costing_tags import add_class, bootstrap_attrs

register = template.Library()


# The widgets of the what-if panel's rows, whose markup add_class_fast writes (input.html, select.html).
FAST_WIDGETS = (forms.NumberInput, forms.TextInput, forms.Select)


@register.filter
def add_class_fast(field, css: str):
    """What ``add_class`` renders, without the template engine for inputs and selects.

    For the what-if panel's rows, two widgets a role and two a stage, a few
    hundred in all: rendered through Django's widget templates they made the
    comparison page miss its p95 target of 150 ms (README, Performance). The
    widget still builds its own context (attributes, formatted value, selected
    option); only the markup of its template is written here, with format_html,
    which escapes every value. Any other widget goes through its template.
    """
    return _fast_widget(field, css)


@register.simple_tag
def stage_widget(field, css: str, labelled_by: str):
    """A stage row's widget (add_class_fast), named by words already on the page: ``labelled_by`` is the ids
    of its stage's name, its pathway's and its own short label ("(min)", "done by"), so a model of 600 stages
    does not write each stage's and pathway's name again, hidden, in every label."""
    return _fast_widget(field, css, {"aria-labelledby": labelled_by})


def _fast_widget(field, css: str, extra: dict | None = None):
    widget = field.field.widget
    if field.field.localize or type(widget) not in FAST_WIDGETS:
        return add_class(field, css)
    attrs = field.build_widget_attrs({**bootstrap_attrs(field, css), **(extra or {})}, widget)
    if field.auto_id and "id" not in widget.attrs:  # as BoundField.as_widget
        attrs.setdefault("id", field.auto_id)
    context = widget.get_context(field.html_name, field.value(), attrs)["widget"]
    if isinstance(widget, forms.Select):
        return _select_html(context)
    return _input_html(context)


def _input_html(widget: dict):
    """django/forms/widgets/input.html."""
    if widget["value"] is None:
        return format_html(
            '<input type="{}" name="{}"{}>', widget["type"], widget["name"], _attrs_html(widget["attrs"])
        )
    return format_html(
        '<input type="{}" name="{}" value="{}"{}>',
        widget["type"],
        widget["name"],
        widget["value"],
        _attrs_html(widget["attrs"]),
    )


def _select_html(widget: dict):
    """django/forms/widgets/select.html with its select_option.html, option groups included."""
    groups = []
    for group_name, options, _index in widget["optgroups"]:
        # One format_html for all of a group's options: one call for each was half the panel's time.
        rows = format_html(
            "\n".join(['<option value="{}"{}>{}</option>'] * len(options)),
            *chain.from_iterable((o["value"], _attrs_html(o["attrs"]), o["label"]) for o in options),
        )
        groups.append(format_html('<optgroup label="{}">\n{}\n</optgroup>', group_name, rows) if group_name else rows)
    return format_html(
        '<select name="{}"{}>\n{}\n</select>',
        widget["name"],
        _attrs_html(widget["attrs"]),
        format_html("\n".join(["{}"] * len(groups)), *groups),
    )


def _attrs_html(attrs: dict):
    """django/forms/widgets/attrs.html: ``name="value"``, a bare name for True, nothing for False."""
    if not attrs:
        return ""  # most options: a select's options carry nothing but "selected"
    pairs = [(name, value) for name, value in attrs.items() if value is not True and value is not False]
    bare = [name for name, value in attrs.items() if value is True]
    return format_html(' {}="{}"' * len(pairs) + " {}" * len(bare), *chain.from_iterable(pairs), *bare)


@register.filter
def stages_have_errors(stages) -> bool:
    """Whether a what-if pathway's stage rows (stage, minutes, role, remove) hold an error: its section opens."""
    return any(
        (minutes is not None and minutes.errors) or (role is not None and role.errors)
        for _stage, minutes, role, _remove in stages
    )
