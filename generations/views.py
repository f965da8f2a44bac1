from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LogoutView
from django.db.models import Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from generations.comparisons import comparison, expanded_rows, read_selection
from generations.downloads import zip_response
from generations.forms import (
    GenerationForm,
    ImportForm,
    IterationForm,
    ManualEditForm,
    VersionNameForm,
    WebhookForm,
)
from generations.fragments import htmx_fragment
from generations.history import name_version, restore_version, save_manual_edit
from generations.imports import import_archive, import_git
from generations.live.events import current_event_id
from generations.live.streams import event_stream
from generations.models import Version
from generations.ownership import owned_generation, owned_version
from generations.presentation import file_tree, highlighted
from generations.refusals import ActionRefused
from generations.request_values import safe_next
from generations.runs.lifecycle import request_cancel
from generations.runs.queue import create_generation, start_iteration
from generations.storage import text_files
from generations.viewer import raw_file_response, shown_as
from generations.webhooks import set_webhook


class LogoutWithMessage(LogoutView):
    """Django's logout, saying so on the login page it leads to."""

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.success(request, "You have logged out.")
        return response


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
        try:
            version = create_generation(owner=request.user, **form.cleaned_data)
        except ActionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            return redirect(version)
    status = 400 if form.is_bound else 200
    return render(request, "generations/new.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def generation_import(request: HttpRequest) -> HttpResponse:
    """Start from an existing project: an archive, a folder (zipped by the page) or a git
    URL. The import becomes version 1; a refusal says why and saves nothing."""
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["archive"]:
                upload = data["archive"]
                version = import_archive(
                    owner=request.user,
                    archive=upload,
                    name=upload.name,
                    size=upload.size,
                    title=data["title"],
                )
            else:
                version = import_git(owner=request.user, url=data["git_url"], title=data["title"])
        except ActionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, version.summary or "Imported.")
            return redirect(version)
    status = 400 if form.is_bound else 200
    context = {"form": form, "file_limit": settings.FILE_MAX_BYTES}
    return render(request, "generations/import.html", context, status=status)


@require_GET
@login_required
def generation_detail(request: HttpRequest, generation_id) -> HttpResponse:
    generation = owned_generation(request, generation_id)
    versions = (
        generation.versions.order_by("-number")
        .select_related("created_by", "test_run")
        .annotate(tokens=Sum("model_calls__tokens_in") + Sum("model_calls__tokens_out"))
    )
    clone_url = request.build_absolute_uri(reverse("git-info-refs", args=[generation.pk]))
    context = {
        "generation": generation,
        "versions": versions,
        "clone_url": clone_url.removesuffix("/info/refs"),
    }
    return render(request, "generations/detail.html", context)


# The version page's parts that htmx asks for by their element's id.
VERSION_PARTS = htmx_fragment("file-browser", "live-panel", otherwise="version-main")


@require_GET
@login_required
@VERSION_PARTS
def version_detail(request: HttpRequest, generation_id, number: int) -> HttpResponse:
    version = owned_version(request, generation_id, number)
    # Read the event id before the state: an event in between is replayed, never lost.
    last_event_id = current_event_id(version)
    version.refresh_from_db()
    return render_version(request, version, last_event_id, IterationForm())


def render_version(
    request: HttpRequest, version: Version, last_event_id: str, form: IterationForm, status=200
) -> TemplateResponse:
    files = set(version.files.values_list("path", flat=True)) if version.has_files else set()
    # The viewer opens the first file this version changed (an iteration, a restore), else
    # the first file.
    changed_first = version.first_changed_path if version.parent_id else None
    default = changed_first if changed_first in files else next(iter(sorted(files)), None)
    selected = request.GET.get("file") or default
    changed = {change["path"]: change["action"] for change in version.changes}
    if selected is not None and selected not in files:
        raise Http404("No such file in this version.")
    blob = version.files.select_related("blob").get(path=selected).blob if selected else None
    shown = shown_as(blob) if blob else None
    context = {
        "generation": version.generation,
        "version": version,
        "versions": version.generation.versions.order_by("-number"),
        "last_event_id": last_event_id,
        "tree": file_tree(
            list(files), changed if version.parent_id else {}, version.paths_with_errors
        ),
        "selected": selected,
        "selected_findings": version.findings_in(selected) if selected else [],
        "selected_html": (
            highlighted(selected, blob.text, version.findings_in(selected))
            if shown and shown.kind == "text"
            else ""
        ),
        "selected_shown": shown,
        "form": form,
        "run_meta": run_meta(version),
    }
    return TemplateResponse(request, "generations/version.html", context, status=status)


def run_meta(version: Version) -> list[str]:
    """The facts of a run, for one line joined by dots (only those there are)."""
    usage = version.usage()
    parts = []
    if version.parent:
        parts.append(f"Based on v{version.parent.number}")
    if version.intent:
        parts.append(f"intent: {version.intent}")
    if version.model:
        parts.append(f"{version.provider} ({version.model})")
    if usage["calls"]:
        estimated = " (estimated)" if usage["estimated"] else ""
        parts.append(f"{usage['calls']} model call{'s' if usage['calls'] != 1 else ''}")
        parts.append(f"{usage['tokens_in']} tokens in, {usage['tokens_out']} out{estimated}")
        if usage["cost"] is not None:
            parts.append(f"about ${usage['cost']:.4f}")
    if version.duration_seconds is not None:
        parts.append(f"{version.duration_seconds:.1f} s")
    return parts


