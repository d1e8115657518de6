"""CPU a request of each thread of a running server, under one wrk run: which thread pays for what.

Every process of the server's session (a `kg serve` started with setsid, or any server: its session id is its
first process's id) is read from /proc before and after wrk; each thread's user and system time is divided by
the requests wrk got answered. Names are the kernel's (Python's threads are all "python": py-spy dump names
them by id). Nothing here is a test.

    python benchmarks/thread_cpu.py --session 5044 --url http://127.0.0.1:8000 --script lookup.lua
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import subprocess

TICK_US = 1e6 / os.sysconf("SC_CLK_TCK")


def threads(session: int) -> dict[tuple[str, str], tuple[str, int]]:
    """(pid, tid) -> (name, CPU ticks) of every thread of every process in `session`."""
    found = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as stat:
                if int(stat.read().rsplit(")", 1)[1].split()[3]) != session:  # field 6: the session id
                    continue
            for tid in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{tid}/stat") as stat:
                    text = stat.read()
                fields = text.rsplit(")", 1)[1].split()
                found[(pid, tid)] = (text[text.index("(") + 1:text.rindex(")")], int(fields[11]) + int(fields[12]))
        except (FileNotFoundError, ProcessLookupError):  # gone meanwhile
            continue
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--session", type=int, required=True, help="the server's session id")
    parser.add_argument("--url", required=True)
    parser.add_argument("--script", help="a wrk Lua script (mix.py writes the lookup's)")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    before = threads(args.session)
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.seconds}s", args.url]
    out = subprocess.run(command + (["-s", args.script] if args.script else []), capture_output=True, text=True,
                         check=True).stdout
    after = threads(args.session)
    answered = int(re.search(r"(\d+) requests in", out).group(1))
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    used = collections.Counter({key: ticks - before.get(key, (name, 0))[1] for key, (name, ticks) in after.items()})
    with open("/proc/loadavg") as load:
        print(f"{rate:,.0f} req/s, {answered} requests, {sum(used.values()) * TICK_US / answered:.0f} us of CPU a "
              f"request, load average {load.read().split()[0]}")
    for (pid, tid), ticks in used.most_common():
        if ticks:
            print(f"  pid {pid} thread {tid} ({after[(pid, tid)][0]}): {ticks * TICK_US / answered:.1f} us a request")


if __name__ == "__main__":
    main()
