from django.contrib import admin
from django.urls import include, path


def _superusers_only(request) -> bool:
    """The Django admin is for superusers only; everyone else works through the app's own checks."""
    return request.user.is_active and request.user.is_superuser


admin.site.has_permission = _superusers_only
admin.site.site_header = "PCSP cost profiling: administration"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("practices.urls.accounts")),
    path("accounts/", include("api.urls.tokens")),
    path("api/v1/", include("api.urls.api")),
    path("", include("pathways.urls.home")),
    path("", include("practices.urls.members")),
    path("", include("practices.urls.roles")),
    path("", include("pathways.urls.pathways")),
    path("", include("pathways.urls.editor")),
    path("", include("pathways.urls.compare")),
    path("", include("pathways.urls.history")),
    path("", include("pathways.urls.decisions")),
    path("", include("pathways.urls.profiles")),
    path("", include("reports.urls.reports")),
    path("", include("reports.urls.rollup")),
]

handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"
