"""Clients' budgets kept in a SQLite file that processes share (api.budget_tables): one bucket per client
whichever process charges it, and no charge lost when processes charge it at once."""

from __future__ import annotations

import subprocess
import sys

import pytest

from api.budget_tables import BucketTable
from api.errors import Problem
from api.fairness import Budgets


def frozen():
    return 1000.0  # no refill between charges: the balance is what was charged, exactly


def test_a_bucket_spent_through_one_table_is_spent_through_another_on_the_same_file(tmp_path):
    path = tmp_path / "budgets.sqlite3"
    first, second = Budgets(2.0, path, clock=frozen), Budgets(2.0, path, clock=frozen)
    first.reserve("client", 3.0)  # a query reserves its time limit: 2 - 3 = -1 left
    with pytest.raises(Problem) as refused:
        second.reserve("client", 0.1)
    assert refused.value.status == 429  # and 1 s short at 2 s a minute: a wait of 30 s, and a little
    assert int(refused.value.headers["Retry-After"]) in (30, 31)
    second.reserve("another", 0.1)  # other clients keep theirs
    first.give_back("client", 1.5)
    second.reserve("client", 0.1)  # 0.5 left: served again, in either process


def test_buckets_in_memory_are_each_their_own():
    first, second = Budgets(2.0, clock=frozen), Budgets(2.0, clock=frozen)
    first.reserve("client", 3.0)
    second.reserve("client", 0.1)


CHARGER = """
import sys
from api.fairness import Budgets
budgets = Budgets(1e6, sys.argv[1], clock=lambda: 1000.0)
print("ready", flush=True)
sys.stdin.readline()
for _ in range(int(sys.argv[2])):
    budgets.reserve("client", 2.0)
    budgets.give_back("client", 1.0)
"""


def test_charges_from_two_processes_at_once_are_all_counted(tmp_path):
    """Each reservation reads and writes the bucket in one transaction: two processes charging one client at
    once lose none of each other's charges (a read-then-write race would)."""
    path, charges = tmp_path / "budgets.sqlite3", 400
    processes = [subprocess.Popen([sys.executable, "-c", CHARGER, str(path), str(charges)], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True) for _ in range(2)]
    for process in processes:  # both started before either charges
        assert process.stdout.readline().strip() == "ready"
    for process in processes:
        process.stdin.write("go\n")
        process.stdin.flush()
    for process in processes:
        assert process.wait(timeout=300) == 0
    table = BucketTable(path, capacity=1e6, rate=0.0)
    assert table.take("client", 1e6 - 2 * charges * 1.0, 1000.0) is None  # exactly what is left: now 0
    assert table.take("client", 1.0, 1000.0) == 0.0


def test_a_bucket_refills_at_its_rate_up_to_its_capacity(tmp_path):
    table = BucketTable(tmp_path / "budgets.sqlite3", capacity=2.0, rate=0.5)
    assert table.take("client", 5.0, now=100.0) is None  # reserved a time limit past the budget: -3 left
    assert table.take("client", 1.0, now=104.0) == -1.0  # 2 s refilled in 4 s
    assert table.take("client", 1.0, now=106.5) is None  # 0.25 left: served
    table.give("client", 1.0, now=106.5)  # the query used nothing: 0.25 again
    assert table.take("client", 3.0, now=1000.0) is None  # full again (2, not more), now -1
    assert table.take("client", 1.0, now=900.0) == -1.0  # a reading from before the count refills nothing


def test_a_file_that_cannot_be_used_leaves_the_process_its_own_buckets(tmp_path, caplog):
    table = BucketTable(tmp_path / "no-such-directory" / "budgets.sqlite3", capacity=2.0, rate=0.0)
    assert table.take("client", 3.0, 0.0) is None and table.take("client", 1.0, 0.0) == -1.0  # kept, in memory
    assert "cannot be used" in caplog.text and "this process keeps its own" in caplog.text


def test_a_query_is_let_in_while_any_budget_is_left_and_its_overdraft_is_paid_back_first():
    """As the README has it: QUERY_BUDGET=5 with a 2 s time limit lets in three queries (6 s), not two; the
    second over is refused until a minute's refill has paid back the overdraft and left some over."""
    now = [0.0]
    budgets = Budgets(5.0, clock=lambda: now[0])
    for _ in range(3):
        budgets.reserve("client", 2.0)
    with pytest.raises(Problem) as refused:
        budgets.reserve("client", 2.0)
    assert refused.value.status == 429 and refused.value.headers["Retry-After"] == "13"  # 1 s owed at 5 s a minute
    now[0] = 12.0
    with pytest.raises(Problem):
        budgets.reserve("client", 2.0)  # the overdraft paid back to 0, nothing over yet
    now[0] = 13.0
    budgets.reserve("client", 2.0)


@pytest.mark.parametrize("shared", [False, True], ids=["in memory", "in a shared file"])
def test_a_spent_budget_comes_back_over_its_window_not_a_minute(tmp_path, shared):
    """BUDGET_WINDOW_SECONDS: 2 s an hour overdrawn by 1 s is still spent a minute on (at 2 s a minute it
    would be back), and is back once the hour's refill has paid the overdraft."""
    now = [1000.0]
    budgets = Budgets(2.0, tmp_path / "budgets.sqlite3" if shared else None, clock=lambda: now[0], window=3600.0)
    budgets.reserve("client", 3.0)
    now[0] += 60.0
    with pytest.raises(Problem) as refused:
        budgets.reserve("client", 0.1)
    wait = int(refused.value.headers["Retry-After"])
    assert wait in (1740, 1741)  # 1 s less a minute's 1/30 s owed, at 2 s an hour: 29 minutes
    assert "its 2s of query time per 3600s; try again in" in refused.value.detail
    now[0] += wait
    budgets.reserve("client", 0.1)
