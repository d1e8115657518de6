"""Inputs that end never or late, or hold an endless line: kg load stops with one line, never hangs or runs out."""

from __future__ import annotations

import contextlib
import gzip
import io
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.errors import ParseError
from kg.untrusted import character_column, undecodable

KG = Path(sys.executable).parent / "kg"
OK = b"<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n"
ENOUGH = 1 << 20  # far past any line end the search for a place needs, far below what a gzip bomb gives


class _Zeros(io.RawIOBase):
    """Endless NUL bytes after `head`, as a gzip of zeros gives; reading past ENOUGH fails the test."""

    def __init__(self, head: bytes = b""):
        self.head, self.given = head, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        assert self.given < ENOUGH, "read on along an endless line"
        data = (self.head + bytes(len(buffer)))[:len(buffer)]
        self.head = self.head[len(data):]
        buffer[:len(data)] = data
        self.given += len(data)
        return len(data)


@pytest.mark.parametrize("place, said", [
    (lambda reader: undecodable(ParseError("Invalid UTF-8 here", line=1, column=4), reader),
     "1:4: not UTF-8: byte 0xff cannot be decoded"),
    (lambda reader: character_column(ParseError("Unexpected char", line=1, column=5), reader), "1:3: Unexpected char"),
], ids=["undecodable", "character column"])
def test_the_place_of_a_fault_on_an_endless_line_is_found_reading_a_little(place, said):
    """kg load of a gzip of 10 GB of zeros as JSON-LD read the whole line anew, in memory, to count its characters
    (2 GB of memory for 1 GB of zeros): only the bytes up to the fault are read now."""
    assert str(place(io.BufferedReader(_Zeros("伦".encode() + b"\xff")))) == said


