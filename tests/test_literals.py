"""Spec text reaches code only as checked literals: hostile text must come back unchanged, never as code."""

import ast
import inspect

import pytest

from mcpgen.literals import docstring, literal

HOSTILE = [
    "plain",
    'ends with a quote"',
    'triple """ quotes """ inside',
    "backslash \\ and \\n literal",
    "trailing backslash \\",
    '"""; import os; os.system(\'echo pwned\'); """',
    "control \x07 bell and \x1b escape",
    "unicode ✨ ünïcödé and \u2028 line separator",
    "multi\nline\n\n  indented\n",
    "'single' and \"double\"",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_docstring_round_trips(text):
    source = f"def f():\n    {docstring(text)}\n"
    tree = ast.parse(source)
    function = tree.body[0]
    assert len(function.body) == 1, "the docstring must stay one expression"
    assert inspect.cleandoc(ast.get_docstring(function, clean=False)) == inspect.cleandoc(
        "\n".join(line.rstrip() for line in text.strip().splitlines())
    )


@pytest.mark.parametrize("value", [*HOSTILE, 1, 1.5, True, None, ["a", {"b": None}], {"k": "v\"'"}])
def test_literal_round_trips(value):
    assert ast.literal_eval(literal(value)) == value
