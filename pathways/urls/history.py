from django.urls import path

from pathways.views import history as views

urlpatterns = [
    path("practices/<str:ods_code>/models/<int:model_pk>/history/", views.model_history, name="model_history"),
    path("practices/<str:ods_code>/deleted/", views.deleted_list, name="deleted_list"),
    path(
        "practices/<str:ods_code>/deleted/<str:kind>/<int:history_pk>/restore/",
        views.restore,
        name="restore_deleted",
    ),
]
