"""Hybrid logical clock: (wall_ms << 16) | counter. Ties break by origin string.

`FIELDSYNC_CLOCK_OFFSET_MS` (tests only): milliseconds added to this process's wall clock,
read once at start, so that a chaos test can run a node whose device clock is days off
(its change clocks, device times and request signatures all use the shifted clock)."""
import os
import threading
import time

CLOCK_OFFSET_ENV = "FIELDSYNC_CLOCK_OFFSET_MS"
MAX_DRIFT_MS = 10 * 60 * 1000  # docs/protocol.md, Clocks: how far ahead of HQ a change may be clocked
_OFFSET_MS = int(os.environ.get(CLOCK_OFFSET_ENV) or 0)

COUNTER_BITS = 16


def wall_ms(hlc: int) -> int:
    return hlc >> COUNTER_BITS


def from_wall(ms: int) -> int:
    return ms << COUNTER_BITS


def now_ms() -> int:
    return time.time_ns() // 1_000_000 + _OFFSET_MS


class HLC:
    """A replica's clock; never goes backwards except by `reset` (a node whose clock ran
    ahead of HQ's, see NodeStore.rewind_clock). `wall` is injectable for tests that jump
    a device's clock."""

    def __init__(self, last: int = 0, wall=now_ms):
        self.last = last
        self._wall = wall
        self._lock = threading.Lock()

    def tick(self) -> int:
        """The clock of a new local change: max(last + 1, wall << 16)."""
        with self._lock:
            self.last = max(self.last + 1, from_wall(self._wall()))
            return self.last

    def observe(self, received: int) -> None:
        """Take a received change's clock into account: last = max(last, received)."""
        with self._lock:
            if received > self.last:
                self.last = received

    def reset(self, value: int) -> None:
        with self._lock:
            self.last = value

    def wall_now(self) -> int:
        return self._wall()
