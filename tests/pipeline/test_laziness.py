"""The laziness guard judges what a change loses, in any language and comment syntax
(orchestrator.laziness, orchestrator.code_lines); placeholder phrases are its second signal
(orchestrator.placeholders)."""

import pytest

from orchestrator.code_lines import (
    comment_lines,
    definitions,
    is_placeholder_line,
    is_trivial,
)
from orchestrator.laziness import LOST_LINES, LazinessPolicy
from orchestrator.placeholders import placeholder_kind, stands_for_code
from tests.corpus.projects_languages import (
    DEPLOY_SH,
    HANDLERS_GO,
    INIT_LUA,
    LIB_RS,
    SCHEMA_SQL,
    USER_RB,
)

ASKED = LazinessPolicy.for_request("add a feature", "add")
GO_BODY = HANDLERS_GO[
    HANDLERS_GO.index("\t\tid := r.URL") : HANDLERS_GO.index("\t\tw.WriteHeader(")
]


# Which lines are code ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "text", "comments"),
    [
        ("a.go", "package a\n// one\nvar x = 1 // trailing\n/* two\n   lines */\n", {1, 3, 4}),
        ("a.rs", "fn f() {}\n/// doc\n/* snip */\n", {1, 2}),
        ("a.rb", "x = 1\n# note\n=begin\nblock\n=end\n", {1, 2, 3, 4}),
        ("a.sql", "SELECT 1;\n-- note\n", {1}),
        ("a.lua", "local x = 1\n-- [snip]\n--[[ long\ncomment ]]\n", {1, 2, 3}),
        ("a.sh", "echo hi\n# note\n", {1}),
        ("a.yml", "a: 1\n# note\n", {1}),
        ("a.unknown", "x\n// note\n-- note\n# note\n; note\n", {1, 2, 3, 4}),
        ("a.go", "x := `\n// not a comment\n`\n", set()),
    ],
)
def test_comment_lines_are_found_in_every_syntax(path, text, comments):
    assert comment_lines(path, text) == comments


@pytest.mark.parametrize("line", ["...", "  …", "[...]", "(...)", "  ...;", "{ ... }"])
def test_an_ellipsis_stands_for_code(line):
    assert is_placeholder_line(line)


@pytest.mark.parametrize("line", ["x = ...", "...rest", "print('...')"])
def test_a_line_with_an_ellipsis_in_it_is_code(line):
    assert not is_placeholder_line(line)


@pytest.mark.parametrize("line", ["", "  }", "});", "end", "  fi", "esac", "])", "endif"])
def test_brackets_and_end_words_carry_no_code(line):
    assert is_trivial(line)


@pytest.mark.parametrize("line", ["return x", "x", "ending = 1", "} else {"])
def test_statements_carry_code(line):
    assert not is_trivial(line)


@pytest.mark.parametrize(
    ("path", "text", "names"),
    [
        ("a.go", HANDLERS_GO, {"Store", "listItems", "deleteItem"}),
        ("lib.rs", LIB_RS, {"Inventory", "new", "add", "remove", "count"}),
        ("user.rb", USER_RB, {"User", "full_name", "admin?", "deactivate!"}),
        ("schema.sql", SCHEMA_SQL, {"customers", "orders", "orders_customer", "open_orders"}),
        ("deploy.sh", DEPLOY_SH, {"build", "migrate", "restart"}),
        ("init.lua", INIT_LUA, {"M.setup", "M.open", "M.close"}),
    ],
)
def test_definitions_come_from_tags_or_keywords(path, text, names):
    assert names <= definitions(path, text)


# What a change loses ----------------------------------------------------------------------------


def test_code_replaced_by_a_comment_in_any_words_is_lazy():
    lazy = HANDLERS_GO.replace(GO_BODY, "\t\t// (unverändert)\n")
    reason = ASKED("api/handlers.go", HANDLERS_GO, lazy, True, False)
    assert reason == (
        "it replaces 4 lines of code with '// (unverändert)', which is not code: the code "
        "was left out"
    )


def test_code_replaced_by_an_ellipsis_line_is_lazy_in_a_block_too():
    search = "    def totals(self):\n        a = 1\n        b = 2\n        return a + b\n"
    replace = "    def totals(self):\n        [...]\n"
    assert ASKED("m.py", search, replace, False, False) is not None


def test_one_line_replaced_by_a_comment_is_an_edit():
    assert ASKED("m.go", "x := 1\ny := 2\n", "x := 1\n// y is gone\n", False, False) is None


def test_code_commented_out_is_not_left_out():
    old = "x = 1\nsend(x)\nlog(x)\n"
    new = "x = 1\n# send(x)\n# log(x)\n"
    assert ASKED("m.py", old, new, False, False) is None


def test_a_comment_replacing_code_is_fine_when_the_request_asks_for_a_shrink_or_a_stub():
    old, new = "x = 1\nsend(x)\nlog(x)\n", "x = 1\n# sending is done elsewhere now\n"
    assert (
        LazinessPolicy.for_request("remove the sending", "remove")("m.py", old, new, False, False)
        is None
    )
    assert (
        LazinessPolicy.for_request("stub the sender", "modify")("m.py", old, new, False, False)
        is None
    )
    elided = "x = 1\n# ... sending ...\n"
    assert (
        LazinessPolicy.for_request("remove the sending", "remove")(
            "m.py", old, elided, False, False
        )
        is not None
    )


def test_a_line_duplicated_elsewhere_is_still_lost_where_it_went():
    old = "def a():\n    v = get()\n    return v.x\n\ndef b():\n    v = get()\n    return v.y\n"
    new = "def a():\n    # as is\n\ndef b():\n    v = get()\n    return v.y\n"
    assert ASKED("m.py", old, new, True, False) is not None


