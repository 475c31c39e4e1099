from django.urls import path

from reports.views import pdf, sheets

urlpatterns = [
    path("practices/<str:ods_code>/models/<int:model_pk>/report.pdf", pdf.model_pdf, name="model_pdf"),
    path("practices/<str:ods_code>/models/<int:model_pk>/summary.pdf", pdf.model_summary_pdf, name="model_summary_pdf"),
    path("practices/<str:ods_code>/models/<int:model_pk>/export.xlsx", sheets.model_xlsx, name="model_xlsx"),
    path("practices/<str:ods_code>/models/<int:model_pk>/export.csv", sheets.model_csv, name="model_csv"),
    path("practices/<str:ods_code>/models/<int:model_pk>/cohorts/import/", sheets.cohort_import, name="cohort_import"),
]
