"""The tech stacks a project can be asked in: the one list the form, the API, the admin and
the offline demo model (which has a starter for each) take their choices from."""

from dataclasses import dataclass


@dataclass(frozen=True)
class TechStack:
    key: str  # stored on a generation and sent in the brief
    label: str  # shown to people


TECH_STACKS = (
    TechStack("fastapi_postgres", "FastAPI + PostgreSQL"),
    TechStack("django", "Django"),
    TechStack("flask", "Flask"),
    TechStack("express", "Express (Node.js)"),
)
