"""A store's path that cannot hold one, said in words, with nothing made: a file or a link to nothing on the way, a
read-only folder, and a large write whose copy beside the store cannot be made."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import StoreUnavailable
from kg.store.oxigraph import OxigraphStore
from test_failed_first_write import kg, tree

EX = "http://example.org/store-paths/"


@pytest.fixture
def good_file(tmp_path):
    path = tmp_path / "good.nq"
    path.write_text(f"<{EX}s> <{EX}p> <{EX}o> <{EX}g> .\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("through, said", [
    ("good.nq", "good.nq is a file, not a folder, and the store's path"),
    ("gone", "gone is a symbolic link to"),
])
def test_a_file_or_a_link_to_nothing_on_the_stores_path_is_said(tmp_path, good_file, through, said):
    (tmp_path / "gone").symlink_to(tmp_path / "nowhere")
    before = tree(tmp_path)
    done = kg("load", good_file, "--store", f"oxigraph:{tmp_path / through / 'a' / 'store'}")
    assert done.exit_code == 1 and said in done.output and "File exists" not in done.output, done.output
    assert tree(tmp_path) == before


def test_a_store_path_that_is_a_link_to_nothing_is_said_as_one(tmp_path, good_file):
    (tmp_path / "store").symlink_to(tmp_path / "nowhere" / "store")
    done = kg("load", good_file, "--store", f"oxigraph:{tmp_path / 'store'}")
    assert done.exit_code == 1 and "is a symbolic link to" in done.output and "which is not there" in done.output
    assert "is a file" not in done.output


def test_a_large_write_whose_copy_cannot_be_made_says_where_and_writes_nothing(tmp_path):
    path = tmp_path / "store"
    with OxigraphStore(path) as store:
        store.update(f"INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}s> <{EX}p> 1 }} }}")
        (tmp_path / ".store.staging.tmp").write_text("in the way")  # where the engine makes its checkpoint
        quads = [ox.Quad(ox.NamedNode(f"{EX}s"), ox.NamedNode(f"{EX}p"), ox.Literal(n), ox.NamedNode(f"{EX}g"))
                 for n in range(2, 5)]
        with pytest.raises(StoreUnavailable, match="the copy of the store that a large write goes through") as raised:
            store.extend(quads, large=True)
        assert f"the folder {tmp_path} must be writable; nothing was written" in str(raised.value)
        assert store.count() == 1


ROOT_PASSES = os.geteuid() == 0 and not shutil.which("setpriv")


def kg_without_override(*args) -> subprocess.CompletedProcess:
    """`kg ARGS` in a process that permission bits bind (root passes them: run it without the capability that lets
    it), the article not installed."""
    as_user = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search,-fowner"] if os.geteuid() == 0 else []
    return subprocess.run([*as_user, str(Path(sys.executable).parent / "kg"), *map(str, args)], capture_output=True,
                          text=True, timeout=300, env={**os.environ, "SAHEL_KG_INSTALL_ARTICLE": "false"})


@pytest.mark.skipif(ROOT_PASSES, reason="root writes anywhere without setpriv")
@pytest.mark.parametrize("store, said", [
    ("a/store", "cannot make the folders above the store at {folder}/a/store: Permission denied"),
    ("empty", "cannot take the writer's lock of the store at {folder}/empty (Permission denied: {folder}/.empty.lock): "
              "its lock, version and read views sit beside it, so the folder {folder} (and the lock file, if there) "
              "must be writable"),
])
def test_a_read_only_folder_above_a_new_store_is_said_and_nothing_is_made(tmp_path, good_file, store, said):
    folder = tmp_path / "read-only"
    (folder / "empty").mkdir(parents=True)
    before = tree(tmp_path)
    folder.chmod(0o555)
    try:
        done = kg_without_override("load", good_file, "--store", f"oxigraph:{folder / store}")
    finally:
        folder.chmod(0o755)
    assert done.returncode == 1, done.stderr
    assert said.format(folder=folder) in done.stderr and "Traceback" not in done.stderr
    assert tree(tmp_path) == before


@pytest.mark.skipif(ROOT_PASSES, reason="root writes anywhere without setpriv")
def test_a_read_only_store_is_refused_to_writers_in_words_and_read_by_readers(tmp_path, good_file):
    path = tmp_path / "store"
    assert kg("load", good_file, "--store", f"oxigraph:{path}").exit_code == 0
    path.chmod(0o555)
    try:
        written = kg_without_override("load", good_file, "--store", f"oxigraph:{path}")
        read = kg_without_override("query", "--format", "csv", "-q", "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }",
                                   "--store", f"oxigraph:{path}")
    finally:
        path.chmod(0o755)
    assert written.returncode == 1 and "Permission denied; a writer needs its directory and files writable (readers, " \
        "such as kg query, do not)" in written.stderr, written.stderr
    assert read.returncode == 0 and read.stdout.splitlines()[1] != "0", read.stderr


def kg_at_home(home, *args, as_user: bool = False) -> subprocess.CompletedProcess:
    """`kg ARGS` with SAHEL_KG_HOME at `home`, where the default store is made on first use (as_user: see
    kg_without_override)."""
    drop = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search,-fowner"] if as_user and os.geteuid() == 0 \
        else []
    environment = {key: value for key, value in os.environ.items() if not key.startswith("SAHEL_KG_")}
    return subprocess.run([*drop, str(Path(sys.executable).parent / "kg"), *map(str, args)], capture_output=True,
                          text=True, timeout=300, env={**environment, "SAHEL_KG_HOME": str(home)})


@pytest.mark.parametrize("command", [["query", "ASK {}"], ["info"], ["search", "mali"], ["export", "-o", "-"]])
def test_a_home_that_is_a_file_is_said_so_by_readers_too(tmp_path, command):
    """Readers said 'there is no store at HOME/store' where the first use could not make it (helper-199)."""
    home = tmp_path / "home"
    home.write_text("not a folder")
    done = kg_at_home(home, *command)
    assert done.returncode == 1 and f"{home} is a file, not a folder" in done.stderr, done.stderr
    assert "there is no store" not in done.stderr


@pytest.mark.skipif(ROOT_PASSES, reason="root writes anywhere without setpriv")
def test_a_read_only_home_is_said_so_by_readers_too(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    home.chmod(0o555)
    try:
        done = kg_at_home(home, "query", "ASK {}", as_user=True)
    finally:
        home.chmod(0o755)
    assert done.returncode == 1 and "Permission denied" in done.stderr and "there is no store" not in done.stderr, \
        done.stderr
