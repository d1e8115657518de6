"""kg.output_files as a user who is not root sees it: a read-only file is refused, as a shell's `>` refuses it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from kg import output_files

WRITE = """
import sys
sys.path.insert(0, sys.argv[1])
import output_files
from pathlib import Path
try:
    output_files.write_atomically(Path(sys.argv[2]), b"new")
except PermissionError as error:
    print("refused:", error.filename)
"""


def write_as_a_user(path: Path) -> str:
    """Run write_atomically on `path` as a user who is not root (nobody, where the tests run as root)."""
    if os.geteuid() != 0:
        try:
            output_files.write_atomically(path, b"new")
        except PermissionError as error:
            return f"refused: {error.filename}"
        return ""
    if not shutil.which("setpriv"):
        pytest.skip("setpriv (util-linux) is needed to write as another user")
    code = Path(tempfile.mkdtemp(prefix="output-files-"))
    try:
        code.chmod(0o755)
        shutil.copy(output_files.__file__, code / "output_files.py")
        done = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", sys.executable
                               if os.access(sys.executable, os.X_OK) else "/usr/bin/python3", "-c", WRITE,
                               str(code), str(path)], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()
    finally:
        shutil.rmtree(code)


def test_a_read_only_file_is_kept_and_the_write_refused():
    """The temporary file was renamed over a 0444 file that the user could not open to write (helper-87)."""
    folder = Path(tempfile.mkdtemp(prefix="read-only-"))
    try:
        folder.chmod(0o777)  # the user may make files here, as in their own folder
        target = folder / "answer.csv"
        target.write_bytes(b"old")
        target.chmod(0o444)
        if os.geteuid() == 0:
            os.chown(target, *_nobody())
        assert write_as_a_user(target) == f"refused: {target}"
        assert target.read_bytes() == b"old"
        target.chmod(0o644)
        assert write_as_a_user(target) == "" and target.read_bytes() == b"new"
    finally:
        shutil.rmtree(folder)


def _nobody() -> tuple[int, int]:
    import grp
    import pwd

    return pwd.getpwnam("nobody").pw_uid, grp.getgrnam("nogroup").gr_gid


def test_a_file_in_a_folder_that_takes_no_new_file_is_said_so(tmp_path):
    """/proc/version exists: "No such file or directory: /proc/version" said the opposite (the temporary file
    beside it could not be made)."""
    from build_fixtures import run_kg

    said = run_kg("query", "--store", "memory:", "-q", "ASK {}", "--format", "json", "-o", "/proc/version")
    assert said.exit_code == 1
    assert said.stderr == ("error: cannot write /proc/version: no file can be made in /proc to write it whole (No "
                           "such file or directory)\n" if os.geteuid() == 0 else  # else its mode refuses it first
                           "error: Permission denied: /proc/version\n")
    new = run_kg("query", "--store", "memory:", "-q", "ASK {}", "--format", "json", "-o",
                "/proc/sahel-kg-nothing")
    assert new.exit_code == 1
    assert new.stderr.startswith("error: cannot create /proc/sahel-kg-nothing: no file can be made in /proc to "
                                 "write it whole (")
    missing = run_kg("query", "--store", "memory:", "-q", "ASK {}", "-o", tmp_path / "nowhere" / "answer.json")
    assert missing.exit_code == 2 and f"there is no folder '{tmp_path / 'nowhere'}'" in missing.stderr
