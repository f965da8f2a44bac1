from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_eventstream.views import events

from generations.actions import (
    ActionRefused,
    create_generation,
    request_cancel,
    start_iteration,
)
from generations.downloads import as_async, zip_name, zip_stream
from generations.events import current_event_id
from generations.forms import GenerationForm, IterationForm
from generations.models import Generation, Version
from generations.presentation import file_tree, highlighted


def owned_generation(request: HttpRequest, generation_id) -> Generation:
    """The generation if the user owns it; 404 for everyone else, staff included (admin)."""
    return get_object_or_404(Generation, pk=generation_id, owner=request.user)


def owned_version(request: HttpRequest, generation_id, number: int) -> Version:
    return get_object_or_404(
        Version.objects.select_related("generation", "parent"),
        generation_id=generation_id,
        generation__owner=request.user,
        number=number,
    )


@require_GET
@login_required
def generation_list(request: HttpRequest) -> HttpResponse:
    generations = request.user.generations.prefetch_related("versions")
    return render(request, "generations/list.html", {"generations": generations})


@require_http_methods(["GET", "POST"])
@login_required
def generation_create(request: HttpRequest) -> HttpResponse:
    form = GenerationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        version = create_generation(owner=request.user, **form.cleaned_data)
        return redirect(version)
    status = 400 if form.is_bound else 200
    return render(request, "generations/new.html", {"form": form}, status=status)


@require_GET
@login_required
def generation_detail(request: HttpRequest, generation_id) -> HttpResponse:
    generation = owned_generation(request, generation_id)
    versions = generation.versions.order_by("-number")
    return render(
        request, "generations/detail.html", {"generation": generation, "versions": versions}
    )


@require_GET
@login_required
def version_detail(request: HttpRequest, generation_id, number: int) -> HttpResponse:
    version = owned_version(request, generation_id, number)
    # Read the event id before the state: an event in between is replayed, never lost.
    last_event_id = current_event_id(version)
    version.refresh_from_db()
    return render_version(request, version, last_event_id, IterationForm())


def render_version(
    request: HttpRequest, version: Version, last_event_id: str, form: IterationForm, status=200
) -> HttpResponse:
    files = dict(version.files.values_list("path", "blob__content")) if version.has_files else {}
    selected = request.GET.get("file") or next(iter(sorted(files)), None)
    changed = {change["path"]: change["action"] for change in version.changes}
    if selected is not None and selected not in files:
        raise Http404("No such file in this version.")
    context = {
        "generation": version.generation,
        "version": version,
        "versions": version.generation.versions.order_by("-number"),
        "last_event_id": last_event_id,
        "tree": file_tree(list(files), changed if version.parent_id else {}),
        "selected": selected,
        "selected_html": highlighted(selected, files[selected]) if selected else "",
        "form": form,
        "usage": version.usage(),
    }
    template = "generations/version.html"
    if request.htmx and request.htmx.target == "file-browser":
        template += "#file-browser"
    elif request.htmx and request.GET.get("part") == "live":
        template += "#live-panel"
    elif request.htmx:
        template += "#version-main"
    return render(request, template, context, status=status)


@require_POST
@login_required
def version_iterate(request: HttpRequest, generation_id, number: int) -> HttpResponse:
    base = owned_version(request, generation_id, number)
    form = IterationForm(request.POST)
    if form.is_valid():
        try:
            version = start_iteration(
                base=base, prompt=form.cleaned_data["prompt"], user=request.user
            )
        except ActionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            return redirect(version)
    return render_version(request, base, current_event_id(base), form, status=400)


@require_POST
@login_required
def version_cancel(request: HttpRequest, generation_id, number: int) -> HttpResponse:
    version = owned_version(request, generation_id, number)
    if not version.is_live:
        messages.error(
            request, f"Version {version.number} is not running, so there is nothing to cancel."
        )
    else:
        request_cancel(version=version)
    if request.htmx:
        return HttpResponse(status=204)  # the stream's events refresh the page
    return redirect(version)


@require_GET
@login_required
def version_download(request: HttpRequest, generation_id, number: int) -> HttpResponse:
    version = owned_version(request, generation_id, number)
    if not version.has_files:
        messages.error(
            request,
            f"Version {version.number} is {version.get_status_display().lower()}; only a "
            "version with files can be downloaded.",
        )
        return redirect(version)
    response = StreamingHttpResponse(
        as_async(iter(zip_stream(version))), content_type="application/zip"
    )
    response["Content-Disposition"] = f'attachment; filename="{zip_name(version)}.zip"'
    return response


def version_events(request: HttpRequest, generation_id, number: int) -> HttpResponse:
    """The version's live events (SSE). The channel manager refuses anyone but the owner."""
    return events(request, channels=[f"version-{generation_id}-{number}"])
