"""Form fields that refuse what no column can hold or no page should show, with a message.

Model choice fields that refuse an id no database column can hold, and the
validators of typed text (names, descriptions): no control characters.

Django's own fields send any integer to the database, where one beyond 64 bits is
an error (OverflowError on SQLite, a data error on PostgreSQL): a 500 from a
tampered form. These check the range first.
"""

from django import forms

from costing import limits

MAX_ID = 2**63 - 1


def _valid_id(value) -> bool:
    text = str(value).strip()
    return text.isascii() and text.isdigit() and 0 < int(text) <= MAX_ID


class SafeModelChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        if value in self.empty_values:
            return None
        if not isinstance(value, self.queryset.model) and not _valid_id(value):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class SafeModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for item in value:
            if not isinstance(item, self.queryset.model) and not _valid_id(item):
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": str(item)[:20]}
                )
        return super()._check_values(value)


def plain_text(value: str) -> None:
    """A name: no control characters and no lone surrogates (costing.limits.text_problem)."""
    problem = limits.text_problem(value)
    if problem:
        raise forms.ValidationError(f"This text {problem}: type it again without it.", code="control_character")


def plain_paragraphs(value: str) -> None:
    """A description: as plain_text, but line breaks and tabs are kept."""
    problem = limits.text_problem(value, multiline=True)
    if problem:
        raise forms.ValidationError(f"This text {problem}: type it again without it.", code="control_character")


def description_field(label: str = "Description") -> forms.CharField:
    """A model's or a pathway's description, bounded as the model file and the database bound it."""
    return forms.CharField(
        label=label,
        required=False,
        max_length=limits.MAX_DESCRIPTION_LENGTH,
        validators=[plain_paragraphs],
        widget=forms.Textarea(attrs={"rows": 2}),
    )
