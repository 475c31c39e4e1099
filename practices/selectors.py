"""Reads of a practice's people and staff roles, for its pages and forms.

Which practice a user may see, and as what, is practices.access (the one access
helper); these read what a page shows once access is granted. Each says how
many queries it makes; a queryset returned for a form's choices is read when
the form uses it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, QuerySet

from practices.models import FacilitatorAssignment, Invitation, Membership, Organisation, Practice, StaffRole

# ------------------------------------------------------------------ people


def memberships_with_users() -> QuerySet[Membership]:
    """Memberships with their users (one query when read), for scoped_get."""
    return Membership.objects.select_related("user")


def open_invitations() -> QuerySet[Invitation]:
    """Invitations not yet accepted (expired ones included: they can still be withdrawn), for scoped_get."""
    return Invitation.objects.filter(accepted_at__isnull=True)


@dataclass(frozen=True)
class PracticePeople:
    memberships: list[Membership]  # by role (admins first), then surname, first name, username
    facilitators: list[FacilitatorAssignment]  # in the order they were assigned
    invitations: list[Invitation]  # not yet accepted, by email, with who sent each


def practice_people(*, practice: Practice) -> PracticePeople:
    """The practice's members, assigned facilitators and pending invitations, with their users: three queries."""
    return PracticePeople(
        memberships=list(
            Membership.objects.filter(practice=practice)
            .select_related("user")
            .order_by("role", "user__last_name", "user__first_name", "user__username")
        ),
        facilitators=list(practice.assignments.select_related("facilitator__user").order_by("assigned_at")),
        invitations=list(open_invitations().filter(practice=practice).select_related("created_by").order_by("email")),
    )


def membership_roles(*, practice: Practice, email: str) -> set[str]:
    """The roles held at the practice by users with this email address, in any case: one query."""
    return set(Membership.objects.filter(practice=practice, user__email__iexact=email).values_list("role", flat=True))


def has_active_account(*, email: str) -> bool:
    """Whether an active user has this email address, in any case: one query."""
    return get_user_model().objects.filter(email__iexact=email, is_active=True).exists()


def username_taken(*, username: str) -> bool:
    """Whether a user has this username, in any case: one query."""
    return get_user_model().objects.filter(username__iexact=username).exists()


# ------------------------------------------------------------------ practices


def organisations() -> QuerySet[Organisation]:
    """Every organisation, by name (one query when read): the choices for a new practice."""
    return Organisation.objects.all()


def practice_exists(*, ods_code: str) -> bool:
    """Whether a practice has this ODS code (as given: codes are stored in capitals): one query."""
    return Practice.objects.filter(ods_code=ods_code).exists()


# ------------------------------------------------------------------ staff roles


def staff_roles(*, practice: Practice) -> QuerySet[StaffRole]:
    """The practice's staff roles by name (one query when read): a list, or a form's choices."""
    return practice.staff_roles.all()


def staff_roles_with_pathway_counts(*, practice: Practice) -> list[StaffRole]:
    """The practice's roles by name, each with ``pathway_count``, the pathways whose stages use it: one query."""
    # Meta.ordering does not apply to a query with GROUP BY: order by hand.
    return list(
        practice.staff_roles.annotate(pathway_count=Count("stages__pathway", distinct=True)).order_by("name", "key")
    )


def role_with_key(*, practice: Practice, key: str, other_than: StaffRole | None = None) -> StaffRole | None:
    """The practice's role with this key, other than ``other_than`` (the role being edited), or None: one query."""
    others = StaffRole.objects.filter(practice=practice, key=key)
    if other_than is not None:
        others = others.exclude(pk=other_than.pk)
    return others.first()


@dataclass(frozen=True)
class RoleUsage:
    stages: int  # stages that use the role
    pathways: list[str]  # the names of their pathways, each once, by name


def role_usage(*, role: StaffRole) -> RoleUsage:
    """How many stages use the role, and in which pathways: one query."""
    stages = list(role.stages.select_related("pathway").order_by("pathway__name", "pathway_id"))
    return RoleUsage(stages=len(stages), pathways=list(dict.fromkeys(s.pathway.name for s in stages)))
