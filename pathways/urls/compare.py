from django.urls import path

from pathways.views import compare as views

urlpatterns = [
    path("practices/<str:ods_code>/models/<int:model_pk>/", views.model_detail, name="model_detail"),
    path("practices/<str:ods_code>/models/<int:model_pk>/what-if/", views.model_whatif, name="model_whatif"),
    path(
        "practices/<str:ods_code>/models/<int:model_pk>/what-if/save/",
        views.model_whatif_save,
        name="model_whatif_save",
    ),
    path("practices/<str:ods_code>/models/<int:model_pk>/export.json", views.model_export, name="model_export"),
    path("practices/<str:ods_code>/scenarios/", views.scenario_compare, name="scenario_compare"),
]
