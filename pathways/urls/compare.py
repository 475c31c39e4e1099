from django.urls import path

from pathways.views import compare as views

urlpatterns = [
    path("practices/<str:ods_code>/models/<int:model_pk>/", views.model_detail, name="model_detail"),
    path("practices/<str:ods_code>/models/<int:model_pk>/export.json", views.model_export, name="model_export"),
]
