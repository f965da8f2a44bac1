"""Answers that start over: "Wait, I made a mistake, let me redo the whole answer".

A sentence of prose, outside any operation, that withdraws what came before, after the
answer already gave operations: everything before it is withdrawn, and only the final
attempt is read, so no change is made twice. The final attempt must say what becomes of
every file the withdrawn one touched; when it is silent on one, or gives no operation at
all, the model is asked (orchestrator.repair), never guessed for.
"""

import re

from orchestrator.operations import Operation, Refusal, RenameFile

RESTART = re.compile(
    r"\b(?:"
    r"(?:let\s+me|i(?:'ll|\s+will|\s+need\s+to|\s+should)|let's)\s+"
    r"(?:redo|re-do|rewrite|start\s+over|start\s+again|try\s+(?:that|this|it)\s+again|"
    r"restart|correct\s+(?:the|my)\s+(?:whole\s+|entire\s+)?answer)"
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


def withdrawal_refusals(withdrawn: list[Operation], final: list[Operation]) -> list[Refusal]:
    """What the model must be asked after a restart: files the withdrawn attempt touched
    and the final one does not mention, or a final attempt without operations."""
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
    covered = set().union(*(_paths(operation) for operation in final))
    left = sorted(set().union(*(_paths(operation) for operation in withdrawn)) - covered)
    return [
        Refusal(
            path,
            "the answer withdrew a first attempt that changed this file, and its final "
            "attempt does not say whether it still should change; give its change again, "
            "or leave it out if it should not change",
            kind="withdrawn",
        )
        for path in left
    ]
