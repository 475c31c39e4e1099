"""The practices the user may see (practices.access.visible_practices: memberships and assignments)."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics

from api import selectors
from api.serializers import PracticeSerializer
from api.views.base import LIST_PARAMETERS, StrictQuery
from api.views.models import ERRORS


class PracticeList(StrictQuery, generics.ListAPIView):
    serializer_class = PracticeSerializer
    query_parameters = LIST_PARAMETERS

    def get_queryset(self):
        return selectors.api_practices(user=self.request.user)

    @extend_schema(
        operation_id="practices_list",
        summary="The practices you may see",
        responses={200: PracticeSerializer(many=True), **ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
