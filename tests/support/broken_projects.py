"""Broken projects, one mistake each, with the finding each must give: (path, line, severity,
rule, words the message holds). Each is also checked to give nothing else that is an error.

The mistakes are the ones models make: a file cut off mid-statement, a name used and never
defined, a module renamed with its callers left behind, a name imported that the module no
longer defines, a relative import of a file that is not there, a package imported and not
listed, and malformed configuration."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Expected:
    path: str
    line: int
    severity: str
    rule: str
    words: str


@dataclass(frozen=True)
class Case:
    name: str
    files: dict
    expected: tuple


def case(name: str, files: dict, *expected: Expected) -> Case:
    return Case(name, files, expected)


E = Expected
REQS = "fastapi\nsqlalchemy\n"

CASES = [
    # Syntax, every language ------------------------------------------------------------------
    case(
        "python cut off inside a call",
        {"app.py": "def main():\n    print('hi'\n"},
        E("app.py", 3, "error", "syntax", "unexpected EOF"),
    ),
    case(
        "python with a stray indent",
        {"app.py": "x = 1\n    y = 2\n"},
        E("app.py", 2, "error", "syntax", "indent"),
    ),
    case(
        "javascript missing a closing brace",
        {"src/app.js": "function main() {\n  return 1;\n"},
        E("src/app.js", 2, "error", "syntax", "missing `}`"),
    ),
    case(
        "typescript with a broken type",
        {"src/a.ts": "const x: = 1;\nexport default x;\n"},
        E("src/a.ts", 1, "error", "syntax", "syntax error"),
    ),
    case(
        "tsx with an unclosed element",
        {"src/App.tsx": "export const App = () => <div><span></div>;\n"},
        E("src/App.tsx", 1, "error", "syntax", ""),
    ),
    case(
        "json with a trailing comma",
        {"package.json": '{\n  "name": "x",\n  "dependencies": {},\n}\n'},
        E("package.json", 3, "error", "syntax", "cannot read"),
    ),
    case(
        "yaml with an unclosed list",
        {"docker-compose.yml": "services:\n  web:\n    ports: [8000:8000\n    image: x\n"},
        E("docker-compose.yml", 3, "error", "syntax", ""),
    ),
    case(
        "toml with a missing value",
        {"pyproject.toml": '[project]\nname = "x"\nversion =\n'},
        E("pyproject.toml", 3, "error", "syntax", ""),
    ),
    case(
        "css with an unclosed rule",
        {"static/site.css": "body {\n  color: red;\n"},
        E("static/site.css", 2, "error", "syntax", "missing `}`"),
    ),
    case(
        "css that the grammar cannot read is only a warning",
        {"static/site.css": "@media (width >= 600px) {\n  .a { inset: 0; }\n}\n"},
        E("static/site.css", 1, "warning", "syntax", "cannot read"),
    ),
    case(
        "an optional project import that no file provides is only a warning",
        {
            "site/__init__.py": "",
            "site/settings.py": "DEBUG = False\ntry:\n    from .local import DEBUG\nexcept ImportError:\n    pass\n",
        },
        E("site/settings.py", 3, "warning", "import", "local"),
    ),
    case(
        "go missing a brace",
        {"main.go": 'package main\n\nfunc main() {\n\tprintln("hi")\n'},
        E("main.go", 5, "error", "syntax", "missing `}`"),
    ),
    case(
        "rust with a missing semicolon between statements",
        {"src/main.rs": "fn main() {\n    let x = 1\n    let y = 2;\n}\n"},
        E("src/main.rs", 2, "error", "syntax", ""),
    ),
    case(
        "java with a missing parenthesis",
        {"App.java": "class App {\n  void run( {\n  }\n}\n"},
        E("App.java", 2, "error", "syntax", ""),
    ),
    case(
        "sql a dialect may allow is only a warning",
        {"schema.sql": "CREATE TABLE t (id int,);\n"},
        E("schema.sql", 1, "warning", "syntax", ""),
    ),
    # Python: names and imports ---------------------------------------------------------------
    case(
        "an undefined name",
        {"app.py": "def total(items):\n    return sum(item.price for item in itms)\n"},
        E("app.py", 2, "error", "F821", "itms"),
    ),
    case(
        "a module renamed, its caller left behind",
        {
            "app/__init__.py": "",
            "app/database.py": "engine = object()\n",
            "app/main.py": "from app.db import engine\n\nprint(engine)\n",
        },
        E("app/main.py", 1, "error", "import", "app.db"),
    ),
    case(
        "a class renamed, its importer left behind",
        {
            "app/__init__.py": "",
            "app/models.py": "class Order:\n    pass\n",
            "app/api.py": "from app.models import Purchase\n\nprint(Purchase)\n",
        },
        E("app/api.py", 1, "error", "import", "`Purchase` from app/models.py"),
    ),
    case(
        "a relative import of a module that is not there",
        {
            "shop/__init__.py": "",
            "shop/views.py": "from .serializers import OrderSerializer\n\nprint(OrderSerializer)\n",
        },
        E("shop/views.py", 1, "error", "import", ".serializers"),
    ),
    case(
        "a src layout importing a module that moved",
        {
            "src/shop/__init__.py": "",
            "src/shop/pricing.py": "def price():\n    return 1\n",
            "src/shop/cart.py": "from shop.prices import price\n\nprint(price())\n",
        },
        E("src/shop/cart.py", 1, "error", "import", "shop.prices"),
    ),
    case(
        "a package imported but not listed",
        {
            "requirements.txt": REQS,
            "app.py": "import fastapi\nimport sqlalchemy\nimport redis\n\nprint(fastapi, sqlalchemy, redis)\n",
        },
        E("app.py", 3, "error", "manifest", "redis"),
    ),
    case(
        "a listed package nothing uses is a warning",
        {"requirements.txt": "flask\npandas\n", "app.py": "import flask\n\nprint(flask)\n"},
        E("requirements.txt", 2, "warning", "manifest", "pandas"),
    ),
    # JavaScript and TypeScript ---------------------------------------------------------------
    case(
        "a relative require of a missing file",
        {
            "package.json": '{"dependencies": {"express": "4"}}',
            "src/app.js": "const express = require('express');\nconst db = require('./db');\n",
        },
        E("src/app.js", 2, "error", "import", "./db"),
    ),
    case(
        "a named import the module does not export",
        {
            "src/db.ts": "export function connect() {}\n",
            "src/app.ts": "import { connect, disconnect } from './db';\nconnect(); disconnect();\n",
        },
        E("src/app.ts", 1, "error", "import", "`disconnect`"),
    ),
    case(
        "a destructured require of a CommonJS name that is gone",
        {
            "lib/store.js": "module.exports = { get: () => 1 };\n",
            "lib/index.js": "const { get, put } = require('./store');\nget(); put();\n",
        },
        E("lib/index.js", 1, "error", "import", "`put`"),
    ),
    case(
        "an npm package imported but not listed",
        {
            "package.json": '{"dependencies": {"express": "4"}}',
            "src/app.js": "const express = require('express');\nconst cors = require('cors');\n",
        },
        E("src/app.js", 2, "error", "manifest", "cors"),
    ),
    case(
        "a scoped package is named with its scope",
        {
            "package.json": '{"dependencies": {"react": "18"}}',
            "src/a.jsx": "import React from 'react';\nimport x from '@tanstack/react-query/build';\n",
        },
        E("src/a.jsx", 2, "error", "manifest", "@tanstack/react-query"),
    ),
]

# Projects that are right: no finding that is an error.
CLEAN = {
    "python packages, relative and absolute imports, conditional definitions": {
        "requirements.txt": "fastapi==0.115.0\nuvicorn[standard]\npsycopg2-binary\npydantic-settings\nPyYAML\n",
        "app/__init__.py": "from .config import settings\n\n__all__ = ['settings']\n",
        "app/config.py": (
            "import yaml\nfrom pydantic_settings import BaseSettings\n\n\n"
            "class Settings(BaseSettings):\n    debug: bool = False\n\n\n"
            "settings = Settings()\nLOADED = yaml.safe_load('a: 1')\n"
        ),
        "app/compat.py": (
            "try:\n    from tomllib import loads\nexcept ImportError:\n    loads = None\n\n"
            "if loads:\n    FAST = True\nelse:\n    FAST = False\n"
        ),
        "app/main.py": (
            "from fastapi import FastAPI\n\nfrom app import settings\nfrom app.compat import FAST, loads\n"
            "from . import config\nfrom .config import Settings\n\napp = FastAPI(debug=settings.debug)\n\n\n"
            "@app.get('/')\ndef index() -> dict:\n    return {'fast': FAST, 'loads': bool(loads), "
            "'config': config.__name__, 'settings': Settings.__name__}\n"
        ),
        "tests/test_main.py": (
            "from fastapi.testclient import TestClient\n\nfrom app.main import app\n\n\n"
            "def test_index():\n    assert TestClient(app).get('/').status_code == 200\n"
        ),
    },
    "an express app with CommonJS and ES modules": {
        "package.json": (
            '{"name": "api", "scripts": {"dev": "nodemon src/server.js"}, '
            '"dependencies": {"express": "^4.19.0", "pg": "^8"}, '
            '"devDependencies": {"nodemon": "^3", "@types/express": "^4"}}'
        ),
        "src/server.js": "const app = require('./app');\n\napp.listen(3000);\n",
        "src/app.js": (
            "const express = require('express');\nconst path = require('node:path');\n"
            "const { router } = require('./routes');\n\nconst app = express();\n"
            "app.use(router);\napp.use(express.static(path.join(__dirname, 'public')));\n\n"
            "module.exports = app;\n"
        ),
        "src/routes/index.js": (
            "const express = require('express');\nconst { list } = require('../store.js');\n\n"
            "const router = express.Router();\nrouter.get('/', (req, res) => res.json(list()));\n\n"
            "module.exports = { router };\n"
        ),
        "src/store.js": "const items = [];\n\nexports.list = () => items;\n",
    },
    "a typescript app with types, re-exports and index files": {
        "package.json": '{"dependencies": {"zod": "3"}, "devDependencies": {"typescript": "5"}}',
        "tsconfig.json": '{\n  // comments are allowed here\n  "compilerOptions": {"strict": true},\n}\n',
        "src/types.ts": "export interface User {\n  id: number;\n}\nexport type Id = number;\n",
        "src/models/index.ts": "export * from './user';\n",
        "src/models/user.ts": (
            "import { z } from 'zod';\nimport type { User } from '../types';\n\n"
            "export const UserSchema = z.object({ id: z.number() });\n"
            "export function parse(input: unknown): User {\n  return UserSchema.parse(input);\n}\n"
        ),
        "src/main.ts": (
            "import { parse, UserSchema } from './models';\nimport { type Id } from './types.js';\n\n"
            "const id: Id = 1;\nconsole.log(parse({ id }), UserSchema);\n"
        ),
    },
    "modern syntax in every language: match, type parameters, JSX, nesting, heredocs": {
        "app/main.py": (
            "from __future__ import annotations\n"
            "import asyncio\n"
            "from dataclasses import dataclass\n"
            "from typing import TypeVar\n"
            "\n"
            "from app.models import Order\n"
            "\n"
            "type Pair[T] = tuple[T, T]\n"
            "\n"
            "\n"
            "def first[T](items: list[T]) -> T | None:\n"
            "    return items[0] if items else None\n"
            "\n"
            "\n"
            "@dataclass(slots=True)\n"
            "class Point:\n"
            "    x: int\n"
            "    y: int\n"
            "\n"
            "\n"
            "def describe(value: object) -> str:\n"
            "    match value:\n"
            "        case Point(x=0, y=0):\n"
            '            return "origin"\n'
            "        case [a, b, *rest]:\n"
            '            return f"{a}{b}{len(rest)}"\n'
            '        case {"k": v}:\n'
            '            return f"{v!r:>{10}}"\n'
            "        case _:\n"
            '            return "other"\n'
            "\n"
            "\n"
            "async def main() -> None:\n"
            "    async with asyncio.timeout(1):\n"
            "        if (n := len(Order.__name__)) > 3:\n"
            "            print(f\"{n=}\", f\"{'nested' + f'{n}'}\")\n"
            "    try:\n"
            "        pass\n"
            "    except* ValueError:\n"
            "        pass\n"
            "\n"
            '__all__ = ["describe", "first", "main"]\n'
        ),
        "app/models.py": ("class Order:\n    pass\n"),
        "app/__init__.py": "",
        "requirements.txt": "",
        "web/src/App.tsx": (
            'import { useState } from "react";\n'
            'import type { FC } from "react";\n'
            'import { api } from "./api";\n'
            "\n"
            "export const App: FC<{ title: string }> = ({ title }) => {\n"
            "  const [n, setN] = useState<number>(0);\n"
            "  return (\n"
            "    <>\n"
            '      <h1 className="t">{title}</h1>\n'
            "      <button onClick={() => setN((x) => x + 1)}>{n}</button>\n"
            "      {api.base satisfies string ? <p>ok</p> : null}\n"
            "    </>\n"
            "  );\n"
            "};\n"
            "\n"
            "export default App;\n"
        ),
        "web/src/api.ts": (
            'export const api = { base: "/api" as const };\n'
            'export enum Color { Red = "red" }\n'
            "export function get<T>(url: string): Promise<T> { return fetch(url).then((r) => r.json() as Promise<T>); }\n"
        ),
        "web/package.json": (
            "{\n"
            '  "name": "web",\n'
            '  "dependencies": {"react": "^19.0.0"},\n'
            '  "devDependencies": {"typescript": "^5.6.0", "@types/react": "^19.0.0"}\n'
            "}\n"
        ),
        "docker-compose.yml": (
            "x-common: &common\n"
            "  restart: always\n"
            "services:\n"
            "  web:\n"
            "    <<: *common\n"
            "    image: nginx:1.27\n"
            '    ports: ["80:80"]\n'
        ),
        "pyproject.toml": (
            "[project]\n"
            'name = "app"\n'
            'version = "0.1.0"\n'
            "dependencies = []\n"
            "\n"
            "[tool.ruff]\n"
            "line-length = 100\n"
        ),
        "Dockerfile": (
            "FROM python:3.12-slim AS base\n"
            "WORKDIR /app\n"
            "RUN <<EOF\n"
            "pip install --no-cache-dir uv\n"
            "EOF\n"
            "COPY . .\n"
            'CMD ["python", "-m", "app.main"]\n'
        ),
        "db/schema.sql": (
            "CREATE TABLE IF NOT EXISTS orders (id BIGSERIAL PRIMARY KEY, data JSONB NOT NULL DEFAULT '{}'::jsonb, created_at TIMESTAMPTZ DEFAULT now());\n"
            "CREATE INDEX ON orders USING gin (data);\n"
        ),
        "static/site.css": (
            ":root { --c: oklch(70% 0.1 200); }\n"
            ".a { color: var(--c); &:hover { color: red; } }\n"
            "@media (width >= 600px) { .a { inset: 0; } }\n"
        ),
        "index.html": (
            "<!doctype html>\n"
            '<html lang="en"><head><meta charset="utf-8"><title>x</title></head><body><main><p>Hi<br>there</p><img src="a.png" alt=""></main><script type="module" src="/src/main.tsx"></script></body></html>\n'
        ),
        "scripts/run.sh": (
            "#!/usr/bin/env bash\n"
            "set -euo pipefail\n"
            'for f in "$@"; do\n'
            '  [[ -f "$f" ]] && echo "${f%.txt}"\n'
            "done\n"
            'case "$1" in\n'
            "  a|b) echo ab ;;\n"
            "  *) echo other ;;\n"
            "esac\n"
        ),
        "go/main.go": (
            "package main\n"
            "\n"
            'import "fmt"\n'
            "\n"
            "func Map[T, U any](xs []T, f func(T) U) []U {\n"
            "\tout := make([]U, 0, len(xs))\n"
            "\tfor _, x := range xs {\n"
            "\t\tout = append(out, f(x))\n"
            "\t}\n"
            "\treturn out\n"
            "}\n"
            "\n"
            "func main() { fmt.Println(Map([]int{1}, func(i int) string { return fmt.Sprint(i) })) }\n"
        ),
        "go/go.mod": ("module example.com/go\n\ngo 1.23\n"),
    },
    "optional imports, dev requirements, path aliases, assets and node: modules": {
        "requirements.txt": (
            "Flask==3.1.0\n"
            "SQLAlchemy>=2.0\n"
            "python-dotenv\n"
            "PyYAML\n"
            "beautifulsoup4\n"
            "-r requirements-base.txt\n"
        ),
        "requirements-dev.txt": ("pytest==8.3\npytest-cov\n"),
        "app/__init__.py": ("from .routes import bp\n\n__all__ = ['bp']\n"),
        "app/routes.py": (
            "from flask import Blueprint\n"
            "from sqlalchemy import select\n"
            "from dotenv import load_dotenv\n"
            "import yaml\n"
            "from bs4 import BeautifulSoup\n"
            "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n"
            "    from app.models import User\n"
            "try:\n"
            "    import ujson as json\n"
            "except ImportError:\n"
            "    import json\n"
            "\n"
            "bp = Blueprint('x', __name__)\n"
            "print(select, load_dotenv, yaml, BeautifulSoup, json)\n"
            "\n"
            "def f(u: 'User') -> None:\n"
            "    print(u)\n"
        ),
        "app/models.py": ("class User:\n    pass\n"),
        "tests/test_routes.py": (
            "import pytest\nfrom app import bp\n\n\ndef test_bp():\n    assert bp\n"
        ),
        "tests/conftest.py": ("import pytest\n\n@pytest.fixture\ndef x():\n    return 1\n"),
        "web/package.json": '{"name":"w","dependencies":{"react":"^19","@tanstack/react-query":"^5"},"devDependencies":{"vite":"^6","@vitejs/plugin-react":"^4","typescript":"^5"}}',
        "web/tsconfig.json": (
            "{\n"
            "  // comment\n"
            '  "compilerOptions": {"baseUrl": ".", "paths": {"@/*": ["src/*"]}}\n'
            "}\n"
        ),
        "web/vite.config.ts": (
            'import { defineConfig } from "vite";\n'
            'import react from "@vitejs/plugin-react";\n'
            "export default defineConfig({ plugins: [react()] });\n"
        ),
        "web/src/main.tsx": (
            'import { readFileSync } from "node:fs";\n'
            'import { QueryClient } from "@tanstack/react-query";\n'
            'import { Button } from "@/components/Button";\n'
            'import logo from "./logo.svg";\n'
            'import "./index.css";\n'
            "console.log(readFileSync, QueryClient, Button, logo);\n"
        ),
        "web/src/components/Button.tsx": "export function Button() { return <button />; }\n",
        "web/src/logo.svg": "<svg/>\n",
        "web/src/index.css": "body{}\n",
    },
}
