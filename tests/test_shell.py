"""`kg shell` driven through a real pseudo-terminal: keystrokes in, screen text out."""

from __future__ import annotations

import contextlib
import fcntl
import io
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import threading
import time

import click
import pytest

import servers
from kg.store.base import Solutions
from long_work import CROSS_COUNT as LONG_QUERY, SOON, threads_named, wait_until  # LONG_QUERY: minutes

ENTER, ESC_ENTER, TAB, CTRL_C, CTRL_D, UP = "\r", "\x1b\r", "\t", "\x03", "\x04", "\x1b[A"
PROMPT = "sparql>"
ANSI = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07]*\x07|[()][0-9A-Za-z]|[=>78])")
KG = [sys.executable, "-c", "from kg.cli import main; main(prog_name='kg')"]
DONE = r"\((\d+ (rows?|triples?)[^()\n]*|\d+\.\d+s)\)|error: .*|\ntrue|\nfalse"  # how an answer ends


def _as_on_a_terminal() -> None:
    """In the child: the pty becomes its controlling terminal, and Ctrl-C interrupts it as it would a
    program started from a shell (a test run started in the background inherits SIGINT ignored)."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Terminal:
    """`kg shell` on a pseudo-terminal, with expect-style reading of what it prints."""

    def __init__(self, home, *args: str):
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 200, 0, 0))
        env = dict(os.environ, SAHEL_KG_HOME=str(home), TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1",
                   COLUMNS="200", LINES="40")
        env.pop("SAHEL_KG_STORE", None)
        self.process = subprocess.Popen(
            [*KG, "shell", "--store", "memory:", *args],
            stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True,
            preexec_fn=_as_on_a_terminal)
        os.close(slave)
        self.master, self.seen, self.read_to = master, "", 0

    def send(self, keys: str) -> None:
        os.write(self.master, keys.encode("utf-8"))

    def _pump(self, until: float) -> bool:
        ready, _, _ = select.select([self.master], [], [], max(0.0, min(0.1, until - time.monotonic())))
        if not ready:
            return True
        try:
            data = os.read(self.master, 65536)
        except OSError:  # the child has gone and the pty is closed
            return False
        self.seen += ANSI.sub("", data.decode("utf-8", "replace")).replace("\r", "")
        return bool(data)

    def expect(self, pattern: str, timeout: float = 30) -> str:
        """Wait for `pattern` (a regex) after what earlier expects consumed; return the text up to its end."""
        until = time.monotonic() + timeout
        while True:
            found = re.search(pattern, self.seen[self.read_to:])
            if found:
                text = self.seen[self.read_to:self.read_to + found.end()]
                self.read_to += found.end()
                return text
            if time.monotonic() > until or not self._pump(until):
                raise AssertionError(f"no {pattern!r} in:\n{self.seen[self.read_to:]}")

    def prompt(self, timeout: float = 30) -> str:
        return self.expect(re.escape(PROMPT), timeout)

    def run(self, *lines: str, end: str = ENTER + ENTER, until: str = DONE) -> str:
        """Type the lines, Enter between them, then `end`; return the output up to `until` and the next prompt.

        (The prompt alone is no sign of an answer: prompt_toolkit redraws it while one types.)
        """
        self.send(ENTER.join(lines) + end)
        return self.expect(until) + self.prompt()

    def command(self, line: str, until: str = DONE) -> str:
        """Type a `.command` line and Enter; return the output up to `until` and the next prompt."""
        return self.run(line, end=ENTER, until=until)

    def wait(self, timeout: float = 15) -> int:
        until = time.monotonic() + timeout
        while self.process.poll() is None and time.monotonic() < until:
            self._pump(until)
        return self.process.wait(timeout=1)

    def close(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        os.close(self.master)


@pytest.fixture
def shell(tmp_path):
    """A started shell on a memory store, at its first prompt."""
    terminal = Terminal(tmp_path)
    try:
        terminal.prompt(timeout=60)
        yield terminal
    finally:
        terminal.close()


def test_help_option():
    result = subprocess.run([*KG, "shell", "--help"],
                            capture_output=True, text=True, check=True)
    assert "Usage: kg shell" in result.stdout
    assert "--endpoint" in result.stdout and "--store" in result.stdout
    assert "Esc-Enter" in result.stdout


def test_needs_a_terminal():
    result = subprocess.run([*KG, "shell", "--store", "memory:"], input="ASK {}\n", capture_output=True, text=True)
    assert result.returncode == 2
    assert "needs a terminal" in result.stderr and "kg query" in result.stderr


def test_multiline_query_runs_only_on_blank_line(shell, tmp_path):
    out = shell.run("SELECT ?state ?name WHERE {",
                    "  ?state a sahel:SovereignState ;",
                    "         rdfs:label ?name .",
                    "  FILTER(?state = sk:mali)",
                    "}")
    assert "error" not in out
    assert re.search(r"\?state\s+\?name(@en)?\n-+", out)
    assert re.search(r'sk:mali\s+"Mali"', out)
    assert "(1 row)" in out
    history = (tmp_path / "shell_history").read_text()
    assert "rdfs:label ?name ." in history and "  FILTER(?state = sk:mali)\n" in history


def test_escape_enter_runs_at_once(shell):
    out = shell.run("SELECT ?s WHERE { ?s a sahel:SovereignState }", end=ESC_ENTER)
    assert "(6 rows)" in out and "sk:mali" in out


def test_semicolon_alone_does_not_run(shell):
    out = shell.run("SELECT ?s WHERE { ?s a sahel:SovereignState ;", '  rdfs:label "Mali"@en }')
    assert "error" not in out
    assert "(1 row)" in out and "sk:mali" in out


def test_help_and_prefixes(shell):
    out = shell.command(".help", until="Ctrl-D on an empty buffer quits")
    for command in (".prefixes", ".examples", ".graphs", ".format", ".endpoint", ".timing", ".quit"):
        assert command in out
    assert "Esc-Enter" in out
    out = shell.command(".prefixes", until="gn: .*")
    assert re.search(r"sahel:\s+<https://sahel-kg.example.org/ontology#>", out)
    assert "rdfs:" in out


def test_examples_list_and_load(shell):
    out = shell.command(".examples", until="us-cooperation-status .*")
    assert re.search(r"aes-members\s+Members of the Alliance of Sahel States", out)
    assert "timeline" in out
    shell.send(".examples aes-members" + ENTER)
    shell.expect("Members of the Alliance")  # the next prompt holds the example, ready to edit
    out = shell.run(end=ESC_ENTER)
    assert "?startsNotBefore" in out and "sk:mali" in out
    assert re.search(r"\(3 rows\)", out)


def test_unknown_example_and_command_keep_the_shell(shell):
    assert "error: no example named 'nope'" in shell.command(".examples nope")
    assert "error: unknown command .frobnicate" in shell.command(".frobnicate")
    assert "true" in shell.run("ASK {}", end=ESC_ENTER)


def test_graphs(shell):
    out = shell.command(".graphs", until="graph/provenance> .*")
    assert "?graph" in out and "?triples" in out
    assert re.search(r"<https://sahel-kg.example.org/graph/ontology>\s+\d+", out)


def test_graphs_answer_whatever_the_format(shell):
    """.graphs lists solutions: under a graph format (.format turtle) it was an error, 'a solutions result
    cannot be written as turtle'; it is shown as a table then, and in a results format as that format."""
    shell.command(".format turtle", until="format: turtle")
    out = shell.command(".graphs", until="graph/provenance> .*")
    assert "error" not in out and re.search(r"<https://sahel-kg.example.org/graph/ontology>\s+\d+", out)
    shell.command(".format csv", until="format: csv")
    assert "https://sahel-kg.example.org/graph/ontology," in shell.command(".graphs", until="graph/provenance,.*")


