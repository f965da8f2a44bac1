import ast
import json

import pytest

from orchestrator import LocalHost, ProjectBrief, generate, iterate
from orchestrator.providers.base import ModelRequest
from orchestrator.providers.demo import DemoProvider, names_for
from orchestrator.providers.demo_projects import STACKS
from orchestrator.tech_stacks import TECH_STACKS

DEMO = DemoProvider(chunk_delay=0)


def brief(stack="flask"):
    return ProjectBrief(title="Todo", prompt="a todo api", stack=stack, domain="todo tracker")


quiet = LocalHost()


@pytest.fixture(scope="module", params=sorted(STACKS))
def project(request):
    return request.param, generate(brief(request.param), DEMO, quiet).files


def test_the_demo_has_a_starter_for_every_tech_stack_and_no_other():
    assert sorted(STACKS) == sorted(stack.key for stack in TECH_STACKS)


def test_every_stack_gives_well_formed_sources(project):
    _, files = project
    assert files
    for path, content in files.items():
        if path.endswith(".py"):
            ast.parse(content, filename=path)
        if path.endswith(".json"):
            json.loads(content)
    assert "README.md" in files


def test_generation_is_deterministic(project):
    stack, files = project
    assert generate(brief(stack), DEMO, quiet).files == files


FOLLOW_UPS = [
    ("add a health-check endpoint", "completed"),
    ("remove the README", "completed"),
    ("add a Dockerfile", "completed"),
    ("rename Todo to Task", "completed"),
    ("make it enterprise grade", "no_changes"),
    ("remove the nonexistent endpoint", "no_changes"),
]


@pytest.mark.parametrize(("prompt", "outcome"), FOLLOW_UPS)
def test_follow_ups_on_every_stack(project, prompt, outcome):
    stack, files = project
    result = iterate(files, prompt, brief(stack), DEMO, quiet)
    assert result.outcome == outcome
    if outcome == "no_changes":
        assert result.files == files
        assert result.summary


def test_an_added_endpoint_can_be_removed_again(project):
    stack, files = project
    added = iterate(files, "add a ping endpoint", brief(stack), DEMO, quiet)
    assert any('"/ping"' in c or '"ping/"' in c for c in added.files.values())
    removed = iterate(added.files, "remove the ping endpoint", brief(stack), DEMO, quiet)
    assert removed.files == files


def test_renaming_a_file_moves_its_content(project):
    stack, files = project
    result = iterate(files, "rename README.md to NOTES.md", brief(stack), DEMO, quiet)
    assert result.files["NOTES.md"] == files["README.md"]
    assert "README.md" not in result.files


def test_the_answer_streams_in_paced_chunks_with_usage_at_the_end():
    pauses = []
    provider = DemoProvider(chunk_delay=0.02, sleep=pauses.append)
    request = ModelRequest("plan", "system", "prompt", {"stack": "flask", "domain": "todos"})
    chunks = list(provider.stream(request))
    assert len(chunks) > 3
    assert pauses == [0.02] * len(chunks)
    assert all(c.usage is None for c in chunks[:-1])
    assert chunks[-1].usage.tokens_out > 0
    assert chunks[-1].finish_reason == "STOP"


@pytest.mark.parametrize(
    ("domain", "singular", "plural"),
    [
        ("todo tracker", "todo", "todos"),
        ("online bookstore", "bookstore", "bookstores"),
        ("library management", "library", "libraries"),
        ("", "item", "items"),
    ],
)
def test_resource_names_come_from_the_domain(domain, singular, plural):
    names = names_for(domain, "")
    assert (names.singular, names.plural) == (singular, plural)
