"""The servers the HTTP benchmark compares: how each starts, where it answers, and what its processes use.

A contender is started as a subprocess in its own session, so every process it forks or spawns (server
workers, query workers) is found again by walking /proc from its first process, for memory and CPU seconds.
Memory is summed two ways: RSS counts a page in every process that maps it (the interpreter's and the
engine's library code, and what a forked process still shares with its parent), PSS splits it between them.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

BIN = Path(sys.executable).parent
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Contender:
    """One server configuration: a name, its command line, and its query and constant paths."""

    name: str
    kind: str  # "kg", "oxigraph" or "rdflib"
    storage: str  # "disk" or "memory": which oxigraph serve it is compared with
    command: list[str]
    env: dict[str, str] = field(default_factory=dict)
    query_path: str = "/sparql"
    constant_path: str = "/"
    load_nquads: Path | None = None  # data POSTed to /store once it answers (oxigraph serve in memory)
    note: str = ""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# The peers stop no query, so kg serve's time limit (10 s as shipped) is raised: at 10M the aggregate of the
# mix runs past 10 s, and a 503 is no figure to compare with an answer.
KG_TIME_LIMIT = "3600"


def kg_contenders(store: Path, home: Path, options: list[tuple[str, list[str], dict, str]]) -> list[Contender]:
    """`kg serve` on the prepared store, once per option: (name, extra arguments, environment, storage)."""
    made = []
    for name, arguments, env, storage in options:
        command = [str(BIN / "kg"), "serve", "--store", f"oxigraph:{store}", "--host", "127.0.0.1",
                   "--port", "{port}", *arguments]
        made.append(Contender(name=name, kind="kg", storage=storage, command=command, constant_path="/healthz",
                              env={"SAHEL_KG_HOME": str(home), "SAHEL_KG_INSTALL_ARTICLE": "false",
                                   "SAHEL_KG_QUERY_TIMEOUT": KG_TIME_LIMIT, **env},
                              note=" ".join(arguments + [f"{k}={v}" for k, v in env.items()])))
    return made


def oxigraph_contenders(disk_copy: Path, dump: Path, union: bool) -> list[Contender]:
    """`oxigraph serve` on its own copy of the store, and in memory with the same quads POSTed to it."""
    flags = ["--union-default-graph"] if union else []
    binary = str(BIN / "oxigraph")
    return [
        Contender(name="oxigraph serve (disk)", kind="oxigraph", storage="disk", query_path="/query",
                  command=[binary, "serve", "--location", str(disk_copy), "--bind", "127.0.0.1:{port}", *flags],
                  note=" ".join(flags)),
        Contender(name="oxigraph serve (memory)", kind="oxigraph", storage="memory", query_path="/query",
                  command=[binary, "serve", "--bind", "127.0.0.1:{port}", *flags], load_nquads=dump,
                  note=" ".join(flags)),
    ]


def rdflib_contender(store: Path, work: Path) -> Contender:
    """rdflib-endpoint on the store's named graphs, written out as N-Quads: the same data the others serve,
    its default graph being their union as theirs is."""
    import pyoxigraph as ox

    data, reader = work / "named-graphs.nq", ox.Store.read_only(str(store))
    ox.serialize((quad for quad in reader if not isinstance(quad.graph_name, ox.DefaultGraph)), str(data),
                 ox.RdfFormat.N_QUADS)
    return Contender(name="rdflib-endpoint", kind="rdflib", storage="memory", query_path="/",
                     note="its endpoint is / and GET / without a query is its service description",
                     command=[str(BIN / "rdflib-endpoint"), "serve", str(data), "--host", "127.0.0.1",
                              "--port", "{port}"])


class Running:
    """A started contender: its process, base URL and log; measures its process tree."""

    def __init__(self, contender: Contender, workdir: Path):
        self.contender = contender
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = workdir / f"{contender.name.replace(' ', '_').replace('/', '_')}.log"
        command = [part.replace("{port}", str(self.port)) for part in contender.command]
        env = {key: value for key, value in os.environ.items() if not key.startswith("SAHEL_KG_")}
        env.update(contender.env)
        started = time.perf_counter()
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            env=env, cwd=workdir, start_new_session=True)
        self._wait_until_answers()
        self.startup_seconds = time.perf_counter() - started
        self.load_seconds = 0.0
        if contender.load_nquads is not None:
            began = time.perf_counter()
            self._post_store(contender.load_nquads)
            self.load_seconds = time.perf_counter() - began
        self.peak_rss_mb = self.peak_pss_mb = 0.0
        self.memory_mb()

    @property
    def query_url(self) -> str:
        return self.base + self.contender.query_path

    def _wait_until_answers(self, seconds: float = 300) -> None:
        probe = self.query_url + "?" + urllib.parse.urlencode({"query": "ASK {}"})
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.contender.name} exited:\n{self.log.read_text(errors='replace')[-3000:]}")
            try:
                with urllib.request.urlopen(probe, timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            time.sleep(0.05)
        raise RuntimeError(f"{self.contender.name} did not answer in {seconds}s")

    def _post_store(self, path: Path) -> None:
        with open(path, "rb") as body:
            request = urllib.request.Request(self.base + "/store", data=body, method="POST",
                                             headers={"Content-Type": "application/n-quads",
                                                      "Content-Length": str(path.stat().st_size)})
            with urllib.request.urlopen(request, timeout=3600) as response:
                if response.status >= 300:
                    raise RuntimeError(f"loading {self.contender.name} failed: {response.status}")

    def pids(self) -> list[int]:
        """This contender's first process and all its descendants."""
        children: dict[int, list[int]] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                stat = _stat(int(entry))
                if stat:
                    children.setdefault(int(stat[3]), []).append(int(entry))
        found, todo = [], [self.process.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            todo.extend(children.get(pid, []))
        return found

    def cpu_seconds(self) -> float:
        """User+system CPU of the live processes, with what their reaped children used."""
        total = 0
        for pid in self.pids():
            stat = _stat(pid)
            if stat:
                total += sum(int(stat[i]) for i in (13, 14, 15, 16))
        return total / TICKS

    def memory_mb(self) -> tuple[float, float]:
        """(RSS, PSS) of all its processes now, in MB; each also kept as the peak seen."""
        rss, pss = memory_mb(self.pids())
        self.peak_rss_mb, self.peak_pss_mb = max(self.peak_rss_mb, rss), max(self.peak_pss_mb, pss)
        return rss, pss

    def processes(self) -> int:
        return len(self.pids())

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()


def _stat(pid: int) -> list[str] | None:
    """Fields of /proc/PID/stat after the command name (so index 3 is the parent's pid)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            text = handle.read()
    except OSError:
        return None
    return ["", ""] + text[text.rindex(")") + 2:].split()


def memory_mb(pids) -> tuple[float, float]:
    """(RSS, PSS) summed over the processes `pids`, in MB, from /proc/PID/smaps_rollup (a process gone by
    then counts nothing)."""
    rss = pss = 0
    for pid in pids:
        found = _rollup_kb(pid)
        rss, pss = rss + found.get("Rss", 0), pss + found.get("Pss", 0)
    return rss / 1024, pss / 1024


def _rollup_kb(pid: int) -> dict[str, int]:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            return {parts[0].rstrip(":"): int(parts[1]) for parts in map(str.split, handle)
                    if len(parts) == 3 and parts[2] == "kB"}
    except OSError:
        return {}