def test_format_csv(shell):
    assert "format: table" in shell.command(".format", until="format: .*")
    assert "format: csv" in shell.command(".format csv", until="format: .*")
    out = shell.run("SELECT ?s WHERE { ?s a sahel:SovereignState } ORDER BY ?s LIMIT 2", end=ESC_ENTER)
    assert "s\nhttps://sahel-kg.example.org/id/" in out
    assert "(2 rows)" in out
    assert "error: a graph result cannot be written as csv" in \
        shell.run("CONSTRUCT WHERE { sk:mali a ?c }", end=ESC_ENTER)
    assert "error: unknown format 'yaml'" in shell.command(".format yaml")


def test_timing(shell):
    assert "timing: off" in shell.command(".timing", until="timing: .*")
    assert not re.search(r"\d\.\d{3}s", shell.run("ASK {}", end=ESC_ENTER))
    assert "timing: on" in shell.command(".timing on", until="timing: .*")
    assert re.search(r"\(1 row, \d+\.\d{3}s\)", shell.run("SELECT * WHERE { BIND(1 AS ?x) }", end=ESC_ENTER))
    assert "timing: off" in shell.command(".timing off", until="timing: .*")


def test_tables_escape_controls_cut_long_cells_with_a_notice_and_wide_shows_them_whole(shell):
    query = ('SELECT ?q WHERE { { BIND("a\\tb\\u001B[31mred" AS ?q) } UNION '
             '{ BIND(REPLACE("' + "%" * 30 + '", "%", "long ") AS ?q) } }')  # typed: no escape, no long text
    out = shell.run(query, end=ESC_ENTER)
    answer = out[out.index("\n?q"):]
    assert "a\\tb\\x1b[31mred" in answer and "…" in answer and "long " * 30 not in answer
    assert "(2 rows, 1 cell shown in part: .wide on shows them whole)" in answer
    assert "wide: on" in shell.command(".wide on", until="wide: .*")
    out = shell.run(query, end=ESC_ENTER)
    answer = out[out.index("\n?q"):]
    assert ("long " * 30).strip() in answer and "(2 rows)" in answer


