"""Stopping a long-running process on SIGTERM or SIGINT, the same way in every command.

A signal handler runs on the main thread between two bytecodes, possibly while that thread
holds a lock (an `Event.wait` holds its condition's lock); a handler that takes a lock can
then wait for itself forever. So the handlers here only append the signal number to a list,
and `set_wakeup_fd` wakes a main thread that waits in `select` on a socket. The main
thread reads what arrived and does the stopping, with locks and threads, outside any
handler. The first signal asks for a stop within a grace period; a second cuts it short.

`Stopwatch` says so in the log: "stopping … (SIGTERM)", then "stopped in N ms"."""
import logging
import os
import select
import signal
import socket
import sys
import time

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class StopSignals:
    """While entered (on the main thread): SIGTERM and SIGINT are recorded in `received`
    and wake `wait`; nothing else happens in the handler."""

    def __init__(self):
        self.received: list[int] = []
        self._previous: dict = {}
        self._wakeup_fd = -1
        self._read, self._write = socket.socketpair()  # entered once: closed on exit
        for s in (self._read, self._write):
            s.setblocking(False)

    def __enter__(self) -> "StopSignals":
        self._wakeup_fd = signal.set_wakeup_fd(self._write.fileno(), warn_on_full_buffer=False)
        self._previous = {sig: signal.signal(sig, self._record) for sig in STOP_SIGNALS}
        return self

    def __exit__(self, *exc) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        signal.set_wakeup_fd(self._wakeup_fd)
        self._read.close()
        self._write.close()

    def _record(self, signum: int, _frame) -> None:
        self.received.append(signum)  # a list append: no lock, safe in a handler

    @property
    def count(self) -> int:
        return len(self.received)

    def wait(self, timeout: float, more_than: int = 0) -> bool:
        """Sleep until more than `more_than` signals have arrived or `timeout` passes;
        True if they have."""
        deadline = time.monotonic() + timeout
        while self.count <= more_than:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            ready, _, _ = select.select([self._read], [], [], left)
            if ready:
                try:
                    self._read.recv(512)  # the wake-up bytes; the signals themselves are in `received`
                except BlockingIOError:
                    pass
        return True

    def name(self) -> str:
        return signal.Signals(self.received[0]).name if self.received else "a stop request"


class Stopwatch:
    """The stop as the log tells it: when it began, why, and how long it took."""

    def __init__(self, what: str, log: logging.Logger | None = None):
        self.what, self.log = what, log
        self.started: float | None = None

    def _say(self, text: str) -> None:
        if self.log is not None:
            self.log.info(text)
        else:
            print(text, flush=True)

    def begin(self, why: str) -> None:
        if self.started is None:
            self.started = time.monotonic()
            self._say(f"{self.what} stopping … ({why})")

    def elapsed_ms(self) -> int:
        return int((time.monotonic() - (self.started or time.monotonic())) * 1000)

    def end(self, left_behind: str = "") -> None:
        note = f"; {left_behind}" if left_behind else ""
        self._say(f"{self.what} stopped in {self.elapsed_ms()} ms{note}")


def leave_now(code: int = 0) -> None:
    """Exit at once, leaving threads that did not finish within the grace period (a request
    to an unresponsive peer, say) behind: the interpreter would otherwise join them at exit.
    What they had not committed rolls back as after a crash; nothing else is lost."""
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)
