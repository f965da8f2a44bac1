"""The documentation holds together: links lead somewhere, the files and functions the
architecture names exist, and the README stays a short guide."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# Where a path the docs name without its folder may live.
FOLDERS = [
    "",
    "generations/",
    "generations/runs/",
    "generations/live/",
    "generations/api/",
    "generations/management/commands/",
    "orchestrator/",
    "orchestrator/checks/",
    "orchestrator/providers/",
]


def test_every_relative_link_leads_to_a_file():
    broken = []
    for doc in DOCS:
        for target in re.findall(r"\]\(([^)#\s]+)[^)]*\)", doc.read_text()):
            if (
                not target.startswith(("http://", "https://"))
                and not (doc.parent / target).exists()
            ):
                broken.append(f"{doc.name}: {target}")
    assert broken == []


def named_code(text: str) -> list[tuple[str, list[str]]]:
    """The `path.py: name, name` mentions of a text, as (path, names)."""
    found = []
    for path, names in re.findall(r"`([\w./]+\.py)(?::\s*([\w., ]+))?`", text):
        found.append((path, [n.strip().split(".")[-1] for n in names.split(",") if n.strip()]))
    return found


def test_the_architecture_names_files_and_functions_that_exist():
    missing = []
    for path, names in named_code((ROOT / "docs" / "architecture.md").read_text()):
        found = next((ROOT / f / path for f in FOLDERS if (ROOT / f / path).is_file()), None)
        if found is None:
            missing.append(path)
            continue
        source = found.read_text()
        for name in names:
            if not re.search(rf"^\s*(?:def|class|async def) {name}\b|^{name} = ", source, re.M):
                missing.append(f"{path}: {name}")
    assert missing == []


def test_the_readme_stays_a_short_guide():
    assert len((ROOT / "README.md").read_text().splitlines()) <= 200
