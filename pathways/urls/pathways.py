from django.urls import path

from pathways.views import pathways as views

urlpatterns = [
    path("practices/<str:ods_code>/pathways/", views.pathway_list, name="pathway_list"),
    path("practices/<str:ods_code>/pathways/<int:pathway_pk>/", views.pathway_detail, name="pathway_detail"),
]
