"""The discovery benchmark's scoring (benchmarks/discovery/run.py): a first hit counts only in the first ten,
and the table says, besides each difference, whether it is more than chance (the paired sign test); and its
task sets' checker (benchmarks/discovery/check_tasks.py)."""

import json
from pathlib import Path

import pytest
import yaml

from benchmarks.discovery import check_tasks
from benchmarks.discovery.run import first_hit, metrics, paired, sign_test, table


def test_a_first_hit_is_the_rank_of_the_first_expected_operation_in_the_first_ten():
    ranked = [f"GET /things/{i}" for i in range(12)]
    assert first_hit(ranked, ["GET /things/3", "GET /things/1"]) == 2
    assert first_hit(ranked, ["GET /things/11"]) is None  # the eleventh is not shown
    assert metrics([1, 3, None, 10]) == {
        "hit@1": 0.25,
        "hit@3": 0.5,
        "hit@5": 0.5,
        "hit@10": 0.75,
        "mrr@10": pytest.approx((1 + 1 / 3 + 1 / 10) / 4),
        "n": 4,
    }


@pytest.mark.parametrize(
    ("better", "worse", "p"),
    [(8, 0, 2 / 256), (0, 8, 2 / 256), (7, 1, 18 / 256), (5, 5, 1.0), (0, 0, 1.0), (12, 3, 0.03515625)],
)
def test_the_sign_test_is_exact_and_two_sided(better, worse, p):
    assert sign_test(better, worse) == pytest.approx(p)


def test_paired_counts_the_tasks_each_ranks_better_and_leaves_ties_out():
    mine = [1, None, 3, 2, None]
    peer = [2, 5, 3, None, None]
    assert paired(mine, peer) == (2, 1, 1.0)


def test_the_table_carries_the_paired_comparison_of_each_peer():
    ranks = {"mcpgen": [1] * 8, "plain-bm25": [None] * 8}
    results = {
        "letta": {
            "splits": {"held_out": {system: metrics(r) for system, r in ranks.items()}},
            "ranks": {"held_out": ranks},
        }
    }
    text = table(results, ["mcpgen", "plain-bm25"])
    row = "| letta | held_out | mcpgen − plain-bm25 | +1.00 | +1.00 | +1.00 | +1.00 | 8 / 0 | 0.008 |"
    assert row in text


SHARED_SPECS = Path(__file__).resolve().parents[2] / "shared" / "specs"


@pytest.mark.skipif(not SHARED_SPECS.is_dir(), reason="../shared/specs is not on this machine")
def test_the_task_sets_name_operations_their_specs_have_and_keep_their_splits(capsys):
    assert check_tasks.main([]) == 0, capsys.readouterr().out


def _task_set(folder: Path, splits: list[str]) -> None:
    (folder / "specs").mkdir(parents=True)
    (folder / "tasks").mkdir()
    spec = {"openapi": "3.0.3", "paths": {"/things": {"get": {"responses": {"200": {"description": "ok"}}}}}}
    (folder / "specs" / "things.json").write_text(json.dumps(spec), encoding="utf-8")
    tasks = [
        {"id": f"things-{n:03d}", "query": f"list things {n}", "expect": ["GET /things"], "split": split}
        for n, split in enumerate(splits, 1)
    ]
    document = {"spec": "things", "written": "2026-12-06", "tasks": tasks}
    (folder / "tasks" / "things.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")


def test_fresh_tasks_come_after_the_others_and_leave_the_every_third_rule_to_them(tmp_path, capsys):
    ruled = ["held_out" if n % 3 == 0 else "tune" for n in range(1, 61)]
    _task_set(tmp_path / "good", ruled + ["fresh"] * 5)
    check = ["--specs", str(tmp_path / "good" / "specs"), "--tasks", str(tmp_path / "good" / "tasks")]
    assert check_tasks.main(check) == 0
    assert "things.yaml: 65 tasks, 40 tune, 20 held_out, 5 fresh" in capsys.readouterr().out

    _task_set(tmp_path / "bad", ruled[:30] + ["fresh"] + ruled[31:] + ["tune"])
    check = ["--specs", str(tmp_path / "bad" / "specs"), "--tasks", str(tmp_path / "bad" / "tasks")]
    assert check_tasks.main(check) == 1
    out = capsys.readouterr().out
    assert "things-032: a tune task after fresh ones; fresh tasks come last" in out
    assert "things-033: a held_out task after fresh ones" in out
