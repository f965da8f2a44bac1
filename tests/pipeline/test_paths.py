"""The one path policy (orchestrator.paths), shared by the model, manual edits and uploads."""

import pytest

from orchestrator.errors import UnsafePath
from orchestrator.paths import (
    MAX_PART_CHARS,
    MAX_PATH_CHARS,
    ProjectLimits,
    case_key,
    case_twin,
    character_problem,
    clean_path,
    collision,
    content_problem,
    folders_of,
    is_hidden,
)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("../etc/passwd", "leaves the project"),
        ("a/../../b", "leaves the project"),
        ("a/..", "leaves the project"),
        ("/etc/passwd", "is absolute"),
        ("~/.ssh/id_rsa", "is absolute"),
        ("~", "is absolute"),
        ("C:/Windows/x", "Windows forbids"),
        ("a\\b.py", "backslash"),
        ("a\x00b", "control character"),
        ("line\nbreak", "control character"),
        ("tab\there", "control character"),
        ("del\x7f", "control character"),
        ("c1\x85x", "control character"),
        ("", "is empty"),
        ("   ", "is empty"),
        ("./", "names no file"),
        ("//", "is absolute"),
        ("x" * (MAX_PATH_CHARS + 1), f"longer than {MAX_PATH_CHARS}"),
        ("a/" + "x" * (MAX_PART_CHARS + 1), f"longer than {MAX_PART_CHARS}"),
        (".git/config", "version-control internals (.git)"),
        (".GIT/hooks/pre-commit", "version-control internals"),
        ("src/.Git/HEAD", "version-control internals"),
        (".git", "version-control internals"),
        (".hg/hgrc", "version-control internals"),
        (".svn/entries", "version-control internals"),
        ("GIT~1/config", "version-control internals"),
        (".git./config", "ends in a dot"),
        (".git /config", "ends in a dot or a space"),
        (" a/b", None),  # stripped: fine
        ("a /b", "ends in a dot or a space"),
        ("a/ b", "starts with a space"),
        ("dir./x", "ends in a dot"),
        ("con", "Windows reserves"),
        ("CON.txt", "Windows reserves"),
        ("docs/nul.tar.gz", "Windows reserves"),
        ("aux/x.py", "Windows reserves"),
        ("prn.md", "Windows reserves"),
        ("com1", "Windows reserves"),
        ("LPT9.log", "Windows reserves"),
        ("com¹.txt", "Windows reserves"),
        ("conin$", "Windows reserves"),
        ("invoice\u202egpj.exe", "invisible or control character (U+202E)"),
        ("a\u200bb.py", "U+200B"),
        ("a\u200db.py", "U+200D"),
        ("\ufeffbom.py", "U+FEFF"),
        ("a\u2066b", "U+2066"),
        ("a\u061cb", "U+061C"),
        ("a\u2028b", "U+2028"),
        ("a\ue000b", "U+E000"),
        ("a\ud800b", "U+D800"),
        ("hangul\u3164filler", "U+3164"),
        ("read\u00a0me.md", "space character other than a plain space (U+00A0)"),
        ("a\u3000b", "U+3000"),
        ("what?.md", "Windows forbids"),
        ("a|b", "Windows forbids"),
        ("a*b", "Windows forbids"),
        ('a"b', "Windows forbids"),
        ("a<b>", "Windows forbids"),
        ("file.txt::$DATA", "Windows forbids"),
    ],
)
def test_unsafe_paths_are_refused_with_the_reason(raw, reason):
    if reason is None:
        assert clean_path(raw) == "a/b"
        return
    with pytest.raises(UnsafePath) as refusal:
        clean_path(raw)
    assert reason in refusal.value.message


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("./app/main.py", "app/main.py"),
        ("app//x.py", "app/x.py"),
        (" a.py ", "a.py"),
        ("a/./b", "a/b"),
        ("d//x", "d/x"),
        ("a+b.txt", "a+b.txt"),
        ("x#y", "x#y"),
        ("a&x=1", "a&x=1"),
        ("%41", "%41"),
        (".gitignore", ".gitignore"),
        (".github/workflows/ci.yml", ".github/workflows/ci.yml"),
        (".gitattributes", ".gitattributes"),
        ("docs/My Notes.md", "docs/My Notes.md"),
        ("café.md", "café.md"),
        ("cafe\u0301.md", "café.md"),  # decomposed becomes composed (NFC)
        ("漢字/ファイル.txt", "漢字/ファイル.txt"),
        ("console.log", "console.log"),
        ("auxiliary.py", "auxiliary.py"),
        ("com10", "com10"),
        ("git~x", "git~x"),
        ("..a", "..a"),
        ("a..b", "a..b"),
        ("x" * MAX_PART_CHARS, "x" * MAX_PART_CHARS),
        ("Xcode/BOX/app.py", "Xcode/BOX/app.py"),  # trimming looks at dots and spaces only
        ("%58ray.py", "%58ray.py"),  # decodes to "Xray.py": harmless
        ("%2e/app.py", "%2e/app.py"),  # decodes to "./app.py": still inside the project
    ],
)
def test_harmless_paths_are_normalised(raw, clean):
    assert clean_path(raw) == clean


