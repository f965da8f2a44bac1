from django.urls import path

from generations import views

urlpatterns = [
    path("", views.generation_list, name="generation-list"),
    path("new/", views.generation_create, name="generation-create"),
    path("<uuid:generation_id>/", views.generation_detail, name="generation-detail"),
    path("<uuid:generation_id>/compare/", views.generation_compare, name="generation-compare"),
    path("<uuid:generation_id>/v<int:number>/", views.version_detail, name="version-detail"),
    path(
        "<uuid:generation_id>/v<int:number>/iterate/",
        views.version_iterate,
        name="version-iterate",
    ),
    path(
        "<uuid:generation_id>/v<int:number>/diff/",
        views.version_diff,
        name="version-diff",
    ),
    path(
        "<uuid:generation_id>/v<int:number>/restore/",
        views.version_restore,
        name="version-restore",
    ),
    path(
        "<uuid:generation_id>/v<int:number>/edit/",
        views.version_edit,
        name="version-edit",
    ),
    path(
        "<uuid:generation_id>/v<int:number>/name/",
        views.version_name,
        name="version-name",
    ),
    path(
        "<uuid:generation_id>/v<int:number>/cancel/",
        views.version_cancel,
        name="version-cancel",
    ),
    path(
        "<uuid:generation_id>/v<int:number>/download/",
        views.version_download,
        name="version-download",
    ),
    path(
        "<uuid:generation_id>/v<int:number>/events/",
        views.version_events,
        name="version-events",
    ),
]
