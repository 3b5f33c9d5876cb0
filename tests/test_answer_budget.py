"""Issue 17: a token budget for every tool answer. mcpgen decides from the spec how each operation pages and
which fields `fields` may name, carries mcpgen.yaml `budgets` into the project, and the generated project
proves with its own tests that every answer fits (tests/budget/spec.yaml: a catalogue paged four ways)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mcpgen.errors import MCPGenError
from mcpgen.generate import Request, prepare
from mcpgen.render import read_options
from mcpgen.render.contract import Answers, ToolData
from tests.generated import run_project_tests
from tests.test_update import commit, committed_project, edit, mcpgen

CATALOGUE = Path(__file__).parent / "budget" / "spec.yaml"


def tools_of(**options) -> dict[str, ToolData]:
    prepared = prepare(Request(spec=str(CATALOGUE), out=Path("."), **options))
    return {tool.name: tool for tool in prepared.answers.tools}


def test_each_way_of_paging_is_found_in_the_spec():
    tools = tools_of()
    offset = tools["list_products"].pagination
    assert (offset.kind, offset.argument, offset.limit, offset.default_limit) == (
        "offset",
        "offset",
        "limit",
        100,
    )
    after = tools["list_charges"].pagination
    assert (after.kind, after.argument, after.limit, after.id_field) == (
        "after",
        "starting_after",
        "limit",
        "id",
    )
    cursor = tools["list_events"].pagination
    assert (cursor.kind, cursor.argument, cursor.limit, cursor.cursor_field) == (
        "cursor",
        "cursor",
        "page_size",
        "next_cursor",
    )
    page = tools["list_reviews"].pagination
    assert (page.kind, page.argument, page.limit, page.first_page) == ("page", "page", "per_page", 1)
    assert tools["get_product"].pagination is None


def test_large_outputs_get_fields_named_from_the_output_schema():
    tools = tools_of()
    products = tools["list_products"]
    assert products.fields_in == "data"
    assert {"id", "name", "sku", "dimensions", "dimensions.width"} <= set(products.fields)
    assert tools["list_reviews"].fields_in is None and "body" in tools["list_reviews"].fields
    # A single object with many fields: its own fields, not those of a list inside it.
    detail = tools["get_product"]
    assert detail.fields_in is None and {"brand", "price_history", "price_history.note"} <= set(detail.fields)


def test_budgets_reach_the_answers_and_old_answers_still_validate():
    tools = tools_of(budgets={"list_products": 5000, "get_product": 0})
    assert tools["list_products"].budget == 5000 and tools["get_product"].budget == 0
    assert tools["list_charges"].budget is None
    answers = prepare(Request(spec=str(CATALOGUE), out=Path("."))).answers
    data = answers.data()
    plain = [tool for tool in data["tools"] if tool["name"] == "get_product"][0]
    assert "budget" not in plain and "pagination" not in plain
    # Answers written before the budget (no budget, pagination or fields) are still valid answers.
    for tool in data["tools"]:
        for key in ("budget", "pagination", "fields", "fields_in"):
            tool.pop(key, None)
    assert Answers.model_validate(data).tools[0].fields == []


def test_an_unknown_tool_in_budgets_is_a_warning():
    prepared = prepare(Request(spec=str(CATALOGUE), out=Path("."), budgets={"list_prodcts": 5000}))
    assert any(
        "/budgets/list_prodcts" in warning and "not a tool" in warning for warning in prepared.warnings
    )


@pytest.mark.parametrize(
    ("budgets", "problem"),
    [
        ("{list_products: 100}", "at least 500"),
        ("{list_products: lots}", "integer"),
        ("[list_products]", "dict"),
    ],
)
def test_a_bad_budget_in_mcpgen_yaml_is_a_one_line_error_naming_the_key(tmp_path, budgets, problem):
    (tmp_path / "mcpgen.yaml").write_text(f"tools: all\nbudgets: {budgets}\n")
    with pytest.raises(MCPGenError) as error:
        read_options(tmp_path)
    assert error.value.pointer.startswith("/budgets")
    assert problem in str(error.value) and "\n" not in str(error.value)


def test_the_generated_project_keeps_every_answer_within_its_budget(tmp_path):
    project = tmp_path / "catalogue"
    result = mcpgen("from-openapi", CATALOGUE, "-o", project, "--tools", "all")
    assert result.exit_code == 0, result.output
    source = (project / "src" / "tools" / "list_charges.py").read_text()
    assert (
        'pagination=Pagination("after", argument="starting_after", limit="limit", default_limit=10)' in source
    )
    assert "fields: Annotated[" in source and "pass `fields`" in source
    assert "RESPONSE_TOKEN_BUDGET=25000" in (project / ".env.example").read_text()
    summary = run_project_tests(
        project, "tests/integration/test_answer_budget.py", "tests/unit/test_answer_budget.py"
    )
    assert " passed" in summary and "skipped" not in summary


def test_a_budget_edited_in_mcpgen_yaml_reaches_the_tool_on_update(tmp_path):
    project = committed_project(tmp_path, CATALOGUE, "--tools", "all")
    kept = yaml.safe_load((project / "mcpgen.yaml").read_text())
    assert kept["budgets"] == {}
    edit(project / "mcpgen.yaml", "budgets: {}", "budgets:\n  list_products: 5000")
    commit(project, "a budget")
    result = mcpgen("update", project)
    assert result.exit_code == 0, result.output
    assert "budget=5000," in (project / "src" / "tools" / "list_products.py").read_text()


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["all", "discover"])
def test_the_catalogue_project_passes_its_whole_suite(tmp_path, mode):
    project = tmp_path / "catalogue"
    result = mcpgen("from-openapi", CATALOGUE, "-o", project, "--tools", mode)
    assert result.exit_code == 0, result.output
    assert " passed" in run_project_tests(project)
