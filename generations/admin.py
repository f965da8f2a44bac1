from django.contrib import admin
from django.utils.html import format_html

from generations.models import (
    ApiToken,
    Blob,
    Generation,
    ModelCall,
    Version,
    VersionFile,
    WebhookDelivery,
)
from generations.tokens import revoke_token


class VersionInline(admin.TabularInline):
    model = Version
    fields = ["number", "kind", "status", "stage", "progress", "prompt", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(Generation)
class GenerationAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "tech_stack", "created_at"]
    list_filter = ["tech_stack"]
    search_fields = ["title", "owner__username", "prompt"]
    readonly_fields = ["id", "created_at", "updated_at"]
    inlines = [VersionInline]


class VersionFileInline(admin.TabularInline):
    model = VersionFile

    class Media:
        css = {"all": ["css/admin.css"]}  # a stylesheet, since the CSP allows no inline style

    fields = ["path", "size", "content"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    @admin.display(description="bytes")
    def size(self, obj: VersionFile) -> int:
        return obj.blob.size

    @admin.display(description="content")
    def content(self, obj: VersionFile) -> str:
        text = obj.blob.text
        if text is None:
            return f"Binary file, {obj.blob.size:,} bytes"
        return format_html('<pre class="file-content">{}</pre>', text)

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class ModelCallInline(admin.TabularInline):
    model = ModelCall
    fields = [
        "purpose",
        "provider",
        "model",
        "tokens_in",
        "tokens_out",
        "tokens_thinking",
        "latency_seconds",
        "outcome",
        "error",
        "created_at",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Version)
class VersionAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "kind",
        "status",
        "stage",
        "progress",
        "checks",
        "created_at",
        "finished_at",
    ]
    list_filter = ["status", "stage", "kind"]
    search_fields = ["generation__title", "generation__owner__username", "prompt"]
    list_select_related = ["generation"]
    readonly_fields = [f.name for f in Version._meta.fields]
    inlines = [ModelCallInline, VersionFileInline]

    @admin.display(description="checks")
    def checks(self, version: Version) -> str:
        return version.check_summary if version.checked else "not checked"

    def has_add_permission(self, request) -> bool:
        return False  # versions come from runs, never from a form


@admin.register(ModelCall)
class ModelCallAdmin(admin.ModelAdmin):
    list_display = [
        "version",
        "purpose",
        "provider",
        "model",
        "tokens_in",
        "tokens_out",
        "tokens_thinking",
        "latency_seconds",
        "outcome",
        "created_at",
    ]
    list_filter = ["purpose", "provider", "outcome"]
    search_fields = ["version__generation__title", "error"]
    readonly_fields = [f.name for f in ModelCall._meta.fields]


@admin.register(Blob)
class BlobAdmin(admin.ModelAdmin):
    list_display = ["sha256", "size"]
    search_fields = ["sha256"]
    readonly_fields = ["sha256", "size", "content"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are made on the account page (shown once there); here they are listed and
    revoked."""

    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "user__username", "prefix"]
    readonly_fields = ["user", "name", "prefix", "key_hash", "created_at", "last_used_at"]
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset) -> None:
        for token in queryset:
            revoke_token(token)
        self.message_user(request, f"{queryset.count()} tokens revoked.")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["version", "url", "status", "attempts", "response_status", "created_at"]
    list_filter = ["status"]
    search_fields = ["url", "version__generation__title"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
