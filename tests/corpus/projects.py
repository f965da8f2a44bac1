"""Starting projects for the corpus: small, realistic, each with its own habits (spaces,
tabs, CRLF, Markdown with setext headings, files without a final newline)."""

APP = """from flask import Flask, jsonify, request

from models import Todo, TodoStore

app = Flask(__name__)
store = TodoStore()


@app.get("/")
def index():
    return jsonify({"service": "todos", "status": "ok"})


@app.get("/todos")
def list_todos():
    return jsonify([todo.to_dict() for todo in store.all()])


@app.post("/todos")
def create_todo():
    payload = request.get_json(force=True)
    title = payload.get("title", "").strip()
    if not title:
        return jsonify({"error": "title is required"}), 400
    todo = store.add(title)
    return jsonify(todo.to_dict()), 201


@app.delete("/todos/<int:todo_id>")
def delete_todo(todo_id):
    if not store.remove(todo_id):
        return jsonify({"error": "not found"}), 404
    return "", 204


if __name__ == "__main__":
    app.run(debug=True)
"""

MODELS = """from dataclasses import dataclass, field
from itertools import count


@dataclass
class Todo:
    id: int
    title: str
    done: bool = False

    def to_dict(self):
        return {"id": self.id, "title": self.title, "done": self.done}


@dataclass
class TodoStore:
    todos: dict = field(default_factory=dict)
    ids: count = field(default_factory=lambda: count(1))

    def all(self):
        return list(self.todos.values())

    def add(self, title):
        todo = Todo(next(self.ids), title)
        self.todos[todo.id] = todo
        return todo

    def remove(self, todo_id):
        return self.todos.pop(todo_id, None) is not None

    def complete(self, todo_id):
        todo = self.todos[todo_id]
        todo.done = True
        return todo
"""

README = """Todo service
============

A small Flask API for todos.

Running
-------

```sh
pip install -r requirements.txt
python app.py
```

Endpoints
=========

- `GET /todos` lists todos.
- `POST /todos` creates one.
"""

TESTS = """from app import app


def test_index():
    client = app.test_client()
    assert client.get("/").status_code == 200


def test_create_requires_title():
    client = app.test_client()
    assert client.post("/todos", json={}).status_code == 400
"""

# The index route's status line, and the edit most cases make of it.
INDEX_OK = '    return jsonify({"service": "todos", "status": "ok"})\n'
INDEX_UP = '    return jsonify({"service": "todos", "status": "up"})\n'
APP_UP = APP.replace(INDEX_OK, INDEX_UP)

FLASK = {
    "app.py": APP,
    "models.py": MODELS,
    "README.md": README,
    "requirements.txt": "flask==3.1.0\npytest==8.3.4\n",
    "tests/test_app.py": TESTS,
}

SERVER_JS = """const express = require("express");
const db = require("./db");

const app = express();
app.use(express.json());

app.get("/health", (req, res) => {
  res.json({ ok: true });
});

app.get("/books", async (req, res) => {
  const books = await db.listBooks();
  res.json(books);
});

app.post("/books", async (req, res) => {
  if (!req.body.title) {
    return res.status(400).json({ error: "title is required" });
  }
  const book = await db.addBook(req.body.title);
  res.status(201).json(book);
});

module.exports = app;
"""

DB_JS = """const books = [];
let nextId = 1;

async function listBooks() {
  return books;
}

async function addBook(title) {
  const book = { id: nextId++, title };
  books.push(book);
  return book;
}

module.exports = { listBooks, addBook };
"""

PACKAGE_JSON = """{
  "name": "books",
  "version": "1.0.0",
  "main": "src/server.js",
  "scripts": {
    "start": "node src/index.js",
    "test": "node --test"
  },
  "dependencies": {
    "express": "^4.21.0"
  }
}
"""

EXPRESS = {
    "package.json": PACKAGE_JSON,
    "src/server.js": SERVER_JS,
    "src/db.js": DB_JS,
    "src/index.js": 'const app = require("./server");\n\napp.listen(3000);\n',
    "README.md": "# Books\n\nAn Express API for books.\n",
}

MAKEFILE = """.PHONY: build test run

build:
\tgo build -o bin/app .

test:
\tgo test ./...

run: build
\t./bin/app
"""

MAIN_GO = """package main

import (
\t"fmt"
\t"net/http"
)

func health(w http.ResponseWriter, r *http.Request) {
\tfmt.Fprintln(w, "ok")
}

func main() {
\thttp.HandleFunc("/health", health)
\tif err := http.ListenAndServe(":8080", nil); err != nil {
\t\tpanic(err)
\t}
}
"""

GO = {"Makefile": MAKEFILE, "main.go": MAIN_GO, "go.mod": "module example.com/app\n\ngo 1.23\n"}

CONFIG_YAML = """server:
  host: 0.0.0.0
  port: 8000
database:
  url: sqlite:///app.db
  pool:
    size: 5
    timeout: 30
"""

CI_YML = """name: ci
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: make test
"""

WIN_APP = "import sys\r\n\r\n\r\ndef main():\r\n    print(sys.argv)\r\n\r\n\r\nmain()\r\n"

MIXED = {
    "config.yaml": CONFIG_YAML,
    ".github/workflows/ci.yml": CI_YML,
    "win/app.py": WIN_APP,
    "win/NOTES.txt": "First line\r\nSecond line\r\n",
    "VERSION": "1.2.3",
    "notes/todo.md": "# To do\n\n- write docs\n- ship it",
    "docs/guide.md": "Guide\n=====\n\nRead this first.\n\nSetup\n=====\n\nRun make.\n",
}
