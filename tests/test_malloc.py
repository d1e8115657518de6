"""The malloc `kg serve` and its query workers run with (MALLOC, kg.allocator): jemalloc preloaded where
installed, the C library's on request, a bad value refused at start-up, and freed memory given back on either."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from ctypes.util import find_library
from pathlib import Path

import pytest

import api
from kg import allocator
from kg.errors import ConfigError
from kg.settings import resolve
from live_server import family, kg_server
from servers import missing_service

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="preloading is LD_PRELOAD's (Linux)")
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@pytest.fixture
def jemalloc() -> str:
    found = find_library("jemalloc")
    if found is None:
        missing_service("jemalloc (Debian: libjemalloc2)")
    return found


def mapped_libraries(pid: int) -> str:
    return Path(f"/proc/{pid}/maps").read_text()


def worker_maps(tmp_path, malloc: str) -> str:
    """The memory map of a query worker of a fresh app with MALLOC=`malloc`, once it has answered."""
    app = api.create_app({"STORE": f"oxigraph:{tmp_path / 'store'}", "INSTALL_ARTICLE": False,
                          "ACCESS_LOG": None, "MALLOC": malloc})
    try:
        response = app.test_client().get("/sparql", query_string={"query": COUNT},
                                         headers={"Accept": "application/sparql-results+json"})
        assert response.status_code == 200 and json.loads(response.data)["results"]["bindings"]
        (process,) = app.extensions["sahel-kg"].runner._processes
        return mapped_libraries(process.pid)
    finally:
        app.extensions["sahel-kg"].close()


@pytest.mark.parametrize("malloc", ["auto", "jemalloc", "JEMALLOC"])
def test_workers_run_on_jemalloc_by_default_and_when_asked(tmp_path, jemalloc, malloc):
    assert "libjemalloc" in worker_maps(tmp_path, malloc)


def test_workers_run_on_the_c_librarys_malloc_when_asked(tmp_path, jemalloc):
    assert "libjemalloc" not in worker_maps(tmp_path, "system")


def test_a_library_named_by_path_is_the_one_preloaded(tmp_path, jemalloc):
    path = next(line.split()[-1] for line in mapped_libraries_of(jemalloc).splitlines() if "libjemalloc" in line)
    assert path in worker_maps(tmp_path, path)


@pytest.mark.parametrize("malloc, preloaded", [("auto", True), ("system", False)])
def test_every_process_of_kg_serve_runs_on_the_malloc_chosen(tmp_path, jemalloc, malloc, preloaded):
    """The supervisor, the server processes (two here) and their query workers: jemalloc is preloaded into the
    supervisor `kg serve` execs, and inherited."""
    with kg_server(tmp_path, workers=2, env={"SAHEL_KG_MALLOC": malloc, "SAHEL_KG_INSTALL_ARTICLE": "false"}) as url:
        for _ in range(4):  # queries that a query worker answers, so that the workers have started
            assert http_get(url + "/sparql?query=SELECT%20%2A%20%7B%20BIND%281%20AS%20%3Fx%29%20%7D") == 200
        processes = family(url.pid)
        workers = [pid for pid in processes if "kg.worker" in Path(f"/proc/{pid}/cmdline").read_text()]
        assert len(processes) >= 4 and workers
        assert {"libjemalloc" in mapped_libraries(pid) for pid in processes} == {preloaded}


def http_get(url: str) -> int:
    import urllib.request

    with urllib.request.urlopen(url, timeout=60) as response:
        return response.status


def mapped_libraries_of(library: str) -> str:
    """The memory map of a Python process started with `library` preloaded."""
    return subprocess.run([sys.executable, "-c", "print(open('/proc/self/maps').read())"], capture_output=True,
                          text=True, check=True, env=allocator.environment(library)).stdout


@pytest.mark.parametrize("value", ["tcmalloc", "", "/no/such/libjemalloc.so", "libjemalloc.so.2", "/etc/hostname",
                                   "/tmp"])
def test_a_malloc_that_is_not_a_choice_or_a_file_is_refused_naming_the_setting(value):
    with pytest.raises(ConfigError, match="MALLOC") as raised:
        resolve({"MALLOC": value}, environ={})
    assert "auto, system, jemalloc" in str(raised.value)


def test_jemalloc_asked_for_where_none_is_installed_is_refused(monkeypatch):
    monkeypatch.setattr(allocator.ctypes.util, "find_library", lambda name: None)
    with pytest.raises(ConfigError, match="libjemalloc2"):
        allocator.preload("jemalloc")
    assert allocator.preload("auto") is None  # auto falls back to the C library's malloc


def test_a_preload_keeps_the_libraries_already_preloaded_and_adds_none_twice(monkeypatch):
    monkeypatch.setenv("LD_PRELOAD", "libother.so")
    assert allocator.environment("libjemalloc.so.2")["LD_PRELOAD"] == "libjemalloc.so.2 libother.so"
    monkeypatch.setenv("LD_PRELOAD", "libother.so:libjemalloc.so.2")
    assert allocator.environment("libjemalloc.so.2")["LD_PRELOAD"] == "libother.so:libjemalloc.so.2"
    assert allocator.environment(None) is None


# 200 MiB in 64 KiB blocks (below glibc's mmap threshold: kept in its heap), freed under a block still held (so
# that the heap's top is not free and glibc trims nothing by itself); then RSS before and after give_back, in MiB
_FREED_THEN_GIVEN_BACK = """
from kg import allocator
def rss():
    return next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmRSS')) // 1024
