"""Starter projects the offline demo model writes, one per tech stack.

Tokens: __title__, __Resource__ (class name), __resource__ (singular), __resources__ (plural).
Each stack also says where a new endpoint goes, so the demo can honour "add an endpoint".
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class StarterFile:
    path: str
    purpose: str
    phase: int
    template: str


@dataclass(frozen=True)
class Stack:
    key: str
    label: str
    phases: tuple[str, ...]
    files: tuple[StarterFile, ...]
    route_file: str  # where endpoints live
    route_anchor: str  # new endpoints go just before this line
    route_template: str  # tokens: __route__ (url path), __handler__ (function name)
    # Stacks whose routes are registered apart from the handler (Django's urls.py):
    register_file: str = ""
    register_anchor: str = ""
    register_template: str = ""


FASTAPI = Stack(
    key="fastapi_postgres",
    label="FastAPI + PostgreSQL",
    phases=("Foundation", "API", "Docs and tests"),
    route_file="app/main.py",
    route_anchor="# End of routes.\n",
    route_template="""@app.get("/__route__")
def __handler__():
    return {"status": "ok"}


""",
    files=(
        StarterFile(
            "requirements.txt",
            "Python dependencies",
            1,
            """\
fastapi==0.115.0
uvicorn==0.30.6
sqlalchemy==2.0.35
psycopg[binary]==3.2.3
pytest==8.3.3
httpx==0.27.2
""",
        ),
        StarterFile("app/__init__.py", "Package marker", 1, ""),
        StarterFile(
            "app/database.py",
            "Engine, session and base class",
            1,
            """\
import os

from sqlalchemy import create_engine
from sqlalchemy.orm import DeclarativeBase, sessionmaker

# PostgreSQL in production, e.g. postgresql+psycopg://user@localhost/__resources__
DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite:///./__resources__.db")

engine = create_engine(DATABASE_URL)
SessionLocal = sessionmaker(bind=engine)


class Base(DeclarativeBase):
    pass


def get_session():
    session = SessionLocal()
    try:
        yield session
    finally:
        session.close()
""",
        ),
        StarterFile(
            "app/models.py",
            "The __Resource__ table",
            1,
            """\
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.database import Base


class __Resource__(Base):
    __tablename__ = "__resources__"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    done: Mapped[bool] = mapped_column(default=False)
""",
        ),
        StarterFile(
            "app/schemas.py",
            "Request and response shapes",
            2,
            """\
from pydantic import BaseModel, ConfigDict


class __Resource__In(BaseModel):
    name: str
    done: bool = False


class __Resource__Out(__Resource__In):
    model_config = ConfigDict(from_attributes=True)

    id: int
""",
        ),
        StarterFile(
            "app/main.py",
            "The HTTP API",
            2,
            """\
from fastapi import Depends, FastAPI, HTTPException
from sqlalchemy.orm import Session

from app import models, schemas
from app.database import Base, engine, get_session

app = FastAPI(title="__title__")
Base.metadata.create_all(engine)


@app.get("/__resources__", response_model=list[schemas.__Resource__Out])
def list___resources__(session: Session = Depends(get_session)):
    return session.query(models.__Resource__).all()


@app.post("/__resources__", response_model=schemas.__Resource__Out, status_code=201)
def create___resource__(data: schemas.__Resource__In, session: Session = Depends(get_session)):
    __resource__ = models.__Resource__(**data.model_dump())
    session.add(__resource__)
    session.commit()
    session.refresh(__resource__)
    return __resource__


@app.get("/__resources__/{__resource___id}", response_model=schemas.__Resource__Out)
def get___resource__(__resource___id: int, session: Session = Depends(get_session)):
    __resource__ = session.get(models.__Resource__, __resource___id)
    if __resource__ is None:
        raise HTTPException(status_code=404, detail="__Resource__ not found")
    return __resource__


# End of routes.
""",
        ),
        StarterFile(
            "tests/test_api.py",
            "API tests",
            3,
            """\
from fastapi.testclient import TestClient

from app.main import app

client = TestClient(app)


def test_create_then_read___resource__():
    created = client.post("/__resources__", json={"name": "first"}).json()
    assert client.get(f"/__resources__/{created['id']}").json()["name"] == "first"


def test_missing___resource___is_404():
    assert client.get("/__resources__/999999").status_code == 404
""",
        ),
        StarterFile(
            "README.md",
            "How to run it",
            3,
            """\
# __title__

A FastAPI service for __resources__, stored in PostgreSQL (SQLite when `DATABASE_URL` is unset).

    pip install -r requirements.txt
    uvicorn app.main:app --reload
    pytest
""",
        ),
    ),
)

FLASK = Stack(
    key="flask",
    label="Flask",
    phases=("Application", "Docs and tests"),
    route_file="app.py",
    route_anchor='if __name__ == "__main__":\n',
    route_template="""@app.get("/__route__")
def __handler__():
    return {"status": "ok"}


""",
    files=(
        StarterFile("requirements.txt", "Python dependencies", 1, "flask==3.0.3\npytest==8.3.3\n"),
        StarterFile(
            "app.py",
            "The web application",
            1,
            """\
from flask import Flask, abort, request

app = Flask(__name__)
__resources__: dict[int, dict] = {}


@app.get("/__resources__")
def list___resources__():
    return list(__resources__.values())


