from django.urls import path

from pathways import views

urlpatterns = [
    path("practices/<str:ods_code>/models/<int:pk>/", views.model_detail, name="model_detail"),
    path("practices/<str:ods_code>/models/<int:pk>/export.json", views.model_export, name="model_export"),
    path("practices/<str:ods_code>/pathways/<int:pk>/", views.pathway_detail, name="pathway_detail"),
]
