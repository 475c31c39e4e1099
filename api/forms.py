from datetime import timedelta

from django import forms
from django.utils import timezone

EXPIRY_CHOICES = [("", "Never (until revoked)"), ("30", "In 30 days"), ("90", "In 90 days"), ("365", "In a year")]


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label="What is it for?", max_length=100, help_text="For example “ICB Power BI dashboard”.", strip=True
    )
    expires = forms.TypedChoiceField(
        label="Expires", choices=EXPIRY_CHOICES, coerce=int, empty_value=None, required=False
    )

    def clean_name(self):
        name = self.cleaned_data["name"]
        if any(ord(c) < 32 for c in name):
            raise forms.ValidationError("Use letters, digits, spaces and punctuation only.")
        return name

    @property
    def expires_at(self):
        days = self.cleaned_data.get("expires")
        return timezone.now() + timedelta(days=days) if days else None
