"""Generations: list yours, start one, read one with its versions, and diff two versions."""

from uuid import UUID

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field as SchemaField
from ninja import Query, Router, Schema

from generations.api.auth import caller
from generations.api.errors import refused, responses, validated
from generations.api.paging import Page, paginated
from generations.api.schemas import (
    DiffOut,
    GenerationDetailOut,
    GenerationIn,
    GenerationOut,
    VersionOut,
    generation_out,
    version_created,
)
from generations.comparisons import changes_between
from generations.forms import GenerationForm
from generations.ownership import owned_generation
from generations.refusals import ActionRefused
from generations.runs.queue import create_generation
from orchestrator.diffing import unified_diff

router = Router(tags=["generations"])


@router.get(
    "",
    response=responses({200: list[GenerationOut]}),
    summary="List your generations",
    operation_id="listGenerations",
)
def list_generations(request, response: HttpResponse, page: Query[Page]):
    """Your generations, the most recently changed first, `limit` at a time. The `Link`
    header gives the next page (`rel="next"`) and `X-Total-Count` how many there are."""
    generations = request.user.generations.order_by("-updated_at", "-created_at", "pk")
    return paginated(request, response, generations, page, generation_out)


@router.post(
    "",
    response=responses({201: VersionOut}, 409, 413, 429),
    summary="Start a generation",
    operation_id="createGeneration",
)
def start_generation(request, response: HttpResponse, payload: GenerationIn):
    """Make a generation and queue its version 1 (the model writes the project). Follow it
    with a stream token's `events_url`; `Location` is the new version."""
    data = validated(GenerationForm(payload.dict()))
    try:
        version = create_generation(owner=request.user, **caller(request), **data)
    except ActionRefused as refusal:
        raise refused(refusal) from None
    return version_created(response, version)


@router.get(
    "/{uuid:generation_id}",
    response=responses({200: GenerationDetailOut}),
    summary="Read a generation with its versions",
    operation_id="getGeneration",
)
def get_generation(request, generation_id: UUID):
    generation = owned_generation(request, generation_id)
    versions = generation.versions.select_related("parent").order_by("number")
    return generation_out(generation, versions)


class DiffQuery(Schema):
    new: int = SchemaField(ge=1, le=999_999_999, description="The newer version's number")
    old: int | None = SchemaField(
        None, ge=1, le=999_999_999, description="The older one (default: the newer's parent)"
    )
    ignore_whitespace: bool = False


@router.get(
    "/{uuid:generation_id}/diff",
    response=responses({200: DiffOut}),
    summary="Diff two versions",
    operation_id="diffVersions",
)
def diff_versions(request, generation_id: UUID, query: Query[DiffQuery]):
    """The files that differ between two versions, each with its unified diff."""
    generation = owned_generation(request, generation_id)
    newer = get_object_or_404(generation.versions, number=query.new)
    older = get_object_or_404(generation.versions, number=query.old) if query.old else newer.parent
    changes = changes_between(older, newer, query.ignore_whitespace)
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
