from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("practices.urls.accounts")),
    path("", include("practices.urls.core")),
    path("", include("practices.urls.members")),
    path("", include("practices.urls.roles")),
    path("", include("pathways.urls.pathways")),
    path("", include("pathways.urls.editor")),
    path("", include("pathways.urls.compare")),
    path("", include("pathways.urls.history")),
    path("", include("pathways.urls.decisions")),
    path("", include("reports.urls.reports")),
    path("", include("reports.urls.rollup")),
]

handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"
