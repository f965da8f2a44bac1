"""A package index on disk, made of tiny wheels written here: the environment builder's
tests install from it with no network."""

import base64
import hashlib
import zipfile
from pathlib import Path


def _digest(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def write_wheel(
    folder: Path, name: str, version: str, files: dict[str, bytes] | None = None
) -> Path:
    """A pure-Python wheel of `name`, whose module says its version."""
    module = name.replace("-", "_")
    dist_info = f"{module}-{version}.dist-info"
    contents = {
        f"{module}/__init__.py": f"VERSION = {version!r}\n".encode(),
        **(files or {}),
        f"{dist_info}/METADATA": (
            f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
        ).encode(),
        f"{dist_info}/WHEEL": (
            b"Wheel-Version: 1.0\nGenerator: iterum-tests\nRoot-Is-Purelib: true\n"
            b"Tag: py3-none-any\n"
        ),
    }
    record = "".join(f"{path},{_digest(data)},{len(data)}\n" for path, data in contents.items())
    record += f"{dist_info}/RECORD,,\n"
    path = folder / f"{module}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as wheel:
        for inner, data in contents.items():
            wheel.writestr(inner, data)
        wheel.writestr(f"{dist_info}/RECORD", record)
    return path


def write_index(root: Path, wheels: dict[str, list[tuple[str, dict[str, bytes] | None]]]) -> str:
    """A PEP 503 simple index under `root`; its file:// URL."""
    root.mkdir(parents=True, exist_ok=True)
    for name, versions in wheels.items():
        project = root / name
        project.mkdir(exist_ok=True)
        links = []
        for version, files in versions:
            wheel = write_wheel(project, name, version, files)
            links.append(f'<a href="{wheel.name}">{wheel.name}</a>')
        (project / "index.html").write_text("<html><body>" + "".join(links) + "</body></html>")
    (root / "index.html").write_text(
        "<html><body>" + "".join(f'<a href="{n}/">{n}</a>' for n in wheels) + "</body></html>"
    )
    return root.as_uri()
