"""Staff see every test run and preview; a running preview opens from its row."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from generations.running.models import Preview, TestResult, TestRun


class TestResultInline(admin.TabularInline):
    model = TestResult
    fields = ["position", "name", "file", "outcome", "seconds", "message"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(TestRun)
class TestRunAdmin(admin.ModelAdmin):
    list_display = ["version", "state", "passed", "failed", "errors", "finished_at"]
    list_filter = ["state"]
    search_fields = ["version__generation__title"]
    readonly_fields = [f.name for f in TestRun._meta.fields]
    inlines = [TestResultInline]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Preview)
class PreviewAdmin(admin.ModelAdmin):
    list_display = ["id", "version", "user", "state", "reason", "created_at", "open"]
    list_filter = ["state"]
    search_fields = ["id", "version__generation__title", "user__username"]
    readonly_fields = [f.name for f in Preview._meta.fields]

    @admin.display(description="preview")
    def open(self, preview: Preview) -> str:
        if not preview.active:
            return "—"
        version = preview.version
        url = reverse("version-preview-page", args=[version.generation_id, version.number])
        return format_html('<a href="{}">open</a>', url)

    def has_add_permission(self, request) -> bool:
        return False