@require_POST
@login_required
@VERSION_PARTS
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
    try:
        request_cancel(version=version)
    except ActionRefused as refusal:
        messages.error(request, str(refusal))
    if request.htmx:
        return HttpResponse(status=204)  # the stream's events refresh the page
    return redirect(version)


@require_GET
@login_required
def version_download(request: HttpRequest, generation_id, number: int) -> HttpResponse:
    version = owned_version(request, generation_id, number)
    try:
        return zip_response(version)
    except ActionRefused as refusal:
        messages.error(request, str(refusal))
        return redirect(version)


@require_GET
@login_required
def version_raw(request: HttpRequest, generation_id, number: int) -> HttpResponse:
    """One file's bytes (?file=path): images shown by the viewer, other files downloaded."""
    version = owned_version(request, generation_id, number)
    row = get_object_or_404(version.files.select_related("blob"), path=request.GET.get("file"))
    return raw_file_response(row.blob, row.path)


async def version_events(request: HttpRequest, generation_id, number: int) -> HttpResponse:
    """The version's live events (SSE). Anyone but the owner and staff is refused."""
    return await event_stream(request, Version.channel_of(generation_id, number))


@require_GET
@login_required
@htmx_fragment("diff-main")
def generation_compare(request: HttpRequest, generation_id) -> HttpResponse:
    """Two versions' differences: the changed files, and one file's diff (htmx partials)."""
    generation = owned_generation(request, generation_id)
    selection = read_selection(request, generation)
    template = "generations/compare.html"
    if request.GET.get("expand"):
        rows = expanded_rows(selection, request.GET["expand"])
        return render(request, template + "#gap-rows", {"rows": rows, "selection": selection})
    context = comparison(selection) | {
        "generation": generation,
        "versions": generation.versions.order_by("-number"),
    }
    return TemplateResponse(request, template, context)


@require_GET
@login_required
def version_diff(request: HttpRequest, generation_id, number: int) -> HttpResponse:
    version = owned_version(request, generation_id, number)
    parent = f"from={version.parent.number}&" if version.parent else ""
    return redirect(reverse("generation-compare", args=[generation_id]) + f"?{parent}to={number}")


@require_POST
@login_required
def version_restore(request: HttpRequest, generation_id, number: int) -> HttpResponse:
    source = owned_version(request, generation_id, number)
    try:
        restored = restore_version(source=source, user=request.user)
    except ActionRefused as refusal:
        messages.error(request, str(refusal))
        return redirect(source)
    messages.success(request, f"Version {source.number} restored as version {restored.number}.")
    return redirect(restored)


@require_http_methods(["GET", "POST"])
@login_required
def version_edit(request: HttpRequest, generation_id, number: int) -> HttpResponse:
    """Edit or upload one file by hand; saving makes a new version on top of this one."""
    base = owned_version(request, generation_id, number)
    path = request.GET.get("file", "")
    initial = {"path": path, "content": text_files(base).get(path, "") if path else ""}
    form = ManualEditForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            version = save_manual_edit(base=base, user=request.user, **form.edit())
        except ActionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, f"Saved as version {version.number}.")
            return redirect(file_url(version, version.first_changed_path))
    status = 400 if form.is_bound else 200
    context = {"form": form, "version": base, "generation": base.generation}
    return render(request, "generations/edit.html", context, status=status)


@require_POST
@login_required
def version_name(request: HttpRequest, generation_id, number: int) -> HttpResponse:
    version = owned_version(request, generation_id, number)
    form = VersionNameForm(request.POST)
    if not form.is_valid():
        errors = "; ".join(e for field in form.errors.values() for e in field)
        messages.error(request, f"The name was not saved: {errors}")
        return redirect(version)
    name_version(version=version, name=form.cleaned_data["name"])
    return redirect(safe_next(request, form.cleaned_data["next"]) or version.get_absolute_url())


def file_url(version: Version, path: str | None) -> str:
    """The version's page showing one file; the path is encoded, whatever it holds."""
    url = version.get_absolute_url()
    return f"{url}?{urlencode({'file': path})}" if path else url


@require_POST
@login_required
def generation_webhook(request: HttpRequest, generation_id) -> HttpResponse:
    """Set or clear the generation's webhook (the same rule as the API's)."""
    generation = owned_generation(request, generation_id)
    form = WebhookForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The webhook was not saved: " + "; ".join(form.errors["url"]))
        return redirect(generation)
    set_webhook(generation, form.cleaned_data["url"])
    if generation.webhook_url:
        messages.success(request, "Webhook saved: each version's end is posted to it.")
    else:
        messages.success(request, "Webhook removed.")
    return redirect(generation)
