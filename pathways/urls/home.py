from django.urls import path

from pathways.views import home as views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("practices/<str:ods_code>/", views.practice_detail, name="practice_detail"),
]
