"""Under a version's URL: /generations/<id>/v<n>/..."""

from django.urls import path

from generations.running import views

urlpatterns = [
    path("run/", views.run_panel, name="version-run"),
    path("tests/", views.run_tests, name="version-tests"),
    path("preview/", views.run_preview, name="version-preview"),
    path("preview/stop/", views.stop_version_preview, name="version-preview-stop"),
    path("preview/page/", views.preview_page, name="version-preview-page"),
]
