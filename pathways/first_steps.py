"""The "start here" checklist of a practice's page: what a new practice does first, ticked as it is done.

The steps are data (``STEPS``): each names what it asks for, where to do it and
what shows it is done, so a step can point somewhere else (a new page) by
changing its links here, not the template.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from costing.engine import Headline
from practices.models import Practice


@dataclass(frozen=True)
class Facts:
    """What the practice has so far: the practice page reads these already."""

    roles: int
    pathways: int
    models: int
    headlines: tuple[Headline, ...]

    @property
    def compared(self) -> bool:
        """A model with people before and after: its comparison shows a change."""
        return any(h.people_before and h.people_after for h in self.headlines)


@dataclass(frozen=True)
class Link:
    label: str
    url_name: str  # a URL name taking the practice's ods_code
    anchor: str = ""  # "#section" of that page
    edits: bool = True  # only for those who may edit the practice


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    text: str
    links: tuple[Link, ...]
    done: Callable[[Facts], bool]


STEPS: tuple[Step, ...] = (
    Step(
        key="roles",
        title="Add the staff roles",
        text="Who does the work and what an hour of their time costs: from a pay band, a salary or a cost per hour.",
        links=(Link("Add a staff role", "role_create"),),
        done=lambda facts: facts.roles > 0,
    ),
    Step(
        key="pathways",
        title="Build the pathways",
        text="The stages a patient goes through, before and after the change: each stage's step, role and minutes. "
        "Start blank, or from a worked example's or one of your own pathways.",
        links=(Link("New pathway", "pathway_create"),),
        done=lambda facts: facts.pathways > 0,
    ),
    Step(
        key="model",
        title="Describe the practice's patients",
        text="How many people go through each pathway before and after: a practice profile "
        "(list size, registers, people by their conditions) from which a model is generated in one step, "
        "a cost model of cohorts, or a model file.",
        links=(
            Link("New cost model", "model_create"),
            Link("Import a model file", "model_import"),
            Link("Enter a practice profile", "profile_create"),
            Link("Import a practice profile", "profile_import"),
            Link("Practice profiles", "profile_list", edits=False),
        ),
        done=lambda facts: facts.models > 0,
    ),
    Step(
        key="compare",
        title="Compare before and after",
        text="Open the cost model: cost, visits, contact time and staff time before and after, and what if.",
        links=(),
        done=lambda facts: facts.compared,
    ),
)


@dataclass(frozen=True)
class ShownLink:
    label: str
    url: str


@dataclass(frozen=True)
class ShownStep:
    number: int
    key: str
    title: str
    text: str
    done: bool
    links: tuple[ShownLink, ...]


def checklist(practice: Practice, facts: Facts, *, can_edit: bool) -> list[ShownStep]:
    """The steps with their links (those the user may follow) and whether each is done."""
    shown = []
    for number, step in enumerate(STEPS, start=1):
        links = tuple(
            ShownLink(link.label, reverse(link.url_name, args=[practice.ods_code]) + link.anchor)
            for link in step.links
            if can_edit or not link.edits
        )
        shown.append(ShownStep(number, step.key, step.title, step.text, step.done(facts), links))
    return shown
