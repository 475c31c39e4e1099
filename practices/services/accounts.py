"""Writes to practices, memberships and invitations: keyword-only, one transaction each.

Views check access with practices.access.practice_access() before calling these;
practice_create checks that the acting user is a facilitator itself, as there is
no practice yet to check access against.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from practices.access import is_facilitator
from practices.models import FacilitatorAssignment, Invitation, Membership, Organisation, Practice

ROLE_STRENGTH = {Membership.Role.STAFF: 1, Membership.Role.ADMIN: 2}


class InvitationUnusable(Exception):
    """The invitation was accepted already, has expired, does not exist, or is for another address."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # "unknown", "accepted", "expired" or "other_address"


class CreatedInvitation(NamedTuple):
    invitation: Invitation
    token: str  # the secret: only its hash is stored
    link: str  # the accept link with the token, absolute when a way to build one was given


def normalise_email(email: str) -> str:
    return email.strip().lower()


def one_line(text: str) -> str:
    """Text safe for an email header: whitespace (newlines too) collapsed."""
    return " ".join(str(text).split())


def invitation_for_token(token: str) -> Invitation:
    """The invitation of a link's token, usable or not; InvitationUnusable("unknown") if none."""
    invitation = (
        Invitation.objects.filter(token_hash=Invitation.hash_token(token)).select_related("practice").first()
        if token
        else None
    )
    if invitation is None:
        raise InvitationUnusable("unknown")
    return invitation


def check_usable(invitation: Invitation) -> None:
    if invitation.is_accepted:
        raise InvitationUnusable("accepted")
    if invitation.is_expired:
        raise InvitationUnusable("expired")


def check_invited(invitation: Invitation, user: AbstractBaseUser) -> None:
    """Only the person invited may accept: a forwarded link is no use to anyone else."""
    if normalise_email(user.email or "") != invitation.email:
        raise InvitationUnusable("other_address")


def _send_invitation_email(*, invitation: Invitation, link: str, by: AbstractBaseUser | None) -> None:
    context = {
        "invitation": invitation,
        "practice": invitation.practice,
        "link": link,
        "inviter": (by.get_full_name() or by.get_username()) if by is not None else "",
    }
    send_mail(
        subject=one_line(f"Invitation to {invitation.practice.name} – PCSP cost profiling"),
        message=render_to_string("practices/members/invitation_email.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[invitation.email],
    )


@transaction.atomic
def invitation_create(
    *,
    practice: Practice,
    email: str,
    role: str,
    by: AbstractBaseUser | None,
    build_absolute_uri: Callable[[str], str] | None = None,
) -> CreatedInvitation:
    """Invite a person by email; replaces their pending invitation to the practice.

    The email with the link goes once the transaction commits.
    ``build_absolute_uri`` turns a path into an absolute URL: a view passes
    ``request.build_absolute_uri``; without it the link starts with settings.SITE_URL
    when that is set.
    """
    role = Membership.Role(role)
    email = normalise_email(email)
    Invitation.objects.filter(practice=practice, email=email, accepted_at__isnull=True).delete()
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation = Invitation.objects.create(
        practice=practice,
        email=email,
        role=role,
        token_hash=Invitation.hash_token(token),
        created_by=by,
        created_at=now,
        expires_at=now + Invitation.VALID_FOR,
    )
    path = reverse("invitation_accept", kwargs={"token": token})
    if build_absolute_uri is not None:
        link = build_absolute_uri(path)
    else:
        link = getattr(settings, "SITE_URL", "").rstrip("/") + path
    # robust: a mail server that is down is logged, not a 500 for an invitation that is saved
    # (inviting the same address again sends a fresh link).
    transaction.on_commit(lambda: _send_invitation_email(invitation=invitation, link=link, by=by), robust=True)
    return CreatedInvitation(invitation=invitation, token=token, link=link)


@transaction.atomic
def invitation_revoke(*, invitation: Invitation) -> None:
    """Withdraw a pending invitation: its link stops working."""
    Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).delete()


@transaction.atomic
def invitation_accept(
    *,
    invitation: Invitation,
    by: AbstractBaseUser | None,
    username: str = "",
    first_name: str = "",
    last_name: str = "",
    password: str = "",
) -> Membership:
    """Use an invitation once: the acting user, or a new user when ``by`` is None, joins the practice.

    A new user gets the invitation's email and the given username, names and
    password (validated by the form). A user who is a member already keeps the
    stronger of their role and the invited one. Raises InvitationUnusable.
    """
    invitation = Invitation.objects.select_for_update().filter(pk=invitation.pk).first()
    if invitation is None:
        raise InvitationUnusable("unknown")
    check_usable(invitation)
    if by is None:
        user = get_user_model().objects.create_user(
            username=username, email=invitation.email, password=password, first_name=first_name, last_name=last_name
        )
    else:
        check_invited(invitation, by)
        user = by
    membership, created = Membership.objects.select_for_update().get_or_create(
        user=user, practice=invitation.practice, defaults={"role": invitation.role}
    )
    stronger = ROLE_STRENGTH[Membership.Role(invitation.role)] > ROLE_STRENGTH[Membership.Role(membership.role)]
    if not created and stronger:
        membership.role = invitation.role
        membership.save(update_fields=["role"])
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


@transaction.atomic
def practice_create(
    *, name: str, ods_code: str, list_size: int, organisation: Organisation | None, by: AbstractBaseUser
) -> Practice:
    """A facilitator creates a practice and is assigned to it."""
    if not is_facilitator(by):
        raise PermissionDenied("Only a Year of Care facilitator may create a practice.")
    practice = Practice(name=name, ods_code=ods_code, list_size=list_size, organisation=organisation)
    practice.full_clean()
    practice.save()
    FacilitatorAssignment.objects.create(facilitator=by.facilitator, practice=practice)
    return practice


def _still_looked_after(practice: Practice, *, without: Membership) -> bool:
    """Whether the practice keeps an admin or a facilitator once ``without`` is no longer an admin."""
    if FacilitatorAssignment.objects.filter(practice=practice).exists():
        return True
    return Membership.objects.filter(practice=practice, role=Membership.Role.ADMIN).filter(~Q(pk=without.pk)).exists()


LAST_ADMIN_MESSAGE = (
    "The practice would be left with no practice admin and no facilitator. Make someone else a practice admin first."
)


@transaction.atomic
def membership_remove(*, membership: Membership) -> None:
    """Remove a member; refused (ValidationError) if the practice would have no admin and no facilitator."""
    Practice.objects.select_for_update().filter(pk=membership.practice_id).first()
    membership = Membership.objects.select_for_update().filter(pk=membership.pk).first()
    if membership is None:  # removed already
        return
    if membership.role == Membership.Role.ADMIN and not _still_looked_after(membership.practice, without=membership):
        raise ValidationError(LAST_ADMIN_MESSAGE, code="last_admin")
    membership.delete()


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str) -> Membership:
    """Make a member admin or staff; refused (ValidationError) if that leaves no admin and no facilitator."""
    role = Membership.Role(role)
    Practice.objects.select_for_update().filter(pk=membership.practice_id).first()
    current = Membership.objects.select_for_update().select_related("user").filter(pk=membership.pk).first()
    if current is None:
        raise ValidationError("This person is no longer a member of the practice.", code="gone")
    membership = current
    if (
        membership.role == Membership.Role.ADMIN
        and role != Membership.Role.ADMIN
        and not _still_looked_after(membership.practice, without=membership)
    ):
        raise ValidationError(LAST_ADMIN_MESSAGE, code="last_admin")
    if membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
    return membership
