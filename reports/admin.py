from django.contrib import admin

from reports.models import BatchReport


@admin.register(BatchReport)
class BatchReportAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "created_at", "status", "done", "total")
    list_filter = ("status",)
    readonly_fields = ("user", "created_at", "finished_at", "status", "model_ids", "total", "done", "errors")
    exclude = ("archive",)

    def get_queryset(self, request):
        return super().get_queryset(request).defer("archive")

    def has_add_permission(self, request):
        return False
