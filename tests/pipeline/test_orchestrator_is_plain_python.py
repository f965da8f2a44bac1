import ast
import subprocess
import sys
from pathlib import Path

ORCHESTRATOR = Path(__file__).resolve().parents[2] / "orchestrator"


def test_no_orchestrator_module_imports_django_or_the_app():
    offenders = []
    for path in ORCHESTRATOR.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [
                f"{path.name}: {name}"
                for name in names
                if name.split(".")[0] in ("django", "generations", "config")
            ]
    assert offenders == []


def test_importing_the_whole_orchestrator_loads_no_django():
    code = (
        "import sys, orchestrator, orchestrator.providers.demo;"
        "sys.exit(1 if any(m == 'django' or m.startswith('django.') for m in sys.modules) else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], cwd=ORCHESTRATOR.parent).returncode == 0
