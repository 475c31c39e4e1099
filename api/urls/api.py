"""The JSON API, version 1, under /api/v1/ (namespace ``api``)."""

from django.urls import path

from api.views import docs, models, practices, profiles, rollup

app_name = "api"

urlpatterns = [
    path("schema/", docs.Schema.as_view(), name="schema"),
    path("docs/", docs.Docs.as_view(), name="docs"),
    path("practices/", practices.PracticeList.as_view(), name="practices"),
    path("practices/<str:ods_code>/models/", models.ModelList.as_view(), name="models"),
    path("practices/<str:ods_code>/models/<int:model_pk>/", models.ModelDetail.as_view(), name="model"),
    path("practices/<str:ods_code>/models/<int:model_pk>/costing/", models.ModelCosting.as_view(), name="costing"),
    path("practices/<str:ods_code>/models/<int:model_pk>/cohorts/", models.ModelCohorts.as_view(), name="cohorts"),
    path("practices/<str:ods_code>/profiles/", profiles.ProfileList.as_view(), name="profiles"),
    path("practices/<str:ods_code>/profiles/<int:profile_pk>/", profiles.ProfileDetail.as_view(), name="profile"),
    path("rollup/", rollup.Rollup.as_view(), name="rollup"),
]
