from tests.factories.pathways import CohortFactory, CostModelFactory, PathwayFactory, StageFactory
from tests.factories.practices import (
    FacilitatorFactory,
    MembershipFactory,
    OrganisationFactory,
    PracticeFactory,
    StaffRoleFactory,
    UserFactory,
)

__all__ = [
    "CohortFactory",
    "CostModelFactory",
    "FacilitatorFactory",
    "MembershipFactory",
    "OrganisationFactory",
    "PathwayFactory",
    "PracticeFactory",
    "StaffRoleFactory",
    "StageFactory",
    "UserFactory",
]