@app.post("/__resources__")
def create___resource__():
    __resource__ = {"id": len(__resources__) + 1, "name": request.json["name"]}
    __resources__[__resource__["id"]] = __resource__
    return __resource__, 201


@app.get("/__resources__/<int:__resource___id>")
def get___resource__(__resource___id: int):
    if __resource___id not in __resources__:
        abort(404)
    return __resources__[__resource___id]


if __name__ == "__main__":
    app.run(debug=True)
""",
        ),
        StarterFile(
            "test_app.py",
            "Tests",
            2,
            """\
from app import app


def test_create_then_list___resources__():
    client = app.test_client()
    client.post("/__resources__", json={"name": "first"})
    assert client.get("/__resources__").json[0]["name"] == "first"
""",
        ),
        StarterFile(
            "README.md",
            "How to run it",
            2,
            """\
# __title__

A Flask app for __resources__.

    pip install -r requirements.txt
    flask --app app run
    pytest
""",
        ),
    ),
)

EXPRESS = Stack(
    key="express",
    label="Express (Node.js)",
    phases=("Application", "Docs and tests"),
    route_file="src/app.js",
    route_anchor="module.exports = app;\n",
    route_template="""app.get("/__route__", (req, res) => {
  res.json({ status: "ok" });
});

""",
    files=(
        StarterFile(
            "package.json",
            "Dependencies and scripts",
            1,
            """\
{
  "name": "__resources__",
  "version": "1.0.0",
  "main": "src/server.js",
  "scripts": {
    "start": "node src/server.js",
    "test": "node --test"
  },
  "dependencies": {
    "express": "^4.21.0"
  }
}
""",
        ),
        StarterFile(
            "src/app.js",
            "Routes",
            1,
            """\
const express = require("express");

const app = express();
app.use(express.json());

const __resources__ = new Map();

app.get("/__resources__", (req, res) => {
  res.json([...__resources__.values()]);
});

app.post("/__resources__", (req, res) => {
  const __resource__ = { id: __resources__.size + 1, name: req.body.name };
  __resources__.set(__resource__.id, __resource__);
  res.status(201).json(__resource__);
});

module.exports = app;
""",
        ),
        StarterFile(
            "src/server.js",
            "Starts the server",
            1,
            """\
const app = require("./app");

const port = process.env.PORT || 3000;
app.listen(port, () => console.log(`__title__ listening on ${port}`));
""",
        ),
        StarterFile(
            "test/app.test.js",
            "Tests",
            2,
            """\
const test = require("node:test");
const assert = require("node:assert");
const app = require("../src/app");

test("lists __resources__", async () => {
  const server = app.listen(0);
  const { port } = server.address();
  const response = await fetch(`http://127.0.0.1:${port}/__resources__`);
  assert.deepStrictEqual(await response.json(), []);
  server.close();
});
""",
        ),
        StarterFile(
            "README.md",
            "How to run it",
            2,
            """\
# __title__

An Express API for __resources__.

    npm install
    npm start
    npm test
""",
        ),
    ),
)

DJANGO = Stack(
    key="django",
    label="Django",
    phases=("Project", "App", "Docs"),
    route_file="__resources__/views.py",
    route_anchor="# End of views.\n",
    route_template="""def __handler__(request):
    return JsonResponse({"status": "ok"})


""",
    register_file="__resources__/urls.py",
    register_anchor="]\n",
    register_template='    path("__route__/", views.__handler__),\n',
    files=(
        StarterFile("requirements.txt", "Python dependencies", 1, "Django==5.2\n"),
        StarterFile(
            "manage.py",
            "Django's command line",
            1,
            """\
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
""",
        ),
        StarterFile("config/__init__.py", "Package marker", 1, ""),
        StarterFile(
            "config/settings.py",
            "Settings",
            1,
            """\
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = "change-me"
DEBUG = True
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = ["django.contrib.contenttypes", "__resources__"]
ROOT_URLCONF = "config.urls"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
""",
        ),
        StarterFile(
            "config/urls.py",
            "URL routes",
            1,
            """\
from django.urls import include, path

urlpatterns = [path("", include("__resources__.urls"))]
""",
        ),
        StarterFile("__resources__/__init__.py", "Package marker", 2, ""),
        StarterFile(
            "__resources__/models.py",
            "The __Resource__ model",
            2,
            """\
from django.db import models


class __Resource__(models.Model):
    name = models.CharField(max_length=200)
    done = models.BooleanField(default=False)
""",
        ),
        StarterFile(
            "__resources__/views.py",
            "JSON views",
            2,
            """\
from django.http import JsonResponse

from __resources__.models import __Resource__


def list___resources__(request):
    return JsonResponse({"__resources__": list(__Resource__.objects.values())})


# End of views.
""",
        ),
        StarterFile(
            "__resources__/urls.py",
            "The app's routes",
            2,
            """\
from django.urls import path

from __resources__ import views

urlpatterns = [
    path("__resources__/", views.list___resources__),
]
""",
        ),
        StarterFile(
            "README.md",
            "How to run it",
            3,
            """\
# __title__

A Django project for __resources__.

    pip install -r requirements.txt
    python manage.py makemigrations __resources__ && python manage.py migrate
    python manage.py runserver
""",
        ),
    ),
)

STACKS: dict[str, Stack] = {stack.key: stack for stack in (FASTAPI, DJANGO, FLASK, EXPRESS)}
