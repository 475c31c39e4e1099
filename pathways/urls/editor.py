from django.urls import path

from pathways.views import editor as views

urlpatterns = [
    path("practices/<str:ods_code>/pathways/new/", views.pathway_create, name="pathway_create"),
    path("practices/<str:ods_code>/pathways/<int:pathway_pk>/edit/", views.pathway_edit, name="pathway_edit"),
    path("practices/<str:ods_code>/pathways/<int:pathway_pk>/delete/", views.pathway_delete, name="pathway_delete"),
    path("practices/<str:ods_code>/models/new/", views.model_create, name="model_create"),
    path("practices/<str:ods_code>/models/import/", views.model_import, name="model_import"),
    path("practices/<str:ods_code>/models/<int:model_pk>/edit/", views.model_edit, name="model_edit"),
    path("practices/<str:ods_code>/models/<int:model_pk>/delete/", views.model_delete, name="model_delete"),
    path("practices/<str:ods_code>/models/<int:model_pk>/duplicate/", views.model_duplicate, name="model_duplicate"),
    path(
        "practices/<str:ods_code>/models/<int:model_pk>/baseline/",
        views.model_mark_baseline,
        name="model_mark_baseline",
    ),
]
