"""The generated projects' own test suites pass as generated, in both layouts and every auth pattern."""

import pytest

from mcpgen.generate import Request, generate
from mcpgen.render import answers
from tests.generated import run_project_tests
from tests.golden.regen import GOLDEN, cases, render_case


def generate_case(case: str, out, **options):
    return generate(Request(spec=str(GOLDEN / case / "spec.yaml"), out=out, **options))


@pytest.mark.slow
@pytest.mark.parametrize("case", cases())
def test_golden_project_passes_its_own_tests(case, tmp_path):
    render_case(case, tmp_path / case)  # with the case's options (tasks_discover: --tools discover)
    assert " passed" in run_project_tests(tmp_path / case)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("pattern", "layout"),
    [
        ("none", "monolithic"),
        ("bearer", "modular"),
        ("service-to-service", "monolithic"),
        ("api-key", "modular"),
    ],
)
def test_every_pattern_and_layout_passes_its_own_tests(pattern, layout, tmp_path):
    generate_case("notes_monolithic", tmp_path / "p", pattern=pattern, layout=layout)
    assert " passed" in run_project_tests(tmp_path / "p")


@pytest.mark.slow
@pytest.mark.parametrize(("pattern", "layout"), [("api-key", "monolithic"), ("none", "modular")])
def test_discovery_passes_its_own_tests_in_other_patterns_and_layouts(pattern, layout, tmp_path):
    generate_case("notes_monolithic", tmp_path / "p", pattern=pattern, layout=layout, tools="discover")
    assert " passed" in run_project_tests(tmp_path / "p")


@pytest.mark.slow
@pytest.mark.parametrize(("pattern", "layout"), [("api-key", "monolithic"), ("none", "modular")])
def test_code_mode_passes_its_own_tests_in_other_patterns_and_layouts(pattern, layout, tmp_path):
    generate_case("notes_monolithic", tmp_path / "p", pattern=pattern, layout=layout, tools="code")
    assert " passed" in run_project_tests(tmp_path / "p")


@pytest.mark.slow
def test_loosely_declared_outputs_still_validate_and_pass(tmp_path, monkeypatch):
    monkeypatch.setattr(answers, "MAX_OUTPUT_MODELS", 0)
    result = generate_case("hard_cases", tmp_path / "p")
    server_tools = (tmp_path / "p" / "src" / "tools" / "post_nodes.py").read_text()
    assert "plain_output=True" in server_tools and "-> dict[str, Any]" in server_tools
    assert result.project.tools
    assert " passed" in run_project_tests(tmp_path / "p")
