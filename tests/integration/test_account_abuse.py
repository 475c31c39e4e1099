"""Accounts only their owners can use (issue 15, items 6 to 10 and 12).

Invitations bound to the invited address, lockout by the real client address
behind trusted proxies, throttled password change and reset, sessions that die
with deactivation, keys without a trailing newline, Argon2 first.
"""

import pytest
from django.contrib.auth.hashers import get_hasher
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse

from config import settings as project_settings
from costing import exchange
from practices.models import KEY_VALIDATOR, ODS_PRACTICE_CODE, Membership, Practice
from tests.factories import MembershipFactory, PracticeFactory, UserFactory
from tests.factories.accounts import InvitationFactory, invitation_url
from tests.factories.practices import PASSWORD

pytestmark = pytest.mark.django_db
PROXY = "10.0.0.1"


@pytest.fixture(autouse=True)
def empty_cache():
    """Throttle counts live in the cache: each test starts with none."""
    cache.clear()
    yield
    cache.clear()


# --- 6. an invitation is for the address it was sent to ---------------------------------------------------------


def test_invitation_accepted_by_someone_logged_in_with_another_address_is_refused(client):
    practice = PracticeFactory()
    invitation = InvitationFactory(practice=practice, email="invitee@example.nhs.uk", role=Membership.Role.ADMIN)
    other_admin = MembershipFactory(role=Membership.Role.ADMIN, user__email="other.admin@example.nhs.uk").user
    client.force_login(other_admin)

    shown = client.get(invitation_url(invitation))
    posted = client.post(invitation_url(invitation))

    assert shown.status_code == 403
    assert posted.status_code == 403
    assert "invitee@example.nhs.uk" in posted.content.decode()
    assert "sent to" in posted.content.decode()
    assert not Membership.objects.filter(user=other_admin, practice=practice).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_invitation_is_accepted_whatever_the_case_of_the_address(client):
    invitation = InvitationFactory(email="invitee@example.nhs.uk")
    user = UserFactory(email="Invitee@Example.NHS.uk")
    client.force_login(user)

    response = client.post(invitation_url(invitation))

    assert response.status_code == 302
    assert Membership.objects.filter(user=user, practice=invitation.practice).exists()


# --- 7. the client address comes from a configured number of trusted proxies ------------------------------------


def _login(client, username, password, *, remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


VICTIM, ATTACKER = "198.51.100.7", "203.0.113.66"


@pytest.mark.parametrize(
    ("proxies", "attack", "login", "status"),
    [
        # Behind a proxy, the attacker locks out only (victim, attacker's address).
        (1, {"remote": PROXY, "forwarded": ATTACKER}, {"remote": PROXY, "forwarded": VICTIM}, 302),
        (1, {"remote": PROXY, "forwarded": ATTACKER}, {"remote": PROXY, "forwarded": ATTACKER}, 429),
        # The attacker writes the victim's address first; the proxy appends the attacker's real one.
        (1, {"remote": PROXY, "forwarded": f"{VICTIM}, {ATTACKER}"}, {"remote": PROXY, "forwarded": VICTIM}, 302),
        # With no trusted proxy the header is ignored.
        (0, {"remote": ATTACKER, "forwarded": VICTIM}, {"remote": VICTIM}, 302),
    ],
    ids=["victim-not-locked-out", "attacker-locked-out", "forged-header", "no-proxy-header-ignored"],
)
def test_lockout_is_by_the_client_address_read_through_trusted_proxies(
    client, settings, proxies, attack, login, status
):
    settings.TRUSTED_PROXY_COUNT = proxies
    UserFactory(username="victim")
    for _ in range(6):
        _login(client, "victim", "wrong", **attack)

    response = _login(client, "victim", PASSWORD, **login)

    assert response.status_code == status


# --- 8. password change and reset are throttled -----------------------------------------------------------------


def test_password_change_is_refused_after_five_wrong_old_passwords(client):
    user = UserFactory()
    client.force_login(user)
    for _ in range(5):
        client.post(
            reverse("password_change"),
            {"old_password": "wrong", "new_password1": "heather-moorland-42", "new_password2": "heather-moorland-42"},
        )

    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "heather-moorland-42", "new_password2": "heather-moorland-42"},
    )

    assert response.status_code == 429
    assert "Too many" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_reset_sends_at_most_three_emails_an_hour_to_one_address(client):
    UserFactory(email="nurse@example.nhs.uk")
    responses = [client.post(reverse("password_reset"), {"email": "nurse@example.nhs.uk"}) for _ in range(17)]

    assert len(mail.outbox) == 3
    # The page says the same whether or not an email went: nothing learnt about the address.
    assert {r.status_code for r in responses} == {302}


