"""Checks of a version's files: plain Python, no Django. See project.check_project."""

from orchestrator.checks.findings import ERROR, WARNING, CheckReport, Finding
from orchestrator.checks.project import check_project, forget_in_memory

__all__ = ["ERROR", "WARNING", "CheckReport", "Finding", "check_project", "forget_in_memory"]