def test_endpoint_switch(shell):
    assert "endpoint: local (memory:)" in shell.command(".endpoint", until="endpoint: .*")
    with servers.refusing_port() as port:
        down = f"http://127.0.0.1:{port}/sparql"
        assert f"endpoint: {down}" in shell.command(f".endpoint {down}", until="endpoint: .*")
        out = shell.run("ASK {}", end=ESC_ENTER)
    assert f"error: cannot reach {down}" in out
    assert "endpoint: local" in shell.command(".endpoint local", until="endpoint: .*")
    assert "true" in shell.run("ASK {}", end=ESC_ENTER)
    assert "error: not an endpoint" in shell.command(".endpoint ftp://example.org/")
    for url in ("http://[::1", "http://127.0.0.1:99999/", "http://"):  # were taken, and failed at the next query
        assert "error: not an endpoint" in shell.command(f".endpoint {url}")
    assert "error: .limit takes a number" in shell.command(".limit \u00b2")  # a digit int() refuses


def test_a_command_that_takes_no_argument_refuses_one():
    """`.graphs extra` ran as `.graphs`, silently ignoring the word; the others that take none did too."""
    from kg.shell import Shell

    shell = Shell("memory:", out=io.StringIO())
    for name in (".graphs", ".help", ".prefixes", ".quit", ".exit"):
        with pytest.raises(click.UsageError, match=f"^\\{name} takes no argument, not 'extra'; .help lists"):
            shell.command(f"{name} extra")
    assert shell.out.getvalue() == "" and shell.command(".quit  ") is False  # spaces alone are no argument
    shell.close()


def test_the_endpoint_said_back_escapes_what_would_reorder_or_hide():
    """`.endpoint` echoed the URL as typed: a bidi override in it reordered the line, a soft hyphen hid."""
    from kg.shell import Shell

    shell = Shell("memory:", out=io.StringIO())
    shell.command(".endpoint https://example.org/\u202egpj.exe\u00ad")
    assert shell.out.getvalue() == "endpoint: https://example.org/\\u202egpj.exe\\xad\n"
    shell.close()


