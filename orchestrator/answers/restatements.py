"""Restatements: what an answer says a second time, in another dialect or in its prose (a
"Final code:" section, a diff in the closing summary). They never act; once the answer's
own operations are applied, each must hold in the result, or the answer said two things
and the model is asked which it meant (orchestrator.repair).

A restatement holds when every line it would add to a file (a line that is not in the
file before the change) is in the file after it, a file it deletes is gone, and a file it
renames has its new name. A fragment holds as well as a whole file does.
"""

from orchestrator.errors import UnsafePath
from orchestrator.failures import Failure
from orchestrator.operations import DeleteFile, EditFile, Operation, RenameFile, WriteFile
from orchestrator.paths import clean_path


def _lines(text: str) -> set[str]:
    return {line.strip() for line in text.splitlines() if line.strip()}


def _added(operation: Operation) -> set[str]:
    if isinstance(operation, WriteFile):
        return _lines(operation.content)
    if isinstance(operation, EditFile):
        added: set[str] = set()
        for block in operation.blocks:
            added |= _lines(block.replace) - _lines(block.search)
        return added
    return set()


def _holds(operation: Operation, path: str, before: dict, after: dict) -> bool:
    if isinstance(operation, DeleteFile):
        return path not in after
    if isinstance(operation, RenameFile):
        return _clean(operation.new_path) in after and path not in after
    new = _added(operation) - _lines(before.get(path, ""))
    return new <= _lines(after.get(path, ""))


def _clean(path: str) -> str | None:
    try:
        return clean_path(path)
    except UnsafePath:
        return None


def disagreements(
    restatements: list[Operation], before: dict[str, str], after: dict[str, str]
) -> list[Failure]:
    """A failure for each restatement that does not hold in the result."""
    failures = []
    for operation in restatements:
        path = _clean(operation.path)
        if path is None or not _holds(operation, path, before, after):
            failures.append(
                Failure(
                    path,
                    "the answer gives this file's change twice, in two forms that disagree "
                    "(for example a summary or a 'final code' section after the edit); "
                    "give the change once",
                    kind="restated",
                )
            )
    return failures
