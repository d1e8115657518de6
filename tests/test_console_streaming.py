"""Big answers stay bounded in the console: kg query and kg shell write rows as they come, stop at the row
cap on a terminal with the API's "cut" notice, and hold no more memory for a million rows than for one."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

from long_work import SOON
from test_loading import installed, spec  # noqa: F401  (fixtures)
from test_shell import CTRL_C, ESC_ENTER, Terminal

KG = Path(sys.executable).parent / "kg"
NUMBERS = " ".join(map(str, range(1000)))
MILLION = f"SELECT ?n WHERE {{ VALUES ?a {{ {NUMBERS} }} VALUES ?b {{ {NUMBERS} }} BIND(1 AS ?n) }}"
ROW_LIMIT = 10000  # the ROW_LIMIT setting's default
MORE_MEMORY = 60  # MiB a process may grow by for a million-row answer (holding the rows took 340 more)


def measured(args: list, *, terminal: bool) -> tuple[int, str, str, int]:
    """Run kg with its output on a pseudo-terminal (or a pipe), reading all of it; return the status, the
    output's last 2000 characters, standard error, and the process's peak resident memory in MiB."""
    leader, follower = pty.openpty()
    process = subprocess.Popen([str(KG), *map(str, args)], stdin=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               stdout=follower if terminal else subprocess.PIPE)
    os.close(follower)
    tail = b""
    source = leader if terminal else process.stdout.fileno()
    while True:
        try:
            chunk = os.read(source, 1 << 16)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        tail = (tail + chunk)[-4000:]
    os.close(leader)
    _, status, usage = os.wait4(process.pid, 0)
    err = process.stderr.read().decode()
    process.stderr.close()
    if process.stdout:
        process.stdout.close()
    return os.waitstatus_to_exitcode(status), tail.decode("utf-8", "replace")[-2000:], err, usage.ru_maxrss // 1024


def test_kg_query_on_a_terminal_stops_at_the_row_cap_and_says_so(spec):
    status, out, err, _ = measured(["query", "--store", spec, "-q", MILLION], terminal=True)
    assert status == 0, err
    assert f"{ROW_LIMIT} result(s)" in err and f"cut at the limit of {ROW_LIMIT}" in err
    more = f"SELECT ?n WHERE {{ VALUES ?a {{ {NUMBERS} }} VALUES ?b {{ 1 2 3 4 5 6 7 8 9 10 11 12 }} BIND(1 AS ?n) }}"
    status, out, err, _ = measured(["query", "--store", spec, "--format", "csv", "-q", more], terminal=False)
    assert status == 0 and "12000 result(s)" in err and "cut" not in err  # a pipe gets the whole answer


@pytest.mark.parametrize("fmt, terminal", [("table", True), ("csv", False)])
def test_a_million_rows_take_no_more_memory_than_one(spec, fmt, terminal):
    _, _, err, small = measured(["query", "--store", spec, "--format", fmt, "-q", "SELECT ?n { BIND(1 AS ?n) }"],
                                terminal=terminal)
    status, out, err, big = measured(["query", "--store", spec, "--format", fmt, "--limit", "2000000", "-q", MILLION],
                                     terminal=terminal)
    assert status == 0 and "1000000 result(s)" in err, err
    assert big - small < MORE_MEMORY, f"{big} MiB for a million rows, {small} MiB for one"


def memory(pid: int, field: str) -> int:
    """A /proc/PID/status field (VmRSS, VmHWM) in MiB."""
    with open(f"/proc/{pid}/status") as status:
        return int(re.search(rf"^{field}:\s+(\d+) kB", status.read(), re.M).group(1)) // 1024


def test_the_shell_streams_caps_and_lets_go_on_ctrl_c(spec, tmp_path):
    shell = Terminal(tmp_path, "--store", spec)
    try:
        shell.prompt(timeout=SOON * 2)
        before = memory(shell.process.pid, "VmRSS")
        out = shell.run(MILLION, end=ESC_ENTER)
        assert f"({ROW_LIMIT} rows, cut at the limit of {ROW_LIMIT})" in out
        assert "limit: 2000000 rows" in shell.command(".limit 2000000", until="limit: .*")
        shell.send(MILLION + ESC_ENTER)
        shell.expect(r"\?n\n--\n(1\n){1000}", timeout=SOON)  # streaming: rows show long before the end
        shell.send(CTRL_C)
        shell.expect("cancelled", timeout=SOON)
        shell.prompt(timeout=SOON)
        assert memory(shell.process.pid, "VmHWM") - before < MORE_MEMORY
        assert "(1 row)" in shell.run("SELECT * WHERE { BIND(1 AS ?x) }", end=ESC_ENTER)
    finally:
        shell.close()