def test_a_row_limit_is_bounded_as_the_setting_is():
    """`.limit 18446744073709551616` was taken, and a remote endpoint then refused each query's LIMIT."""
    from kg.shell import Shell

    shell = Shell("memory:", out=io.StringIO())
    with pytest.raises(click.UsageError, match="from 1 to 10"):
        shell.command(".limit 18446744073709551616")
    shell.command(f".limit {10 ** 18}")
    assert shell.row_limit == 10 ** 18
    shell.close()


def test_completions_show_a_term_that_hides_a_character_escaped():
    """sk:Mali with a Hangul filler after it (a letter to isalnum, so a prefixed name) looked like sk:Mali."""
    from prompt_toolkit.document import Document

    from kg.shell_input import Words

    shown = [c.display_text for c in Words(["sk:Mali\u3164", "sk:Mali"]).get_completions(Document("sk:Ma"), None)]
    assert shown == ["sk:Mali", "sk:Mali\\u3164"]


def test_completion_reads_the_word_before_the_cursor_in_time_linear_in_the_line():
    """The word was found by a search anchored at the line's end, which tried every start: Tab after a long word
    and a space took seconds (hours for this line)."""
    from prompt_toolkit.document import Document

    from kg.shell_input import Words

    words = Words(["sk:mali", "sk:niger", "?s", "SELECT"])
    assert list(words.get_completions(Document("a" * 2_000_000 + " "), None)) == []
    shown = lambda text: [c.text for c in words.get_completions(Document(text), None)]  # noqa: E731
    assert shown("a" * 2_000_000 + " sk:m") == ["sk:mali"]
    assert shown("x ?s") == shown("$s") == shown("a?sk:m") == [] and shown("sel") == ["SELECT"]


def test_syntax_error_gives_line_and_column(shell):
    out = shell.run("SELECT ?s WHERE {", "  ?s ?p ?o . BIND(1 AS 2)", "}")
    assert re.search(r"error: line 2, column 24: Expected .* here\.\n", out)
    assert "(1 row)" in shell.run("SELECT * WHERE { BIND(1 AS ?x) }", end=ESC_ENTER)


def test_an_update_is_sent_to_kg_update(shell):
    """The shell opens its stores read-only; an update was refused as "not a query" with no word of where to
    run it."""
    out = shell.run("INSERT DATA { <http://e/a> <http://e/b> <http://e/c> }", end=ESC_ENTER)
    assert "error: line 1, column 1: not a query: this is a SPARQL Update; run it with `kg update`" in out


def test_policy_error(shell):
    out = shell.run("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", end=ESC_ENTER)
    assert "error: SERVICE <http://example.org/sparql> is not allowed" in out


def test_an_unknown_term_is_warned_of_with_the_terms_near_it(shell):
    out = shell.run("ASK { ?x a sahel:State }", end=ESC_ENTER)
    assert "warning: unknown term sahel:State: neither the ontology nor the data has it; did you mean " \
           "sahel:SovereignState or sahel:NonStateArmedGroup?" in out


