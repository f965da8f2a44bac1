"""OpenAI's apply_patch format: `*** Begin Patch`, `*** Update File: path`, `*** Add File:`,
`*** Delete File:`, `*** Move to:`, hunks opened by `@@` with an optional anchor line,
`*** End Patch`. Each file's hunks are read by the unified-diff reader in patch mode.
"""

import re

from orchestrator.answers.unified_diff import NULL, DiffReader
from orchestrator.operations import Refusal
from orchestrator.path_mentions import marker_path

# The format's own lines; group 1 names the line, group 2 is its path, if any.
PATCH_HEADER = re.compile(
    r"^\*\*\*[ \t]*(Begin Patch|End Patch|Update File|Add File|Delete File|Move to|End of File)"
    r"\b[ \t]*:?[ \t]*(.*?)[ \t]*$",
    re.IGNORECASE,
)


def open_patch_file(keyword: str, argument: str) -> DiffReader | Refusal | None:
    """The reader of one file's hunks that a patch line opens; None for the patch's frame."""
    if keyword in ("begin patch", "end patch"):
        return None
    path = marker_path(argument)
    if keyword == "move to":
        return Refusal(path, "a '*** Move to' line follows no '*** Update File' line")
    if path is None:
        return Refusal(None, f"a patch line names no single file: {argument!r}")
    if keyword == "update file":
        return DiffReader(path, path, patch=True)
    reader = DiffReader(NULL, path, patch=True) if keyword == "add file" else None
    reader = reader or DiffReader(path, NULL, patch=True)
    reader.meta = True  # an added file may be empty; a deleted one has no hunks
    return reader
