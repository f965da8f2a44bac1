"""What the API reads and writes: request bodies, responses, and a version or a generation
as JSON."""

from datetime import datetime

from django.urls import reverse
from ninja import Field, Schema

from generations.models import Generation, Version
from orchestrator.tech_stacks import TECH_STACKS


class GenerationIn(Schema):
    title: str
    prompt: str
    tech_stack: str = Field(description=", ".join(stack.key for stack in TECH_STACKS))
    domain: str = ""
    constraints: str = ""


class PromptIn(Schema):
    prompt: str


class NameIn(Schema):
    name: str = ""


class WebhookIn(Schema):
    url: str = Field("", description="An http(s) URL, or empty to turn the webhook off.")


class FilesIn(Schema):
    files: dict[str, str] = Field(description="path -> new content; one version for all")


class ChangeOut(Schema):
    path: str
    action: str
    lines_added: int = 0
    lines_removed: int = 0
    old_path: str | None = None


class VersionOut(Schema):
    number: int
    kind: str
    status: str
    stage: str
    progress: float
    message: str
    prompt: str
    name: str
    parent: int | None
    intent: str
    summary: str
    error: str
    changes: list[ChangeOut]
    checks: str | None
    findings: list[dict]
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    seconds_left: float | None
    url: str
    events_url: str


class GenerationOut(Schema):
    id: str
    title: str
    prompt: str
    tech_stack: str
    domain: str
    constraints: str
    webhook_url: str
    created_at: datetime
    updated_at: datetime
    latest_version: int | None
    url: str


class GenerationDetailOut(GenerationOut):
    versions: list[VersionOut]


class WebhookOut(Schema):
    url: str
    secret: str = Field(description="Signs each delivery: HMAC-SHA256, see the README")


class FileOut(Schema):
    path: str
    sha256: str
    size: int


class FileContentOut(FileOut):
    content: str


class DiffFileOut(Schema):
    path: str
    status: str
    old_path: str | None
    added: int
    removed: int
    binary: bool
    unified: str


class DiffOut(Schema):
    old: int | None
    new: int
    files: list[DiffFileOut]


class StreamTokenOut(Schema):
    token: str
    expires_in: int
    events_url: str


class MessageOut(Schema):
    detail: str


def version_out(version: Version) -> dict:
    return {
        "number": version.number,
        "kind": version.kind,
        "status": version.status,
        "stage": version.stage,
        "progress": version.progress,
        "message": version.message,
        "prompt": version.prompt,
        "name": version.name,
        "parent": version.parent.number if version.parent_id and version.parent else None,
        "intent": version.intent,
        "summary": version.summary,
        "error": version.error,
        "changes": version.changes,
        "checks": version.check_summary if version.checked else None,
        "findings": version.findings,
        "created_at": version.created_at,
        "started_at": version.started_at,
        "finished_at": version.finished_at,
        "seconds_left": version.seconds_left(),
        "url": version.get_absolute_url(),
        "events_url": reverse("version-events", args=[version.generation_id, version.number]),
    }


def generation_out(generation: Generation, versions=None) -> dict:
    latest = generation.versions.order_by("-number").values_list("number", flat=True).first()
    out = {
        "id": str(generation.pk),
        "title": generation.title,
        "prompt": generation.prompt,
        "tech_stack": generation.tech_stack,
        "domain": generation.domain,
        "constraints": generation.constraints,
        "webhook_url": generation.webhook_url,
        "created_at": generation.created_at,
        "updated_at": generation.updated_at,
        "latest_version": latest,
        "url": generation.get_absolute_url(),
    }
    if versions is not None:
        out["versions"] = [version_out(v) for v in versions]
    return out