blocks = [bytearray(1 << 16) for _ in range(3200)]
held = bytearray(1 << 16)
del blocks
before = rss()
assert allocator.give_back()
print(before, rss())
"""


@pytest.mark.parametrize("malloc", ["jemalloc", "system"])
def test_freed_memory_is_given_back_on_either_malloc(jemalloc, malloc):
    library = allocator.preload(malloc)
    # jemalloc left to itself also returns freed pages, over some seconds (its decay): off here, so that the
    # pages go back by give_back alone
    env = dict(allocator.environment(library) or os.environ, MALLOC_CONF="dirty_decay_ms:-1,muzzy_decay_ms:-1")
    done = subprocess.run([sys.executable, "-c", _FREED_THEN_GIVEN_BACK], capture_output=True, text=True,
                          env=env, cwd=Path(__file__).parents[1])
    assert done.returncode == 0, done.stderr
    before, after = map(int, done.stdout.split())
    assert before > 200 and after < before - 150


def test_a_library_that_is_not_a_malloc_or_cannot_be_preloaded_is_refused(tmp_path):
    """ELF files all: a library that defines no malloc (a Python extension module) would be preloaded for nothing,
    an executable the loader skips, with a line on the standard error of every process."""
    import _ctypes

    for path, words in [(_ctypes.__file__, "is not a malloc"), (os.path.realpath(sys.executable), "cannot be preloaded")]:
        with pytest.raises(ConfigError, match=words):
            allocator.preload(allocator.choice(path))


def test_a_library_path_is_made_absolute_and_may_not_hold_what_ld_preload_splits_at(tmp_path, monkeypatch, jemalloc):
    path = next(line.split()[-1] for line in mapped_libraries_of(jemalloc).splitlines() if "libjemalloc" in line)
    spaced = tmp_path / "a b" / "libjemalloc.so"
    spaced.parent.mkdir()
    spaced.write_bytes(Path(path).read_bytes())
    with pytest.raises(ConfigError, match="spaces and colons"):
        resolve({"MALLOC": str(spaced)}, environ={})
    monkeypatch.chdir(spaced.parents[1])
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "libjemalloc.so").write_bytes(Path(path).read_bytes())
    assert resolve({"MALLOC": "lib/libjemalloc.so"}, environ={})["MALLOC"] == str(tmp_path / "lib" / "libjemalloc.so")


def test_kg_serve_refuses_a_malloc_it_cannot_preload_before_it_announces_or_makes_anything(tmp_path):
    """jemalloc asked for where none is installed (as the loader would find none: hidden here): one line of
    error, and no temporary directory left behind."""
    hiding = tmp_path / "hiding"
    hiding.mkdir()
    (hiding / "sitecustomize.py").write_text("import ctypes.util\nctypes.util.find_library = lambda name: None\n")
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = dict(os.environ, PYTHONPATH=str(hiding), TMPDIR=str(temporary), SAHEL_KG_MALLOC="jemalloc",
               SAHEL_KG_HOME=str(tmp_path / "home"), SAHEL_KG_INSTALL_ARTICLE="false")
    done = subprocess.run([str(Path(sys.executable).parent / "kg"), "serve", "--port", "7", "--store", "memory:"],
                          capture_output=True, text=True, env=env, cwd=Path(__file__).parents[1], timeout=120)
    assert done.returncode != 0
    assert done.stderr.strip().splitlines() == [
        "error: MALLOC=jemalloc, but no jemalloc library is installed (Debian: libjemalloc2)"]
    assert not list(temporary.iterdir())


class Replaced(BaseException):
    """What os.execve does here in place of replacing the test's process."""