def test_a_path_at_the_length_limit_is_accepted():
    path = "d" * 100 + "/" + "d" * 100 + "/" + "d" * 38
    assert len(path) == MAX_PATH_CHARS
    assert clean_path(path) == path


def test_character_problem_is_none_for_ordinary_text():
    assert character_problem("app/main_v2-final (copy).py") is None


def test_case_keys_ignore_letter_case_and_unicode_form():
    assert case_key("README.md") == case_key("readme.MD")
    assert case_key("Straße") == case_key("STRASSE")
    assert case_key("cafe\u0301") == case_key("CAFÉ")


def test_case_twin_finds_the_existing_spelling_only():
    existing = ["README.md", "app/main.py"]
    assert case_twin("readme.md", existing) == "README.md"
    assert case_twin("README.md", existing) is None  # itself is no twin
    assert case_twin("App/Main.py", existing) == "app/main.py"
    assert case_twin("other.md", existing) is None


def test_folders_of_lists_every_enclosing_folder():
    assert folders_of("a/b/c.py") == ["a", "a/b"]
    assert folders_of("c.py") == []


@pytest.mark.parametrize(
    ("paths", "problem"),
    [
        (["a.md", "b.md", "A.md"], "a.md and A.md differ only in letter case"),
        (["Docs/a.md", "docs/b.md"], "the folders Docs and docs differ only in letter case"),
        (["x/Docs/a.md", "x/docs/b.md"], "the folders x/Docs and x/docs"),
        (["app", "app/main.py"], "app is both a file and a folder"),
        (["App", "app/main.py"], "App is both a file and a folder"),
        (["a/b", "a/b/c"], "a/b is both a file and a folder"),
        (["a.md", "b/a.md", "b/c/a.md"], None),
        ([], None),
    ],
)
def test_collisions_that_break_checkouts_are_named(paths, problem):
    found = collision(paths)
    assert found == problem if problem is None else problem in found


def test_content_problems_are_nul_and_broken_unicode():
    assert content_problem("fine\n") is None
    assert "NUL" in content_problem("a\x00b")
    assert "not valid Unicode" in content_problem("a\ud800b")


