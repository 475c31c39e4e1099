"""The facilitator's roll-up, as the roll-up page builds it (reports.selectors), one page of rows at a time.

Facilitators only (403 for anyone else); the practices are those assigned to the
facilitator, never anyone else's. ``?organisation=ID`` narrows it, and
``?model_<ODS code>=ID`` picks a practice's model, as on the page.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api import schema
from api.pagination import MAX_PAGE, Pages
from api.serializers import RollupRowSerializer, RollupTotalSerializer
from api.views.base import LIST_PARAMETERS, StrictQuery
from api.views.models import ERRORS
from practices.access import facilitator_access
from reports.selectors import MODEL_PARAM, ORGANISATION_PARAM, build_rollup, select

ROLLUP = inline_serializer(
    "Rollup",
    {
        "organisation": serializers.IntegerField(allow_null=True, help_text="The organisation asked for, if any."),
        "count": serializers.IntegerField(help_text="Practices in the roll-up."),
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "totals": RollupTotalSerializer(
            many=True, help_text="One total per period: figures of different periods do not add up."
        ),
        "results": RollupRowSerializer(many=True),
    },
)


class Rollup(StrictQuery, APIView):
    query_parameters = LIST_PARAMETERS | {ORGANISATION_PARAM}
    query_prefixes = (MODEL_PARAM,)

    @extend_schema(
        operation_id="rollup",
        summary="Your assigned practices, each with its model's totals, and the totals per period",
        description="As the roll-up page: `model_<ODS code>=ID` picks that practice's model instead of the default.",
        parameters=[
            OpenApiParameter(
                ORGANISATION_PARAM, int, description="Only practices of this organisation (or its children)."
            ),
            OpenApiParameter("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}),
            OpenApiParameter("page_size", {"type": "integer", "minimum": 1, "maximum": Pages.max_page_size}),
        ],
        responses={
            200: ROLLUP,
            **ERRORS,
            400: OpenApiResponse(schema.ERROR, description="Not one of your practices' organisations, or a bad page."),
            403: OpenApiResponse(schema.ERROR, description="Only facilitators have a roll-up."),
        },
    )
    def get(self, request: Request) -> Response:
        facilitator_access(request.user)
        selection = select(request.user, request.query_params)
        if selection.organisation_error:
            raise ValidationError(selection.organisation_error)
        result = build_rollup(selection)
        rows = [
            {
                "ods_code": row.ods_code,
                "practice_name": row.practice_name,
                "organisation": row.organisation,
                "model": {"id": choice.chosen.pk, "name": choice.chosen.name} if row.figures is not None else None,
                "figures": row.figures,
            }
            for choice, row in zip(selection.choices, result.rows, strict=True)
        ]
        paginator = Pages()
        page = paginator.paginate_queryset(rows, request, view=self)
        return Response(
            {
                "organisation": selection.organisation.pk if selection.organisation else None,
                "count": len(rows),
                "next": paginator.get_next_link(),
                "previous": paginator.get_previous_link(),
                "totals": RollupTotalSerializer(
                    [{"period": t.period.value, "practices": t.practices, "figures": t.figures} for t in result.totals],
                    many=True,
                ).data,
                "results": RollupRowSerializer(page, many=True).data,
            }
        )