def test_ctrl_c_cancels_a_running_query(shell):
    shell.send(LONG_QUERY + ESC_ENTER)
    shell.expect("Ctrl-C cancels", timeout=SOON)  # the query has started and runs on
    cancelled_at = time.monotonic()
    shell.send(CTRL_C)
    shell.expect("cancelled", timeout=SOON)
    shell.prompt(timeout=SOON)
    assert time.monotonic() - cancelled_at < SOON  # not the minutes the query would take
    assert "(1 row)" in shell.run("SELECT * WHERE { BIND(1 AS ?x) }", end=ESC_ENTER)
    shell.send(CTRL_D)
    assert shell.wait() == 0


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds used so far by process `pid` and every live process under it (Linux /proc)."""
    def stat(process: str) -> list[str] | None:
        try:
            return open(f"/proc/{process}/stat").read().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            return None

    table = {entry: stat(entry) for entry in os.listdir("/proc") if entry.isdigit()}
    children: dict[int, list[int]] = {}
    for process, fields in table.items():
        if fields:
            children.setdefault(int(fields[1]), []).append(int(process))
    total, pending = 0.0, [pid]
    while pending:
        process = pending.pop()
        fields = table.get(str(process))
        if fields:
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        pending += children.get(process, [])
    return total


def test_ctrl_c_stops_an_aggregate_on_a_store_on_disk_in_the_engine_too(tmp_path):
    """The prompt came back at once, but the aggregate ran on in a helper thread for minutes, using a core:
    two cancels took both (helper-87). On a store on disk a query worker process answers, and is killed."""
    shell = Terminal(tmp_path, "--store", "oxigraph:")  # installs the article at first use
    try:
        shell.prompt(timeout=120)
        shell.send(LONG_QUERY + ESC_ENTER)
        shell.expect("Ctrl-C cancels", timeout=SOON)
        shell.send(CTRL_C)
        shell.expect("cancelled", timeout=SOON)
        shell.prompt(timeout=SOON)

        def idle() -> bool:  # under 0.6 CPU seconds in two seconds: the aggregate took a core (a new worker starts)
            before = tree_cpu_seconds(shell.process.pid)
            time.sleep(2.0)
            return tree_cpu_seconds(shell.process.pid) - before < 0.6

        wait_until(idle, what="the shell and its worker to fall idle after the cancel")
        assert "(1 row)" in shell.run("SELECT * WHERE { BIND(1 AS ?x) }", end=ESC_ENTER)
        shell.send(CTRL_D)
        assert shell.wait() == 0
    finally:
        if shell.process.poll() is None:
            os.killpg(shell.process.pid, signal.SIGKILL)


def test_ctrl_c_at_prompt_clears_the_buffer(shell):
    shell.send("SELECT nonsense" + ENTER)
    shell.expect("nonsense")
    shell.send(CTRL_C)
    out = shell.run("ASK {}", end=ESC_ENTER)
    assert "true" in out and "error" not in out


def test_ctrl_c_at_prompt_clears_an_example_put_into_the_buffer(shell):
    shell.send(".examples aes-members" + ENTER)
    shell.expect("Members of the Alliance")  # the next prompt holds the example
    shell.send(CTRL_C)
    out = shell.run("ASK {}", end=ESC_ENTER)  # the example is gone: ASK {} runs alone
    assert "true" in out and "error" not in out


def test_history_persists_across_sessions(tmp_path):
    first = Terminal(tmp_path)
    try:
        first.prompt(timeout=60)
        first.run("SELECT ?remembered WHERE { BIND(42 AS ?remembered) }", end=ESC_ENTER)
        first.send(CTRL_D)
        assert first.wait() == 0
    finally:
        first.close()
    assert "?remembered" in (tmp_path / "shell_history").read_text()
    second = Terminal(tmp_path)
    try:
        second.prompt(timeout=60)
        second.send(UP)
        second.expect("remembered")
        out = second.run(end=ESC_ENTER)
        assert re.search(r"\?remembered\s*\n-+\s*\n42", out)
    finally:
        second.close()


def test_tab_completes_a_class(shell, tmp_path):
    shell.send("ASK { sk:mali a sahel:Sov" + TAB)
    shell.expect("ereignState")  # the completion is applied before the next keys
    shell.send(" }" + ESC_ENTER)
    out = shell.expect(DONE)
    assert "true" in out.rsplit("}", 1)[-1]
    assert "ASK { sk:mali a sahel:SovereignState }" in (tmp_path / "shell_history").read_text()


def test_tab_completes_commands_and_keywords(shell, tmp_path):
    shell.send(".pref" + TAB)
    shell.expect("ixes")
    shell.send(ENTER)
    assert "sahel:" in shell.expect("gn: .*")
    shell.send("sel" + TAB)
    shell.expect("SELECT")
    shell.send(" * WHERE { BIND(1 AS ?x) }" + ESC_ENTER)
    assert "(1 row)" in shell.expect(DONE)


def test_ctrl_d_exits_with_status_zero(shell):
    shell.send(CTRL_D)
    assert shell.wait() == 0


def test_quit_command(shell):
    shell.send(".quit" + ENTER)
    assert shell.wait() == 0


def test_cancel_stops_the_work_of_a_streaming_query(tmp_path, monkeypatch):
    """Ctrl-C (SIGINT) abandons the query, and its worker stops at the next row instead of reading on."""
    import io

    from kg.shell import Cancelled, Shell

    monkeypatch.setenv("SAHEL_KG_HOME", str(tmp_path))
    shell = Shell("memory:", out=io.StringIO())
    shell.row_limit = None  # 3.1 million rows, read one by one: minutes on any machine
    streaming = threading.Event()
    store = shell.local

    class Watched:
        """The store, telling when the first row of a query has been read."""

        def query(self, sparql, **options):
            result = store.query(sparql, **options)
            return Solutions(result.variables, self._watched(result.rows))

        def _watched(self, rows):
            for row in rows:
                streaming.set()
                yield row

    shell.local = Watched()
    others = threads_named("kg-query")
    try:
        with ctrl_c_once(streaming), pytest.raises(Cancelled):
            shell.run_query("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }")
        assert streaming.is_set()
        wait_until(lambda: not threads_named("kg-query", besides=others), what="the end of the query's helper thread")
    finally:
        shell.local = store
        shell.close()


def test_a_ctrl_c_just_as_the_rows_are_handed_over_still_stops_the_work(tmp_path, monkeypatch):
    """A Ctrl-C that lands after the helper thread has started but before the shell holds its rows (CI saw one
    land there, under load): the work stops all the same, even while the Cancelled is still held."""
    import io

    from kg import console
    from kg.shell import Cancelled, Shell

    monkeypatch.setenv("SAHEL_KG_HOME", str(tmp_path))
    shell = Shell("memory:", out=io.StringIO())
    shell.row_limit = None  # 3.1 million rows: minutes on any machine
    handed_over = console.limited

    def interrupted_at_once(start, seconds):
        handed = handed_over(start, seconds)  # started; a Ctrl-C now, before start_query hands the rows on
        raise KeyboardInterrupt(f"{len(handed)} parts handed over")

    monkeypatch.setattr(console, "limited", interrupted_at_once)
    others = threads_named("kg-query")
    try:
        with pytest.raises(Cancelled) as cancelled:
            shell.run_query("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }")
        wait_until(lambda: not threads_named("kg-query", besides=others), what="the end of the query's helper thread")
        del cancelled
    finally:
        shell.close()


def test_a_ctrl_c_in_the_middle_of_a_row_is_said_on_a_line_of_its_own(tmp_path, monkeypatch):
    """"cancelled" landed after half a row of the table ("sahel:certainty      ^Ccancelled": helper-87)."""
    import io

    from kg.shell import Cancelled, Shell

    class Terminal(io.StringIO):
        def write(self, text):  # Ctrl-C pressed as the tenth row is half written
            if self.getvalue().count("\n") >= 10:
                super().write(text[:len(text) // 2])
                raise KeyboardInterrupt
            return super().write(text)

    monkeypatch.setenv("SAHEL_KG_HOME", str(tmp_path))
    shell = Shell("memory:", out=Terminal())
    try:
        with pytest.raises(Cancelled) as cancelled:
            shell.run_query("SELECT ?s WHERE { ?s ?p ?o }")
        assert cancelled.value.mid_line and not shell.out.getvalue().endswith("\n")
    finally:
        shell.close()


def test_a_ctrl_c_while_the_query_thread_starts_still_stops_the_work(tmp_path, monkeypatch):
    """Thread.start waits for the new thread to run: a Ctrl-C in that wait (a loaded machine) stops its work too."""
    import io

    from kg.shell import Cancelled, Shell

    monkeypatch.setenv("SAHEL_KG_HOME", str(tmp_path))
    shell = Shell("memory:", out=io.StringIO())
    shell.row_limit = None  # 3.1 million rows: minutes on any machine
    start = threading.Thread.start

    def interrupted_start(thread):
        start(thread)
        if thread.name == "kg-query":
            raise KeyboardInterrupt

    monkeypatch.setattr(threading.Thread, "start", interrupted_start)
    others = threads_named("kg-query")
    try:
        with pytest.raises(Cancelled):
            shell.run_query("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }")
        monkeypatch.undo()
        wait_until(lambda: not threads_named("kg-query", besides=others), what="the end of the query's helper thread")
    finally:
        shell.close()


@contextlib.contextmanager
def ctrl_c_once(event: threading.Event):
    """SIGINT to this process once `event` is set (within SOON), raised as KeyboardInterrupt, as a terminal
    gives it, whatever this test run was started with (in the background: ignored)."""
    interrupt = threading.Thread(target=lambda: event.wait(SOON) and os.kill(os.getpid(), signal.SIGINT))
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        interrupt.start()
        yield
    finally:
        interrupt.join()
        signal.signal(signal.SIGINT, previous)


# What a silent endpoint sends before it stops: nothing; or an answer's head and part of a body without a
# length, which makes http.client hand the socket over to the response (helper-49: then nothing hung up).
SILENCES = [b"", b"HTTP/1.1 200 OK\r\nServer: Virtuoso/7.2\r\nContent-Type: application/sparql-results+json\r\n\r\n{"]


@pytest.mark.parametrize("said", SILENCES, ids=["before-the-head", "in-a-body-without-a-length"])
def test_cancel_hangs_up_on_an_endpoint_that_has_not_answered(tmp_path, monkeypatch, said):
    """Ctrl-C while a remote endpoint has not yet answered hangs up on it at once: the helper thread stopped
    only when the endpoint answered or the store's time limit (an hour here) passed."""
    import io
    import socket

    from kg.shell import Cancelled, Shell

    monkeypatch.setenv("SAHEL_KG_HOME", str(tmp_path))
    listener = socket.create_server(("127.0.0.1", 0))
    asked, hung_up = threading.Event(), threading.Event()

    def silent_endpoint():  # reads the request, never answers, and notes when the client hangs up
        connection, _ = listener.accept()
        with connection:
            connection.recv(1 << 16)
            connection.sendall(said)
            asked.set()
            while connection.recv(1 << 16):
                pass
            hung_up.set()

    threading.Thread(target=silent_endpoint, daemon=True).start()
    shell = Shell("memory:", endpoint=f"http://127.0.0.1:{listener.getsockname()[1]}/sparql", out=io.StringIO())
    shell.remote.timeout = 3600
    others = threads_named("kg-query")
    try:
        with ctrl_c_once(asked), pytest.raises(Cancelled):
            shell.run_query("SELECT * WHERE { ?s ?p ?o }")
        assert hung_up.wait(SOON), "the endpoint was not hung up on"
        wait_until(lambda: not threads_named("kg-query", besides=others), what="the end of the query's helper thread")
    finally:
        listener.close()
        shell.close()


