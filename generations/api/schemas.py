"""What the API reads and writes: request bodies, responses, and a version or a generation
as JSON."""

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from ninja import Field, Schema, Status

from generations.models import Generation, Version
from orchestrator.stages import STAGES
from orchestrator.tech_stacks import TECH_STACKS

# At least one character that is neither blank nor a control character, and no NUL: what
# the forms accept once they strip the text (the same pattern in Python, Rust and ECMA regex).
SOME_TEXT = (
    r"^[^\x00]*[^\s\x00-\x20\x7f-\xa0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f"
    r"\u3000\ufeff][^\x00]*$"
)
NO_NUL = r"^[^\x00]*$"
VersionStatus = StrEnum("VersionStatus", {value: value for value in Version.Status.values})
VersionKind = StrEnum("VersionKind", {value: value for value in Version.Kind.values})
Stage = StrEnum("Stage", {name: name for name in sorted(STAGES)})
TechStack = StrEnum("TechStack", {stack.key: stack.key for stack in TECH_STACKS})


class VersionPath(Schema):
    number: int = Field(ge=1, le=999_999_999, description="The version's number")


def prompt_field(**extra) -> Field:
    return Field(
        min_length=1,
        max_length=settings.PROMPT_MAX_CHARS,
        pattern=SOME_TEXT,
        description=f"What the model should do; at most {settings.PROMPT_MAX_CHARS:,} characters.",
        **extra,
    )


class GenerationIn(Schema):
    title: str = Field(min_length=1, max_length=200, pattern=SOME_TEXT, examples=["Todo service"])
    prompt: str = prompt_field(examples=["a todo API with tags and due dates"])
    tech_stack: TechStack = Field(description="The stack the project is written in")
    domain: str = Field("", max_length=200, pattern=NO_NUL, examples=["task tracking"])
    constraints: str = Field("", max_length=2000, pattern=NO_NUL)


class PromptIn(Schema):
    prompt: str = prompt_field(examples=["add a health-check endpoint"])


class NameIn(Schema):
    name: str = Field(
        max_length=100, pattern=NO_NUL, description="Empty to clear", examples=["before auth"]
    )


class WebhookIn(Schema):
    url: str = Field(
        max_length=500,
        pattern=NO_NUL,
        description="An http(s) URL on a public address, or empty to turn the webhook off.",
        examples=["https://example.com/hooks/iterum"],
    )
    rotate_secret: bool = Field(
        False, description="Make a new signing secret (the old one stops at once)"
    )


# Paths follow the path policy (docs/edits.md: relative, no "..", no VCS folders, no control
# or bidi characters, no names Windows reserves, no letter-case twins), which JSON Schema
# cannot state: a path it refuses gets 422 with the reason.
FILE_PATH = {"minLength": 1, "maxLength": 240, "pattern": NO_NUL}
BASE64 = r"^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"


class FilesIn(Schema):
    files: dict[str, str] = Field(
        default_factory=dict,
        description="path -> new text content (UTF-8, no NUL); one version for all",
        json_schema_extra={
            "propertyNames": FILE_PATH,
            "additionalProperties": {"type": "string", "pattern": NO_NUL},
            "maxProperties": 200,
        },
        examples=[{"app.py": "print('hello')\n"}],
    )
    files_base64: dict[str, str] = Field(
        default_factory=dict,
        description="path -> new binary content, base64",
        json_schema_extra={
            "propertyNames": FILE_PATH,
            "additionalProperties": {"type": "string", "format": "byte", "pattern": BASE64},
            "maxProperties": 200,
        },
    )
    deleted: list[str] = Field(
        default_factory=list,
        description="paths to remove (each must exist in the version)",
        max_length=2000,
    )


class ChangeOut(Schema):
    path: str
    action: str
    lines_added: int = 0
    lines_removed: int = 0
    old_path: str | None = None


class VersionOut(Schema):
    number: int = Field(ge=1, examples=[2])
    kind: VersionKind
    status: VersionStatus
    stage: Stage
    progress: float = Field(ge=0, le=1, examples=[0.41])
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
    id: UUID
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
    git_url: str = Field(description="Clone with git; HTTP Basic, an API token as password")
    stack: dict = Field(description="What an import detected: languages, frameworks...")


class GenerationDetailOut(GenerationOut):
    versions: list[VersionOut]


class WebhookOut(Schema):
    url: str
    secret: str = Field(description="Signs each delivery: HMAC-SHA256, see docs/api.md")


class FileOut(Schema):
    path: str
    sha256: str
    size: int
    binary: bool = False
    executable: bool = False


class FileContentOut(FileOut):
    content: str = Field(description="The text; empty for a binary file (see .../raw/)")


class DiffFileOut(Schema):
    path: str
    status: str
    old_path: str | None
    added: int
    removed: int
    binary: bool
    old_size: int | None = None
    new_size: int | None = None
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
        "git_url": reverse("git-info-refs", args=[generation.pk]).removesuffix("/info/refs"),
        "stack": generation.stack,
    }
    if versions is not None:
        out["versions"] = [version_out(v) for v in versions]
    return out


class ImportGitIn(Schema):
    git_url: str = Field(
        max_length=500,
        pattern=NO_NUL,
        description="An https:// URL on a host in IMPORT_GIT_HOSTS",
        examples=["https://github.com/owner/name"],
    )
    title: str = Field("", max_length=200, pattern=NO_NUL)


class PushRemoteIn(Schema):
    url: str = Field(max_length=500, pattern=NO_NUL, description="The repository's https:// URL")
    token: str = Field(
        min_length=1, max_length=500, pattern=NO_NUL, description="Used for this push only"
    )
    branch: str = Field("main", min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._/-]+$")
    force: bool = False


class PushRemoteOut(Schema):
    url: str
    branch: str
    commit: str


API_ROOT = "/api/v1"


def api_version_url(version: Version) -> str:
    return f"{API_ROOT}/generations/{version.generation_id}/versions/{version.number}"


def version_created(response: HttpResponse, version: Version) -> Status:
    """201 with the new version, and `Location` naming it."""
    response["Location"] = api_version_url(version)
    return Status(201, version_out(version))