def kg(*args):
    """`kg` run in-process, as tests/test_loading.py runs it."""
    result = CliRunner().invoke(main, [str(arg) for arg in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def ended(run, release, *, within: float = 120):
    """What `run()` gave, run in a thread; if it has not ended `within` seconds (it hangs: no machine is that slow),
    `release()` lets it end and the test fails."""
    results = []
    running = threading.Thread(target=lambda: results.append(run()), daemon=True)
    running.start()
    running.join(timeout=within)
    hung = running.is_alive()
    if hung:
        release()
        running.join(timeout=within)
    assert not hung, f"still running after {within} s: {results}"
    return results[0]


def _write_soon(fifo: Path, data: bytes) -> None:
    """`data` written to the FIFO by a thread, once a reader opens it; a reader gone first is no fault here."""
    def write():
        with contextlib.suppress(OSError):
            fifo.write_bytes(data)
    threading.Thread(target=write, daemon=True).start()


def _open_and_close(fifo: Path) -> None:
    """A writer that comes and goes at once: a reader waiting at the FIFO's opening, or on its data, goes on."""
    os.close(os.open(fifo, os.O_WRONLY))


@pytest.fixture
def store(tmp_path) -> str:
    return f"oxigraph:{tmp_path / 'store'}"


@pytest.fixture
def fifo(tmp_path) -> Path:
    path = tmp_path / "held.nt"
    os.mkfifo(path)
    return path


def test_a_fifo_named_twice_is_refused_before_either_is_read(fifo, store):
    """Its second opening waited for a second writer, for good; `- -` was refused already."""
    _write_soon(fifo, OK)
    result = ended(lambda: kg("load", fifo, fifo, "--store", store), lambda: _open_and_close(fifo))
    assert result.exit_code == 2 and "is named twice: it is no regular file" in result.output, result.output


@pytest.mark.parametrize("again", ["/dev/stdin", "/proc/self/fd/0"])
def test_standard_input_named_again_by_another_name_is_refused(store, again):
    """`cat a.nt | kg load - /dev/stdin` read the pipe through its second name as an empty file, and recorded it."""
    done = subprocess.run([KG, "load", "-", again, "--format", "ntriples", "--store", store], input=OK,
                          capture_output=True, timeout=120)
    said = done.stderr.decode()
    assert done.returncode == 2 and f"{again} is named twice (as -): it is no regular file" in said, said


@pytest.mark.parametrize("writer", ["none", "silent"])
def test_a_fifo_that_gives_nothing_is_stopped_at_the_timeout(fifo, store, writer):
    """--timeout bounded the parsing, but not the wait at a FIFO's opening for a writer, nor a read from one that
    neither writes nor closes."""
    held = os.open(fifo, os.O_RDWR) if writer == "silent" else None  # a writer held open: reads wait on it
    try:
        result = ended(lambda: kg("load", fifo, "--format", "ntriples", "--timeout", "1", "--store", store),
                       lambda: _open_and_close(fifo) if held is None else os.write(held, b"\n"))
    finally:
        if held is not None:
            os.close(held)
    assert result.exit_code == 1, result.output
    assert "reading took more than 1s: no more data came" in result.output and "nothing was loaded" in result.output


def test_standard_input_that_never_ends_is_stopped_at_the_timeout(store):
    """kg load - copies standard input first, and that copy waited on a pipe that never closes, past --timeout."""
    with subprocess.Popen([KG, "load", "-", "--format", "ntriples", "--timeout", "1", "--store", store],
                          stdin=subprocess.PIPE, stderr=subprocess.PIPE) as loading:
        def release():
            loading.stdin.close()
        status = ended(loading.wait, release)
        said = loading.stderr.read().decode()
    assert status == 1 and "standard input: reading took more than 1s" in said, said


def test_standard_input_past_max_bytes_is_refused_as_it_is_copied(store):
    """The copy of standard input ignored --max-bytes: `kg load - --max-bytes 1M < /dev/zero` filled the disk."""
    with subprocess.Popen([KG, "load", "-", "--format", "ntriples", "--max-bytes", "1M", "--store", store],
                          stdin=subprocess.PIPE, stderr=subprocess.PIPE) as loading:
        def feed():  # bounded, so that the copy without the limit ends too (at a parse error)
            with contextlib.suppress(BrokenPipeError):
                for _ in range(64):
                    loading.stdin.write(bytes(1 << 20))
            with contextlib.suppress(BrokenPipeError):
                loading.stdin.close()
        threading.Thread(target=feed, daemon=True).start()
        status = ended(loading.wait, loading.kill)
        said = loading.stderr.read().decode()
    assert status == 1 and said == "error: standard input: the data is over 1048576 bytes; nothing was loaded\n", said


@pytest.mark.parametrize("given", ["table", "mapping"])
def test_kg_events_load_refuses_a_table_or_mapping_that_is_no_regular_file(fifo, store, given):
    """Each is read several times (the checks, its digest, morph-kgc): a FIFO's second opening waited for good,
    and /dev/zero as the table was read whole into memory until the process died."""
    table = Path(__file__).parent / "fixtures" / "acled-style-events-FIXTURE.csv"
    source = table if given == "table" else Path(__file__).parents[1] / "kg" / "mappings" / "acled-events.rml.ttl"
    _write_soon(fifo, source.read_bytes())
    args = [fifo] if given == "table" else [table, "--mapping", fifo]
    result = ended(lambda: kg("events", "load", *args, "--store", store), lambda: _open_and_close(fifo))
    with contextlib.suppress(OSError):  # a writer still waiting for a reader is let go
        os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))
    assert result.exit_code == 1, result.output
    assert result.output == f"error: {fifo}: is no regular file (a FIFO, a pipe or a device), and is read more than " \
                            "once: save it to a file and give that; nothing was loaded\n"


@pytest.mark.parametrize("command", [["update", "-f", "/dev/zero"], ["validate", "/dev/zero"]])
def test_an_endless_input_held_whole_ends_in_one_line_when_memory_runs_out(store, command):
    """kg update -f and kg validate read their input whole: /dev/zero ran the process out of memory, which ended
    in a traceback. Here the memory is capped (1 GiB of address space past what the command starts with)."""
    def capped():
        resource.setrlimit(resource.RLIMIT_AS, (_address_space() + (1 << 30),) * 2)
    args = [*command, "--store", store] if command[0] == "update" else command
    few_arenas = {**os.environ, "MALLOC_ARENA_MAX": "2"}  # glibc's 64 MiB per thread would count against the cap
    done = subprocess.run([KG, *args], capture_output=True, text=True, preexec_fn=capped, env=few_arenas,
                          timeout=600, check=False)
    assert done.returncode == 1 and done.stderr.startswith("error: out of memory: ") and \
        done.stderr.count("\n") == 1, done.stderr


