from django.urls import path

from reports.views import pdf as views

urlpatterns = [
    path("practices/<str:ods_code>/models/<int:model_pk>/report.pdf", views.model_pdf, name="model_pdf"),
]
