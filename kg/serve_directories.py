"""The directories `kg serve`'s processes share: where they keep their metrics and the clients' budgets. One
it makes is marked with its process id, so that a later `kg serve` removes those of one that died."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

METRICS_DIR = "PROMETHEUS_MULTIPROC_DIR"


def metrics_directory() -> tuple[Path, bool]:
    """Where the server processes keep their metrics (prometheus_client's multiprocess mode), emptied of a
    previous run's files, and whether we made it (and so remove it at the end)."""
    given = os.environ.get(METRICS_DIR)
    if not given:
        made = temporary_directory("sahel-kg-metrics-")
        os.environ[METRICS_DIR] = str(made)
        return made, True
    folder = Path(given)
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):  # counts of a previous run would be added to this one's
        stale.unlink()
    return folder, False


def run_directory(config: dict) -> tuple[Path, bool]:
    """The directory the server processes share (RUN_DIRECTORY: the clients' budgets), and whether we made
    it: the one the settings name, without a previous run's budgets (their clock may be another boot's),
    else a fresh temporary one."""
    from kg.settings import resolve

    given = resolve(config)["RUN_DIRECTORY"]
    if not given:
        return temporary_directory("sahel-kg-run-"), True
    folder = Path(given)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    for stale in folder.glob("budgets.sqlite3*"):
        stale.unlink()
    return folder, False


OWNER = "owner.pid"  # in a temporary directory we made: the id of the `kg serve` that removes it when it stops


def temporary_directory(prefix: str) -> Path:
    """A new directory under the system's temporary one, marked as ours; first, the directories of this
    prefix whose `kg serve` died without removing them (killed with SIGKILL, say) are removed."""
    for found in Path(tempfile.gettempdir()).glob(f"{prefix}*"):
        try:
            owner = int((found / OWNER).read_text(encoding="ascii"))
        except (OSError, ValueError):  # not marked (another tool's, an older kg's, or one being made): kept
            continue
        if not _alive(owner):
            shutil.rmtree(found, ignore_errors=True)
    made = Path(tempfile.mkdtemp(prefix=prefix))
    (made / OWNER).write_text(str(os.getpid()), encoding="ascii")
    return made


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        pass
    return True
