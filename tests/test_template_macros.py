"""The template's macros that turn values into Python: spec text comes back unchanged, never as code."""

import ast
import inspect

import pytest
from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from mcpgen.template_files import template_root

HOSTILE = [
    "plain",
    "",
    'ends with a quote"',
    'triple """ quotes """ inside',
    "triple ''' single quotes",
    "backslash \\ and \\n literal",
    "trailing backslash \\",
    '"""; import os; os.system(\'echo pwned\'); """',
    "{{ jinja }} {% raw %} {# comment #}",
    "control \x00 nul \x07 bell and \x1b escape \x7f delete",
    "unicode ✨ ünïcödé, \u2028 line separator, \u0085 next line, 𝔘 astral",
    "multi\nline\n\n  indented\n",
    "'single' and \"double\"",
    "carriage\rreturn\r\nand tab\t",
]


@pytest.fixture(scope="module")
def env() -> SandboxedEnvironment:
    """An environment set up as Copier sets up its own for the template."""
    return SandboxedEnvironment(
        loader=FileSystemLoader(str(template_root())),
        extensions=["jinja2_ansible_filters.AnsibleCoreFiltersExtension"],
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def macro(env, name: str, *args, source: str = "python"):
    module = env.get_template(f"templates/project/_shared/{source}.jinja").make_module(
        {"layout": "modular", "pattern": "none", "parameters": {}}
    )
    return str(getattr(module, name)(*args))


@pytest.mark.parametrize(
    "value",
    [
        *HOSTILE,
        0,
        -7,
        2**70,
        1.5,
        1e300,
        -0.0,
        True,
        False,
        None,
        [],
        {},
        ["a", {"b": None}],
        {"k": "v\"'", "n": [1]},
    ],
)
def test_py_writes_a_literal_that_reads_back_as_the_value(env, value):
    source = macro(env, "py", value)
    assert ast.literal_eval(source) == value
    assert type(ast.literal_eval(source)) is type(value)


@pytest.mark.parametrize("text", [t for t in HOSTILE if t.strip()])
def test_docstring_reads_back_as_the_text_and_stays_one_expression(env, text):
    # Free text reaches docstrings cleaned (no control characters); the macro must still cope with the rest.
    text = "".join(c for c in text if c.isprintable() or c == "\n")
    source = f"def f():\n    {macro(env, 'docstring', text)}\n    return 1\n"
    tree = ast.parse(source)
    function = tree.body[0]
    assert isinstance(function, ast.FunctionDef) and len(function.body) == 2
    assert inspect.cleandoc(ast.get_docstring(function, clean=False)) == inspect.cleandoc(
        "\n".join(line.rstrip() for line in text.strip().splitlines())
    )


@pytest.mark.parametrize(
    ("record", "annotation"),
    [
        ("str", "str"),
        ("any", "Any"),
        ("uuid", "UUID"),
        ("Task", "Task"),
        ({"list": {"dict": "int"}}, "list[dict[str, int]]"),
        ({"union": ["str", "none"]}, "str | None"),
        ({"literal": ["a", 1, True, 'q"uote']}, 'Literal["a", 1, True, "q\\"uote"]'),
        (
            {"union": ["Dog", "Owl"], "discriminator": "kind"},
            'Annotated[Dog | Owl, Field(discriminator="kind")]',
        ),
    ],
)
def test_type_records_become_annotations(env, record, annotation):
    assert macro(env, "pytype", record) == annotation
    ast.parse(annotation, mode="eval")


def test_import_words_become_sorted_import_lines(env):
    words = macro(
        env, "type_imports", {"union": [{"list": "date"}, "uuid", "any", "Task", {"literal": ["x"]}]}
    )
    assert sorted(words.split()) == [
        "datetime:date",
        "model:Task",
        "typing:Any",
        "typing:Literal",
        "uuid:UUID",
    ]
    assert macro(env, "stdlib_imports", words + " typing:Any").strip().splitlines() == [
        "from datetime import date",
        "from typing import Any, Literal",
        "from uuid import UUID",
    ]


def test_an_optional_argument_defaults_to_none_and_an_enum_default_is_a_member(env):
    optional = {"name": "limit", "in": "query", "type": "int", "sample": 1}
    nullable_required = {
        "name": "note",
        "in": "query",
        "type": "str",
        "nullable": True,
        "required": True,
        "sample": "x",
    }
    member = {
        "name": "priority",
        "in": "field",
        "type": "Priority",
        "default_member": "MEDIUM",
        "sample": "low",
    }
    described = {
        "name": "q",
        "in": "query",
        "type": "str",
        "description": 'a "query"',
        "min_length": 1,
        "sample": "x",
    }
    assert macro(env, "parameter", optional, source="tools") == "limit: int | None = None"
    assert macro(env, "parameter", nullable_required, source="tools") == "note: str | None"
    assert macro(env, "parameter", member, source="tools") == "priority: Priority = Priority.MEDIUM"
    assert (
        macro(env, "parameter", described, source="tools")
        == 'q: Annotated[str | None, Field(description="a \\"query\\"", min_length=1)] = None'
    )


@pytest.mark.parametrize(
    ("tool", "hints"),
    [
        ({"method": "GET"}, (True, False, True, False)),
        ({"method": "DELETE"}, (False, True, True, False)),
        ({"method": "PUT"}, (False, False, True, False)),
        ({"method": "POST", "hints": {"idempotentHint": True, "openWorldHint": True}}, (0, 0, 1, 1)),
    ],
)
def test_hints_come_from_the_method_and_a_transform_overrides_each(env, tool, hints):
    names = ("readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint")
    expected = ", ".join(f"{name}={bool(value)}" for name, value in zip(names, hints, strict=True))
    assert macro(env, "annotations", tool, source="tools") == f"ToolAnnotations({expected})"


def test_hidden_arguments_are_sent_by_wire_name_with_their_value_or_setting(env):
    parameters = {
        "summary": {"name": "summary", "wire": "title", "in": "field", "type": "str", "sample": "x"},
        "tags": {"name": "tags", "in": "field", "type": {"list": "str"}, "fallback": ["web"], "sample": []},
    }
    tool = {
        "name": "create_ticket",
        "method": "POST",
        "params": ["summary", "tags"],
        "response": {"kind": "empty"},
        "fixed": [
            {"wire": "priority", "in": "field", "value": 'high"'},
            {"wire": "X-Tenant", "in": "header", "setting": "TENANT_ID"},
        ],
    }
    module = env.get_template("templates/project/_shared/tools.jinja").make_module(
        {"layout": "modular", "pattern": "none", "parameters": parameters}
    )
    call = str(module.call_arguments(tool))
    assert call == (
        'ctx, CREATE_TICKET, None, headers={"X-Tenant": get_settings().tenant_id}, '
        'body={"title": summary, "tags": tags if tags is not None else ["web"], "priority": "high\\""}'
    )