def test_a_ctrl_c_the_kernel_hands_the_reading_thread_still_cancels(tmp_path, monkeypatch):
    """Python runs a signal's handler in the main thread alone: a Ctrl-C the kernel gave the thread reading from the
    endpoint left the main thread waiting for that thread's rows until the endpoint answered (a hang in a test run
    on a loaded machine; here the endpoint answers after SOON, and the query then ended as if never cancelled)."""
    import socket

    from kg.shell import Cancelled, Shell

    monkeypatch.setenv("SAHEL_KG_HOME", str(tmp_path))
    listener = socket.create_server(("127.0.0.1", 0))
    asked, hung_up = threading.Event(), threading.Event()
    answer = (b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\nContent-Length: 44\r\n\r\n"
              b'{"head":{"vars":[]},"results":{"bindings":[]}}')

    def endpoint():  # silent until the client hangs up; past SOON, it answers
        connection, _ = listener.accept()
        with connection:
            connection.recv(1 << 16)
            asked.set()
            connection.settimeout(SOON)
            try:
                while connection.recv(1 << 16):
                    pass
                hung_up.set()
            except TimeoutError:
                connection.sendall(answer)

    def interrupt_the_reader():  # SIGINT to the thread reading the endpoint, not to the process
        if asked.wait(SOON):
            signal.pthread_kill(threads_named("kg-query", besides=others)[0].ident, signal.SIGINT)

    threading.Thread(target=endpoint, daemon=True).start()
    shell = Shell("memory:", endpoint=f"http://127.0.0.1:{listener.getsockname()[1]}/sparql", out=io.StringIO())
    shell.remote.timeout = 3600
    others = threads_named("kg-query")
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    interrupter = threading.Thread(target=interrupt_the_reader, daemon=True)
    try:
        interrupter.start()
        with pytest.raises(Cancelled):
            shell.run_query("SELECT * WHERE { ?s ?p ?o }")
        assert hung_up.wait(SOON), "the endpoint was not hung up on"
    finally:
        interrupter.join()
        signal.signal(signal.SIGINT, previous)
        listener.close()
        shell.close()


