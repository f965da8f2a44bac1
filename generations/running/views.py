"""The version page's Run panel: its tests and its live preview (Run, Stop, the frame, the
log), and the doors to the preview's own host."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from generations.models import Version
from generations.ownership import owned_version
from generations.refusals import ActionRefused
from generations.running import access
from generations.running.panel import panel_context
from generations.running.previews import current_preview, start_preview, stop_preview
from generations.running.test_runs import request_tests

PANEL = "running/panel.html"


def version_for(request: HttpRequest, generation_id, number: int, staff: bool = False) -> Version:
    """The version if the user owns it (or, where `staff`, is staff); 404 for anyone else."""
    if staff and request.user.is_staff:
        return get_object_or_404(
            Version.objects.select_related("generation"), generation_id=generation_id, number=number
        )
    return owned_version(request, generation_id, number)


def answer(request: HttpRequest, version: Version, part: str = "") -> HttpResponse:
    """The panel (or one part of it) for htmx; the version page for a plain form post."""
    if request.htmx:
        template = PANEL + (f"#{part}" if part else "")
        return render(request, template, panel_context(request, version))
    return redirect(version)


@require_GET
@login_required
def run_panel(request: HttpRequest, generation_id, number: int) -> HttpResponse:
    version = version_for(request, generation_id, number)
    part = request.GET.get("part", "")
    return answer(request, version, part if part in ("tests", "preview") else "")


@require_POST
@login_required
def run_tests(request: HttpRequest, generation_id, number: int) -> HttpResponse:
    version = version_for(request, generation_id, number)
    try:
        request_tests(version=version)
    except ActionRefused as refusal:
        messages.error(request, str(refusal))
    return answer(request, version, "tests")


@require_POST
@login_required
def run_preview(request: HttpRequest, generation_id, number: int) -> HttpResponse:
    version = version_for(request, generation_id, number)
    try:
        start_preview(version=version, user=request.user)
    except ActionRefused as refusal:
        messages.error(request, str(refusal))
    return answer(request, version, "preview")


@require_POST
@login_required
def stop_version_preview(request: HttpRequest, generation_id, number: int) -> HttpResponse:
    version = version_for(request, generation_id, number)
    preview = current_preview(version)
    if preview is not None:
        stop_preview(preview=preview)
    return answer(request, version, "preview")


@require_GET
@login_required
def preview_page(request: HttpRequest, generation_id, number: int) -> HttpResponse:
    """The preview filling a tab of its own, framed as on the version page, so its cookie
    works the same way in every browser that blocks third-party cookies."""
    version = version_for(request, generation_id, number, staff=True)
    preview = current_preview(version)
    active = preview is not None and preview.active
    context = {
        "version": version,
        "generation": version.generation,
        "preview": preview if active else None,
        "enter_url": access.enter_url(preview, request.user, request) if active else "",
    }
    return render(request, "running/preview_page.html", context, status=200 if active else 404)
