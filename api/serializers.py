"""What the API's lists and the roll-up return (read-only). Model files, costings and cohorts are
costing.exchange's own JSON, described in api/schema.py."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from costing import engine, exchange
from pathways.models import CostModel, PracticeProfile
from practices.models import Organisation, Practice


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "kind"]


class PracticeSerializer(serializers.ModelSerializer):
    organisation = OrganisationSerializer(allow_null=True, read_only=True)

    class Meta:
        model = Practice
        fields = ["ods_code", "name", "list_size", "organisation"]


class CostModelSerializer(serializers.ModelSerializer):
    scenario = serializers.SerializerMethodField(help_text="A scenario saved from another model (see based_on).")
    based_on = serializers.IntegerField(source="based_on_id", allow_null=True, read_only=True)

    class Meta:
        model = CostModel
        fields = ["id", "name", "period", "scenario", "based_on", "version", "created_at", "updated_at"]

    def get_scenario(self, cost_model: CostModel) -> bool:
        return cost_model.based_on_id is not None


class CreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    version = serializers.IntegerField()


# ------------------------------------------------------------------------ roll-up
# A roll-up row's figures are the engine's Headline field by field, so a figure the
# roll-up gains reaches the API (and its schema) with it.

HEADLINE_FIELDS = [f for f in dataclasses.fields(engine.Headline) if f.name != "period"]


def _is_minutes(name: str) -> bool:
    return "minutes" in name


def headline_json(headline: engine.Headline) -> dict:
    out: dict = {"period": headline.period.value}
    for f in HEADLINE_FIELDS:
        value = getattr(headline, f.name)
        if isinstance(value, Decimal):
            value = exchange.figure(value) if _is_minutes(f.name) else exchange.money(value)
        out[f.name] = value
    return out


def _headline_schema() -> dict:
    from api.schema import FIGURE, MONEY, PERIOD

    properties = {"period": PERIOD}
    for f in HEADLINE_FIELDS:
        if f.type in ("int", int):
            properties[f.name] = {"type": "integer"}
        else:
            properties[f.name] = FIGURE if _is_minutes(f.name) else MONEY
    return {"type": "object", "properties": properties, "required": ["period", *(f.name for f in HEADLINE_FIELDS)]}


HEADLINE_SCHEMA = _headline_schema()


@extend_schema_field({**HEADLINE_SCHEMA, "nullable": True})
class HeadlineField(serializers.Field):
    def to_representation(self, value):
        return headline_json(value)


class RollupModelSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class RollupRowSerializer(serializers.Serializer):
    ods_code = serializers.CharField()
    practice_name = serializers.CharField()
    organisation = serializers.CharField(allow_blank=True)
    model = RollupModelSerializer(allow_null=True, help_text="The model the roll-up uses; null if none.")
    list_size = serializers.IntegerField(help_text="The practice's list size.")
    figures = HeadlineField(allow_null=True, help_text="The model's totals over its own period.")
    basis = serializers.CharField(allow_blank=True, help_text="How the row is put on a year ('a month × 12').")
    annual = HeadlineField(
        allow_null=True,
        help_text="The figures a year, as the total adds them; null for a per-patient model (shown apart, "
        "not in the total) or no model.",
    )
    note = serializers.CharField(allow_blank=True, help_text="Why a practice with models has no figures here.")


class RollupTotalSerializer(serializers.Serializer):
    period = serializers.CharField()
    practices = serializers.IntegerField()
    list_size = serializers.IntegerField(help_text="The list sizes of the practices in the total, added.")
    figures = HeadlineField()


class ProfileListSerializer(serializers.ModelSerializer):
    class Meta:
        model = PracticeProfile
        fields = ["id", "read_on", "note", "list_size", "version", "created_at", "updated_at"]
