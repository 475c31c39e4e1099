"""Forms for practices, invitations and members. Bad input: a message beside the field, nothing saved."""

from __future__ import annotations

import re

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.core.exceptions import ValidationError

from practices import selectors
from practices.formfields import SafeModelChoiceField, plain_text
from practices.models import ODS_PRACTICE_CODE, Invitation, Membership, Practice
from practices.services.accounts import normalise_email, one_line

MAX_LIST_SIZE = 200_000

ROLE_HELP = "A practice admin builds and changes the practice's models and invites people; practice staff read them."


class PracticeCreateForm(forms.ModelForm):
    ods_code = forms.CharField(
        label="ODS code",
        help_text="The practice's Organisation Data Service code: a capital letter and five digits, e.g. A81001.",
        widget=forms.TextInput(attrs={"maxlength": 6, "autocomplete": "off", "spellcheck": "false"}),
    )
    list_size = forms.IntegerField(
        label="Registered list size",
        min_value=0,
        max_value=MAX_LIST_SIZE,
        help_text=f"Patients registered with the practice, 0 to {MAX_LIST_SIZE:,}.",
        error_messages={"invalid": "Enter the list size as a whole number, e.g. 8000."},
    )
    organisation = SafeModelChoiceField(
        queryset=selectors.organisations(),
        required=False,
        empty_label="None",
        help_text="Optional: the ICB, PCN or federation the practice belongs to.",
    )

    class Meta:
        model = Practice
        fields = ["name", "ods_code", "list_size", "organisation"]
        labels = {"name": "Practice name"}

    def clean_name(self) -> str:
        name = one_line(self.cleaned_data["name"])
        plain_text(name)
        return name

    def clean_ods_code(self) -> str:
        code = self.cleaned_data["ods_code"].strip().upper()
        ODS_PRACTICE_CODE(code)
        if selectors.practice_exists(ods_code=code):
            raise ValidationError(f"A practice with ODS code {code} already exists.", code="unique")
        return code


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Email address", max_length=Invitation._meta.get_field("email").max_length)
    role = forms.ChoiceField(
        label="Role",
        choices=Membership.Role.choices,
        initial=Membership.Role.STAFF,
        widget=forms.RadioSelect,
        help_text=ROLE_HELP,
    )

    def __init__(self, *args, practice: Practice, **kwargs):
        super().__init__(*args, **kwargs)
        self.practice = practice
        self.fields["email"].widget.attrs["autocomplete"] = "off"

    def clean_email(self) -> str:
        return normalise_email(self.cleaned_data["email"])

    def clean(self):
        cleaned = super().clean()
        email, role = cleaned.get("email"), cleaned.get("role")
        if email and role:
            held = selectors.membership_roles(practice=self.practice, email=email)
            if Membership.Role.ADMIN in held or role in held:
                self.add_error(
                    "email",
                    ValidationError(
                        "%(email)s is already a member of this practice with this role or a stronger one.",
                        code="member",
                        params={"email": email},
                    ),
                )
        return cleaned


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=Membership.Role.choices)


def suggest_username(email: str) -> str:
    """A free username from an email address: its local part, else the whole address."""
    local = re.sub(r"[^\w.@+-]", "", email.split("@", 1)[0])[:150]
    for candidate in (local, email[:150]):
        if candidate and not selectors.username_taken(username=candidate):
            return candidate
    return ""


class InvitationSignupForm(UserCreationForm):
    """A new person's account from an invitation: the email is the invitation's."""

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "first_name", "last_name")

    def __init__(self, *args, invitation: Invitation, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("username", suggest_username(invitation.email))
        super().__init__(*args, **kwargs)
        # The email is known to the similarity validator (a password like the address is refused).
        self.instance.email = invitation.email
        self.fields["username"].help_text = "What you will log in with. Letters, digits and @ . + - _ only."
        for name in ("first_name", "last_name"):
            self.fields[name].required = True
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"

    def clean_first_name(self) -> str:
        name = one_line(self.cleaned_data["first_name"])
        plain_text(name)
        return name

    def clean_last_name(self) -> str:
        name = one_line(self.cleaned_data["last_name"])
        plain_text(name)
        return name
