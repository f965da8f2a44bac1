"""Generations: list yours, start one, read one with its versions, and diff two versions."""

from django.shortcuts import get_object_or_404
from ninja import Router, Status

from generations.api.auth import caller
from generations.api.errors import refused, validated
from generations.api.schemas import (
    DiffOut,
    GenerationDetailOut,
    GenerationIn,
    GenerationOut,
    MessageOut,
    VersionOut,
    generation_out,
    version_out,
)
from generations.comparisons import changes_between
from generations.forms import GenerationForm
from generations.ownership import owned_generation
from generations.refusals import ActionRefused
from generations.runs.queue import create_generation
from orchestrator.diffing import unified_diff

router = Router(tags=["generations"])


@router.get("", response=list[GenerationOut], summary="Your generations, newest first")
def list_generations(request):
    return [generation_out(g) for g in request.user.generations.all()]


@router.post("", response={201: VersionOut, 409: MessageOut, 429: MessageOut}, summary="Start one")
def create(request, payload: GenerationIn):
    data = validated(GenerationForm(payload.dict()))
    try:
        version = create_generation(owner=request.user, **caller(request), **data)
    except ActionRefused as refusal:
        raise refused(refusal) from None
    return Status(201, version_out(version))


@router.get("/{uuid:generation_id}", response=GenerationDetailOut)
def get_generation(request, generation_id):
    generation = owned_generation(request, generation_id)
    versions = generation.versions.select_related("parent").order_by("number")
    return generation_out(generation, versions)


@router.get("/{uuid:generation_id}/diff", response=DiffOut)
def diff(request, generation_id, new: int, old: int | None = None, ignore_whitespace: bool = False):
    """The files that differ between two versions (`old` defaults to `new`'s parent), each
    with its unified diff."""
    generation = owned_generation(request, generation_id)
    newer = get_object_or_404(generation.versions, number=new)
    older = get_object_or_404(generation.versions, number=old) if old else newer.parent
    changes = changes_between(older, newer, ignore_whitespace)
    files = []
    for change in changes.files:
        if change.binary:
            files.append({**change.__dict__, "unified": change.binary_summary})
            continue
        before, after = changes.texts(change)
        unified = unified_diff(
            before,
            after,
            f"a/{change.old_path or change.path}" if change.status != "added" else "/dev/null",
            f"b/{change.path}" if change.status != "deleted" else "/dev/null",
        )
        files.append({**change.__dict__, "unified": unified})
    return {"old": older.number if older else None, "new": newer.number, "files": files}
