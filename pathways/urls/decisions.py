from django.urls import path

from pathways.views import decisions as views

urlpatterns = [
    path("practices/<str:ods_code>/models/<int:model_pk>/decisions/", views.model_decisions, name="model_decisions"),
    path(
        "practices/<str:ods_code>/models/<int:model_pk>/decisions/edit/",
        views.model_decisions_edit,
        name="model_decisions_edit",
    ),
    path("practices/<str:ods_code>/estimator/", views.cohort_estimator, name="cohort_estimator"),
    path("practices/<str:ods_code>/estimator/accept/", views.cohort_estimate_accept, name="cohort_estimate_accept"),
]
