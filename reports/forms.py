"""Forms of reports: the cohort spreadsheet upload."""

from django import forms

from costing import limits


class CohortImportForm(forms.Form):
    file = forms.FileField(
        label="CSV or Excel (.xlsx) file",
        help_text=(
            "Columns: side (before/after), label, conditions (codes separated by ;), patients, pathway (key or "
            "name); optional: times (how often each patient goes through the pathway in the period, 1–12, "
            "default 1) and exceptions (of the patients, those screened out at triage, default 0)."
        ),
    )
    default_side = forms.ChoiceField(
        label="Side for rows without a side column",
        choices=[("", "Every row says its side"), ("before", "Before"), ("after", "After")],
        required=False,
    )
    replace = forms.BooleanField(
        label="Replace the cohorts of each side in the file (otherwise they are added)", required=False
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > limits.MAX_MODEL_FILE_BYTES:
            raise forms.ValidationError(f"The file is larger than {limits.MAX_MODEL_FILE_BYTES // 1024 // 1024} MB.")
        return upload
