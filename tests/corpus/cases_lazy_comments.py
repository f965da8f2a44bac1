"""Lazy rewrites in languages whose comments the guard has no grammar for: OCaml and Pascal
block comments, Haskell's {- -}, Erlang's %%, Elixir's #, Clojure's ;;, Fortran's !, and a
Lua block comment. What counts is what the rewrite loses; each lazy answer is followed by
the whole file a model gives when told, and each language has an honest rewrite too.

lazy_comment_syntax: a rewrite whose unchanged part became a comment in the language's own
    syntax, or an honest rewrite that keeps every line
"""

from tests.corpus import Case, whole

OCAML = "let add x y = x + y\nlet sub x y = x - y\nlet mul x y = x * y\nlet div x y = x / y\n"
PASCAL = "program P;\nbegin\n  WriteLn(1);\n  WriteLn(2);\n  WriteLn(3);\nend.\n"
HASKELL = "module Lib where\n\nadd x y = x + y\nsub x y = x - y\nmul x y = x * y\n"
ERLANG = "-module(m).\n-export([a/0, b/0, c/0]).\n\na() -> 1.\nb() -> 2.\nc() -> 3.\n"
ELIXIR = "defmodule M do\n  def a, do: 1\n  def b, do: 2\n  def c, do: 3\nend\n"
CLOJURE = "(ns app.core)\n\n(defn add [x y] (+ x y))\n(defn sub [x y] (- x y))\n(defn mul [x y] (* x y))\n"
FORTRAN = "program main\n  integer :: a\n  a = 1\n  print *, a\n  a = a + 1\n  print *, a\nend program main\n"
LUA = "local M = {}\n\nfunction M.a() return 1 end\nfunction M.b() return 2 end\nfunction M.c() return 3 end\n\nreturn M\n"

# (path, old text, the line the change adds, where it goes, the placeholder for the rest)
LANGUAGES = [
    (
        "lib.ml",
        OCAML,
        'let greet () = print_endline "hi"\n',
        "",
        "(* ... existing functions ... *)\n",
    ),
    ("p.pas", PASCAL, "  WriteLn(4);\n", "end.\n", "  (* ... previous statements ... *)\n"),
    ("src/Lib.hs", HASKELL, 'greet = "hi"\n', "", "{- ... the other functions ... -}\n"),
    ("src/m.erl", ERLANG, "greet() -> hi.\n", "", "%% ... existing functions ...\n"),
    ("lib/m.ex", ELIXIR, '  def greet, do: "hi"\n', "end\n", "  # ... existing functions ...\n"),
    ("src/app/core.clj", CLOJURE, '(defn greet [] "hi")\n', "", ";; ... existing functions ...\n"),
    (
        "main.f90",
        FORTRAN,
        "  print *, 'hi'\n",
        "end program main\n",
        "  ! ... previous code unchanged ...\n",
    ),
    (
        "lua/m.lua",
        LUA,
        "function M.greet() return 'hi' end\n",
        "\nreturn M\n",
        "--[[ ... other functions ... ]]\n",
    ),
]


def added(old: str, line: str, before: str) -> str:
    """The old text with `line` added before `before` (or at the end)."""
    if not before:
        return old + line
    at = old.rindex(before)
    return old[:at] + line + old[at:]


def lazy(path: str, old: str, line: str, before: str, placeholder: str) -> Case:
    full = added(old, line, before)
    head = full.split("\n", 1)[0] + "\n"
    short = head + placeholder + line + before
    return Case(
        f"{path}: the rest as {placeholder.strip()[:24]!r}",
        "lazy_comment_syntax",
        [whole(path, short), whole(path, full)],
        {path: full},
        files={path: old},
        prompt="add a greeting",
    )


def honest(path: str, old: str, line: str, before: str, placeholder: str) -> Case:
    full = added(old, line, before)
    return Case(
        f"{path}: an honest rewrite with every line",
        "lazy_comment_syntax",
        [whole(path, full)],
        {path: full},
        files={path: old},
        prompt="add a greeting",
        well_formed=True,
    )


CASES = [lazy(*language) for language in LANGUAGES] + [honest(*language) for language in LANGUAGES]
