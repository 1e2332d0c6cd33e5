"""Who may try a login now, per (name, source) rather than per name, so that a stranger who
types a technician's name with wrong PINs locks out only himself (issue #17 item 4).

- A pair (name, source) has FREE_FAILURES free failures; the next lock lasts FIRST_LOCK_MS
  and doubles with each further failure up to MAX_LOCK_MS — for that source only. A success
  clears the pair; a quiet FORGET_MS forgets it.
- A name is held for everybody only when NAME_FAILURES failures from at least NAME_SOURCES
  sources arrive within NAME_WINDOW_MS (a distributed guesser): NAME_LOCK_MS, counted from
  the failure that tripped it and never extended by attempts during it. A source this name
  logged in from before is not held by it (the technician's own tablet keeps working).
- An attempt refused by a lock checks no secret and counts for nothing, so it costs no KDF,
  writes no audit row and cannot lengthen anything.

A source is the client address (Flet's page.client_ip, the request's client); it is kept
only as a keyed hash whose key lives in this process (no address in memory dumps, none on
disk). Behind a reverse proxy every source is the proxy's address and the pair lock acts per
name. Everything is in memory and bounded (MAX_ENTRIES per table): a restart forgets the
counters; the audit rows of failures stay in the store."""
import hashlib
import hmac
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from shared.errors import ServiceError

FREE_FAILURES = 5
FIRST_LOCK_MS = 5 * 60 * 1000
MAX_LOCK_MS = 60 * 60 * 1000
FORGET_MS = 24 * 60 * 60 * 1000
NAME_FAILURES = 20
NAME_SOURCES = 4
NAME_WINDOW_MS = 10 * 60 * 1000
NAME_LOCK_MS = 5 * 60 * 1000
KNOWN_MS = 30 * 24 * 60 * 60 * 1000  # a source a name logged in from stays known this long
MAX_ENTRIES = 10_000  # per table: pairs, names, known sources
LOCAL = "local"  # the source of a call with none (the CLI, the desktop window, tests)


class LoginLocked(ServiceError):
    """login_locked, with the seconds until a retry may pass (an HTTP Retry-After)."""

    def __init__(self, until_ms: int, now_ms: int):
        minutes = -(-(until_ms - now_ms) // 60000)
        base = ServiceError.of("login_locked", minutes=minutes)
        super().__init__(base.code, base.message_zh, base.message_en)
        self.retry_after_s = -(-(until_ms - now_ms) // 1000)


@dataclass
class _Pair:
    failures: int = 0
    locked_until: int = 0
    last: int = 0


@dataclass
class _Name:
    recent: list[tuple[int, str]] = field(default_factory=list)  # (at, source) of failures in the window
    locked_until: int = 0


class LoginThrottle:
    """One per process and login surface (node services, HQ services: HQ's web UI and the
    admin API share HQ's). `now()` is epoch ms (the services' clock, so tests can move it)."""

    def __init__(self, now: Callable[[], int]):
        self.now = now
        self._key = secrets.token_bytes(32)
        self._lock = threading.Lock()
        self._pairs: OrderedDict[tuple[str, str], _Pair] = OrderedDict()
        self._names: OrderedDict[str, _Name] = OrderedDict()
        self._known: OrderedDict[tuple[str, str], int] = OrderedDict()

    def source_of(self, source: str | None) -> str:
        """The keyed hash a source is kept as."""
        raw = (source or LOCAL).encode("utf-8", "replace")[:256]
        return hmac.new(self._key, raw, hashlib.sha256).hexdigest()[:32]

    def check(self, name: str, source: str | None) -> None:
        """Refuse (login_locked, the minutes left in words) while a lock holds."""
        src, now = self.source_of(source), self.now()
        with self._lock:
            until = 0
            pair = self._pairs.get((name, src))
            if pair is not None and pair.locked_until > now:
                until = pair.locked_until
            held = self._names.get(name)
            if held is not None and held.locked_until > now and not self._is_known(name, src, now):
                until = max(until, held.locked_until)
        if until:
            raise LoginLocked(until, now)

    def failed(self, name: str, source: str | None) -> None:
        src, now = self.source_of(source), self.now()
        with self._lock:
            pair = self._pairs.pop((name, src), None)
            if pair is None or now - pair.last > FORGET_MS:
                pair = _Pair()
            pair.failures += 1
            pair.last = now
            if pair.failures >= FREE_FAILURES:
                pair.locked_until = now + min(MAX_LOCK_MS, FIRST_LOCK_MS << min(pair.failures - FREE_FAILURES, 8))
            self._pairs[(name, src)] = pair
            self._count_for_name(name, src, now)
            self._bound(now)

    def succeeded(self, name: str, source: str | None) -> None:
        src, now = self.source_of(source), self.now()
        with self._lock:
            self._pairs.pop((name, src), None)
            self._known.pop((name, src), None)
            self._known[(name, src)] = now
            self._bound(now)

    def _count_for_name(self, name: str, src: str, now: int) -> None:
        held = self._names.pop(name, None) or _Name()
        if held.locked_until <= now:  # failures during a name lock never extend it
            held.recent = [(at, s) for at, s in held.recent if now - at < NAME_WINDOW_MS][-(NAME_FAILURES * 4):]
            held.recent.append((now, src))
            if len(held.recent) >= NAME_FAILURES and len({s for _, s in held.recent}) >= NAME_SOURCES:
                held.locked_until, held.recent = now + NAME_LOCK_MS, []
        self._names[name] = held

    def _is_known(self, name: str, src: str, now: int) -> bool:
        at = self._known.get((name, src))
        return at is not None and now - at < KNOWN_MS

    def _bound(self, now: int) -> None:
        """Each table at most MAX_ENTRIES: what has expired goes first, then the oldest."""
        _trim(self._pairs, lambda p: now - p.last > FORGET_MS and p.locked_until <= now)
        _trim(self._names, lambda n: n.locked_until <= now and all(now - at >= NAME_WINDOW_MS for at, _ in n.recent))
        _trim(self._known, lambda at: now - at > KNOWN_MS)

    def size(self) -> int:
        """Entries held, all tables (a test checks the bound)."""
        with self._lock:
            return len(self._pairs) + len(self._names) + len(self._known)


def _trim(table: OrderedDict, stale: Callable[[Any], bool]) -> None:
    if len(table) <= MAX_ENTRIES:
        return
    for key in [k for k, v in table.items() if stale(v)]:
        del table[key]
    while len(table) > MAX_ENTRIES:
        table.popitem(last=False)
