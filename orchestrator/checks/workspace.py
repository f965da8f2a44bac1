"""A version's files written out to a temporary folder, for tools that read files (ruff,
the sandboxed tests). Paths come from versions, which only ever hold clean relative paths."""

import os


def write_files(folder: str, files: dict[str, str]) -> None:
    for path, content in files.items():
        target = os.path.join(folder, *path.split("/"))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "w", encoding="utf-8", errors="surrogatepass") as handle:
            handle.write(content)
