"""Generations, their immutable versions, and files stored once per content hash."""

import hashlib
import math
import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from generations.pricing import cost_of
from orchestrator.tech_stacks import TECH_STACKS

TECH_STACK_CHOICES = [(stack.key, stack.label) for stack in TECH_STACKS]


# The time left: from history alone up to the first share of the bar, then more and more
# the bar's own projection, only that from the second share on.
ETA_BLEND = (0.05, 0.33)


class Generation(models.Model):
    """A project a user asked for; its versions hold the files."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="generations"
    )
    title = models.CharField(max_length=200)
    prompt = models.TextField()
    # One of the four starting points (TECH_STACK_CHOICES), or what an import detected.
    tech_stack = models.CharField(max_length=40)
    # An imported project's detected stack: orchestrator.imports.stack.Stack.as_dict().
    stack = models.JSONField(default=dict, blank=True)
    domain = models.CharField(max_length=200, blank=True)
    constraints = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Optional: a URL that receives a signed POST when a version of this generation ends.
    webhook_url = models.URLField(max_length=500, blank=True)
    webhook_secret = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("generation-detail", args=[self.pk])

    @property
    def stack_label(self) -> str:
        """The stack as people read it: what an import detected, or the starting point."""
        if self.stack.get("label"):
            return self.stack["label"]
        return dict(TECH_STACK_CHOICES).get(self.tech_stack, self.tech_stack)


class VersionQuerySet(models.QuerySet):
    def live(self) -> "VersionQuerySet":
        return self.filter(status__in=Version.LIVE_STATUSES)


class Version(models.Model):
    """One immutable state of a generation's files, and the run that produced it."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        PROCESSING = "processing"
        COMPLETED = "completed"
        NO_CHANGES = "no_changes", "No changes"
        FAILED = "failed"
        CANCELLED = "cancelled"

    class Kind(models.TextChoices):
        GENERATE = "generate"
        ITERATE = "iterate"
        RESTORE = "restore"
        MANUAL = "manual", "Manual edit"
        IMPORT = "import"
        PUSH = "push", "Git push"

    LIVE_STATUSES = (Status.QUEUED, Status.PROCESSING)

    generation = models.ForeignKey(Generation, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    prompt = models.TextField()
    name = models.CharField(max_length=100, blank=True, help_text='For example "before auth".')
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(max_length=40, default="queued")
    progress = models.FloatField(default=0.0)
    message = models.CharField(max_length=500, default="Waiting for a worker...")
    error = models.TextField(blank=True)
    intent = models.CharField(max_length=20, blank=True)
    summary = models.TextField(blank=True)
    provider = models.CharField(max_length=40, blank=True)
    model = models.CharField(max_length=100, blank=True)
    # Files reported while the run streams, so a reload mid-run shows them too.
    live_files = models.JSONField(default=list, blank=True)
    # What the run changed against the parent: [{path, action, lines_added, lines_removed}].
    changes = models.JSONField(default=list, blank=True)
    cancel_requested = models.BooleanField(default=False)
    # The API token that asked for this run, if a program did (for its rate limit and log).
    api_token = models.ForeignKey(
        "ApiToken", null=True, blank=True, on_delete=models.SET_NULL, related_name="versions"
    )
    # Asked for through the API with a login session (no token): counted by the same limits.
    api_session = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # Median duration of recent similar runs when this one started; None without history.
    expected_seconds = models.FloatField(null=True, blank=True)
    # What the checks found in this version's files (orchestrator.checks.Finding as dicts),
    # and when they ran: None for versions made before checks, or with checks off.
    findings = models.JSONField(default=list, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    check_notes = models.JSONField(default=list, blank=True)  # checks that could not run
    # A version made by a git push keeps the pushed commit byte for byte, so the commit
    # derived for it is the one the pusher has.
    pushed_commit = models.BinaryField(null=True, blank=True)
    # An import: where it came from and what it left out ({source, left_out: [...]}).
    import_report = models.JSONField(default=dict, blank=True)

    objects = VersionQuerySet.as_manager()

    class Meta:
        ordering = ["generation", "number"]
        constraints = [
            models.UniqueConstraint(fields=["generation", "number"], name="unique_version_number")
        ]
        indexes = [models.Index(fields=["status", "heartbeat_at"])]

    def __str__(self) -> str:
        return f"{self.generation} v{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("version-detail", args=[self.generation_id, self.number])

    @property
    def label(self) -> str:
        return f"v{self.number}" + (f" {self.name}" if self.name else "")

    def seconds_left(self, progress: float | None = None, now=None) -> float | None:
        """The time left, once similar runs have finished before (None without that history).

        Early on it is the usual duration less the time spent; as the bar (which tells the
        truth about time) moves, more and more the time spent projected over what remains of
        the bar, and only that from a third of the way on. The two are blended, not switched:
        a switch made the figure jump (6 s to 21 s) the moment the bar crossed a threshold.
        """
        if self.expected_seconds is None or not self.is_live:
            return None
        if self.started_at is None:
            return self.expected_seconds
        elapsed = ((now or timezone.now()) - self.started_at).total_seconds()
        progress = self.progress if progress is None else progress
        from_history = max(self.expected_seconds - elapsed, 0.0)
        if progress <= ETA_BLEND[0]:
            return from_history
        projected = elapsed * (1 - progress) / progress
        weight = min((progress - ETA_BLEND[0]) / (ETA_BLEND[1] - ETA_BLEND[0]), 1.0)
        return weight * projected + (1 - weight) * from_history

    @property
    def checked(self) -> bool:
        return self.checked_at is not None

    @property
    def check_errors(self) -> list[dict]:
        return [f for f in self.findings if f.get("severity") == "error"]

    @property
    def check_warnings(self) -> list[dict]:
        return [f for f in self.findings if f.get("severity") != "error"]

    @property
    def check_summary(self) -> str:
        """ "All checks passed", or the counts: "2 errors, 1 warning"."""
        if not self.findings:
            return "All checks passed"
        parts = []
        counts = ((len(self.check_errors), "error"), (len(self.check_warnings), "warning"))
        for count, noun in counts:
            if count:
                parts.append(f"{count} {noun}{'s' * (count != 1)}")
        return ", ".join(parts)

    def findings_in(self, path: str) -> list[dict]:
        return [f for f in self.findings if f.get("path") == path]

    @property
    def paths_with_errors(self) -> set[str]:
        return {f["path"] for f in self.check_errors}

    def set_checks(self, report) -> None:
        """Keep a CheckReport's findings on the version (saved by the caller)."""
        self.findings = [f.as_dict() for f in report.findings]
        self.check_notes = list(report.unavailable)
        self.checked_at = timezone.now()

    @property
    def first_changed_path(self) -> str | None:
        """The first file this version added, changed or renamed (for the file viewer)."""
        kept = [c["path"] for c in self.changes if c.get("action") != "deleted"]
        return kept[0] if kept else None

    @property
    def renames(self) -> dict[str, str]:
        """The renames this version made against its parent: new path -> old path."""
        return {c["path"]: c["old_path"] for c in self.changes if c.get("action") == "renamed"}

    @property
    def lines_added(self) -> int:
        return sum(change.get("lines_added", 0) for change in self.changes)

    @property
    def lines_removed(self) -> int:
        return sum(change.get("lines_removed", 0) for change in self.changes)

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE_STATUSES

    @property
    def has_files(self) -> bool:
        return self.status in (self.Status.COMPLETED, self.Status.NO_CHANGES)

    @property
    def channel(self) -> str:
        """The django-eventstream channel of this version's events."""
        return self.channel_of(self.generation_id, self.number)

    @staticmethod
    def channel_of(generation_id: uuid.UUID | str, number: int) -> str:
        return f"version-{generation_id}-{number}"

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None

    @property
    def percent(self) -> int:
        return round(self.progress * 100)

    @property
    def bar_value(self) -> str:
        """The bar's value in tenths of a percent, rounded as static/js/live.js rounds the
        events it applies ("17.1", "100"): a reloaded page shows what the live page showed,
        never a whole percent below it."""
        tenths = math.floor(self.progress * 1000 + 0.5)
        return str(tenths // 10) if tenths % 10 == 0 else f"{tenths / 10:.1f}"

    def usage(self) -> dict:
        """Tokens of every model call of this run, and their cost where the model has a price."""
        calls = list(self.model_calls.all())
        costs = [cost_of(c.model, c.tokens_in, c.tokens_out) for c in calls]
        return {
            "calls": len(calls),
            "tokens_in": sum(c.tokens_in for c in calls),
            "tokens_out": sum(c.tokens_out for c in calls),
            "tokens_thinking": sum(c.tokens_thinking for c in calls),
            "estimated": any(c.tokens_estimated for c in calls),
            "cost": None if not calls or None in costs else sum(costs),
        }


class Blob(models.Model):
    """File content as bytes, stored once however many versions hold it. Text is UTF-8
    without NUL; anything else is binary, kept byte for byte and never sent to a model."""

    sha256 = models.CharField(max_length=64, primary_key=True)
    content = models.BinaryField()
    size = models.PositiveIntegerField()
    binary = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.sha256[:12]} ({self.size} bytes)"

    @staticmethod
    def hash_of(content: str | bytes) -> str:
        return hashlib.sha256(as_bytes(content)).hexdigest()

    @classmethod
    def of(cls, content: str | bytes) -> "Blob":
        """An unsaved blob of `content` (text given as str is stored as UTF-8)."""
        data = as_bytes(content)
        return cls(
            sha256=hashlib.sha256(data).hexdigest(),
            content=data,
            size=len(data),
            binary=text_of(data) is None,
        )

    @property
    def text(self) -> str | None:
        return text_of(bytes(self.content))


def contents_of(hashes) -> dict[str, str | bytes]:
    """Stored contents by hash: text as str, binary files as bytes."""
    found = {}
    for digest, content, binary in Blob.objects.filter(sha256__in=set(hashes)).values_list(
        "sha256", "content", "binary"
    ):
        found[digest] = bytes(content) if binary else bytes(content).decode("utf-8")
    return found


def as_bytes(content: str | bytes | memoryview) -> bytes:
    return content.encode() if isinstance(content, str) else bytes(content)


def text_of(data: bytes | memoryview) -> str | None:
    """The text of a file's bytes, or None when they are binary (not UTF-8, or NUL)."""
    data = bytes(data)
    if b"\x00" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


class FileFacts(models.Model):
    """What the checks learned about one file's content (orchestrator.checks.fact_store),
    kept so that no worker reads the same file twice. Rows are never changed; a change of
    checker gives other keys, and old rows can be deleted at any time."""

    key = models.CharField(max_length=40, primary_key=True)
    data = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "file facts"

    def __str__(self) -> str:
        return self.key


class VersionFile(models.Model):
    """A path in a version, pointing at its content."""

    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="files")
    path = models.CharField(max_length=255)
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="+")
    executable = models.BooleanField(default=False)  # git's and tar's mode 755

    class Meta:
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["version", "path"], name="unique_path_per_version")
        ]

    def __str__(self) -> str:
        return self.path


