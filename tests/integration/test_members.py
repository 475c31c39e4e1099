"""Members, invitations and creating a practice: who may, what is sent, and bad input."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from practices.models import FacilitatorAssignment, Invitation, Membership, Practice
from tests.factories import FacilitatorFactory, MembershipFactory, OrganisationFactory, PracticeFactory, UserFactory
from tests.factories.accounts import InvitationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    practice = PracticeFactory(ods_code="B82001", name="Moorside Surgery")
    admin = MembershipFactory(practice=practice, role=Membership.Role.ADMIN)
    staff = MembershipFactory(practice=practice, role=Membership.Role.STAFF)
    facilitator = FacilitatorFactory()
    FacilitatorAssignment.objects.create(facilitator=facilitator, practice=practice)
    return {
        "practice": practice,
        "admin_membership": admin,
        "staff_membership": staff,
        "users": {
            "admin": admin.user,
            "staff": staff.user,
            "facilitator": facilitator.user,
            "outsider": MembershipFactory(role=Membership.Role.ADMIN).user,
            "unassigned_facilitator": FacilitatorFactory().user,
            "no_practice": UserFactory(),
        },
    }


def url(name, practice, **kwargs):
    return reverse(name, kwargs={"ods_code": practice.ods_code, **kwargs})


def practice_urls(world):
    practice = world["practice"]
    invitation = InvitationFactory(practice=practice)
    membership = world["staff_membership"]
    return {
        "get": [url("member_list", practice)],
        "post": [
            url("member_invite", practice),
            url("invitation_revoke", practice, invitation_pk=invitation.pk),
            url("member_remove", practice, membership_pk=membership.pk),
            url("member_change_role", practice, membership_pk=membership.pk),
        ],
    }


# --- who may ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("admin", 200),
        ("facilitator", 200),
        ("staff", 403),
        ("outsider", 404),
        ("unassigned_facilitator", 404),
        ("no_practice", 404),
    ],
)
def test_member_list_tenancy(client, world, who, expected):
    client.force_login(world["users"][who])

    assert client.get(url("member_list", world["practice"])).status_code == expected


@pytest.mark.parametrize(("who", "expected"), [("staff", 403), ("outsider", 404), ("unassigned_facilitator", 404)])
def test_member_writes_are_refused_and_change_nothing(client, world, who, expected):
    urls = practice_urls(world)
    client.force_login(world["users"][who])

    for post_url in urls["post"]:
        assert client.post(post_url, {"email": "x@example.nhs.uk", "role": "admin"}).status_code == expected, post_url

    assert Invitation.objects.filter(practice=world["practice"]).count() == 1
    assert Membership.objects.get(pk=world["staff_membership"].pk).role == "staff"
    assert mail.outbox == []


def test_member_pages_send_anonymous_users_to_login(client, world):
    urls = practice_urls(world)

    for get_url in urls["get"]:
        response = client.get(get_url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    for post_url in urls["post"]:
        assert client.post(post_url).status_code == 302


def test_member_writes_are_post_only(client, world):
    urls = practice_urls(world)
    client.force_login(world["users"]["admin"])

    for post_url in urls["post"]:
        assert client.get(post_url).status_code == 405, post_url


def test_another_practices_membership_or_invitation_is_404(client, world):
    other = PracticeFactory()
    other_membership = MembershipFactory(practice=other)
    other_invitation = InvitationFactory(practice=other)
    client.force_login(world["users"]["admin"])
    practice = world["practice"]

    assert client.post(url("member_remove", practice, membership_pk=other_membership.pk)).status_code == 404
    assert (
        client.post(url("member_change_role", practice, membership_pk=other_membership.pk), {"role": "admin"})
    ).status_code == 404
    assert client.post(url("invitation_revoke", practice, invitation_pk=other_invitation.pk)).status_code == 404
    assert Membership.objects.filter(pk=other_membership.pk, role="staff").exists()
    assert Invitation.objects.filter(pk=other_invitation.pk).exists()


# --- the members page -----------------------------------------------------------------------------------------


def test_member_list_shows_members_roles_facilitators_and_pending_invitations(client, world):
    InvitationFactory(practice=world["practice"], email="pending@example.nhs.uk", role=Membership.Role.ADMIN)
    InvitationFactory(email="elsewhere@example.nhs.uk")
    client.force_login(world["users"]["admin"])

    html = client.get(url("member_list", world["practice"])).content.decode()

    for user in (world["users"]["admin"], world["users"]["staff"], world["users"]["facilitator"]):
        assert user.username in html
    assert "Practice admin" in html and "Practice staff" in html
    assert "pending@example.nhs.uk" in html
    assert "elsewhere@example.nhs.uk" not in html
    assert "<caption>" in html


def test_member_list_escapes_html_in_names(client, world):
    user = world["users"]["staff"]
    user.first_name = "<img src=x>"
    user.save()
    client.force_login(world["users"]["admin"])

    html = client.get(url("member_list", world["practice"])).content.decode()

    assert "<img src=x>" not in html
    assert "&lt;img src=x&gt;" in html


# --- inviting -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "role"), [("facilitator", "admin"), ("admin", "admin"), ("admin", "staff")])
def test_invitation_is_created_and_emailed_with_a_working_link(
    client, world, django_capture_on_commit_callbacks, who, role
):
    client.force_login(world["users"][who])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("member_invite", world["practice"]), {"email": " New@Example.NHS.uk ", "role": role})

    assert response.status_code == 302
    assert response.url == url("member_list", world["practice"])
    invitation = Invitation.objects.get(practice=world["practice"])
    assert (invitation.email, invitation.role, invitation.created_by) == (
        "new@example.nhs.uk",
        role,
        world["users"][who],
    )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new@example.nhs.uk"]
    assert "Moorside Surgery" in message.subject
    link = re.search(r"http://testserver(/accounts/invitations/[\w-]+/)", message.body).group(1)
    assert Invitation.hash_token(link.split("/")[-2]) == invitation.token_hash
    client.logout()
    assert client.get(link).status_code == 200


def test_email_is_sent_only_after_commit(client, world, django_capture_on_commit_callbacks):
    client.force_login(world["users"]["admin"])

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(url("member_invite", world["practice"]), {"email": "new@example.nhs.uk", "role": "staff"})

    assert len(callbacks) == 1
    assert mail.outbox == []


def test_reinviting_replaces_the_pending_invitation(client, world, django_capture_on_commit_callbacks):
    old = InvitationFactory(practice=world["practice"], email="new@example.nhs.uk", role="staff")
    client.force_login(world["users"]["admin"])

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("member_invite", world["practice"]), {"email": "NEW@example.nhs.uk", "role": "admin"})

    pending = Invitation.objects.filter(practice=world["practice"], accepted_at__isnull=True)
    assert pending.count() == 1
    assert pending.get().role == "admin"
    assert client.get(reverse("invitation_accept", kwargs={"token": old.token})).status_code == 404


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "not-an-email", "role": "staff"}, "Enter a valid email address"),
        ({"email": "", "role": "staff"}, "This field is required"),
        ({"email": "a@example.nhs.uk", "role": "owner"}, "Select a valid choice"),
        ({"email": "a@example.nhs.uk"}, "This field is required"),
        ({"email": "a" * 300 + "@example.nhs.uk", "role": "staff"}, "at most 254 characters"),
    ],
)
def test_bad_invitation_input_shows_a_message_and_sends_nothing(client, world, data, message):
    client.force_login(world["users"]["admin"])

    response = client.post(url("member_invite", world["practice"]), data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_inviting_a_member_with_that_role_already_is_refused(client, world):
    client.force_login(world["users"]["admin"])
    staff = world["users"]["staff"]

    response = client.post(url("member_invite", world["practice"]), {"email": staff.email.upper(), "role": "staff"})

    assert response.status_code == 200
    assert "already a member" in response.content.decode()
    assert not Invitation.objects.exists()


def test_inviting_staff_to_become_admin_is_allowed(client, world):
    client.force_login(world["users"]["admin"])

    response = client.post(
        url("member_invite", world["practice"]), {"email": world["users"]["staff"].email, "role": "admin"}
    )

    assert response.status_code == 302
    assert Invitation.objects.filter(role="admin").exists()


def test_revoking_an_invitation_kills_its_link(client, world):
    invitation = InvitationFactory(practice=world["practice"])
    client.force_login(world["users"]["admin"])

    response = client.post(url("invitation_revoke", world["practice"], invitation_pk=invitation.pk))

    assert response.status_code == 302
    assert not Invitation.objects.filter(pk=invitation.pk).exists()
    client.logout()
    assert client.get(reverse("invitation_accept", kwargs={"token": invitation.token})).status_code == 404


def test_an_accepted_invitation_cannot_be_revoked(client, world):
    invitation = InvitationFactory(practice=world["practice"])
    client.post(
        reverse("invitation_accept", kwargs={"token": invitation.token}),
        {
            "username": "joined",
            "first_name": "J",
            "last_name": "Oined",
            "password1": "heather-moorland-teapot-42",
            "password2": "heather-moorland-teapot-42",
        },
    )
    client.force_login(world["users"]["admin"])

    response = client.post(url("invitation_revoke", world["practice"], invitation_pk=invitation.pk))

    assert response.status_code == 404
    assert Membership.objects.filter(user__username="joined", practice=world["practice"]).exists()


# --- removing members and changing roles ------------------------------------------------------------------------


def test_admin_removes_a_member(client, world):
    client.force_login(world["users"]["admin"])
    staff = world["staff_membership"]

    response = client.post(url("member_remove", world["practice"], membership_pk=staff.pk))

    assert response.status_code == 302
    assert not Membership.objects.filter(pk=staff.pk).exists()
    client.force_login(staff.user)
    assert client.get(world["practice"].get_absolute_url()).status_code == 404


def test_admin_changes_a_members_role(client, world):
    client.force_login(world["users"]["admin"])
    staff = world["staff_membership"]

    response = client.post(url("member_change_role", world["practice"], membership_pk=staff.pk), {"role": "admin"})

    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.role == Membership.Role.ADMIN


@pytest.mark.parametrize("role", ["", "owner", "<b>admin</b>", "a" * 10_000])
def test_bad_role_changes_nothing(client, world, role):
    client.force_login(world["users"]["admin"])
    staff = world["staff_membership"]

    response = client.post(
        url("member_change_role", world["practice"], membership_pk=staff.pk), {"role": role}, follow=True
    )

    assert response.status_code == 200
    assert "Choose practice admin or practice staff" in response.content.decode()
    staff.refresh_from_db()
    assert staff.role == Membership.Role.STAFF


def test_last_admin_of_a_practice_without_facilitator_cannot_leave_or_step_down(client):
    practice = PracticeFactory()
    admin = MembershipFactory(practice=practice, role=Membership.Role.ADMIN)
    client.force_login(admin.user)

    removed = client.post(url("member_remove", practice, membership_pk=admin.pk), follow=True)
    demoted = client.post(url("member_change_role", practice, membership_pk=admin.pk), {"role": "staff"}, follow=True)

    for response in (removed, demoted):
        assert response.status_code == 200
        assert "no practice admin and no facilitator" in response.content.decode()
    admin.refresh_from_db()
    assert admin.role == Membership.Role.ADMIN


def test_admin_may_leave_when_a_facilitator_looks_after_the_practice(client, world):
    admin = world["admin_membership"]
    client.force_login(admin.user)

    response = client.post(url("member_remove", world["practice"], membership_pk=admin.pk))

    assert response.status_code == 302
    assert response.url == reverse("dashboard")
    assert not Membership.objects.filter(pk=admin.pk).exists()


def test_admin_may_step_down_when_another_admin_remains(client):
    practice = PracticeFactory()
    me = MembershipFactory(practice=practice, role=Membership.Role.ADMIN)
    MembershipFactory(practice=practice, role=Membership.Role.ADMIN)
    client.force_login(me.user)

    response = client.post(url("member_change_role", practice, membership_pk=me.pk), {"role": "staff"})

    assert response.status_code == 302
    assert response.url == practice.get_absolute_url()  # no longer allowed on the members page
    me.refresh_from_db()
    assert me.role == Membership.Role.STAFF


def test_facilitator_may_remove_the_last_admin(client, world):
    client.force_login(world["users"]["facilitator"])
    admin = world["admin_membership"]

    response = client.post(url("member_remove", world["practice"], membership_pk=admin.pk))

    assert response.status_code == 302
    assert not Membership.objects.filter(pk=admin.pk).exists()


# --- creating a practice ---------------------------------------------------------------------------------------


def practice_data(**overrides):
    return {
        "name": "Riverside Medical Centre",
        "ods_code": "C83001",
        "list_size": "9500",
        "organisation": "",
        **overrides,
    }


def test_facilitator_creates_a_practice_and_is_assigned(client):
    facilitator = FacilitatorFactory()
    organisation = OrganisationFactory()
    client.force_login(facilitator.user)
    assert client.get(reverse("practice_create")).status_code == 200

    response = client.post(reverse("practice_create"), practice_data(organisation=organisation.pk))

    practice = Practice.objects.get(ods_code="C83001")
    assert response.status_code == 302
    assert response.url == practice.get_absolute_url()
    assert (practice.name, practice.list_size, practice.organisation) == (
        "Riverside Medical Centre",
        9500,
        organisation,
    )
    assert FacilitatorAssignment.objects.filter(facilitator=facilitator, practice=practice).exists()
    assert client.get(url("member_list", practice)).status_code == 200


def test_lower_case_ods_code_is_stored_in_capitals(client):
    client.force_login(FacilitatorFactory().user)

    client.post(reverse("practice_create"), practice_data(ods_code=" c83001 "))

    assert Practice.objects.filter(ods_code="C83001").exists()


@pytest.mark.parametrize("who", ["admin", "staff", "no_practice"])
def test_practice_creation_by_a_non_facilitator_is_403(client, world, who):
    client.force_login(world["users"][who])

    assert client.get(reverse("practice_create")).status_code == 403
    assert client.post(reverse("practice_create"), practice_data()).status_code == 403
    assert not Practice.objects.filter(ods_code="C83001").exists()


def test_practice_creation_needs_login(client):
    response = client.get(reverse("practice_create"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_duplicate_ods_code_is_refused_with_a_message(client, world):
    client.force_login(world["users"]["facilitator"])

    response = client.post(reverse("practice_create"), practice_data(ods_code="b82001"))

    assert response.status_code == 200
    assert "A practice with ODS code B82001 already exists" in response.content.decode()
    assert Practice.objects.filter(ods_code="B82001").count() == 1
    assert not Practice.objects.filter(name="Riverside Medical Centre").exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("ods_code", "81001", "a capital letter and five digits"),
        ("ods_code", "A8100", "a capital letter and five digits"),
        ("ods_code", "A810011", "a capital letter and five digits"),
        ("ods_code", "AB1234", "a capital letter and five digits"),
        ("ods_code", "<script>", "a capital letter and five digits"),
        ("ods_code", "", "This field is required"),
        ("list_size", "lots", "Enter the list size as a whole number"),
        ("list_size", "12.5", "Enter the list size as a whole number"),
        ("list_size", "1e5", "Enter the list size as a whole number"),
        ("list_size", "-1", "greater than or equal to 0"),
        ("list_size", str(10**12), "less than or equal to 200000"),
        ("list_size", "9" * 5000, "Enter the list size as a whole number"),
        ("name", "", "This field is required"),
        ("name", "N" * 201, "at most 200 characters"),
        ("organisation", "999999", "Select a valid choice"),
        ("organisation", "not-a-number", "Select a valid choice"),
    ],
)
def test_bad_practice_input_shows_a_message_and_saves_nothing(client, field, value, message):
    client.force_login(FacilitatorFactory().user)

    response = client.post(reverse("practice_create"), practice_data(**{field: value}))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Practice.objects.exists()
    assert not FacilitatorAssignment.objects.exists()


def test_html_in_a_practice_name_is_rendered_escaped(client):
    client.force_login(FacilitatorFactory().user)

    client.post(reverse("practice_create"), practice_data(name="<script>alert('x')</script>\nSurgery"))

    practice = Practice.objects.get()
    assert practice.name == "<script>alert('x')</script> Surgery"
    for page in (practice.get_absolute_url(), url("member_list", practice), reverse("dashboard")):
        html = client.get(page).content.decode()
        assert "<script>alert(" not in html, page
        assert "&lt;script&gt;" in html, page


def test_practice_name_with_a_newline_does_not_break_the_invitation_email(client, django_capture_on_commit_callbacks):
    facilitator = FacilitatorFactory()
    practice = PracticeFactory(name="Two\nLines")
    FacilitatorAssignment.objects.create(facilitator=facilitator, practice=practice)
    client.force_login(facilitator.user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("member_invite", practice), {"email": "a@example.nhs.uk", "role": "staff"})

    assert response.status_code == 302
    assert mail.outbox[0].subject.startswith("Invitation to Two Lines")
