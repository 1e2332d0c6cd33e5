"""Live updates: the sync service calls `LiveSessions.notify` from its thread after every
round; each open browser session refreshes the screen it shows on its own event loop
(`page.run_task`)."""
import logging
import threading
import weakref

log = logging.getLogger("fieldsync.node.ui")


class LiveSessions:
    def __init__(self):
        self._shells: weakref.WeakSet = weakref.WeakSet()
        self._lock = threading.Lock()

    def add(self, shell) -> None:
        with self._lock:
            self._shells.add(shell)

    def remove(self, shell) -> None:
        with self._lock:
            self._shells.discard(shell)

    def notify(self, status=None) -> None:
        moved = moved_anything(status)
        with self._lock:
            shells = list(self._shells)
        for shell in shells:
            try:
                shell.page.run_task(shell.on_sync_round, moved)
            except Exception:  # a closed session: it goes when its page does
                log.debug("live refresh skipped", exc_info=True)


def moved_anything(status) -> bool:
    """Whether a finished round changed what screens show: it pushed (pending marks go),
    pulled, had changes refused or started an epoch. No status: assume it did."""
    if status is None:
        return True
    if getattr(status, "last_error", None) is not None:
        return False
    r = getattr(status, "last_round", None) or {}
    return any(r.get(k) for k in ("pushed", "pulled", "rejected", "new_epoch"))
