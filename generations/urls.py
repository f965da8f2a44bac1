from django.urls import include, path, register_converter

from generations import views


class VersionNumber:
    """A version number in a URL: at most nine digits, so the database never overflows."""

    regex = "[0-9]{1,9}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(VersionNumber, "version")

urlpatterns = [
    path("", views.generation_list, name="generation-list"),
    path("new/", views.generation_create, name="generation-create"),
    path("import/", views.generation_import, name="generation-import"),
    path("<uuid:generation_id>/", views.generation_detail, name="generation-detail"),
    path("<uuid:generation_id>/compare/", views.generation_compare, name="generation-compare"),
    path("<uuid:generation_id>/webhook/", views.generation_webhook, name="generation-webhook"),
    path("<uuid:generation_id>/v<version:number>/", views.version_detail, name="version-detail"),
    path(
        "<uuid:generation_id>/v<version:number>/iterate/",
        views.version_iterate,
        name="version-iterate",
    ),
    path(
        "<uuid:generation_id>/v<version:number>/diff/",
        views.version_diff,
        name="version-diff",
    ),
    path(
        "<uuid:generation_id>/v<version:number>/restore/",
        views.version_restore,
        name="version-restore",
    ),
    path(
        "<uuid:generation_id>/v<version:number>/edit/",
        views.version_edit,
        name="version-edit",
    ),
    path(
        "<uuid:generation_id>/v<version:number>/name/",
        views.version_name,
        name="version-name",
    ),
    path(
        "<uuid:generation_id>/v<version:number>/cancel/",
        views.version_cancel,
        name="version-cancel",
    ),
    path(
        "<uuid:generation_id>/v<version:number>/download/",
        views.version_download,
        name="version-download",
    ),
    path(
        "<uuid:generation_id>/v<version:number>/raw/",
        views.version_raw,
        name="version-raw",
    ),
    path(
        "<uuid:generation_id>/v<version:number>/events/",
        views.version_events,
        name="version-events",
    ),
    path("<uuid:generation_id>/v<version:number>/", include("generations.running.urls")),
]