def test_cancel_while_rows_are_written_stops_the_work_even_if_the_error_is_kept(tmp_path, monkeypatch):
    """Ctrl-C may land while a row is written rather than while one is awaited (on a loaded machine, mostly);
    the query stops then too, at once, not when the Cancelled and the frames it holds are collected."""
    import io

    from kg.shell import Cancelled, Shell

    class Interrupted(io.StringIO):
        def write(self, text):
            raise KeyboardInterrupt

    monkeypatch.setenv("SAHEL_KG_HOME", str(tmp_path))
    shell = Shell("memory:", out=Interrupted())
    shell.row_limit = None  # 3.1 million rows: minutes on any machine
    others = threads_named("kg-query")
    try:
        with pytest.raises(Cancelled) as kept:
            shell.run_query("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }")
        wait_until(lambda: not threads_named("kg-query", besides=others), what="the end of the query's helper thread")
        assert kept.value
    finally:
        shell.close()


@pytest.mark.parametrize("fmt, sparql", [("turtle", "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"),
                                         ("csv", "CONSTRUCT { ?a ?b ?f } WHERE { ?a ?b ?c . ?d ?e ?f }")])
def test_a_query_whose_rows_are_never_read_stops(tmp_path, monkeypatch, fmt, sparql):
    """A format that does not fit the answer ends the query before its first row is read: its helper thread
    stops then too (a generator closed before its first step skips its `finally`, so closing it did not)."""
    import io

    from kg.shell import Shell

    monkeypatch.setenv("SAHEL_KG_HOME", str(tmp_path))
    shell = Shell("memory:", out=io.StringIO())
    shell.row_limit, shell.format = None, fmt  # millions of rows: minutes on any machine
    others = threads_named("kg-query")
    try:
        with pytest.raises(click.UsageError, match="cannot be written as"):
            shell.run_query(sparql)
        wait_until(lambda: not threads_named("kg-query", besides=others), what="the end of the query's helper thread")
    finally:
        shell.close()


