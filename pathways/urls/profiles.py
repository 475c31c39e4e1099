from django.urls import path

from pathways.views import profiles as views

urlpatterns = [
    path("practices/<str:ods_code>/profiles/", views.profile_list, name="profile_list"),
    path("practices/<str:ods_code>/profiles/new/", views.profile_create, name="profile_create"),
    path("practices/<str:ods_code>/profiles/import/", views.profile_import, name="profile_import"),
    path("practices/<str:ods_code>/profiles/<int:profile_pk>/", views.profile_detail, name="profile_detail"),
    path("practices/<str:ods_code>/profiles/<int:profile_pk>/edit/", views.profile_edit, name="profile_edit"),
    path("practices/<str:ods_code>/profiles/<int:profile_pk>/delete/", views.profile_delete, name="profile_delete"),
    path(
        "practices/<str:ods_code>/profiles/<int:profile_pk>/generate/",
        views.profile_generate,
        name="profile_generate",
    ),
    path(
        "practices/<str:ods_code>/models/<int:model_pk>/profile/",
        views.model_profile_derive,
        name="model_profile_derive",
    ),
]