def test_a_rewrite_that_drops_a_definition_the_request_never_names_is_lazy():
    without = USER_RB.replace(
        USER_RB[USER_RB.index("\n  def admin?") : USER_RB.index("\n  def deactivate!")], ""
    )
    assert ASKED("app/models/user.rb", USER_RB, without, True, False) == (
        "it drops admin?, which the request does not mention"
    )
    named = LazinessPolicy.for_request("drop the admin? helper, roles are gone", "modify")
    assert named("app/models/user.rb", USER_RB, without, True, False) is None


def test_a_rewrite_that_drops_lines_of_code_unasked_is_lazy():
    old = "cd /srv\ngit pull\nmake build\nmake test\nsystemctl restart app\n"
    new = "cd /srv\ngit pull\nsystemctl restart app\n"
    assert ASKED("job.sh", old, new, True, False) is None  # two lines: below the bar
    fewer = "cd /srv\nsystemctl restart app\n"
    assert ASKED("job.sh", old, fewer, True, False) == (
        f"it drops {LOST_LINES} lines of code the request does not ask to remove, such as "
        "'git pull'"
    )


def test_lines_modified_in_place_are_not_lost():
    old = "a = 1\nb = 2\nc = 3\n"
    assert ASKED("m.py", old, "a = 10\nb = 20\nc = 30\n", True, False) is None


def test_lines_holding_the_requests_words_are_accounted_for():
    old = "setup()\nlogger.info('a')\nlogger.info('b')\nlogger.info('c')\nrun()\n"
    new = "setup()\nrun()\n"
    assert ASKED("m.py", old, new, True, False) is not None
    asked = LazinessPolicy.for_request("no more logger calls", "modify")
    assert asked("m.py", old, new, True, False) is None


def test_comments_and_brackets_dropped_are_not_lost_code():
    old = "// one\n// two\n// three\nx = 1\n}\n}\n}\n"
    assert ASKED("m.go", old, "x = 1\n", True, False) is None


def test_a_document_may_lose_sentences():
    old = "Intro.\nMore.\nEven more.\nAnd more.\n"
    assert ASKED("README.md", old, "Intro.\n", True, False) is None


@pytest.mark.parametrize(
    "prompt",
    [
        "supprime la fonction migrate",
        "elimina la función migrate",
        "entferne migrate",
        "migrate を削除して",
        "删除 migrate",
        "stop migrating on deploy",
        "make restart only restart",
    ],
)
def test_a_shrink_asked_for_in_several_languages_is_fine(prompt):
    shorter = DEPLOY_SH.replace(
        "migrate() {\n    docker run --rm app:latest python manage.py migrate\n}\n\n", ""
    ).replace("build\nmigrate\n", "build\n")
    assert LazinessPolicy.for_request(prompt, "modify").shrink_allowed
    assert (
        LazinessPolicy.for_request(prompt, "modify")("d.sh", DEPLOY_SH, shorter, True, False)
        is None
    )


def test_a_loose_block_must_hold_most_of_the_file():
    old = "a = 1\nb = 2\nc = 3\nd = 4\ne = 5\n"
    assert ASKED("m.py", old, "c = 30\n", True, True) is not None
    assert ASKED("m.py", old, "a = 1\nb = 2\nc = 30\nd = 4\ne = 5\n", True, True) is None


def test_half_a_long_file_gone_is_lazy():
    old = "".join(f"x{n} = {n}\n" for n in range(30))
    assert ASKED("m.txt", old, old[: len(old) // 3], True, False).startswith("it shrank from 30")


# The phrase signal ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("# ... existing code ...", "strong"),
        ("// rest of the file unchanged", "strong"),
        ("...  # unchanged", "strong"),
        ("pass", "weak"),
        ("todo!()", "weak"),
        ("unimplemented!();", "weak"),
        ('panic("not implemented")', "weak"),
        ("throw new NotImplementedException();", "weak"),
        ("# keep the existing path for old clients", None),
        ("return x", None),
    ],
)
def test_placeholder_phrases(line, kind):
    assert placeholder_kind(line) == kind


def test_a_phrase_stands_for_code_where_code_went_or_when_it_says_code_was_left_out():
    assert stands_for_code("# ... unchanged", code_gone=True, alone=False)
    assert stands_for_code("# something", code_gone=True, alone=True)
    assert not stands_for_code("# something", code_gone=True, alone=False)
    assert stands_for_code("# existing methods remain unchanged", code_gone=False, alone=False)
    assert not stands_for_code("# goes here", code_gone=False, alone=False)


def test_a_jsx_comment_in_braces_stands_in_for_the_elements_it_replaced():
    old = "    <ul>\n      <li>First</li>\n      <li>Second</li>\n      <li>Third</li>\n"
    new = '    <ul className="list">\n      {/* items stay the same */}\n'
    assert "not code" in ASKED("src/List.jsx", old, new, False, False)


def test_a_changed_line_beside_a_placeholder_still_leaves_the_rest_out():
    old = "image: postgres:16\nvolumes:\n  - data:/var/lib\nworker:\n  build: .\n"
    new = "image: postgres:17\n# ... other services unchanged ...\n"
    assert ASKED("compose.yml", old, new, True, False) is not None


def test_one_line_behind_an_eliding_comment_is_left_out():
    old = "    id INTEGER,\n    total INTEGER,\n    status TEXT\n"
    new = "    id INTEGER,\n    coupon TEXT,\n    -- ... existing columns ...\n"
    assert ASKED("schema.sql", old, new, False, False) is not None
