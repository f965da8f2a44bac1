"""How a model's indentation maps onto a file's.

Models quote code with the wrong indentation: the block shifted left or right, tabs where
the file has spaces, two spaces where it has four. When a search block matches only once
its indentation is ignored, the lines it matched show how the model's indentation relates
to the file's, and new lines are written in the file's own character and width. When the
matched lines disagree about that relation, nothing is guessed: the block is refused.
"""

import re
from collections import Counter
from dataclasses import dataclass


def leading(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def indent_unit(lines: list[str]) -> str:
    """The file's indentation step: a tab, or the most common increase in spaces."""
    tabbed = sum(1 for line in lines if line.strip() and line.startswith("\t"))
    spaced = sum(1 for line in lines if line.strip() and line.startswith(" "))
    if tabbed > spaced:
        return "\t"
    steps: Counter[int] = Counter()
    previous = 0
    for line in lines:
        if not line.strip() or line.startswith("\t"):
            continue
        width = len(leading(line))
        if width > previous:
            steps[width - previous] += 1
        previous = width
    if steps:
        return " " * steps.most_common(1)[0][0]
    widths = [len(leading(line)) for line in lines if line.strip() and line.startswith(" ")]
    return " " * (min(widths) if widths else 4)


def level_of(indent: str, unit: str) -> tuple[int, int]:
    """(levels, extra spaces) of an indentation in the given unit."""
    if unit == "\t":
        tabs = len(indent) - len(indent.lstrip("\t"))
        return tabs, len(indent[tabs:].expandtabs(4))
    width = len(indent.expandtabs(len(unit)))
    return divmod(width, len(unit))


def render(levels: int, extra: int, unit: str) -> str:
    return unit * levels + " " * extra


@dataclass(frozen=True)
class IndentMap:
    """Turns the model's indentation of a new line into the file's."""

    prefix_add: str = ""  # the file has this much more before every line
    prefix_remove: str = ""  # or this much less
    model_unit: str | None = None  # when the units differ: convert levels
    file_unit: str | None = None
    offset: int = 0

    def apply(self, line: str) -> str:
        if not line.strip():
            return line.strip(" \t")
        indent, body = leading(line), line.lstrip(" \t")
        if self.model_unit is not None:
            levels, extra = level_of(indent, self.model_unit)
            return render(max(levels + self.offset, 0), extra, self.file_unit) + body
        if self.prefix_remove:
            return indent.removeprefix(self.prefix_remove) + body
        return self.prefix_add + indent + body


def convert_characters(model_lines: list[str], file_unit: str) -> IndentMap:
    """For lines matched exactly: keep their indentation, unless new lines are indented
    with the other character (tabs in a file of spaces, or spaces in a file of tabs)."""
    wrong = " " if file_unit == "\t" else "\t"
    if not any(leading(line).startswith(wrong) for line in model_lines if line.strip()):
        return IndentMap()
    model_unit = indent_unit([line for line in model_lines if leading(line).startswith(wrong)])
    return IndentMap(model_unit=model_unit, file_unit=file_unit)


def learn(
    model_lines: list[str], matched: list[str], all_model_lines: list[str], file_unit: str
) -> IndentMap | None:
    """The map that turns each searched line's indentation into the matched line's, or None
    when no single map does."""
    pairs = [
        (leading(m), leading(f)) for m, f in zip(model_lines, matched, strict=True) if m.strip()
    ]
    if not pairs:
        return IndentMap()
    chars = {char for pair in pairs for indent in pair for char in indent}
    if len(chars) <= 1:
        added = {f[len(m) :] for m, f in pairs if f.startswith(m)}
        if len(added) == 1 and all(f.startswith(m) for m, f in pairs):
            return IndentMap(prefix_add=added.pop())
        removed = {m[len(f) :] for m, f in pairs if m.startswith(f)}
        if len(removed) == 1 and all(m.startswith(f) for m, f in pairs):
            return IndentMap(prefix_remove=removed.pop())
    model_unit = indent_unit(all_model_lines)
    offsets = set()
    for model_indent, file_indent in pairs:
        model_levels, model_extra = level_of(model_indent, model_unit)
        file_levels, file_extra = level_of(file_indent, file_unit)
        if model_extra != file_extra:
            return None
        offsets.add(file_levels - model_levels)
    if len(offsets) != 1:
        return None
    return IndentMap(model_unit=model_unit, file_unit=file_unit, offset=offsets.pop())


_LINE = re.compile(r"[^\n]*\n|[^\n]+$")
_MAKE_NAMES = frozenset({"makefile", "gnumakefile"})
# A rule line: targets, a colon (not := or ::=), prerequisites.
_RULE = re.compile(r"^[^\s#=][^=]*?(?<![:+?!]):{1,2}(?![=:])")


def is_makefile(path: str) -> bool:
    name = path.rsplit("/", 1)[-1].lower()
    return name in _MAKE_NAMES or name.endswith(".mk")


def tab_recipes(path: str, text: str, only: set[int] | None = None) -> str:
    """A Makefile's recipe lines start with a tab, or make refuses the file ("missing
    separator"); a model that indents them with spaces gets them turned into a tab. A line
    that continues the one before (after a backslash) keeps its spaces. `only`: the indices
    of the lines that may change (the model's new lines); the others are read for context."""
    if not is_makefile(path) or ".RECIPEPREFIX" in text:
        return text
    out, in_rule, continued = [], False, False
    for index, line in enumerate(_LINE.findall(text)):
        body = line.rstrip("\r\n")
        if continued:
            out.append(line)
        elif body.startswith(" ") and body.strip() and in_rule and (only is None or index in only):
            out.append("\t" + line.lstrip(" "))
        else:
            out.append(line)
            if body.strip() and not body.startswith(("\t", " ")):
                in_rule = bool(_RULE.match(body))
        continued = body.endswith("\\")
    return "".join(out)