def _address_space() -> int:
    """The address space a Python that imported kg's command line holds, measured in a child of its own."""
    probe = "import resource, kg.cli, kg.validate, kg.console; print(open('/proc/self/statm').read().split()[0])"
    pages = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    return int(pages) * resource.getpagesize()


@pytest.mark.parametrize("name", ["twice.nt.gz", "twice.nt"])
def test_a_file_gzipped_twice_is_refused_saying_so(tmp_path, store, name):
    """One layer was unpacked, and the parser's words for the second were "'\\x1f' is not allowed at the beginning
    of a prefix name"."""
    packed = tmp_path / name
    packed.write_bytes(gzip.compress(gzip.compress(OK)))
    result = kg("load", packed, "--store", store)
    assert result.exit_code == 1 and result.output == f"error: {packed}: gzipped twice: unpack it once (gunzip), " \
                                                      "then load it\n", result.output


def test_the_copy_of_standard_input_stops_before_the_disk_fills(store, monkeypatch):
    """Standard input is copied whole before the load: `kg load - < /dev/zero` without --max-bytes filled the
    temporary folder's disk. Here the reserve it keeps free is more than any disk has."""
    monkeypatch.setattr("kg.waiting_input.DISK_RESERVE", 1 << 62)
    result = CliRunner().invoke(main, ["load", "-", "--format", "ntriples", "--store", store], input=OK)
    assert result.exit_code == 1 and "error: standard input: its copy would leave less than" in result.output \
        and "save it to a file and load that, or give --max-bytes; nothing was loaded" in result.output, result.output


def test_a_load_of_standard_input_killed_midway_leaves_no_copy_behind(tmp_path, store):
    """The copy of standard input was a named file in a folder of TMPDIR, which a kill (SIGTERM from `timeout`, or
    SIGKILL) left there: 17 GB of a `< /dev/zero` stopped by timeout. The copy has no name on disk now."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    with subprocess.Popen([KG, "load", "-", "--format", "ntriples", "--store", store], stdin=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, env={**os.environ, "TMPDIR": str(scratch)}) as loading:
        loading.stdin.write(OK)
        loading.stdin.flush()  # and left open: the copy waits for more
        deadline = time.monotonic() + 120
        # Python's first look at TMPDIR writes and removes a probe file of its own there: not the copy
        while not any(str(scratch) in target and ("kg-load-" in target or target.endswith(" (deleted)"))
                      for target in _open_files(loading.pid)):
            assert time.monotonic() < deadline, "the copy of standard input was never opened"
            time.sleep(0.01)  # until it is
        loading.kill()
    assert list(scratch.iterdir()) == []


def _open_files(pid: int) -> list[str]:
    """What the process's open files are (their links in /proc), skipping any that closes while looked at."""
    targets = []
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            targets.append(os.readlink(fd))
    return targets


@pytest.mark.parametrize("damage, said", [
    (lambda data: data.replace(b"FIX002,", b"FIX002,\x00", 1),
     ":3:8: byte 0x00 is a NUL, which no table's text holds: remove it and load the table again (nothing was loaded)"),
    (gzip.compress, ": is gzipped: unpack it (gunzip) and load the table (nothing was loaded)"),
], ids=["NUL", "gzipped"])
def test_kg_events_load_refuses_a_table_with_a_nul_or_gzipped_plainly(tmp_path, store, damage, said):
    """A NUL before a date made morph-kgc drop the date, and the event loaded without it, silently; a gzipped table
    was said to hold "byte 0x8B", which is not UTF-8 text."""
    table = tmp_path / "events.csv"
    table.write_bytes(damage((Path(__file__).parent / "fixtures" / "acled-style-events-FIXTURE.csv").read_bytes()))
    result = kg("events", "load", table, "--store", store)
    assert result.exit_code == 1 and result.output == f"error: {table}{said}\n", result.output


