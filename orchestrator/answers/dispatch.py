"""One dialect per answer: the dispatcher that decides what an answer asks for.

Every reader reports what it found with the lines it spans and its dialect. The dispatcher
then:
1. drops what lies inside another dialect's operation (the SEARCH/REPLACE blocks inside
   Cline's <diff>, a tag inside a FILE's text): that is the operation's content;
2. takes the dialect of the answer's first operation as the answer's dialect, and reads
   the answer in it only;
3. keeps what other dialects say of the files it touches as restatements (a diff in the
   closing summary, Cline's block repeating an EDIT): never applied, only checked against
   the result once the answer's own operations are applied
   (orchestrator.answers.restatements), so a mix of dialects that would change the result
   goes to repair instead of being guessed. An operation of another dialect on a file the
   answer's dialect does not touch is an operation: no file is changed in two ways;
4. reads prose (named fenced files, JSON) only when the answer holds nothing else; in an
   answer with operations, named fenced files (a "Final code:" section) only restate.
Reasoning and withdrawn attempts never reach it (orchestrator.answers.reasoning,
orchestrator.answers.restarts).
"""

from dataclasses import dataclass, field

from orchestrator.answers.agents import agent_operations
from orchestrator.answers.prose import FencedBlock, loose_operations
from orchestrator.answers.tagged import tagged_operations
from orchestrator.operations import Operation, Refusal, RenameFile

TAG_DIALECTS = ("tagged", "agents")


@dataclass(frozen=True)
class Found:
    """An operation or a refusal a reader found, with its dialect and the lines it spans."""

    item: Operation | Refusal
    dialect: str
    start: int
    end: int

    def inside(self, other: "Found") -> bool:
        """Within an operation of another reader: the line reader's findings never nest in
        one another, but a tag's text may hold blocks, and a FILE's text tags."""
        return (
            (self.dialect in TAG_DIALECTS) != (other.dialect in TAG_DIALECTS)
            and other.start <= self.start
            and self.end <= other.end
            and (other.start, other.end) != (self.start, self.end)
        )


@dataclass
class Reading:
    """What the answer asks for, read in its one dialect."""

    operations: list[Operation] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)
    restatements: list[Operation] = field(default_factory=list)
    dialect: str | None = None


def paths_of(operation: Operation) -> set[str]:
    paths = {operation.path}
    if isinstance(operation, RenameFile):
        paths.add(operation.new_path)
    return {path.strip().lstrip("./") for path in paths}


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset)


def choose(
    found: list[Found],
    text: str,
    fenced: list[FencedBlock],
    known: frozenset[str],
    tags: list[Found] | None = None,
) -> Reading:
    """The answer's reading, from what the line reader found in `text` (the answer without
    its reasoning and withdrawn attempts) and what the tag readers find in it (`tags`)."""
    everything = found + (tag_findings(text, known) if tags is None else tags)
    kept = [one for one in everything if not any(one.inside(other) for other in everything)]
    kept.sort(key=lambda one: (one.start, one.end))
    if not kept:
        operations, refusals = loose_operations(text, fenced, known)
        dialect = "prose" if operations or refusals else None
        return Reading(list(operations), list(refusals), [], dialect)
    operations = [one for one in kept if not isinstance(one.item, Refusal)]
    dialect = operations[0].dialect if operations else kept[0].dialect
    own = set().union(*(paths_of(one.item) for one in operations if one.dialect == dialect))
    reading = Reading(dialect=dialect)
    for one in kept:
        if isinstance(one.item, Refusal):
            reading.refusals.append(one.item)
        elif one.dialect == dialect or not paths_of(one.item) & own:
            reading.operations.append(one.item)
        else:
            reading.restatements.append(one.item)
    reading.restatements += _named_fences(fenced, known)
    return reading


def tag_findings(text: str, known: frozenset[str]) -> list[Found]:
    """What the tag dialects find: file tags (bolt.diy, Dyad) and other agents' tools."""
    found = []
    readings = (
        (tagged_operations(text) or [], "tagged"),
        (agent_operations(text, known), "agents"),
    )
    for items, dialect in readings:
        for item, start, end in items:
            found.append(Found(item, dialect, line_of(text, start), line_of(text, end)))
    return found


def _named_fences(fenced: list[FencedBlock], known: frozenset[str]) -> list[Operation]:
    """Fenced files in the prose of an answer written in another dialect: a "Final code:"
    section, say. They restate; they never act."""
    closed = [block for block in fenced if block.closed]
    operations, _ = loose_operations("", closed, known)
    return list(operations)
