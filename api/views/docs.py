"""The OpenAPI schema and the interactive docs (Swagger UI from drf-spectacular-sidecar: no CDN).

The docs page is the one part of the API a browser session may use: a logged-in
user reads it and tries requests with a token (the "Authorize" button). Its script
is a separate file (the split view), as the Content-Security-Policy allows no inline script.
"""

from django.contrib.auth.decorators import login_required
from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated

from api.authentication import BearerTokenAuthentication


class Schema(SpectacularAPIView):
    authentication_classes = [BearerTokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]


@method_decorator(login_required, name="dispatch")
class Docs(SpectacularSwaggerSplitView):
    authentication_classes = [SessionAuthentication]
    permission_classes = [IsAuthenticated]
    url_name = "api:schema"
