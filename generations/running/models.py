"""What the runner reported of a version: its last test run, test by test, and its previews."""

from django.conf import settings
from django.db import models

from generations.models import Version


class TestRun(models.Model):
    """The last run of a version's own tests (a new run replaces it)."""

    class State(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        PASSED = "passed"
        FAILED = "failed"
        ERROR = "error"  # they could not run or finish: the message says why
        UNAVAILABLE = "unavailable"  # this machine cannot run them: the message says why
        NONE = "none", "No tests"

    FINISHED = (State.PASSED, State.FAILED, State.ERROR, State.UNAVAILABLE, State.NONE)
    __test__ = False  # not a pytest class

    version = models.OneToOneField(Version, on_delete=models.CASCADE, related_name="test_run")
    state = models.CharField(max_length=20, choices=State.choices, default=State.QUEUED)
    message = models.TextField(blank=True)
    output = models.TextField(blank=True)  # the end of the console output
    passed = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(null=True, blank=True)
    environment_seconds = models.FloatField(null=True, blank=True)
    environment_built = models.BooleanField(default=False)
    requested_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"tests of {self.version}: {self.state}"

    @property
    def finished(self) -> bool:
        return self.state in self.FINISHED

    @property
    def summary(self) -> str:
        if self.state in (self.State.PASSED, self.State.FAILED):
            parts = [f"{self.passed} passed"]
            parts += [f"{self.failed} failed"] if self.failed else []
            parts += [f"{self.errors} errors"] if self.errors else []
            parts += [f"{self.skipped} skipped"] if self.skipped else []
            return ", ".join(parts)
        return self.get_state_display()


class TestResult(models.Model):
    """One test of a test run."""

    class Outcome(models.TextChoices):
        PASSED = "passed"
        FAILED = "failed"
        ERROR = "error"
        SKIPPED = "skipped"

    __test__ = False

    run = models.ForeignKey(TestRun, on_delete=models.CASCADE, related_name="results")
    position = models.PositiveIntegerField()
    name = models.CharField(max_length=300)
    file = models.CharField(max_length=300, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    seconds = models.FloatField(default=0)
    message = models.CharField(max_length=500, blank=True)
    output = models.TextField(blank=True)

    class Meta:
        ordering = ["run", "position"]

    def __str__(self) -> str:
        return f"{self.name}: {self.outcome}"


class Preview(models.Model):
    """One start of a version's app. Its id names its host: <id>.PREVIEW_HOST."""

    class State(models.TextChoices):
        BUILDING = "building", "Building the environment"
        STARTING = "starting"
        RUNNING = "running"
        STOPPED = "stopped"

    ACTIVE = (State.BUILDING, State.STARTING, State.RUNNING)

    id = models.CharField(primary_key=True, max_length=40, editable=False)
    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="previews")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="previews"
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.BUILDING)
    reason = models.TextField(blank=True)  # why it stopped
    landing = models.CharField(max_length=200, default="/")  # the page it opens on
    created_at = models.DateTimeField(auto_now_add=True)
    running_at = models.DateTimeField(null=True, blank=True)  # its first answer
    stopped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "state"])]

    def __str__(self) -> str:
        return f"preview {self.id} of {self.version}: {self.state}"

    @property
    def active(self) -> bool:
        return self.state in self.ACTIVE
