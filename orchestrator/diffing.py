"""What changed between two versions: per file, and line by line. The one diff engine: the
change counts of model runs (orchestrator.merge), of versions made by hand
(generations.storage) and the diff page all come from here, so they always agree.

Line diffs use diff-match-patch's Myers algorithm over lines, git's default algorithm, so
the changed lines match `git diff --no-index` (tested on added, removed and moved blocks,
whitespace, unicode, missing final newlines and CRLF). Where several minimal diffs exist
(runs of identical lines), git's compaction heuristics may pick other lines of the run; the
counts still agree.
"""

import re
from dataclasses import dataclass, field, replace

from diff_match_patch import diff_match_patch

CONTEXT_LINES = 3
LARGE_LINES = 20_000  # beyond this a file's diff is collapsed until asked for
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Opcode:
    tag: str  # equal, delete, insert, replace
    old_start: int
    old_end: int
    new_start: int
    new_end: int


_LINE = re.compile(r"[^\n]*\n|[^\n]+\Z")


def split_lines(text: str) -> list[str]:
    """Lines with their endings, split on "\\n" only, as git does: "b" and "b\\n" differ,
    and so do LF and CRLF."""
    return _LINE.findall(text)


def line_opcodes(old: list[str], new: list[str], ignore_whitespace: bool = False) -> list[Opcode]:
    """The edit script between two lists of lines, as difflib-style opcodes."""
    if ignore_whitespace:
        old = [_WHITESPACE.sub("", line) for line in old]
        new = [_WHITESPACE.sub("", line) for line in new]
    # As git's xdiff does first: a line found in only one of the files cannot match, so it
    # is changed for certain and Myers runs on the rest (same minimal diff, far less work).
    in_old, in_new = set(old), set(new)
    old_kept = [i for i, line in enumerate(old) if line in in_new]
    new_kept = [j for j, line in enumerate(new) if line in in_old]
    # One character per distinct line, so the character diff is a line diff.
    table = {line: chr(code) for code, line in enumerate(dict.fromkeys(in_old & in_new), start=1)}
    engine = diff_match_patch()
    engine.Diff_Timeout = 5.0  # past this, a valid but not minimal diff: never a hang
    diffs = engine.diff_main(
        "".join(table[old[i]] for i in old_kept), "".join(table[new[j]] for j in new_kept), False
    )
    matched: list[tuple[int, int]] = []  # equal lines, as (old index, new index)
    a = b = 0
    for operation, chunk in diffs:
        if operation == 0:
            matched += zip(old_kept[a : a + len(chunk)], new_kept[b : b + len(chunk)], strict=True)
        a += len(chunk) if operation <= 0 else 0
        b += len(chunk) if operation >= 0 else 0
    return _opcodes(matched, len(old), len(new))


def _opcodes(matched: list[tuple[int, int]], old_size: int, new_size: int) -> list[Opcode]:
    """Opcodes from the matched line pairs: runs of pairs are equal, the rest changed."""
    opcodes: list[Opcode] = []
    i = j = 0
    run: tuple[int, int] | None = None  # where the current run of equal lines began
    for next_i, next_j in matched:
        if run is not None and (next_i, next_j) == (i, j):
            i, j = i + 1, j + 1  # the run goes on
            continue
        if run is not None:
            opcodes.append(Opcode("equal", run[0], i, run[1], j))
        _change(opcodes, i, next_i, j, next_j)
        run, i, j = (next_i, next_j), next_i + 1, next_j + 1
    if run is not None:
        opcodes.append(Opcode("equal", run[0], i, run[1], j))
    _change(opcodes, i, old_size, j, new_size)
    return opcodes


def _change(opcodes: list[Opcode], i: int, next_i: int, j: int, next_j: int) -> None:
    if next_i > i or next_j > j:
        tag = "replace" if next_i > i and next_j > j else "delete" if next_i > i else "insert"
        opcodes.append(Opcode(tag, i, next_i, j, next_j))


def changed_lines(old: str, new: str, ignore_whitespace: bool = False) -> tuple[set[int], set[int]]:
    """Line numbers (from 1) removed from `old` and added in `new`."""
    removed: set[int] = set()
    added: set[int] = set()
    for op in line_opcodes(split_lines(old), split_lines(new), ignore_whitespace):
        if op.tag != "equal":
            removed.update(range(op.old_start + 1, op.old_end + 1))
            added.update(range(op.new_start + 1, op.new_end + 1))
    return removed, added


def count_lines(text: str) -> int:
    """The lines of a text as the diff counts them: "\n" ends a line, and a last line
    without one counts too."""
    return len(split_lines(text))


def line_delta(old: str, new: str, ignore_whitespace: bool = False) -> tuple[int, int]:
    """Lines added and removed from `old` to `new`: the counts the diff shows."""
    added = removed = 0
    for op in line_opcodes(split_lines(old), split_lines(new), ignore_whitespace):
        if op.tag != "equal":
            removed += op.old_end - op.old_start
            added += op.new_end - op.new_start
    return added, removed


