"""What a check finds: a place in a file, how bad it is, and what a person should read."""

from dataclasses import asdict, dataclass

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True, order=True)
class Finding:
    path: str
    line: int  # 1-based; 0 when the finding is about the whole file
    column: int  # 1-based; 0 when unknown
    severity: str  # ERROR or WARNING
    rule: str  # "syntax", "import", "manifest", "test", or ruff's code such as "F821"
    message: str

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Finding":
        return cls(
            path=str(data["path"]),
            line=int(data.get("line", 0)),
            column=int(data.get("column", 0)),
            severity=str(data.get("severity", ERROR)),
            rule=str(data.get("rule", "")),
            message=str(data.get("message", "")),
        )

    def describe(self) -> str:
        """One line, as a compiler would print it: path:line:column: severity: message [rule]."""
        where = self.path or "(the project)"
        if self.line:
            where += f":{self.line}" + (f":{self.column}" if self.column else "")
        return f"{where}: {self.severity}: {self.message} [{self.rule}]"

    def same_problem(self) -> tuple[str, str, str]:
        """What stays the same when edits elsewhere move the finding to another line."""
        return (self.path, self.rule, self.message)


@dataclass(frozen=True)
class CheckReport:
    findings: tuple[Finding, ...] = ()
    seconds: float = 0.0
    unavailable: tuple[str, ...] = ()  # checks that could not run, each with the reason

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == ERROR)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == WARNING)

    @property
    def passed(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if not self.findings:
            return "All checks passed"
        parts = []
        if errors := len(self.errors):
            parts.append(f"{errors} error{'s' * (errors != 1)}")
        if warnings := len(self.warnings):
            parts.append(f"{warnings} warning{'s' * (warnings != 1)}")
        return ", ".join(parts)
