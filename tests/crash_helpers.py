"""Kill a process writing an embedded store at chosen moments, and check each kill left all or nothing.

Shared by the crash tests: the writer is whatever `start(store_path)` runs (a loader script, `kg load`).
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from kg.store.oxigraph import OxigraphStore
from store_helpers import dataset_quads


def content(path: Path) -> set[str]:
    """Every quad of the dataset at `path` (its named graphs; the default graph must be their merge), read
    by a fresh OxigraphStore, as N-Quads text."""
    with OxigraphStore(path) as store:
        quads = {str(quad) for quad in dataset_quads(store)}
        assert store.count() == len(quads)
    return quads


def outcome(path: Path, before: set[str], added: int) -> str:
    """'nothing' if the store is as it was, 'everything' if it holds all of `added` more; fails otherwise."""
    after = content(path)
    if after == before:
        return "nothing"
    assert after > before and len(after) == len(before) + added, \
        f"the store was left with {len(after) - len(before)} of {added} new quads"
    return "everything"


def kill_at(moments: list[float], store: Path, copies: Path, start: Callable[[Path], subprocess.Popen],
            added: int) -> dict[float, str]:
    """For each moment: a copy of `store`, a writer started on it, SIGKILL after `moment` seconds.

    `start` returns once the writer has said it is about to write. Returns each moment's outcome;
    a writer that ended before its kill counts as finished and must have written everything.
    """
    before = content(store)
    outcomes = {}
    for number, moment in enumerate(moments):
        copy = copies / f"copy{number}"
        shutil.copytree(store, copy)
        process = start(copy)
        time.sleep(moment)
        finished = process.poll() is not None
        if not finished:
            process.send_signal(signal.SIGKILL)
        process.wait()
        outcomes[moment] = outcome(copy, before, added)
        if finished:
            assert outcomes[moment] == "everything", f"the writer ended with {process.returncode}"
            outcomes[moment] = "finished"
    return outcomes
