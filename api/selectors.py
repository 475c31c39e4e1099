"""Reads of the API: a user's tokens, a token by its secret, and a practice's models as the API lists them."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from api.models import TOKEN_PREFIX, ApiToken
from costing import engine
from pathways.models import CostModel, Pathway, PracticeProfile
from practices.access import visible_practices
from practices.models import Practice, StaffRole

MODEL_LIST_FIELDS = ("id", "practice_id", "name", "period", "based_on_id", "version", "created_at", "updated_at")


def user_tokens(*, user) -> list[ApiToken]:
    """The user's tokens, newest first: one query."""
    return list(ApiToken.objects.filter(user=user))


def token_for_secret(secret: str) -> ApiToken | None:
    """The token whose hash is this secret's, with its user, usable or not: one query (none for a malformed one)."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    return ApiToken.objects.select_related("user").filter(token_hash=ApiToken.hash_token(secret)).first()


def api_practices(*, user) -> QuerySet[Practice]:
    """The practices the user may see, by ODS code, with their organisation (a query per page when read)."""
    return visible_practices(user).select_related("organisation").order_by("ods_code")


def api_cost_models(*, practice: Practice) -> QuerySet[CostModel]:
    """The practice's models as light rows, by id (a query per page when read)."""
    return CostModel.objects.filter(practice=practice).only(*MODEL_LIST_FIELDS).order_by("id")


@dataclass(frozen=True)
class PracticeRows:
    roles: tuple[engine.Role, ...]
    pathways: tuple[engine.Pathway, ...]


def practice_engine_rows(*, practice: Practice) -> PracticeRows:
    """All the practice's roles and pathways as the engine's, in the order they were made: three queries."""
    roles = tuple(r.as_engine_role() for r in StaffRole.objects.filter(practice=practice).order_by("id"))
    pathways = tuple(
        engine.Pathway(key=p.key, name=p.name, stages=tuple(s.as_engine_stage() for s in p.stages.all()))
        for p in Pathway.objects.filter(practice=practice).prefetch_related("stages__role").order_by("id")
    )
    return PracticeRows(roles=roles, pathways=pathways)


def api_profiles(*, practice: Practice) -> QuerySet[PracticeProfile]:
    """The practice's profiles as light rows, latest search first as on the page (a query per page when read)."""
    return PracticeProfile.objects.filter(practice=practice).order_by("-read_on", "-id")
