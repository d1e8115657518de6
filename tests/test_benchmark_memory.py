"""The serving benchmark's memory sums: RSS counts a page shared by two processes in each, PSS once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import contenders  # noqa: E402

SHARED_MIB = 64

# Touches SHARED_MIB MiB, then forks: until either writes to them, the pages are one copy mapped by two processes.
_FORKED = f"""
import os, sys
buffer = bytearray({SHARED_MIB} << 20)
for at in range(0, len(buffer), 4096):
    buffer[at] = 1
child = os.fork()
os.write(1, b"%d\\n" % os.getpid())  # one write each: two prints may interleave
sys.stdin.read()
"""


def test_pages_a_forked_process_shares_count_in_each_rss_and_once_in_the_pss():
    parent = subprocess.Popen([sys.executable, "-c", _FORKED], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True)
    try:
        pids = sorted({int(parent.stdout.readline()), int(parent.stdout.readline())})  # both are ready
        assert parent.pid in pids and len(pids) == 2
        rss, pss = contenders.memory_mb(pids)
        assert rss - pss >= SHARED_MIB * 3 / 4  # the buffer counted twice in RSS, once in PSS (a few pages aside)
    finally:
        parent.stdin.close()
        parent.wait()
