"""click's own usage errors show an argument's byte that is not UTF-8 as kg's messages do (\\xff): they showed
U+FFFD where click wrote a file's name (format_filename, which loses the byte) and \\udcff where it wrote repr()."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from test_loading import kg

BYTE = "\udcff"  # how Python holds the byte 0xff of an argument that is not UTF-8


@pytest.mark.parametrize("args, said", [
    (["query", "-f", f"/nowhere/x{BYTE}y"], "'/nowhere/x\\xffy': No such file or directory"),
    (["query", f"--file=/nowhere/x{BYTE}y"], "'/nowhere/x\\xffy': No such file or directory"),
    (["query", f"-f/nowhere/x{BYTE}y"], "'/nowhere/x\\xffy': No such file or directory"),
    (["load", f"/nowhere/x{BYTE}y"], "File '/nowhere/x\\xffy' does not exist."),
    (["validate", f"/nowhere/x{BYTE}"], "File '/nowhere/x\\xff' does not exist."),
    (["build", "--claims", f"/nowhere/x{BYTE}"], "Path '/nowhere/x\\xff' does not exist."),
    (["query", "--format", f"x{BYTE}", "ASK {}"], "'x\\xff' is not one of 'table'"),
    (["query", "--limit", f"1{BYTE}", "ASK {}"], "'1\\xff' is not a valid integer range"),
    (["query", "--timeout", f"x{BYTE}", "ASK {}"], "not 'x\\xff'"),
    ([f"quer{BYTE}"], "No such command 'quer\\xff'"),
    (["query", f"--bogus{BYTE}"], "No such option '--bogus\\xff'"),
])
def test_clicks_messages_show_a_byte_that_is_not_utf8_as_kg_does(args, said):
    done = kg(*args)
    assert done.exit_code == 2, done.output
    assert said in done.stderr and "\ufffd" not in done.stderr and "\\udc" not in done.stderr, done.stderr


def test_a_file_name_that_is_not_utf8_in_a_real_command_line(tmp_path):
    """The bytes of a real argv, as a shell passes them (`kg load /tmp/x$'\\xff'y`)."""
    kg_script = Path(sys.executable).parent / "kg"
    done = subprocess.run([os.fsencode(kg_script), b"load", os.fsencode(tmp_path) + b"/x\xffy"], capture_output=True,
                          env={**os.environ, "SAHEL_KG_HOME": str(tmp_path / "home")}, timeout=120)
    assert done.returncode == 2 and f"File '{tmp_path}/x\\xffy' does not exist.".encode() in done.stderr, done.stderr
    assert "\ufffd".encode() not in done.stderr
