"""Context building: everything when it fits; otherwise the repository map, ranked from what
the request names, with the files it needs sent whole, within the budget."""

from bench.context import REQUESTS, context_project
from orchestrator.checks.code_index import index_file
from orchestrator.context import build_context, estimate_tokens, fit_map, pagerank


def project(count: int = 300) -> dict[str, str]:
    files = {
        f"app/module_{n}.py": f"from app import helpers\n\n\ndef function_{n}():\n    return {n}\n"
        + "# filler\n" * 60
        for n in range(count)
    }
    files["app/helpers.py"] = (
        "def slugify(text):\n    return text.lower()\n\n\nclass Order:\n    pass\n"
    )
    files["app/orders.py"] = (
        "from app.helpers import Order\n\n\ndef place_order():\n    return Order()\n"
    )
    files["web/index.js"] = "const api = require('./api');\nexport function start() {}\n"
    files["web/api.js"] = "export const get = () => 1;\n"
    return files


def test_a_small_project_goes_in_whole():
    files = {"a.py": "x = 1\n", "b.py": "y = 2\n"}
    context = build_context(files, "change x", budget_tokens=1000)
    assert (list(context.whole), context.mapped) == (["a.py", "b.py"], {})


def test_a_large_project_sends_a_map_and_the_relevant_files_within_budget():
    files = project()
    context = build_context(files, "rename the Order class", budget_tokens=6000)
    assert list(context.whole)[:2] == ["app/helpers.py", "app/orders.py"]  # defines, uses
    assert len(context.whole) + len(context.mapped) + context.unlisted == len(files)
    assert context.tokens <= 6000
    assert context.tokens < sum(estimate_tokens(c) for c in files.values()) / 10
    # Files the request does not need are on the map while it fits, then only counted.
    assert "app/module_0.py" in context.mapped
    assert "app/module_237.py" not in context.mapped
    assert "app/module_237.py" not in context.whole


def test_even_the_map_stays_within_the_budget():
    files = project()
    context = build_context(files, "fix module_42.py", budget_tokens=900)
    assert "app/module_42.py" in context.whole
    assert context.unlisted > 0
    assert f"and {context.unlisted} more files, not listed" in context.render()
    assert context.tokens <= 900


def test_every_bench_request_gets_the_files_it_needs_whole_within_a_tenth():
    files = context_project()
    everything = sum(estimate_tokens(c) for c in files.values())
    for prompt, needed in REQUESTS:
        context = build_context(files, prompt, 60_000)
        assert set(needed) <= set(context.whole), prompt
        assert context.tokens <= everything / 10, prompt
        assert len(context.whole) + len(context.mapped) + context.unlisted == len(files)


def test_the_map_lists_definitions_best_ranked_first_at_the_detail_that_fits():
    definitions = {"a.py": ["one", "two", "three"], "b.py": ["four"], "c.py": []}
    roomy, _ = fit_map(["a.py", "b.py", "c.py"], definitions, 100)
    assert roomy == {"a.py": ["one", "two", "three"], "b.py": ["four"], "c.py": []}
    tight, spent = fit_map(["a.py", "b.py", "c.py"], definitions, 10)
    assert list(tight) == ["a.py", "b.py", "c.py"]  # every file, fewer names each
    assert tight["a.py"] == ["one"]
    assert spent <= 10
    cramped, _ = fit_map(["a.py", "b.py", "c.py"], definitions, 3)
    assert list(cramped) == ["a.py"]  # paths only, as many as fit


def test_pagerank_flows_from_the_named_file_to_what_it_uses():
    edges = {"a": {"b": 1.0}, "b": {"c": 1.0}, "d": {"c": 1.0}}
    rank = pagerank(edges, ["a", "b", "c", "d"], {"a": 1.0})
    assert rank["a"] > rank["b"] > rank["d"]
    assert rank["c"] > rank["d"]
    assert abs(sum(rank.values()) - 1.0) < 1e-9
    even = pagerank({}, ["a", "b"], {})
    assert even == {"a": 0.5, "b": 0.5}


def test_definitions_and_references_come_from_tree_sitter_tags():
    python = index_file(
        "app/m.py",
        "import os\n\nLIMIT = 3\n\n\nclass A(Base):\n    def inner(self):\n"
        "        return helpers.clamp(1)\n\n\nasync def b():\n    pass\n",
    )
    assert [(d.name, d.kind) for d in python.definitions] == [
        ("LIMIT", "constant"),
        ("A", "class"),
        ("inner", "function"),
        ("b", "function"),
    ]
    assert {"Base", "clamp"} <= set(python.references)
    script = index_file("web/x.ts", "import { get } from './api';\nexport function App() {}\n")
    assert [d.name for d in script.definitions] == ["App"]
    assert "get" in script.references