class ModelCall(models.Model):
    """One call to a language model, for cost and debugging."""

    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="model_calls")
    purpose = models.CharField(max_length=20)
    provider = models.CharField(max_length=40)
    model = models.CharField(max_length=100)
    tokens_in = models.PositiveIntegerField(default=0)
    tokens_out = models.PositiveIntegerField(default=0)
    tokens_estimated = models.BooleanField(default=False)
    tokens_thinking = models.PositiveIntegerField(default=0)  # of tokens_out, the thinking
    latency_seconds = models.FloatField(default=0.0)
    # How long the model took to start answering, and what it sent in characters: the
    # history the progress bar forecasts the next similar call from.
    first_token_seconds = models.FloatField(null=True, blank=True)
    chars_out = models.PositiveIntegerField(default=0)
    files_out = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=20)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.purpose} via {self.provider}/{self.model}: {self.outcome}"


class ApiToken(models.Model):
    """A user's key for the API: shown once when made, kept only as its SHA-256."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, help_text="The token's first characters.")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Scope(models.TextChoices):
        FULL = "full", "Read and write"
        READ = "read", "Read only"

    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.FULL)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}...)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class WebhookDelivery(models.Model):
    """One version's end, sent to its generation's webhook: attempts and outcome."""

    class Status(models.TextChoices):
        PENDING = "pending"
        SUCCEEDED = "succeeded"
        FAILED = "failed"
        REFUSED = "refused"  # the URL points at a private or loopback address

    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="deliveries")
    # Sent as X-Iterum-Delivery, the same on every attempt: a receiver drops repeats by it.
    delivery_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    url = models.URLField(max_length=500)
    event = models.CharField(max_length=40, default="version.ended")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    response_status = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "webhook deliveries"

    def __str__(self) -> str:
        return f"{self.version} to {self.url}: {self.status}"
