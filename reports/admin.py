from django.contrib import admin

from reports.models import BatchReport


@admin.register(BatchReport)
class BatchReportAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "created_at", "status", "done", "total")
    list_filter = ("status",)
    readonly_fields = (
        "user",
        "created_at",
        "finished_at",
        "status",
        "model_ids",
        "total",
        "done",
        "errors",
        "notes",
        "attempts",
        "heartbeat_at",
    )

    def has_add_permission(self, request):
        return False
