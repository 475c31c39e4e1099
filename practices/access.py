"""The one access check. Every practice-scoped view starts with practice_access().

A practice the user may not see is a 404 (its existence is not disclosed); a
visible practice where the user lacks the permission is a 403. Templates get
flags (``can_edit``), never role names.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from practices.models import FacilitatorAssignment, Membership, Practice


class Permission(StrEnum):
    VIEW = "view"  # see the practice, its roles, pathways, models, comparisons, reports
    EDIT = "edit"  # change roles, pathways, models and cohorts; import and save scenarios
    INVITE = "invite"  # invite users to the practice


class AccessRole(StrEnum):
    FACILITATOR = "facilitator"
    PRACTICE_ADMIN = Membership.Role.ADMIN.value
    PRACTICE_STAFF = Membership.Role.STAFF.value


ROLE_PERMISSIONS: dict[AccessRole, frozenset[Permission]] = {
    AccessRole.FACILITATOR: frozenset({Permission.VIEW, Permission.EDIT, Permission.INVITE}),
    AccessRole.PRACTICE_ADMIN: frozenset({Permission.VIEW, Permission.EDIT, Permission.INVITE}),
    AccessRole.PRACTICE_STAFF: frozenset({Permission.VIEW}),
}


@dataclass(frozen=True)
class PracticeAccess:
    practice: Practice
    role: AccessRole

    def has(self, permission: Permission) -> bool:
        return permission in ROLE_PERMISSIONS[self.role]

    @property
    def can_edit(self) -> bool:
        return self.has(Permission.EDIT)

    @property
    def can_invite(self) -> bool:
        return self.has(Permission.INVITE)


def is_facilitator(user) -> bool:
    return user.is_authenticated and hasattr(user, "facilitator")


def facilitator_access(user) -> None:
    """For pages across a facilitator's practices (roll-up, batch reports): 403 for anyone else."""
    if not is_facilitator(user):
        raise PermissionDenied("Only Year of Care facilitators have a roll-up of practices.")


def visible_practices(user) -> QuerySet[Practice]:
    """Practices the user may see: memberships, and assignments if a facilitator."""
    if not user.is_authenticated or not user.is_active:
        return Practice.objects.none()
    return Practice.objects.filter(Q(memberships__user=user) | Q(assignments__facilitator__user=user)).distinct()


def role_at(user, practice: Practice) -> AccessRole | None:
    """The strongest role the user holds at the practice, or None."""
    if not user.is_authenticated or not user.is_active:
        return None
    found = _with_role(Practice.objects.filter(pk=practice.pk), user).values_list("_assigned", "_member_role").first()
    return _strongest(*found) if found else None


def _with_role(practices: QuerySet[Practice], user) -> QuerySet[Practice]:
    """The practices, each with whether the user is its assigned facilitator and the user's membership role."""
    return practices.annotate(
        _assigned=Exists(FacilitatorAssignment.objects.filter(practice=OuterRef("pk"), facilitator__user=user)),
        _member_role=Subquery(Membership.objects.filter(practice=OuterRef("pk"), user=user).values("role")[:1]),
    )


def _strongest(assigned: bool, member_role: str | None) -> AccessRole | None:
    if assigned:
        return AccessRole.FACILITATOR
    return AccessRole(member_role) if member_role else None


def practice_access(user, ods_code: str, need: Permission = Permission.VIEW) -> PracticeAccess:
    """The practice and what the user may do there; 404 if unseen, 403 if not allowed.

    One query: the practice with the user's role there (every practice page starts here)."""
    practice = None
    if user.is_authenticated and user.is_active:
        practice = (
            _with_role(Practice.objects.filter(ods_code=str(ods_code).upper()), user)
            .select_related("organisation")
            .first()
        )
    role = _strongest(practice._assigned, practice._member_role) if practice is not None else None
    if role is None:
        raise Http404("No such practice.")
    access = PracticeAccess(practice=practice, role=role)
    if not access.has(need):
        raise PermissionDenied(f"You may not {need.value} at this practice.")
    return access


def scoped_get(queryset: QuerySet, access: PracticeAccess, **lookup):
    """An object of the accessed practice, or 404: never another practice's."""
    obj = queryset.filter(practice=access.practice, **lookup).first()
    if obj is None:
        raise Http404("No such item at this practice.")
    return obj
