from orchestrator.context import build_context, estimate_tokens, imports_of, top_level_symbols


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
    assert "app/helpers.py" in context.whole  # defines Order
    assert "app/orders.py" in context.whole  # imports what defines it, and uses Order
    assert "app/slugs.py" not in context.whole  # imports it too, but does not use Order
    assert context.mapped["app/module_0.py"] == ["function_0"]
    assert len(context.whole) + len(context.mapped) + context.unlisted == len(files)
    assert context.tokens <= 6000
    assert context.tokens < sum(estimate_tokens(c) for c in files.values()) / 10


def test_even_the_map_stays_within_the_budget():
    files = project()
    context = build_context(files, "fix module_42.py", budget_tokens=900)
    assert "app/module_42.py" in context.whole
    assert context.unlisted > 0
    assert f"and {context.unlisted} more files, not listed" in context.render()
    assert context.tokens <= 900


def test_files_named_in_the_request_come_first():
    context = build_context(project(), "fix module_42.py", budget_tokens=1000)
    assert "app/module_42.py" in context.whole
    assert "function_42" not in context.render().split("Other files")[1]


def test_symbols_and_imports_are_read_from_python_and_javascript():
    python = "import os\n\nLIMIT = 3\n\n\nclass A:\n    def inner(self): pass\n\n\nasync def b():\n"
    assert top_level_symbols(python) == ["LIMIT", "A", "b"]
    assert top_level_symbols("export default function App() {}\nexport const x = 1;\n") == [
        "App",
        "x",
    ]
    paths = {"app/helpers.py", "web/api.js", "web/lib/util.js"}
    assert imports_of("app/orders.py", "from app.helpers import Order\n", paths) == {
        "app/helpers.py"
    }
    assert imports_of(
        "web/lib/x.js", "import u from './util';\nconst a = require('../api');\n", paths
    ) == {
        "web/lib/util.js",
        "web/api.js",
    }
