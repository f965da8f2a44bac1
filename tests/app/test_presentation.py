"""How files are shown: highlighted line by line, escaped."""

from generations.presentation import highlighted_lines
from orchestrator.diffing import split_lines


def test_highlighted_lines_escape_and_keep_one_entry_per_line():
    lines = split_lines('x = "<script>alert(1)</script>"\n"""doc\nstring"""\n')
    html = highlighted_lines("a.py", lines)
    assert len(html) == 3
    assert "<script>" not in "".join(html)
    assert "&lt;script&gt;" in html[0]
    assert highlighted_lines("a.txt", ["a\r\n", "b\rc\n"]) == ["a", "b\rc"]
