"""Three small projects of different stacks, shaped like well-known public examples (a
Flask tutorial blog, an Express static-files server, a Django library catalogue), each with
images: made here, byte by byte, so no test depends on fetched material."""

import io
import struct
import tarfile
import zipfile
import zlib


def png(width: int, height: int, seed: int = 0) -> bytes:
    """A valid PNG of coloured stripes (binary: NUL bytes, high bytes)."""
    rows = b"".join(
        b"\x00" + bytes((x * 7 + y * 3 + seed) % 256 for x in range(width * 3))
        for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def jpeg_like(size: int, seed: int = 1) -> bytes:
    """Bytes that start as a JPEG does (SOI, APP0 JFIF) and end as one (EOI)."""
    body = bytes((i * 31 + seed) % 256 for i in range(size))
    return (
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + body + b"\xff\xd9"
    )


FLASK = {
    "pyproject.toml": b'[project]\nname = "flaskr"\nversion = "1.0.0"\ndependencies = [\n    "flask",\n]\n\n[project.optional-dependencies]\ntest = ["pytest"]\n',
    "flaskr/__init__.py": b'import os\n\nfrom flask import Flask\n\n\ndef create_app(test_config=None):\n    app = Flask(__name__, instance_relative_config=True)\n    app.config.from_mapping(SECRET_KEY="dev")\n    os.makedirs(app.instance_path, exist_ok=True)\n\n    @app.route("/hello")\n    def hello():\n        return "Hello, World!"\n\n    return app\n',
    "flaskr/db.py": b"import sqlite3\n\n\ndef get_db(path):\n    return sqlite3.connect(path)\n",
    "flaskr/schema.sql": b"DROP TABLE IF EXISTS post;\nCREATE TABLE post (id INTEGER PRIMARY KEY, title TEXT NOT NULL);\n",
    "flaskr/static/style.css": b"html { font-family: sans-serif; background: #eee; }\n",
    "flaskr/templates/base.html": b"<!doctype html>\n<title>{% block title %}{% endblock %} - Flaskr</title>\n",
    "screenshots/register-page.png": png(24, 16, 3),
    "screenshots/container-running.png": png(16, 16, 9),
    "tests/test_factory.py": b'from flaskr import create_app\n\n\ndef test_hello():\n    client = create_app().test_client()\n    assert client.get("/hello").data == b"Hello, World!"\n',
    ".gitignore": b"venv/\n*.pyc\ninstance/\n.pytest_cache/\n",
    "README.rst": b"Flaskr\n======\n\nThe basic blog app built in the Flask tutorial.\n",
}

EXPRESS = {
    "package.json": b'{\n  "name": "static-files",\n  "version": "1.0.0",\n  "main": "index.js",\n  "dependencies": {\n    "express": "^5.1.0",\n    "morgan": "^1.10.0"\n  }\n}\n',
    "package-lock.json": b'{\n  "name": "static-files",\n  "lockfileVersion": 3,\n  "packages": {}\n}\n',
    "index.js": b"'use strict'\n\nvar express = require('express');\nvar logger = require('morgan');\nvar path = require('node:path');\nvar app = express();\n\napp.use(logger('dev'));\napp.use(express.static(path.join(__dirname, 'public')));\n\napp.listen(3000);\n",
    "public/hello.txt": b"hello world\n",
    "public/css/style.css": b"body { color: #333; }\n",
    "public/js/app.js": b"// foo\n",
    "public/images/logo.png": png(32, 8, 5),
    "public/images/photo.jpg": jpeg_like(3000),
    "public/favicon.ico": b"\x00\x00\x01\x00\x01\x00\x10\x10\x00\x00\x01\x00 \x00"
    + bytes(range(256)) * 4,
    ".gitignore": b"node_modules/\n*.log\n",
}

DJANGO = {
    "manage.py": b'#!/usr/bin/env python\nimport os\nimport sys\n\n\nif __name__ == "__main__":\n    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "locallibrary.settings")\n    from django.core.management import execute_from_command_line\n\n    execute_from_command_line(sys.argv)\n',
    "requirements.txt": b"Django==5.2\ngunicorn==23.0\nwhitenoise==6.9\n",
    "locallibrary/__init__.py": b"",
    "locallibrary/settings.py": b'INSTALLED_APPS = ["django.contrib.staticfiles", "catalog"]\nSTATIC_URL = "static/"\n',
    "locallibrary/urls.py": b'from django.urls import include, path\n\nurlpatterns = [path("catalog/", include("catalog.urls"))]\n',
    "catalog/__init__.py": b"",
    "catalog/models.py": b"from django.db import models\n\n\nclass Book(models.Model):\n    title = models.CharField(max_length=200)\n",
    "catalog/urls.py": b'from django.urls import path\n\nfrom catalog import views\n\nurlpatterns = [path("", views.index, name="index")]\n',
    "catalog/views.py": b'from django.shortcuts import render\n\n\ndef index(request):\n    return render(request, "index.html")\n',
    "catalog/static/images/local_library_model_uml.png": png(40, 30, 11),
    "catalog/static/css/styles.css": b".sidebar-nav { margin-top: 20px; }\n",
    "catalog/templates/index.html": b"<h1>Local Library Home</h1>\n",
    ".gitignore": b"__pycache__/\ndb.sqlite3\n.env\n",
}

PROJECTS = {"flask": FLASK, "express": EXPRESS, "django": DJANGO}
EXPECTED = {
    "flask": ("flask", "Flask", "pip"),
    "express": ("express", "Express", "npm"),
    "django": ("django", "Django", "pip"),
}


def as_zip(files: dict[str, bytes], folder: str = "project", extra: dict | None = None) -> bytes:
    """The files in a zip under one top folder, as zipping a folder makes them."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, content in {**files, **(extra or {})}.items():
            archive.writestr(f"{folder}/{path}" if folder else path, content)
    return buffer.getvalue()


def as_tar_gz(files: dict[str, bytes], folder: str = "project") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for path, content in files.items():
            info = tarfile.TarInfo(f"{folder}/{path}" if folder else path)
            info.size = len(content)
            info.mode = 0o755 if content.startswith(b"#!") else 0o644
            archive.addfile(info, io.BytesIO(content))
    return buffer.getvalue()
