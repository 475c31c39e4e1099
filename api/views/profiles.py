"""A practice's population profiles: list, create, read, replace, delete.

The same access check and services as the profile pages (pathways/views/profiles.py):
404 for a practice the user may not see or a profile of another practice, 403 for a
write without the right (read-only staff); a body is read as the profile import reads
a sheet (api/profiles.py), and stored by the pages' services, all or nothing.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from api import schema, selectors
from api.exceptions import ProfileRejected
from api.parsers import RawJSONParser
from api.profiles import FieldProblem, ProfileBody, ProfileBodyInvalid, profile_json, read_profile_body, service_refusal
from api.serializers import CreatedSerializer, ProfileListSerializer
from api.views import base
from api.views.base import LIST_PARAMETERS, StrictQuery
from api.views.models import ERRORS, WRITE_ERRORS
from costing import exchange
from pathways import selectors as pathway_selectors
from pathways import services
from pathways.models import PracticeProfile
from practices.access import Permission, practice_access, scoped_get
from practices.concurrency import EditConflict

NOT_FOUND = OpenApiResponse(schema.ERROR, description="No such practice for this user, or no such profile there.")
PROFILE_ERRORS = {**ERRORS, 404: NOT_FOUND}
PROFILE_WRITE_ERRORS = {
    **WRITE_ERRORS,
    400: OpenApiResponse(
        schema.PROFILE_ERROR, description="The body is not a valid profile: every problem where it is; nothing written."
    ),
    404: NOT_FOUND,
}


def read_body(request: Request) -> ProfileBody:
    """The body as a checked profile; 400 with every problem at its place otherwise."""
    body = request.data if isinstance(request.data, bytes) else b""
    try:
        data = exchange.decode(body)
    except exchange.ModelFileError as exc:
        raise ProfileRejected([FieldProblem(exc.path, exc.message)]) from None
    try:
        return read_profile_body(data, conditions={c.code for c in pathway_selectors.conditions()})
    except ProfileBodyInvalid as exc:
        raise ProfileRejected(exc.problems) from None


def created(stored: PracticeProfile, **kwargs) -> Response:
    return Response({"id": stored.pk, "version": stored.version}, headers=base.etag(stored), **kwargs)


class ProfileList(StrictQuery, generics.ListAPIView):
    serializer_class = ProfileListSerializer
    query_parameters = LIST_PARAMETERS
    parser_classes = [RawJSONParser]

    def get_queryset(self):
        access = practice_access(self.request.user, self.kwargs["ods_code"], Permission.VIEW)
        return selectors.api_profiles(practice=access.practice)

    @extend_schema(
        operation_id="practice_profiles_list",
        summary="The practice's profiles, latest search first",
        responses={200: ProfileListSerializer(many=True), **ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="practice_profiles_create",
        summary="Create a profile (the same checks as the profile import)",
        request={"application/json": schema.PROFILE_IN},
        responses={201: CreatedSerializer, **PROFILE_WRITE_ERRORS},
    )
    def post(self, request: Request, ods_code: str) -> Response:
        access = practice_access(request.user, ods_code, Permission.EDIT)
        body = read_body(request)
        try:
            stored = services.profile_create(
                practice=access.practice, read_on=body.read_on, note=body.note, profile=body.profile, by=request.user
            )
        except services.ProfileInvalid as exc:
            raise ProfileRejected(service_refusal(exc.problems).problems) from None
        location = reverse(
            "api:profile", kwargs={"ods_code": access.practice.ods_code, "profile_pk": stored.pk}, request=request
        )
        response = created(stored, status=201)
        response["Location"] = location
        return response


class ProfileDetail(StrictQuery, generics.GenericAPIView):
    parser_classes = [RawJSONParser]

    def stored(self, need: Permission, queryset=None) -> PracticeProfile:
        access = practice_access(self.request.user, self.kwargs["ods_code"], need)
        return scoped_get(
            pathway_selectors.profiles_with_rows() if queryset is None else queryset,
            access,
            pk=self.kwargs["profile_pk"],
        )

    @extend_schema(
        operation_id="practice_profile",
        summary="The whole profile: list size, age bands, registers, groups with their conditions",
        responses={
            200: OpenApiResponse(schema.PROFILE_OUT, description="With the profile's version as ETag."),
            **PROFILE_ERRORS,
        },
    )
    def get(self, request: Request, ods_code: str, profile_pk: int) -> Response:
        stored = self.stored(Permission.VIEW)
        return Response(profile_json(stored, pathway_selectors.engine_profile(stored)), headers=base.etag(stored))

    @extend_schema(
        operation_id="practice_profile_replace",
        summary="Replace the profile (the same checks as the profile import)",
        parameters=[base.if_match("profile")],
        request={"application/json": schema.PROFILE_IN},
        responses={200: CreatedSerializer, **PROFILE_WRITE_ERRORS, **base.version_errors("profile")},
    )
    def put(self, request: Request, ods_code: str, profile_pk: int) -> Response:
        stored = self.stored(Permission.EDIT, PracticeProfile.objects.all())
        body = read_body(request)
        version = base.expected_version(request, stored)
        try:
            services.profile_update(
                practice_profile=stored,
                read_on=body.read_on,
                note=body.note,
                profile=body.profile,
                by=request.user,
                expected_version=version,
            )
        except services.ProfileInvalid as exc:
            raise ProfileRejected(service_refusal(exc.problems).problems) from None
        except EditConflict:
            raise base.PreconditionFailed() from None
        return created(stored)

    @extend_schema(
        operation_id="practice_profile_delete",
        summary="Delete the profile (models generated from it stay), as its page's Delete does",
        parameters=[base.if_match("profile", required=False)],
        request=None,
        responses={
            204: OpenApiResponse(description="Deleted."),
            **PROFILE_ERRORS,
            400: OpenApiResponse(schema.ERROR, description="A query parameter the operation does not take."),
            403: WRITE_ERRORS[403],
            **base.version_errors("profile", required=False),
        },
    )
    def delete(self, request: Request, ods_code: str, profile_pk: int) -> Response:
        stored = self.stored(Permission.EDIT, PracticeProfile.objects.all())
        base.expected_version(request, stored, required=False)
        services.profile_delete(practice_profile=stored, by=request.user)
        return Response(status=204)