def test_a_home_where_history_cannot_be_written_keeps_it_for_the_session(tmp_path, monkeypatch, capsys):
    """A read-only $SAHEL_KG_HOME (here: a file where the folder should be) made every line a traceback."""
    from prompt_toolkit.history import InMemoryHistory

    from kg.shell_input import kept_history

    home = tmp_path / "home"
    home.write_text("not a folder")
    monkeypatch.setenv("SAHEL_KG_HOME", str(home))
    assert isinstance(kept_history(), InMemoryHistory)
    assert "history is kept for this session only" in capsys.readouterr().err



def test_wide_and_a_format_that_writes_no_table_are_refused_together():
    """`.wide on` under `.format csv` (or `.format json` after `.wide on`) was taken and did nothing, as kg query's
    --wide with another --format was."""
    from kg.shell import Shell

    shell = Shell("memory:", out=io.StringIO())
    shell.command(".format csv")
    with pytest.raises(click.UsageError, match=r"\.format csv writes no table; \.format table first"):
        shell.command(".wide on")
    assert not shell.wide
    shell.command(".format table")
    shell.command(".wide on")
    with pytest.raises(click.UsageError, match=r"\.format json writes no table; \.wide off first"):
        shell.command(".format json")
    assert shell.format == "table" and shell.wide
    shell.command(".wide off")
    shell.command(".format json")
    assert shell.format == "json"
    shell.close()
