"""A command run as a terminal's foreground job: on a pseudo-terminal that is its controlling terminal, so that
Ctrl-C typed there (the byte 0x03) sends SIGINT to its whole process group, children included, as a real one does."""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import subprocess
import termios
import threading

from long_work import SOON


def _as_a_shell_starts_it() -> None:
    """In the child: the pty becomes its controlling terminal and its group the foreground one, and SIGINT and
    SIGHUP have their default actions (a test run started in the background, or under nohup, passes them on
    ignored)."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)


class OnTerminal:
    """`command` on a pty, its output read all the time (a full pty would block its writes) and kept in `seen`."""

    def __init__(self, command: list[str], *, env: dict[str, str] | None = None, cwd=None):
        self.master, follower = os.openpty()
        env = {**(os.environ if env is None else env), "PYTHONFAULTHANDLER": "1"}  # for wait's report of a hang
        self.process = subprocess.Popen(command, stdin=follower, stdout=follower, stderr=follower, env=env, cwd=cwd,
                                        start_new_session=True, preexec_fn=_as_a_shell_starts_it)
        os.close(follower)
        self.seen, self._read_to, self._ended = "", 0, False
        self._changed = threading.Condition()
        # Written to by hang_up and close: the reader stops reading the master, which can then be closed (closed
        # under a read blocked in another thread, it would be let go, and the pty hung up, only once that returns).
        self._stop_read_end, self._stop_write_end = os.pipe()
        threading.Thread(target=self._read, name="pty-reader", daemon=True).start()

    def _read(self) -> None:
        while True:
            ready, _, _ = select.select([self.master, self._stop_read_end], [], [])
            try:
                data = b"" if self._stop_read_end in ready else os.read(self.master, 65536)
            except OSError:  # every process holding the pty has closed it
                data = b""
            with self._changed:
                if not data:
                    self._ended = True
                    self._changed.notify_all()
                    return
                self.seen += data.decode("utf-8", "replace").replace("\r\n", "\n")
                self._changed.notify_all()

    def expect(self, pattern: str, timeout: float = SOON) -> str:
        """Wait until `pattern` (a regex) shows after what earlier expects consumed; return the text up to its end."""
        with self._changed:
            found = None

            def shown() -> bool:
                nonlocal found
                found = re.search(pattern, self.seen[self._read_to:])
                return bool(found) or self._ended

            if not self._changed.wait_for(shown, timeout) or not found:
                raise AssertionError(f"no {pattern!r} in:\n{self.seen[self._read_to:]}")
            text = self.seen[self._read_to:self._read_to + found.end()]
            self._read_to += found.end()
            return text

    def ctrl_c(self) -> None:
        """Type Ctrl-C (the terminal then sends SIGINT to its foreground process group)."""
        os.write(self.master, b"\x03")

    def _stop_reading(self) -> None:
        os.write(self._stop_write_end, b"x")
        with self._changed:
            self._changed.wait_for(lambda: self._ended, SOON)

    def hang_up(self) -> None:
        """Close the terminal, as its window closing does: the kernel sends SIGHUP to the session's leader, the
        command here (a shell, there, passes it on to the job, which this then does as well)."""
        self._stop_reading()
        os.close(self.master)
        self.master = None
        try:
            os.killpg(self.process.pid, signal.SIGHUP)
        except ProcessLookupError:  # it has stopped already
            pass

    def wait(self, timeout: float = SOON) -> int:
        """The command's exit status once it has ended, and all its output has been read. A command still running
        at `timeout` is aborted, and the failure shows its output: a Python one's ends with where each thread was."""
        try:
            status = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.kill(self.process.pid, signal.SIGABRT)  # PYTHONFAULTHANDLER (set above) prints every thread's stack
            try:
                self.process.wait(SOON)
            except subprocess.TimeoutExpired:  # SIGABRT ignored or held (a stopped process): waiting would hang
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
            self.wait_ended()
            raise AssertionError(f"still running after {timeout} s; its output:\n{self.seen}") from None
        self.wait_ended(timeout)
        return status

    def stacks(self) -> str:
        """Abort the command and every process below it (PYTHONFAULTHANDLER, set above, prints each thread's stack
        to the terminal, query workers' included) and return all it printed: where a hang was waiting."""
        from long_work import wait_until
        from process_tree import descendants, is_running

        for pid in reversed([self.process.pid, *descendants(self.process.pid)]):  # one at a time: lines unmixed
            try:
                os.kill(pid, signal.SIGABRT)
            except ProcessLookupError:
                continue
            wait_until(lambda: not is_running(pid) or pid == self.process.pid and self.process.poll() is not None,
                       what=f"the end of process {pid} after SIGABRT")
        self.wait_ended()
        return self.seen

    def wait_ended(self, timeout: float = SOON) -> None:
        """Wait (`timeout` at most) until every process holding the terminal has closed it."""
        with self._changed:
            self._changed.wait_for(lambda: self._ended, timeout)

    def close(self) -> None:
        """Kill what is left of the command's process group, and close the terminal. The group, not the command
        alone: kg serve's server processes outlived a supervisor that wait's abort had ended, serving on."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:  # the group has ended
            pass
        self.process.wait()
        self._stop_reading()  # a process outside the group may hold the pty still
        if self.master is not None:
            os.close(self.master)
        os.close(self._stop_read_end)
        os.close(self._stop_write_end)
