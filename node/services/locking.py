"""Service calls are atomic against the background sync. The sync thread writes on the
same SQLite connection inside transactions that hold the store's writer lock (an RLock);
each service call holds that lock from its first read to its last write, so it never
reads a half-applied pull and no pull lands between its checks and its write. The sync
holds the lock per transaction, never while it talks to HQ, so a call waits at most for
one local transaction. Methods a class lists in `UNLOCKED` (SyncPanel.sync_now, which
runs a whole round) take the lock themselves where they read."""
import functools


class Atomic:
    """`Atomic(service, lock).method(...)` runs `service.method(...)` holding `lock`."""

    def __init__(self, target, lock):
        self._target, self._lock = target, lock
        self._unlocked = frozenset(getattr(target, "UNLOCKED", ()))

    def __getattr__(self, name):
        attr = getattr(self._target, name)
        if not callable(attr) or name.startswith("_") or name in self._unlocked:
            return attr

        @functools.wraps(attr)
        def locked(*args, **kwargs):
            with self._lock:
                return attr(*args, **kwargs)
        return locked

    def __repr__(self) -> str:
        return f"Atomic({self._target!r})"
