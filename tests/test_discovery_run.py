"""The discovery benchmark's scoring (benchmarks/discovery/run.py): a first hit counts only in the first ten,
and the table says, besides each difference, whether it is more than chance (the paired sign test)."""

import pytest

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