@pytest.fixture
def load_command(tmp_path, monkeypatch):
    """A `kg load` of a one-triple file into an embedded store, with every input counted as large; os.execve
    records its arguments. Gives (run, calls): run(*extra options) invokes the command in this process."""
    from click.testing import CliRunner

    from kg import cli_load
    from kg.cli import main

    data = tmp_path / "data.nt"
    data.write_text('<http://example.org/s> <http://example.org/p> "o" .\n')
    monkeypatch.setattr(cli_load, "PRELOAD_BYTES", 1)
    monkeypatch.setenv("SAHEL_KG_INSTALL_ARTICLE", "false")
    monkeypatch.delenv("LD_PRELOAD", raising=False)
    calls = []

    def execve(path, argv, env):
        calls.append((path, argv, env))
        raise Replaced

    monkeypatch.setattr(os, "execve", execve)

    def run(*options, files=(str(data),), store=f"oxigraph:{tmp_path / 'store'}", stdin=None):
        command = ["load", *files, "--store", store, "--no-progress", *options]
        monkeypatch.setattr(sys, "argv", [str(Path(sys.executable).parent / "kg"), *command])
        return CliRunner().invoke(main, command, input=stdin)
    return run, calls


def test_a_large_load_into_an_embedded_store_runs_again_on_jemalloc(load_command, jemalloc, tmp_path):
    """The same command line, run again with jemalloc preloaded (the bulk loader spends a sixth of its CPU in
    glibc's malloc); that run loads, and does not start a third time."""
    run, calls = load_command
    with pytest.raises(Replaced):
        run()
    ((path, argv, env),) = calls
    assert path == sys.executable and argv[-6:] == sys.argv
    assert env["LD_PRELOAD"].split() == [jemalloc]
    done = subprocess.run(argv, env=dict(env, SAHEL_KG_HOME=str(tmp_path / "home")), capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[-1].startswith("loaded 1 file(s), 1 quads read")


@pytest.mark.parametrize("case", ["preloaded", "system", "small", "stdin", "memory store", "not Linux"])
def test_a_load_runs_on_in_this_process_where_a_second_start_would_gain_nothing(load_command, jemalloc, case,
                                                                                 monkeypatch):
    run, calls = load_command
    if case == "preloaded":  # that second start itself
        monkeypatch.setenv("LD_PRELOAD", jemalloc)
    if case == "system":
        monkeypatch.setenv("SAHEL_KG_MALLOC", "system")
    if case == "not Linux":  # where MALLOC=jemalloc would be refused: a load never asks
        monkeypatch.setenv("SAHEL_KG_MALLOC", "jemalloc")
        monkeypatch.setattr(sys, "platform", "darwin")
    if case == "small":
        from kg import cli_load

        monkeypatch.setattr(cli_load, "PRELOAD_BYTES", 1 << 20)
    options = {"stdin": {"files": ["-"], "stdin": '<http://example.org/s> <http://example.org/p> "o" .\n'},
               "memory store": {"store": "memory:"}}.get(case, {})
    extra = ("--format", "ntriples") if case == "stdin" else ()
    result = run(*extra, **options)
    assert result.exit_code == 0, result.output
    assert calls == []