LIMITS = ProjectLimits(max_files=3, max_total_bytes=20, max_file_bytes=10)


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"a": "", "b": "", "c": "", "d": ""}, "would have 4 files; the limit is 3"),
        ({"a": "x" * 11}, "a would be 11 bytes; one file may hold at most 10"),
        ({"a": "é" * 6}, "a would be 12 bytes"),
        ({"a": "x" * 10, "b": "x" * 10, "c": "x"}, "would be 21 bytes; the limit is 20"),
        ({"a": "x\x00"}, "a cannot be saved: it contains NUL characters"),
        ({"a": "x", "A": "y"}, "cannot hold both: a and A differ only in letter case"),
    ],
)
def test_project_limits_refuse_what_cannot_be_kept(files, message):
    with pytest.raises(UnsafePath) as refusal:
        LIMITS.check(files)
    assert message in refusal.value.message


def test_project_limits_accept_files_at_each_bound():
    LIMITS.check({"a": "x" * 10, "b": "x" * 10, "c": ""})


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "The file path is empty."),
        ("a\x07b", "The path 'a\\x07b' contains a control character (U+0007)."),
        ("a\u202eb", "The path 'a\\u202eb' contains an invisible or control character (U+202E)."),
        (
            "a\u00a0b",
            "The path 'a\\xa0b' contains a space character other than a plain space (U+00A0).",
        ),
        ("a?b", "The path 'a?b' contains the character '?', which Windows forbids in file names."),
        ("a\\b", "The path 'a\\\\b' contains a backslash; use forward slashes."),
        ("/etc", "The path '/etc' is absolute; paths are relative to the project."),
        ("./.", "The path './.' names no file."),
        ("a/../b", "The path 'a/../b' leaves the project."),
        (".git/x", "The path '.git/x' is inside version-control internals (.git)."),
        ("nul.txt", "The path 'nul.txt' uses 'nul.txt', a name Windows reserves for a device."),
        (
            "a. /b",
            "The path 'a. /b' has a part that starts with a space or ends in a dot or a space "
            "('a. ').",
        ),
        ("y" * 81 + "/" + "z" * 200, f"The path '{'y' * 80}'... is longer than 240 characters."),
        ("q/" + "z" * 101, f"The path 'q/{'z' * 78}' has a part longer than 100 characters."),
    ],
)
def test_each_refusal_says_exactly_what_is_wrong(raw, message):
    with pytest.raises(UnsafePath) as refusal:
        clean_path(raw)
    assert refusal.value.message == message


def test_a_backslash_is_reported_as_a_backslash_not_as_a_character():
    with pytest.raises(UnsafePath, match="backslash"):
        clean_path("a\\con")


@pytest.mark.parametrize("name", ["con", "con.txt", "CON .txt", "con.tar.gz"])
def test_device_names_are_refused_whatever_follows_the_first_dot(name):
    with pytest.raises(UnsafePath, match="Windows reserves"):
        clean_path(name)


def test_content_that_is_not_valid_unicode_is_named():
    assert content_problem("\udcff") == "it contains characters that are not valid Unicode text"
    assert content_problem("\x00") == "it contains NUL characters, which mark binary data"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("%2e%2e/x.py", "leaves the project when percent-decoded ('../x.py')"),
        ("%252e%252e/x.py", "leaves the project when percent-decoded ('../x.py')"),
        ("%25252e%25252e/x.py", "leaves the project when percent-decoded ('../x.py')"),
        ("%2fetc/passwd", "leaves the project when percent-decoded ('/etc/passwd')"),
        ("%7e/.bashrc", "leaves the project when percent-decoded ('~/.bashrc')"),
        ("a%5cb.py", "becomes unsafe when percent-decoded ('a\\\\b.py')"),
        ("a%00b.py", "becomes unsafe when percent-decoded ('a\\x00b.py')"),
        ("a%e2%80%aeb.py", "becomes unsafe when percent-decoded ('a\\u202eb.py')"),
        ("%2egit/config", "becomes a reserved or version-control name when percent-decoded"),
        ("%43ON.txt", "becomes a reserved or version-control name when percent-decoded"),
        (
            "\uff0e\uff0e/x.py",
            "leaves the project when read with compatibility folding ('../x.py')",
        ),
        ("\uff0fetc/x", "leaves the project when read with compatibility folding ('/etc/x')"),
        ("\uff5e/x", "leaves the project when read with compatibility folding ('~/x')"),
        ("\uff23\uff2f\uff2e", "becomes a reserved or version-control name when read with"),
        ("\uff0e\uff47\uff49\uff54/x", "becomes a reserved or version-control name when read"),
    ],
)
def test_a_path_that_a_decoder_turns_unsafe_is_refused(raw, message):
    with pytest.raises(UnsafePath) as refused:
        clean_path(raw)
    assert message in refused.value.message


