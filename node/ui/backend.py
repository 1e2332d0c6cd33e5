"""The services as the UI calls them: one at a time against the replica. The sync thread
writes to the same SQLite connection inside its transactions; a service read that ran
in between would see a half-applied round, so every call holds the store's writer lock
(the one `SQLiteStore.rows` holds) — except "sync now", which takes it per transaction
itself and would otherwise freeze every screen while it talks to HQ."""
from node.services import NodeServices, ServiceError, Session

__all__ = ["Backend", "ServiceError", "Session"]


class Backend:
    def __init__(self, services: NodeServices, store):
        self.services = services
        self.store = store
        self._lock = store._lock  # the writer lock of sync/store.py's SQLiteStore

    def call(self, fn, *args, **kwargs):
        with self._lock:
            return fn(*args, **kwargs)

    def __getattr__(self, name):
        """`backend.orders.page(...)` runs `services.orders.page(...)` under the lock."""
        return _Locked(getattr(self.services, name), self._lock)

    def login(self, username: str, secret: str, *, pin: bool = False, lang: str = "zh") -> Session:
        with self._lock:
            return self.services.login(username, secret, pin=pin, lang=lang)

    def sync_now(self, session: Session):
        return self.services.sync.sync_now(session)


class _Locked:
    def __init__(self, target, lock):
        self._target, self._lock = target, lock

    def __getattr__(self, name):
        attr = getattr(self._target, name)
        if not callable(attr):
            return attr

        def locked(*args, **kwargs):
            with self._lock:
                return attr(*args, **kwargs)
        return locked