def test_kg_events_load_refuses_a_field_past_the_csv_limit_in_one_line(tmp_path, store):
    """A field of more than 131072 characters (csv's limit) ended the checks of the table in a traceback."""
    fixture = (Path(__file__).parent / "fixtures" / "acled-style-events-FIXTURE.csv").read_text(encoding="utf-8")
    header, first = fixture.splitlines()[:2]
    long_notes = first.split(",")
    long_notes[0], long_notes[header.split(",").index("notes")] = "LONG001", "x" * 200_000
    table = tmp_path / "events.csv"
    table.write_text(fixture.rstrip("\n") + "\n" + ",".join(long_notes) + "\n", encoding="utf-8")
    result = kg("events", "load", table, "--store", store)
    assert result.exit_code == 1 and result.output == f"error: {table}:{len(fixture.splitlines()) + 1}: cannot be " \
        "read as CSV: field larger than field limit (131072) (nothing was loaded)\n", result.output


@pytest.mark.parametrize("args, status, said", [
    (["query"], 2, "Error: no query: give it as QUERY"),
    (["update", "-f", "-"], 2, "Error: no update: give it as UPDATE"),
    (["load", "-", "--format", "ntriples"], 0, "standard input: 0 quads"),
], ids=["query", "update -f -", "load -"])
def test_a_closed_standard_input_reads_as_nothing(store, args, status, said):
    """`kg query <&-`: Python leaves sys.stdin None where fd 0 is closed, and each command ended in a traceback
    ("'NoneType' object has no attribute 'isatty'"). It reads as /dev/null does."""
    done = subprocess.run([KG, *args, "--store", store], capture_output=True, text=True, preexec_fn=lambda: os.close(0),
                          timeout=600, check=False)
    assert done.returncode == status and said in done.stderr and "Traceback" not in done.stderr, done.stderr


def test_a_file_removed_once_loaded_is_reported_as_loaded(tmp_path, store, monkeypatch):
    """Whether a file that gave no statements held any bytes was told from its size on disk after the load: one
    removed by then (a download's temporary file, say) made a committed load exit 1, "No such file or directory"."""
    from kg import loading

    data = tmp_path / "passing.nt"
    data.write_bytes(b"# only a comment: no statements, so the file's size was looked at\n")
    load_files = loading.load_files

    def then_removed(*args, **kwargs):
        report = load_files(*args, **kwargs)
        data.unlink()
        return report
    monkeypatch.setattr(loading, "load_files", then_removed)
    result = kg("load", data, "--store", store)
    assert result.exit_code == 0 and f"{data}: 0 quads" in result.output, result.output
    assert f"warning: {data} gave no statements" in result.output


def test_an_empty_file_is_warned_of_as_one_of_comments_alone_is(tmp_path, store):
    """An empty .ttl loaded with no word, where one holding a comment alone was warned of (helper-208)."""
    empty = tmp_path / "empty.ttl"
    empty.write_bytes(b"")
    result = kg("load", empty, "--graph", "http://example.org/empty", "--store", store)
    assert result.exit_code == 0 and f"warning: {empty} is empty: it gave no statements" in result.output


def test_a_file_that_cannot_be_read_is_named_in_its_error(store):
    """The look at a file's first bytes (is it gzip?) let a read error through bare: "error: Input/output error",
    naming no file. /proc/self/mem fails every read at its start."""
    result = kg("load", "/proc/self/mem", "--format", "turtle", "--store", store)
    assert result.exit_code == 1, result.output
    assert result.output == "error: /proc/self/mem: cannot read the file: Input/output error\n", result.output


@pytest.mark.parametrize("args", [["events", "load", "/proc/self/mem"], ["events", "load", "TABLE", "--mapping",
                                  "/proc/self/mem"], ["validate", "/proc/self/mem"], ["update", "-f", "/proc/self/mem"],
                                  ["query", "-f", "/proc/self/mem"]], ids=lambda args: " ".join(args[:2]))
def test_every_command_reading_a_file_names_it_when_a_read_fails(store, args):
    """A read's OSError names no file, and these said only "error: Input/output error"."""
    table = str(Path(__file__).parent / "fixtures" / "acled-style-events-FIXTURE.csv")
    result = kg(*[table if arg == "TABLE" else arg for arg in args], "--store", store) if args[0] != "validate" \
        else kg(*args)
    assert result.exit_code == 1, result.output
    assert result.output == "error: /proc/self/mem: cannot read the file: Input/output error\n", result.output