def unified_diff(
    old: str, new: str, old_name: str, new_name: str, context: int = CONTEXT_LINES
) -> str:
    """The diff as unified-format text (git's, without its "diff --git" header), from the
    same line diff the page shows; "" when the texts are the same."""
    old_lines, new_lines = split_lines(old), split_lines(new)
    opcodes = line_opcodes(old_lines, new_lines)
    if all(op.tag == "equal" for op in opcodes):
        return ""
    out = [f"--- {old_name}\n", f"+++ {new_name}\n"]
    for group in _grouped(opcodes, context):
        first, last = group[0], group[-1]
        old_range = _unified_range(first.old_start, last.old_end)
        new_range = _unified_range(first.new_start, last.new_end)
        out.append(f"@@ -{old_range} +{new_range} @@\n")
        for op in group:
            if op.tag == "equal":
                out += _prefixed(" ", old_lines[op.old_start : op.old_end])
                continue
            out += _prefixed("-", old_lines[op.old_start : op.old_end])
            out += _prefixed("+", new_lines[op.new_start : op.new_end])
    return "".join(out)


def _grouped(opcodes: list[Opcode], context: int) -> list[list[Opcode]]:
    """The opcodes cut into hunks: changes with up to `context` equal lines around them,
    and hunks joined when at most twice that many lines lie between (as difflib does)."""

    def head(op: Opcode, size: int) -> Opcode:  # the first `size` lines of an equal run
        return replace(op, old_end=op.old_start + size, new_end=op.new_start + size)

    def tail(op: Opcode, size: int) -> Opcode:  # its last `size` lines
        return replace(op, old_start=op.old_end - size, new_start=op.new_end - size)

    codes = list(opcodes)
    if codes[0].tag == "equal":
        codes[0] = tail(codes[0], min(context, codes[0].old_end - codes[0].old_start))
    if codes[-1].tag == "equal":
        codes[-1] = head(codes[-1], min(context, codes[-1].old_end - codes[-1].old_start))
    groups: list[list[Opcode]] = []
    group: list[Opcode] = []
    for op in codes:
        if op.tag == "equal" and op.old_end - op.old_start > 2 * context:
            groups.append([*group, head(op, context)])
            group, op = [], tail(op, context)
        group.append(op)
    groups.append(group)
    return [g for g in groups if any(op.tag != "equal" for op in g)]


def _unified_range(start: int, end: int) -> str:
    length = end - start
    if length == 1:
        return str(start + 1)
    return f"{start + 1 if length else start},{length}"


def _prefixed(sign: str, lines: list[str]) -> list[str]:
    out = []
    for line in lines:
        out.append(sign + line)
        if not line.endswith("\n"):
            out.append("\n\\ No newline at end of file\n")
    return out


def looks_binary(text: str) -> bool:
    return "\x00" in text[:8000]


# Whole versions -----------------------------------------------------------------------------


@dataclass
class FileDiff:
    path: str
    status: str  # added, modified, deleted, renamed
    old_path: str | None = None
    added: int = 0
    removed: int = 0
    binary: bool = False
    large: bool = False
    whitespace_only: bool = False


def compare_versions(
    old: dict[str, str],
    new: dict[str, str],
    contents: dict[str, str],
    ignore_whitespace: bool = False,
    renames: dict[str, str] | None = None,
) -> list[FileDiff]:
    """Compare {path: content hash} maps; `contents` maps hash -> text for changed files.

    `renames` (new path -> old path) is a version's own record of its renames, when the
    comparison is of a version with its parent: exactly those pairs are renames. Without
    it, a path removed and one added with the same content are a rename."""
    removed_paths = {p for p in old if p not in new}
    added_paths = {p for p in new if p not in old}
    if renames is None:
        by_hash = {old[p]: p for p in sorted(removed_paths)}
        pairs = {p: by_hash.pop(new[p]) for p in sorted(added_paths) if new[p] in by_hash}
    else:
        pairs = {n: o for n, o in renames.items() if n in added_paths and o in removed_paths}
    removed_paths -= set(pairs.values())
    diffs: list[FileDiff] = []
    for path in sorted(added_paths):
        if path in pairs:
            source = pairs[path]
            renamed = FileDiff(path, "renamed", old_path=source)
            if old[source] != new[path]:
                renamed = _counted(
                    renamed, contents[old[source]], contents[new[path]], ignore_whitespace
                )
            diffs.append(renamed)
        else:
            diffs.append(
                _counted(FileDiff(path, "added"), "", contents[new[path]], ignore_whitespace)
            )
    for path in sorted(removed_paths):
        diffs.append(
            _counted(FileDiff(path, "deleted"), contents[old[path]], "", ignore_whitespace)
        )
    for path in sorted(p for p in new if p in old and new[p] != old[p]):
        diffs.append(
            _counted(
                FileDiff(path, "modified"),
                contents[old[path]],
                contents[new[path]],
                ignore_whitespace,
            )
        )
    return sorted(diffs, key=lambda d: d.path)


