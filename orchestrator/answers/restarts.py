"""Answers that start over: "Wait, I made a mistake, let me redo the whole answer".

A sentence of prose, outside any operation, that withdraws what came before, after the
answer already gave operations: everything before it is withdrawn, and only the final
attempt is read, so no change is made twice. A restart redoes the answer, so the final
attempt must say again what becomes of every place the withdrawn one changed: each of its
blocks must be redone by a block of the final attempt that names some of the same lines,
or its file rewritten or deleted. When the final attempt is silent on one (it was a
correction on top, not a new attempt), the model is asked once (orchestrator.repair),
never guessed for. A sentence that seemed to start over, with nothing after it, was prose.
"""

import re

from orchestrator.operations import EditFile, Operation, Refusal, RenameFile

_AGAIN = (
    r"(?:(?:the|my)\s+(?:whole\s+|entire\s+|full\s+|previous\s+)?"
    r"(?:answer|response|edit|solution|attempt)|everything|it|this|that)\b"
)
RESTART = re.compile(
    r"\b(?:"
    rf"(?:let\s+me|i(?:'ll|\s+will|\s+need\s+to|\s+should)|let's)\s+(?:redo|re-do|rewrite)\s+{_AGAIN}"
    r"|(?:let\s+me|i(?:'ll|\s+will)|let's)\s+(?:try|do)\s+(?:that|this|it)\s+again"
    r"|start(?:ing)?\s+over"
    r"|scratch\s+that"
    r"|(?:ignore|disregard)\s+(?:all\s+|everything\s+|the\s+|my\s+)?"
    r"(?:above|previous|earlier|everything\s+above)"
    r"|i\s+made\s+(?:a|an)\s+(?:mistake|error)"
    r"|here\s+is\s+the\s+corrected\s+(?:whole\s+|full\s+|complete\s+)?(?:answer|version)"
    r")",
    re.IGNORECASE,
)


def is_restart(line: str) -> bool:
    return RESTART.search(line) is not None


def _paths(operation: Operation) -> set[str]:
    if isinstance(operation, RenameFile):
        return {operation.path, operation.new_path}
    return {operation.path}


def _lines(text: str) -> set[str]:
    return {line.strip() for line in text.splitlines() if line.strip()}


def _redone(withdrawn: Operation, final: list[Operation]) -> bool:
    """Whether the final attempt says again what becomes of what `withdrawn` changed."""
    same = [op for op in final if _paths(op) & _paths(withdrawn)]
    if not isinstance(withdrawn, EditFile) or any(not isinstance(op, EditFile) for op in same):
        return bool(same)  # a whole file, a delete or a rename settles the file
    found = set().union(*(_lines(block.search) for op in same for block in op.blocks))
    return all(
        not _lines(block.search) or _lines(block.search) & found for block in withdrawn.blocks
    )


def withdrawal_refusals(withdrawn: list[Operation], final: list[Operation]) -> list[Refusal]:
    """What the model must be asked after a restart: places the withdrawn attempt changed
    that the final one does not change again, or a final attempt without operations."""
    if not withdrawn:
        return []
    if not final:
        return [
            Refusal(
                None,
                "the answer withdrew its changes ('let me redo...') and then gave none; "
                "say again which changes you mean",
            )
        ]
    left = sorted({op.path for op in withdrawn if not _redone(op, final)})
    return [
        Refusal(
            path,
            "the answer withdrew a first attempt that changed this file, and its final "
            "attempt does not change those lines again; give that change again, or leave "
            "it out if it should not be made",
            kind="withdrawn",
        )
        for path in left
    ]