@pytest.mark.parametrize(
    "raw", ["%41.txt", "a%2fb.py", "100%.md", "50%off.txt", "\uff21.py", "ﬁle.py", "日本語/メモ.md"]
)
def test_a_path_that_stays_safe_however_it_is_decoded_is_kept(raw):
    assert clean_path(raw) == raw


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("%2e%2e/" + "a" * 100, "../" + "a" * 77),
        ("a/%63on/" + "c" * 100, "a/con/" + "c" * 74),
        ("%2500/" + "d" * 90, "\x00/" + "d" * 78),
    ],
)
def test_a_disguised_path_is_shown_decoded_in_its_first_80_characters(raw, shown):
    with pytest.raises(UnsafePath) as raised:
        clean_path(raw)
    assert f"({shown!r})." in str(raised.value)


# Line references after a path ---------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "app.py:42",
        "app.py:10-20",
        "app.py:12:5",
        "app.py#L12",
        "app.py#L12-L20",
        "app.py (line 12)",
        "app.py (lines 10-12)",
        "app.py (lines 10\u201312)",
        "app.py, line 12",
        "`app.py:12`",
        "app.py:12:",
    ],
)
def test_a_line_reference_after_a_path_is_not_part_of_it(written):
    from orchestrator.path_mentions import marker_path, path_in_line

    assert marker_path(written) == "app.py"
    assert path_in_line(written) == "app.py"


@pytest.mark.parametrize("written", ["notes/2024:01.md", "a:b.py", "docs/My Notes.md"])
def test_a_colon_inside_a_name_is_left_for_the_path_policy(written):
    from orchestrator.path_mentions import marker_path

    assert marker_path(written) == written


@pytest.mark.parametrize(
    ("written", "path"),
    [
        ("app.pyを次のように変更します：", "app.py"),
        ("「app.py」を修正します。", "app.py"),
        ("修改app.py文件：", "app.py"),
        ("我们修改 app.py 文件：", "app.py"),
        ("**app.py**（更新）", "app.py"),
        ("app.py（修正）", "app.py"),
        ("models.pyにpriorityを追加", "models.py"),
        ("新建 说明.md 文件", "说明.md"),
        ("docs/说明.md", "docs/说明.md"),
        ("修改 app.py 和 models.py", None),
    ],
)
def test_a_sentence_in_a_spaceless_script_around_a_path_is_not_part_of_it(written, path):
    from orchestrator.path_mentions import marker_path, path_in_line

    assert marker_path(written) == path
    assert path_in_line(written) == path


@pytest.mark.parametrize(("char", "hidden"), [("\t", False), ("\n", False), ("\u200b", True)])
def test_tabs_and_line_ends_separate_a_path_while_invisible_characters_belong_to_it(char, hidden):
    """A tab or line end around a path is layout, though it is a control character inside
    one; a zero-width space shows as nothing, so it is part of the path."""
    assert is_hidden(char) is hidden


def test_a_binary_file_is_bounded_by_its_size_in_bytes():
    limits = ProjectLimits(max_files=10, max_file_bytes=3, max_total_bytes=100)
    limits.check({"logo.png": b"\x89PN"})
    with pytest.raises(UnsafePath, match=r"logo.png would be 4 bytes; one file may hold at most 3"):
        limits.check({"logo.png": b"\x89PNG"})
