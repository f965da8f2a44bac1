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
}
