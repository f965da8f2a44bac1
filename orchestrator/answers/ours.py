"""Our own edit format: the prompt text that teaches it, its marker lines, and its writer.

    @@@ PLAN app/main.py, README.md   first: every file the answer will touch
    @@@ FILE app/main.py              a whole file, closed by @@@ END
    @@@ EDIT app/main.py              search/replace blocks (orchestrator.answers.search_replace)
    @@@ DELETE docs/old.md
    @@@ RENAME app/old.py -> app/new.py

The reader also takes what models write instead when its meaning is certain: `FILE:` with a
colon, `→` or `=>` in a rename, `@@@ END path`, a forgotten END between edit blocks.
"""

import re
from collections.abc import Iterable

from orchestrator.answers.search_replace import render_blocks
from orchestrator.operations import DeleteFile, EditFile, Operation, RenameFile, WriteFile
from orchestrator.path_mentions import marker_path
from orchestrator.paths import BLANKS

FORMAT_INSTRUCTIONS = """\
Answer with operations in this exact format. Marker lines start at the first column.

Begin with one line naming every file you will write, edit, delete or rename:
@@@ PLAN path/one.py, path/two.md

To write a whole file (use this for every new file):
@@@ FILE path/relative/to/project.ext
<the complete file content, not inside a code fence>
@@@ END

To change an existing file, give one or more search/replace blocks. SEARCH must copy
whole lines of the current file exactly, enough of them to match in one place only:
@@@ EDIT path/relative/to/project.ext
<<<<<<< SEARCH
<exact current lines>
=======
<new lines>
>>>>>>> REPLACE
@@@ END

To delete a file:            @@@ DELETE path/to/file
To rename or move a file:    @@@ RENAME old/path -> new/path

Never write "rest of the code unchanged", "...", or similar placeholders: give real lines.
Paths are relative, use forward slashes and never contain "..".
Give each change once: no drafts, no second version of the answer, no diff of it in a summary.
If no change is needed, answer with one sentence and no operations."""

MARKER = re.compile(r"^@@@[ \t]*([A-Za-z]+)\b[ \t]*:?[ \t]*(.*?)[ \t]*(?:@@@)?[ \t]*$")
OPENING_KEYWORDS = {"FILE", "EDIT", "DELETE", "RENAME", "PLAN"}
_ARROW = re.compile(r"[ \t]*(?:->|-->|=>|→|⟶|⇒)[ \t]*")


def is_end(stripped: str) -> bool:
    marker = MARKER.match(stripped)
    return bool(marker) and marker.group(1).upper() == "END"


def rename_sides(argument: str, known: frozenset[str]) -> list[str]:
    """The sides of a RENAME line: two when it is read with certainty."""
    sides = _ARROW.split(argument.strip(BLANKS))
    if len(sides) == 1:
        sides = _rename_without_arrow(argument.strip(BLANKS), known)
    return sides


def _rename_without_arrow(text: str, known: frozenset[str]) -> list[str]:
    """`old new` or `old to new`: two sides only when the first is a project file and
    the whole text is none (a path may hold spaces)."""
    sides = re.split(r"[ \t]+(?:to[ \t]+)?", text, maxsplit=1) if text not in known else []
    if len(sides) == 2 and marker_path(sides[0]) in known and " " not in sides[1]:
        return sides
    return [text]


def render_operations(operations: Iterable[Operation]) -> str:
    """Write operations in the edit format (the demo model answers with this)."""
    out: list[str] = []
    for operation in operations:
        match operation:
            case WriteFile(path, content):
                body = content if content.endswith("\n") or not content else content + "\n"
                out.append(f"@@@ FILE {path}\n{body}@@@ END\n")
            case EditFile(path, blocks):
                out.append(f"@@@ EDIT {path}\n{render_blocks(blocks)}@@@ END\n")
            case DeleteFile(path):
                out.append(f"@@@ DELETE {path}\n")
            case RenameFile(path, new_path):
                out.append(f"@@@ RENAME {path} -> {new_path}\n")
    return "\n".join(out)
