from django.urls import path

from reports.views import batch, rollup

urlpatterns = [
    path("rollup/", rollup.rollup_page, name="rollup"),
    path("rollup/export.xlsx", rollup.rollup_export, name="rollup_export"),
    path("rollup/reports/", batch.batch_report_start, name="batch_report_start"),
    path("rollup/reports/<int:batch_pk>/", batch.batch_report_detail, name="batch_report_detail"),
    path("rollup/reports/<int:batch_pk>/progress/", batch.batch_report_progress, name="batch_report_progress"),
    path("rollup/reports/<int:batch_pk>/download.zip", batch.batch_report_download, name="batch_report_download"),
    path("rollup/reports/<int:batch_pk>/retry/", batch.batch_report_retry_view, name="batch_report_retry"),
]