def compare_files(
    old: dict[str, str], new: dict[str, str], renames: dict[str, str] | None = None
) -> list[FileDiff]:
    """compare_versions for {path: content} maps (each text is its own key)."""
    contents = {text: text for text in (*old.values(), *new.values())}
    return compare_versions(old=old, new=new, contents=contents, renames=renames)


def _counted(diff: FileDiff, old: str, new: str, ignore_whitespace: bool) -> FileDiff:
    if looks_binary(old) or looks_binary(new):
        diff.binary = True
        return diff
    old_lines, new_lines = split_lines(old), split_lines(new)
    diff.large = max(len(old_lines), len(new_lines)) > LARGE_LINES
    for op in line_opcodes(old_lines, new_lines, ignore_whitespace):
        if op.tag != "equal":
            diff.removed += op.old_end - op.old_start
            diff.added += op.new_end - op.new_start
    diff.whitespace_only = (
        ignore_whitespace and diff.status == "modified" and not (diff.added or diff.removed)
    )
    return diff


# Rendering one file -------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    kind: str  # context, delete, insert
    old_number: int | None
    new_number: int | None
    html: str  # escaped, highlighted line


@dataclass(frozen=True)
class Gap:
    """Unchanged lines not shown; the page can ask for them."""

    old_start: int  # 0-based, end exclusive
    old_end: int
    new_start: int
    kind = "gap"

    @property
    def size(self) -> int:
        return self.old_end - self.old_start

    @property
    def expand(self) -> str:
        """How the page asks for these lines."""
        return f"{self.old_start}-{self.old_end}-{self.new_start}"


@dataclass
class SideBySide:
    left: Row | None
    right: Row | None


@dataclass
class Hunk:
    rows: list[Row] = field(default_factory=list)
    kind = "hunk"

    def pairs(self) -> list[SideBySide]:
        """Rows side by side: deletions beside the insertions that replaced them."""
        out: list[SideBySide] = []
        deletes: list[Row] = []
        inserts: list[Row] = []

        def flush() -> None:
            for k in range(max(len(deletes), len(inserts))):
                out.append(
                    SideBySide(
                        deletes[k] if k < len(deletes) else None,
                        inserts[k] if k < len(inserts) else None,
                    )
                )
            deletes.clear()
            inserts.clear()

        for row in self.rows:
            if row.kind == "delete":
                deletes.append(row)
            elif row.kind == "insert":
                inserts.append(row)
            else:
                flush()
                out.append(SideBySide(row, row))
        flush()
        return out


def file_hunks(
    old_html: list[str],
    new_html: list[str],
    opcodes: list[Opcode],
    context: int = CONTEXT_LINES,
) -> list[Hunk | Gap]:
    """Hunks of changes with `context` lines around them, and gaps for what lies between."""
    parts: list[Hunk | Gap] = []
    last = len(opcodes) - 1
    for index, op in enumerate(opcodes):
        if op.tag == "equal":
            keep_head = 0 if index == 0 else context
            keep_tail = 0 if index == last else context
            size = op.old_end - op.old_start
            if size > keep_head + keep_tail + 1:  # a gap of one line hides nothing worth it
                _context(parts, old_html, op.old_start, op.new_start, keep_head)
                gap_start = op.old_start + keep_head
                gap_end = op.old_end - keep_tail
                parts.append(Gap(gap_start, gap_end, op.new_start + keep_head))
                _context(
                    parts, old_html, gap_end, op.new_start + (gap_end - op.old_start), keep_tail
                )
            else:
                _context(parts, old_html, op.old_start, op.new_start, size)
            continue
        hunk = _open_hunk(parts)
        for k in range(op.old_start, op.old_end):
            hunk.rows.append(Row("delete", k + 1, None, old_html[k]))
        for k in range(op.new_start, op.new_end):
            hunk.rows.append(Row("insert", None, k + 1, new_html[k]))
    return parts


def gap_rows(old_html: list[str], gap: Gap) -> list[Row]:
    return [
        Row("context", gap.old_start + k + 1, gap.new_start + k + 1, old_html[gap.old_start + k])
        for k in range(gap.size)
    ]


def _open_hunk(parts: list) -> Hunk:
    if not parts or not isinstance(parts[-1], Hunk):
        parts.append(Hunk())
    return parts[-1]


def _context(parts: list, old_html: list[str], old_start: int, new_start: int, count: int) -> None:
    if count <= 0:
        return
    hunk = _open_hunk(parts)
    for k in range(count):
        hunk.rows.append(
            Row("context", old_start + k + 1, new_start + k + 1, old_html[old_start + k])
        )
