"""A project's own tests, run for real: with its environment, in the sandbox with no
network, read per test from JUnit XML. Failures become findings, so they reach the fix
round as the other checks' findings do."""

import dataclasses
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass

from orchestrator.checks.findings import ERROR, Finding
from orchestrator.running import junit
from orchestrator.running.config import RunConfig, base_interpreter
from orchestrator.running.environments import EnvironmentCache, EnvironmentFailed
from orchestrator.running.sandbox import Limits, Sandbox, SandboxUnavailable, run, write_project
from orchestrator.running.stacks import Plan, command_for_tests, plan_for

PASSED, FAILED, ERRORED, UNAVAILABLE, NO_TESTS = "passed", "failed", "error", "unavailable", "none"
NOT_RUN = "The project's tests were not run"


@dataclass(frozen=True)
class TestReport:
    state: str  # PASSED, FAILED, ERRORED (they could not run or finish), UNAVAILABLE, NO_TESTS
    cases: tuple[junit.TestCase, ...] = ()
    message: str = ""  # why it is not a plain pass or fail
    output: str = ""  # the end of the console output
    seconds: float = 0.0  # the tests themselves
    environment_seconds: float = 0.0
    environment_built: bool = False
    manifest: str = ""  # the file to blame when the environment could not be made

    __test__ = False  # not a pytest class

    def count(self, outcome: str) -> int:
        return sum(1 for case in self.cases if case.outcome == outcome)

    @property
    def passed(self) -> int:
        return self.count(junit.PASSED)

    @property
    def failed(self) -> int:
        return self.count(junit.FAILED)

    @property
    def errors(self) -> int:
        return self.count(junit.ERROR)

    @property
    def skipped(self) -> int:
        return self.count(junit.SKIPPED)

    def as_dict(self) -> dict:
        return {
            "state": self.state,
            "cases": [case.as_dict() for case in self.cases],
            "message": self.message,
            "output": self.output,
            "seconds": self.seconds,
            "environment_seconds": self.environment_seconds,
            "environment_built": self.environment_built,
            "manifest": self.manifest,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "TestReport":
        cases = tuple(junit.TestCase(**case) for case in data.get("cases", ()))
        fields = {k: v for k, v in data.items() if k in cls.__dataclass_fields__ and k != "cases"}
        return cls(cases=cases, **fields)

    def findings(self, files: dict[str, str]) -> list[Finding]:
        """What the fix round is told: each failing test, or why the tests could not run."""
        if self.state == ERRORED:
            return [Finding(self.manifest, 0, 0, ERROR, "test", self.message[:500])]
        found = []
        for case in self.cases:
            if case.outcome not in (junit.FAILED, junit.ERROR):
                continue
            path = case.file if case.file in files else ""
            verb = "failed" if case.outcome == junit.FAILED else "could not run"
            detail = f": {case.message[:300]}" if case.message else ""
            found.append(Finding(path, 0, 0, ERROR, "test", f"{case.name} {verb}{detail}"))
        if self.state == FAILED and not found:
            found.append(Finding("", 0, 0, ERROR, "test", self.message[:500]))
        return found


def run_tests(
    files: dict[str, str],
    config: RunConfig,
    cache: EnvironmentCache | None = None,
    on_build: Callable[[], None] | None = None,
) -> TestReport:
    """Build (or find) the project's environment and run its tests in the sandbox."""
    plan = plan_for(files)
    if not plan.tests:
        return TestReport(NO_TESTS, message="The project has no tests.")
    if plan.test_problem:
        return TestReport(UNAVAILABLE, message=f"{NOT_RUN}: {plan.test_problem}")
    cache = cache or EnvironmentCache(config)
    try:
        with cache.use(plan, on_build=on_build) as environment:
            interpreter = base_interpreter(config.python) if plan.language == "python" else None
            with tempfile.TemporaryDirectory(prefix="iterum-tests-") as source:
                write_project(source, files)
                sandbox = Sandbox(
                    command=("/bin/sh", "-c", command_for_tests(plan)),
                    limits=sandbox_limits(plan, config.test_limits),
                    env=sandbox_environment(plan) | {"CI": "1"},
                    binds=environment.binds(interpreter),
                    source=source,
                )
                started = time.monotonic()
                finished = run(sandbox, config.test_seconds)
                seconds = time.monotonic() - started
    except EnvironmentFailed as failure:
        missing = failure.unavailable
        return TestReport(
            UNAVAILABLE if missing else ERRORED,
            message=(f"{NOT_RUN}: " if missing else "The environment could not be made: ")
            + failure.message,
            output=failure.output[-4000:],
            manifest=_manifest_of(plan),
        )
    except SandboxUnavailable as unavailable:
        return TestReport(UNAVAILABLE, message=f"{NOT_RUN}: {unavailable.message}")
    built = {
        "environment_seconds": environment.seconds,
        "environment_built": environment.built,
        "seconds": round(seconds, 3),
    }
    return _report(finished, config, built)


def _report(finished, config: RunConfig, timing: dict) -> TestReport:
    output = finished.output[-8000:]
    if finished.code is None:
        message = f"The tests ran longer than {config.test_seconds:.0f} s and were stopped."
        return TestReport(ERRORED, message=message, output=output, **timing)
    cases: list[junit.TestCase] = []
    problem = ""
    if finished.report:
        try:
            cases = junit.parse_junit(finished.report)
        except junit.ReportUnreadable as unreadable:
            problem = str(unreadable)
    if finished.out_of_memory:
        problem = "the tests ran out of memory and were stopped"
    failing = [c for c in cases if c.outcome in (junit.FAILED, junit.ERROR)]
    if failing:
        return TestReport(FAILED, tuple(cases), problem, output, **timing)
    if finished.code == 5 and not cases:  # pytest: no tests collected
        return TestReport(NO_TESTS, message="No tests were collected.", output=output, **timing)
    if finished.code != 0:
        last = [line for line in output.strip().splitlines() if line.strip()][-1:] or ["no output"]
        message = problem or f"The tests failed (exit code {finished.code}): {last[0][:300]}"
        return TestReport(FAILED if cases else ERRORED, tuple(cases), message, output, **timing)
    return TestReport(PASSED, tuple(cases), problem, output, **timing)


NODE_ADDRESS_SPACE_MB = 32768  # WebAssembly (node's own fetch) reserves about 10 GB at once


def sandbox_limits(plan: Plan, limits: Limits) -> Limits:
    """The limits for this project's code: node's reservations need a larger address space
    (the memory cgroup, where there is one, still holds what it really uses)."""
    if plan.language == "node":
        space = max(limits.address_space_mb, NODE_ADDRESS_SPACE_MB)
        return dataclasses.replace(limits, address_space_mb=space)
    return limits


def sandbox_environment(plan: Plan) -> dict[str, str]:
    """The variables a project's code gets in the sandbox: these and nothing else."""
    common = {"HOME": "/tmp", "LANG": "C.UTF-8"}
    if plan.language == "python":
        common |= {
            "PATH": "/env/bin:/usr/bin:/bin",
            "VIRTUAL_ENV": "/env",
            "PYTHONUNBUFFERED": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    else:
        common |= {"PATH": "/project/node_modules/.bin:/usr/bin:/bin"}
    return common | dict(plan.env)


def _manifest_of(plan: Plan) -> str:
    names = [
        n for n in ("requirements.txt", "pyproject.toml", "package.json") if n in plan.manifests
    ]
    return names[0] if names else ""


def project_tests_check(
    config: RunConfig, keep: Callable[[dict[str, str], TestReport], None] | None = None
) -> Callable[[dict[str, str]], tuple[list[Finding], list[str]]]:
    """check_project's `extra`: the failing tests as findings, and why they could not run.
    `keep` is told every report, with the files it is about (the app stores the last)."""
    cache = EnvironmentCache(config)

    def extra(files: dict[str, str]) -> tuple[list[Finding], list[str]]:
        report = run_tests(files, config, cache)
        if keep is not None:
            keep(files, report)
        if report.state == UNAVAILABLE:
            return [], [report.message]
        return report.findings(files), []

    return extra
