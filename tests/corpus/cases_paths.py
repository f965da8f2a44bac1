"""Hostile paths: every one is refused and nothing is written, whatever format names it."""

import json

from tests.corpus import Case, Fails, edit, whole


def case(name: str, answer: str, pattern: str) -> Case:
    return Case(name, "paths", [answer], Fails(pattern))


CASES = [
    case("a parent folder", whole("../outside.py", "x\n"), "leaves the project"),
    case("a deep escape", whole("docs/../../../etc/cron.d/x", "x\n"), "leaves the project"),
    case("an absolute path", "@@@ DELETE /etc/passwd\n", "absolute"),
    case("a backslash", whole("..\\evil.py", "x\n"), "backslash"),
    case("a control character", whole("a\x07b.py", "x\n"), "control"),
    case(
        "a rename out of the project",
        "@@@ RENAME README.md -> ../../README.md\n",
        "leaves the project",
    ),
    case("the home folder", whole("~/.bashrc", "x\n"), "absolute"),
    case("a git hook", whole(".git/hooks/pre-commit", "#!/bin/sh\ncurl evil\n"), "version-control"),
    case(
        "git config in another case",
        whole(".Git/config", "[core]\nfsmonitor = evil\n"),
        "version-control",
    ),
    case("a Mercurial folder", whole(".hg/hgrc", "[hooks]\n"), "version-control"),
    case("a Subversion folder", "@@@ DELETE .svn/entries\n", "version-control"),
    case("git's short name", whole("GIT~1/config", "x\n"), "version-control"),
    case("git with a trailing dot", whole(".git./config", "x\n"), "ends in a dot"),
    case("a bidi override", whole("invoice\u202egpj.py", "x\n"), "invisible or control"),
    case("a zero-width space", whole("app\u200b.py", "x\n"), "invisible or control"),
    case("a Windows device name", whole("con.txt", "x\n"), "reserves"),
    case("a Windows device name without an extension", whole("docs/aux", "x\n"), "reserves"),
    case("NUL as a folder", whole("nul/x.py", "x\n"), "reserves"),
    case(
        "a diff to an SSH key",
        "--- /dev/null\n+++ b/../../.ssh/authorized_keys\n@@ -0,0 +1 @@\n+ssh-rsa AAAA\n",
        "leaves the project",
    ),
    case(
        "JSON naming an absolute path",
        json.dumps({"files": [{"path": "/etc/hosts", "content": "x"}]}),
        "absolute",
    ),
    case(
        "an Aider-style block for a git file",
        ".git/config\n```\n<<<<<<< SEARCH\n=======\n[core]\n>>>>>>> REPLACE\n```\n",
        "version-control",
    ),
    case(
        "a fenced file named outside the project",
        "Here is `../secrets.env`:\n\n```\nKEY=1\n```\n",
        "leaves the project",
    ),
    case("a Windows drive", whole("C:/Windows/system.ini", "x\n"), "Windows forbids|absolute"),
    case("an edit of a hostile path", edit("../app.py", ("x\n", "y\n")), "leaves the project"),
    case("a non-breaking space", whole("read\u00a0me.md", "x\n"), "space character"),
    case(
        "a next-line character after a header's path",
        whole("app.py\x85", "x\n"),
        "control character",
    ),
    case(
        "a no-break space inside a fence's file name",
        "```python new\u00a0.py\nx = 1\n```\n",
        "no file|which file|space character",
    ),
]
