"""Invitations. The factory keeps the raw token on the instance (``invitation.token``).

The database has only its hash.
"""

import secrets

import factory
from django.urls import reverse
from django.utils import timezone

from practices.models import Invitation, Membership
from tests.factories.practices import PracticeFactory


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    practice = factory.SubFactory(PracticeFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.nhs.uk")
    role = Membership.Role.STAFF
    token = factory.LazyFunction(lambda: secrets.token_urlsafe(32))
    token_hash = factory.LazyAttribute(lambda o: Invitation.hash_token(o.token))
    created_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(lambda o: o.created_at + Invitation.VALID_FOR)

    @classmethod
    def _create(cls, model_class, *args, token, **kwargs):
        invitation = super()._create(model_class, *args, **kwargs)
        invitation.token = token
        return invitation


def invitation_url(invitation_or_token) -> str:
    token = getattr(invitation_or_token, "token", invitation_or_token)
    return reverse("invitation_accept", kwargs={"token": token})
