"""A practice's cost models: list, import a model file, read and replace it, its costing, its cohorts.

Every view starts with the one access check (practices.access.practice_access:
404 for a practice the user may not see, 403 for a write without the right) and
reads objects with scoped_get. Model files are read and written by
costing.exchange, stored by the same service as the web import and the
import_model command, and costed as ``cost_model --json`` costs them.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from api import schema, selectors
from api.exceptions import ModelFileRejected, model_file_error_json
from api.parsers import RawJSONParser
from api.serializers import CostModelSerializer, CreatedSerializer
from api.views.base import (
    LIST_PARAMETERS,
    PreconditionFailed,
    StrictQuery,
    etag,
    expected_version,
    if_match,
    version_errors,
)
from costing import engine, exchange
from pathways import selectors as pathway_selectors
from pathways import services
from pathways.models import CostModel
from practices.access import Permission, practice_access, scoped_get

ERRORS = {
    400: OpenApiResponse(schema.ERROR, description="A query parameter out of range."),
    401: OpenApiResponse(schema.ERROR, description="No valid API token."),
    404: OpenApiResponse(schema.ERROR, description="No such practice for this user, or no such model there."),
    429: OpenApiResponse(schema.ERROR, description="Too many requests with this token: wait and retry."),
}
WRITE_ERRORS = {
    **ERRORS,
    400: OpenApiResponse(schema.MODEL_FILE_ERROR, description="The body is not a valid model file: nothing written."),
    403: OpenApiResponse(schema.ERROR, description="The user may see the practice but not change it."),
    413: OpenApiResponse(schema.ERROR, description="The body is larger than the API takes."),
    415: OpenApiResponse(schema.ERROR, description="The body is not application/json."),
}
IF_MATCH = if_match("model")
VERSION_ERRORS = version_errors("model")


def model_file_error(exc: exchange.ModelFileError) -> Response:
    return Response(model_file_error_json(exc), status=400)


def read_body(request: Request):
    """The body as decoded JSON (exact decimals), or 400 with where the problem is."""
    body = request.data if isinstance(request.data, bytes) else b""
    try:
        return exchange.decode(body)
    except exchange.ModelFileError as exc:
        raise ModelFileRejected(exc) from None


def parse_model_file(data) -> engine.CostModel:
    try:
        return exchange.parse(data)
    except exchange.ModelFileError as exc:
        raise ModelFileRejected(exc) from None


class ModelList(StrictQuery, generics.ListAPIView):
    serializer_class = CostModelSerializer
    query_parameters = LIST_PARAMETERS
    parser_classes = [RawJSONParser]

    def get_queryset(self):
        access = practice_access(self.request.user, self.kwargs["ods_code"], Permission.VIEW)
        return selectors.api_cost_models(practice=access.practice)

    @extend_schema(
        operation_id="practice_models_list",
        summary="The practice's cost models",
        responses={200: CostModelSerializer(many=True), **ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="practice_models_create",
        summary="Import a model file (format 1 or 2) as a new model",
        request={"application/json": schema.MODEL_FILE_IN},
        responses={201: CreatedSerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request, ods_code: str) -> Response:
        access = practice_access(request.user, ods_code, Permission.EDIT)
        model = parse_model_file(read_body(request))
        try:
            stored = services.cost_model_import(practice=access.practice, model=model, by=request.user)
        except exchange.ModelFileError as exc:
            return model_file_error(exc)
        location = reverse(
            "api:model", kwargs={"ods_code": access.practice.ods_code, "model_pk": stored.pk}, request=request
        )
        return Response(
            {"id": stored.pk, "version": stored.version}, status=201, headers={"Location": location, **etag(stored)}
        )


class ModelView(StrictQuery, generics.GenericAPIView):
    parser_classes = [RawJSONParser]

    def cost_model(self, need: Permission) -> CostModel:
        access = practice_access(self.request.user, self.kwargs["ods_code"], need)
        return scoped_get(pathway_selectors.cost_models(), access, pk=self.kwargs["model_pk"])


class ModelDetail(ModelView):
    @extend_schema(
        operation_id="practice_model_file",
        summary="The model as a model file (format 2)",
        responses={
            200: OpenApiResponse(schema.MODEL_FILE_OUT, description="With the model's version as ETag."),
            **ERRORS,
        },
    )
    def get(self, request: Request, ods_code: str, model_pk: int) -> Response:
        cost_model = self.cost_model(Permission.VIEW)
        return Response(exchange.dump(pathway_selectors.engine_model(cost_model)), headers=etag(cost_model))

    @extend_schema(
        operation_id="practice_model_replace",
        summary="Replace the model with a model file (its id, scenarios and decision inputs stay)",
        parameters=[IF_MATCH],
        request={"application/json": schema.MODEL_FILE_IN},
        responses={200: CreatedSerializer, **WRITE_ERRORS, **VERSION_ERRORS},
    )
    def put(self, request: Request, ods_code: str, model_pk: int) -> Response:
        cost_model = self.cost_model(Permission.EDIT)
        model = parse_model_file(read_body(request))
        return replace(request, cost_model, model, expected_version(request, cost_model))


def replace(request: Request, cost_model: CostModel, model: engine.CostModel, version: int) -> Response:
    try:
        stored = services.cost_model_replace(
            cost_model=cost_model, model=model, by=request.user, expected_version=version
        )
    except exchange.ModelFileError as exc:
        return model_file_error(exc)
    except services.CostModelChanged:
        raise PreconditionFailed() from None
    return Response({"id": stored.pk, "version": stored.version}, headers=etag(stored))


class ModelCosting(ModelView):
    @extend_schema(
        operation_id="practice_model_costing",
        summary="The model's costing: exactly what `cost_model --json` prints for it",
        responses={200: OpenApiResponse(schema.COSTING), **ERRORS},
    )
    def get(self, request: Request, ods_code: str, model_pk: int) -> Response:
        cost_model = self.cost_model(Permission.VIEW)
        loaded = pathway_selectors.cost_model_with_rows(cost_model_id=cost_model.pk)
        return Response(exchange.costing_json(pathway_selectors.engine_model(loaded)), headers=etag(loaded))


class ModelCohorts(ModelView):
    """A model's groups of people and cohorts, as in a version 2 model file."""

    @extend_schema(
        operation_id="practice_model_cohorts",
        summary="The model's groups of people and both sides' cohorts",
        responses={200: OpenApiResponse(schema.COHORTS_OUT, description="With the model's version as ETag."), **ERRORS},
    )
    def get(self, request: Request, ods_code: str, model_pk: int) -> Response:
        cost_model = self.cost_model(Permission.VIEW)
        dumped = exchange.dump(pathway_selectors.engine_model(cost_model))
        return Response(
            {
                "version": cost_model.version,
                "groups": dumped.get("groups", []),
                "before": dumped["before"],
                "after": dumped["after"],
            },
            headers=etag(cost_model),
        )

    @extend_schema(
        operation_id="practice_model_cohorts_replace",
        summary="Replace the model's groups and cohorts (pathways are the practice's, by key)",
        parameters=[IF_MATCH],
        request={"application/json": schema.COHORTS_IN},
        responses={200: CreatedSerializer, **WRITE_ERRORS, **VERSION_ERRORS},
    )
    def put(self, request: Request, ods_code: str, model_pk: int) -> Response:
        cost_model = self.cost_model(Permission.EDIT)
        body = read_body(request)
        if not isinstance(body, dict):
            raise ModelFileRejected(exchange.ModelFileError("", "expected a JSON object with before and after"))
        unknown = sorted(set(body) - {"groups", "before", "after", "version"})  # version: as read, not used
        if unknown:
            raise ModelFileRejected(exchange.ModelFileError(unknown[0], "unknown field"))
        for side in ("before", "after"):
            if side not in body:
                raise ModelFileRejected(exchange.ModelFileError(side, "missing field"))
        # The practice's roles and pathways around the new cohorts: a whole version 2 file,
        # checked by the one reader, so every message names the field as a file would.
        practice_rows = selectors.practice_engine_rows(practice=cost_model.practice)
        whole = exchange.dump(
            engine.CostModel(
                name=cost_model.name,
                period=engine.Period(cost_model.period),
                description=cost_model.description,
                roles=practice_rows.roles,
                pathways=practice_rows.pathways,
                before=(),
                after=(),
            )
        )
        whole.update({"groups": body.get("groups", [])}, before=body["before"], after=body["after"])
        return replace(request, cost_model, parse_model_file(whole), expected_version(request, cost_model))
