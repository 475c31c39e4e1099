from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("practices.urls.accounts")),
    path("", include("practices.urls.core")),
    path("", include("pathways.urls.pathways")),
    path("", include("pathways.urls.compare")),
]
