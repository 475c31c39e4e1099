"""Passwords (change, reset by email) and the invitation link: once, for 7 days, never a 500."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from practices.models import Invitation, Membership
from tests.factories import MembershipFactory, PracticeFactory, UserFactory
from tests.factories.accounts import InvitationFactory, invitation_url
from tests.factories.practices import PASSWORD

pytestmark = pytest.mark.django_db

User = get_user_model()
NEW_PASSWORD = "heather-moorland-teapot-42"


def signup(**overrides):
    return {
        "username": "new.person",
        "first_name": "New",
        "last_name": "Person",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        **overrides,
    }


def logged_in_user(client):
    return client.get(reverse("dashboard")).wsgi_request.user


# --- password change -------------------------------------------------------------------------------------------


def test_password_change_page_needs_login(client):
    response = client.get(reverse("password_change"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_password_change_changes_the_password(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("password_change")).status_code == 200

    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert response.url == reverse("password_change_done")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert client.get(reverse("password_change_done")).status_code == 200
    assert client.get(reverse("dashboard")).status_code == 200  # still logged in


def test_password_change_with_wrong_old_password_changes_nothing(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post(
        reverse("password_change"),
        {"old_password": "not-my-password", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_change_to_a_weak_password_is_refused(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post(
        reverse("password_change"), {"old_password": PASSWORD, "new_password1": "12345", "new_password2": "12345"}
    )

    assert response.status_code == 200
    assert "too short" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


# --- password reset ------------------------------------------------------------------------------------------


def test_login_page_links_to_password_reset(client):
    assert reverse("password_reset") in client.get(reverse("login")).content.decode()


def test_password_reset_emails_a_link_that_sets_a_new_password(client):
    user = UserFactory(email="someone@example.nhs.uk")
    assert client.get(reverse("password_reset")).status_code == 200

    response = client.post(reverse("password_reset"), {"email": "Someone@example.nhs.uk"})

    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert client.get(response.url).status_code == 200
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["someone@example.nhs.uk"]
    assert "\n" not in message.subject
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", message.body).group(1)

    form_page = client.get(link, follow=True)  # Django swaps the token for a session one
    assert form_page.status_code == 200
    assert "Choose a new password" in form_page.content.decode()
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert done.status_code == 302
    assert done.url == reverse("password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert client.get(link, follow=True).context["validlink"] is False  # the link is spent


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.nhs.uk"})

    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert mail.outbox == []


def test_password_reset_with_a_garbage_link_says_invalid(client):
    response = client.get(
        reverse("password_reset_confirm", kwargs={"uidb64": "zzz", "token": "set-password"}), follow=True
    )

    assert response.status_code == 200
    assert "This link is not valid" in response.content.decode()


# --- invitation link: new person -------------------------------------------------------------------------------


def test_invitation_link_shows_a_signup_form_with_the_username_from_the_email(client):
    invitation = InvitationFactory(email="jo.bloggs@example.nhs.uk")

    response = client.get(invitation_url(invitation))

    html = response.content.decode()
    assert response.status_code == 200
    assert invitation.practice.name in html
    assert 'value="jo.bloggs"' in html


def test_accepting_creates_the_user_and_membership_and_logs_in(client):
    invitation = InvitationFactory(email="jo@example.nhs.uk", role=Membership.Role.ADMIN)

    response = client.post(invitation_url(invitation), signup())

    assert response.status_code == 302
    assert response.url == invitation.practice.get_absolute_url()
    user = User.objects.get(username="new.person")
    assert (user.email, user.first_name, user.last_name) == ("jo@example.nhs.uk", "New", "Person")
    assert user.check_password(NEW_PASSWORD)
    assert Membership.objects.get(user=user, practice=invitation.practice).role == Membership.Role.ADMIN
    invitation.refresh_from_db()
    assert invitation.accepted_by == user
    assert invitation.accepted_at is not None
    assert logged_in_user(client) == user
    assert client.get(invitation.practice.get_absolute_url()).status_code == 200


def test_invitation_link_works_once(client):
    invitation = InvitationFactory()
    client.post(invitation_url(invitation), signup())
    client.logout()

    again = client.get(invitation_url(invitation))
    again_post = client.post(invitation_url(invitation), signup(username="another"))

    assert again.status_code == 410
    assert "has been used" in again.content.decode()
    assert again_post.status_code == 410
    assert not User.objects.filter(username="another").exists()


def test_used_invitation_offers_the_practice_to_whoever_accepted_it(client):
    invitation = InvitationFactory()
    client.post(invitation_url(invitation), signup())

    response = client.get(invitation_url(invitation))

    assert response.status_code == 410
    assert invitation.practice.get_absolute_url() in response.content.decode()


def test_invitation_link_expires_after_7_days(client):
    invitation = InvitationFactory()
    assert invitation.expires_at - invitation.created_at == timedelta(days=7)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    shown = client.get(invitation_url(invitation))
    posted = client.post(invitation_url(invitation), signup())

    assert shown.status_code == 410
    assert "has expired" in shown.content.decode()
    assert posted.status_code == 410
    assert not User.objects.filter(username="new.person").exists()


def test_invitation_link_still_works_just_before_it_expires(client):
    invitation = InvitationFactory()
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() + timedelta(minutes=1))

    assert client.get(invitation_url(invitation)).status_code == 200


@pytest.mark.parametrize("token", ["wrong", "x" * 43, "a" * 5000, "%00", "..", "ÿ"])
def test_unknown_invitation_token_is_404(client, token):
    InvitationFactory()

    response = client.get(reverse("invitation_accept", kwargs={"token": token}))

    assert response.status_code == 404
    assert "Invitation not found" in response.content.decode()


def test_only_the_tokens_hash_is_stored(client):
    invitation = InvitationFactory()

    stored = Invitation.objects.filter(pk=invitation.pk).values().get()

    assert invitation.token not in str(stored)
    assert stored["token_hash"] == Invitation.hash_token(invitation.token)


def test_weak_password_is_rejected_with_a_message_and_nothing_is_created(client):
    invitation = InvitationFactory()

    response = client.post(invitation_url(invitation), signup(password1="password", password2="password"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "This password is too common" in html
    assert not User.objects.filter(username="new.person").exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert not logged_in_user(client).is_authenticated


def test_mismatched_passwords_are_rejected(client):
    invitation = InvitationFactory()

    response = client.post(invitation_url(invitation), signup(password2=NEW_PASSWORD + "x"))

    assert response.status_code == 200
    assert "didn’t match" in response.content.decode()
    assert not User.objects.filter(username="new.person").exists()


def test_taken_username_is_rejected(client):
    UserFactory(username="New.Person")
    invitation = InvitationFactory()

    response = client.post(invitation_url(invitation), signup())

    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert Membership.objects.filter(practice=invitation.practice).count() == 0


def test_signup_names_are_required_and_bounded_and_html_is_escaped(client):
    invitation = InvitationFactory()

    missing = client.post(invitation_url(invitation), signup(first_name="", last_name=""))
    too_long = client.post(invitation_url(invitation), signup(first_name="A" * 10_000))
    html_name = client.post(invitation_url(invitation), signup(first_name="<b>Bold</b>", username="<script>"))

    assert missing.status_code == too_long.status_code == html_name.status_code == 200
    assert "This field is required" in missing.content.decode()
    assert "at most 150 characters" in too_long.content.decode()
    assert "<script>" not in html_name.content.decode()
    assert "&lt;b&gt;Bold&lt;/b&gt;" in html_name.content.decode()
    assert User.objects.count() == 0


def test_garbage_post_to_an_invitation_is_not_a_500(client):
    invitation = InvitationFactory()

    response = client.post(invitation_url(invitation), {"username": ["a", "b"], "password1": "\x00"})

    assert response.status_code == 200
    assert User.objects.count() == 0


# --- invitation link: a person who has an account --------------------------------------------------------------


def test_person_with_an_account_is_asked_to_log_in_first(client):
    UserFactory(email="known@example.nhs.uk")
    invitation = InvitationFactory(email="known@example.nhs.uk")

    shown = client.get(invitation_url(invitation))
    posted = client.post(invitation_url(invitation), signup())

    assert shown.status_code == 200
    html = shown.content.decode()
    assert "Log in to accept" in html
    assert 'name="password1"' not in html
    assert posted.status_code == 302
    assert posted.url.startswith(reverse("login"))
    assert not User.objects.filter(username="new.person").exists()


def test_logged_in_person_accepts_and_gets_the_membership(client):
    user = UserFactory(email="known@example.nhs.uk")
    invitation = InvitationFactory(email="known@example.nhs.uk", role=Membership.Role.STAFF)
    client.force_login(user)

    shown = client.get(invitation_url(invitation))
    accepted = client.post(invitation_url(invitation))

    assert shown.status_code == 200
    assert "Accept the invitation" in shown.content.decode()
    assert accepted.status_code == 302
    assert Membership.objects.get(user=user, practice=invitation.practice).role == Membership.Role.STAFF
    assert User.objects.count() == 1
    assert client.post(invitation_url(invitation)).status_code == 410


def test_login_from_the_invitation_returns_to_it(client):
    user = UserFactory(email="known@example.nhs.uk")
    invitation = InvitationFactory(email="known@example.nhs.uk")

    response = client.post(
        reverse("login"), {"username": user.username, "password": PASSWORD, "next": invitation_url(invitation)}
    )

    assert response.status_code == 302
    assert response.url == invitation_url(invitation)


@pytest.mark.parametrize(
    ("held", "invited", "kept"),
    [
        (Membership.Role.ADMIN, Membership.Role.STAFF, Membership.Role.ADMIN),
        (Membership.Role.STAFF, Membership.Role.ADMIN, Membership.Role.ADMIN),
        (Membership.Role.STAFF, Membership.Role.STAFF, Membership.Role.STAFF),
    ],
)
def test_accepting_as_a_member_keeps_the_stronger_role(client, held, invited, kept):
    practice = PracticeFactory()
    membership = MembershipFactory(practice=practice, role=held)
    invitation = InvitationFactory(practice=practice, email=membership.user.email, role=invited)
    client.force_login(membership.user)

    response = client.post(invitation_url(invitation))

    assert response.status_code == 302
    assert Membership.objects.get(user=membership.user, practice=practice).role == kept
    assert Membership.objects.filter(practice=practice).count() == 1


def test_invitation_page_escapes_the_practice_name(client):
    invitation = InvitationFactory(practice=PracticeFactory(name="<script>alert(1)</script>"))

    html = client.get(invitation_url(invitation)).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