def test_password_reset_from_one_address_is_throttled_across_many_emails(client):
    for n in range(25):
        UserFactory(email=f"person{n}@example.nhs.uk")

    for n in range(25):
        client.post(reverse("password_reset"), {"email": f"person{n}@example.nhs.uk"}, REMOTE_ADDR="203.0.113.66")

    assert len(mail.outbox) == 20


# --- 9. a deactivated user's sessions end for good ---------------------------------------------------------------


def test_deactivated_users_session_does_not_come_back_with_reactivation(client):
    user = UserFactory()
    client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert client.get(reverse("dashboard")).status_code == 200

    user.is_active = False
    user.save()
    user.is_active = True
    user.save()

    assert client.get(reverse("dashboard")).status_code == 302
    assert not Session.objects.exists()


def test_deactivating_one_user_keeps_other_users_sessions(client):
    user, other = UserFactory(), UserFactory()
    client.post(reverse("login"), {"username": other.username, "password": PASSWORD})

    user.is_active = False
    user.save()

    assert client.get(reverse("dashboard")).status_code == 200


# --- 10. keys and codes: no trailing newline ---------------------------------------------------------------------


@pytest.mark.parametrize("value", ["admin\n", "pn\n"])
def test_key_with_a_trailing_newline_is_refused_by_the_form_validator(value):
    with pytest.raises(ValidationError):
        KEY_VALIDATOR(value)


def test_ods_code_with_a_trailing_newline_is_refused():
    with pytest.raises(ValidationError):
        ODS_PRACTICE_CODE("A81001\n")


def test_model_file_key_with_a_trailing_newline_is_refused():
    with pytest.raises(exchange.ModelFileError, match="is not a key"):
        exchange._key("admin\n", "roles[0].key")


def test_database_refuses_an_ods_code_with_a_trailing_newline():
    from django.db import DataError, IntegrityError, transaction

    # PostgreSQL refuses it as too long for the column, SQLite by the check constraint.
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        Practice.objects.create(name="P", ods_code="A81001\n", list_size=1)


# --- 12. Argon2 first ---------------------------------------------------------------------------------------------


def test_argon2_is_the_first_password_hasher_and_pbkdf2_still_checks_old_hashes():
    hashers = project_settings.PASSWORD_HASHERS

    assert hashers[0] == "config.hashers.OwaspArgon2PasswordHasher"
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in hashers


def test_the_first_hasher_uses_owasps_argon2id_parameters(settings):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    encoded = get_hasher("default").encode("heather-moorland-42", "a-salt-of-16-chars")

    # argon2id, 19 MiB, 2 passes, 1 lane (config/hashers.py)
    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


@pytest.mark.parametrize(
    "old",
    ["django.contrib.auth.hashers.Argon2PasswordHasher", "django.contrib.auth.hashers.PBKDF2PasswordHasher"],
)
def test_a_password_stored_with_other_parameters_is_rehashed_at_login(client, settings, old):
    from django.contrib.auth.hashers import make_password

    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    user = UserFactory(username="returning")
    algorithm = {"Argon2PasswordHasher": "argon2", "PBKDF2PasswordHasher": "pbkdf2_sha256"}[old.rsplit(".", 1)[1]]
    user.password = make_password("heather-moorland-42", hasher=algorithm)
    user.save(update_fields=["password"])
    assert not user.password.startswith("argon2$argon2id$v=19$m=19456,")

    response = _login(client, "returning", "heather-moorland-42", remote=VICTIM)

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


def test_argon2_hashes_and_checks_a_password(settings):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    hasher = get_hasher("default")

    encoded = hasher.encode("heather-moorland-42", hasher.salt())

    assert encoded.startswith("argon2")
    assert hasher.verify("heather-moorland-42", encoded)


def test_openpyxl_reads_xml_through_defusedxml():
    import openpyxl

    assert openpyxl.DEFUSEDXML is True


def test_a_forwarded_entry_that_is_not_an_address_falls_back_to_the_connection(client, settings):
    settings.TRUSTED_PROXY_COUNT = 2
    UserFactory(username="victim")

    response = _login(client, "victim", "wrong", remote=PROXY, forwarded="not-an-address, <script>")

    assert response.status_code == 200
