"""practices.selectors: what the view tests do not already show."""

import pytest
from django.utils import timezone

from practices import selectors
from practices.models import Membership
from tests.factories import MembershipFactory, PracticeFactory, UserFactory
from tests.factories.accounts import InvitationFactory

pytestmark = pytest.mark.django_db


def test_has_active_account_ignores_case_and_inactive_users():
    UserFactory(email="Known.Person@example.nhs.uk")
    UserFactory(email="gone@example.nhs.uk", is_active=False)

    assert selectors.has_active_account(email="known.person@EXAMPLE.nhs.uk")
    assert not selectors.has_active_account(email="gone@example.nhs.uk")
    assert not selectors.has_active_account(email="nobody@example.nhs.uk")


def test_username_taken_ignores_case():
    UserFactory(username="Jo.Bloggs")

    assert selectors.username_taken(username="jo.bloggs")
    assert not selectors.username_taken(username="jo.bloggs2")


def test_membership_roles_are_those_held_at_that_practice_only():
    practice, elsewhere = PracticeFactory(), PracticeFactory()
    user = UserFactory(email="sam@example.nhs.uk")
    MembershipFactory(user=user, practice=elsewhere, role=Membership.Role.ADMIN)
    MembershipFactory(user=user, practice=practice, role=Membership.Role.STAFF)

    assert selectors.membership_roles(practice=practice, email="SAM@example.nhs.uk") == {Membership.Role.STAFF}
    assert selectors.membership_roles(practice=PracticeFactory(), email="sam@example.nhs.uk") == set()


def test_practice_people_lists_admins_first_by_surname_and_only_pending_invitations():
    practice = PracticeFactory()
    staff = MembershipFactory(practice=practice, role=Membership.Role.STAFF, user__last_name="Abbott")
    second = MembershipFactory(practice=practice, role=Membership.Role.ADMIN, user__last_name="Young")
    first = MembershipFactory(practice=practice, role=Membership.Role.ADMIN, user__last_name="Brown")
    MembershipFactory(role=Membership.Role.ADMIN)  # another practice's
    pending = InvitationFactory(practice=practice, email="b@example.nhs.uk")
    earlier = InvitationFactory(practice=practice, email="a@example.nhs.uk")
    InvitationFactory(practice=practice, accepted_at=timezone.now())

    people = selectors.practice_people(practice=practice)

    assert people.memberships == [first, second, staff]
    assert people.invitations == [earlier, pending]
    assert people.facilitators == []
