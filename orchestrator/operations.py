"""What a model's answer asks for, whatever format it was written in.

Every parser (the edit format, unified diffs, JSON, fenced files) produces these. A Refusal
stands for part of an answer that cannot be read without guessing: it is never applied,
and the repair round asks the model to say it again.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class WriteFile:
    path: str
    content: str
    # Read from a looser form (a fenced block in prose, JSON): checked more strictly for
    # being a snippet rather than the whole file.
    loose: bool = False
    # The answer claims the file is new (a diff from /dev/null or `@@ -0,0`, apply_patch's
    # Add File, a "create" command): the dry run refuses it when the file exists.
    new: bool = False


@dataclass(frozen=True)
class SearchReplace:
    search: str
    replace: str
    # Other ways to split the block when it held several ======= lines (a Markdown heading
    # underline, say): the merge takes the one split whose search matches, or refuses.
    alternatives: tuple[tuple[str, str], ...] = ()
    line_hint: int | None = None  # the hunk's line number, when it came from a diff
    from_diff: bool = False  # a diff hunk: empty search inserts at line_hint, not at the end
    old_count: int | None = None  # the hunk header's old-side line count, when it gave one


@dataclass(frozen=True)
class EditFile:
    path: str
    blocks: tuple[SearchReplace, ...]


@dataclass(frozen=True)
class DeleteFile:
    path: str


@dataclass(frozen=True)
class RenameFile:
    path: str
    new_path: str


Operation = WriteFile | EditFile | DeleteFile | RenameFile


@dataclass(frozen=True)
class Refusal:
    """Part of an answer that says too little, or too much, to apply without guessing."""

    path: str | None  # the file it concerns, when the answer names one
    reason: str
    text: str = ""  # what the model wrote, quoted back to it in the repair request
    # "unnamed_code": a fenced block that names no file. It may be the whole of an existing
    # file (orchestrator.answers.prose.identify_file), or only an example for the reader.
    kind: str = "refused"
