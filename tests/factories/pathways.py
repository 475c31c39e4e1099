from decimal import Decimal

import factory

from pathways.models import Cohort, CostModel, Pathway, Stage
from tests.factories.practices import PracticeFactory, StaffRoleFactory


class PathwayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pathway

    practice = factory.SubFactory(PracticeFactory)
    key = factory.Sequence(lambda n: f"pathway{n}")
    name = factory.Sequence(lambda n: f"Pathway {n}")


class StageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stage

    pathway = factory.SubFactory(PathwayFactory)
    practice = factory.SelfAttribute("pathway.practice")
    name = "Review"
    step = "review"
    role = factory.SubFactory(StaffRoleFactory, practice=factory.SelfAttribute("..practice"))
    minutes = Decimal(15)
    visit = 1


class CostModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CostModel

    practice = factory.SubFactory(PracticeFactory)
    name = factory.Sequence(lambda n: f"Model {n}")
    period = "month"


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort

    cost_model = factory.SubFactory(CostModelFactory)
    practice = factory.SelfAttribute("cost_model.practice")
    side = Cohort.Side.BEFORE
    label = factory.Sequence(lambda n: f"Cohort {n}")
    patients = 10
    pathway = factory.SubFactory(PathwayFactory, practice=factory.SelfAttribute("..practice"))
