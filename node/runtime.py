"""A running node apart from its screens: the replica, the transport to HQ and the background
sync, opened, started and stopped as one. `fieldsync node serve` runs it beside the web UI;
a device app runs it beside its own window the same way."""
from dataclasses import dataclass

from node import retention
from node.home import NodeHome
from node.sync_service import SyncService
from sync.node_store import NodeStore


def open_node(home: NodeHome):
    """The node's settings, store and transport, after settling a key rotation a crash left
    half done (when HQ can be reached; otherwise on a later start)."""
    from node.rotate import settle_pending_rotation
    from sync.http_client import HttpTransport, HubUnreachable
    settings = home.settings()
    store = home.open_store()
    transport = HttpTransport(settings["url"], settings["node_id"], home.signing_key(), home.cert_pem())
    try:
        settle_pending_rotation(home, transport)
    except HubUnreachable:
        pass  # settled on a later start; the old key stays in use until then
    return settings, store, transport.key, transport


@dataclass
class NodeRuntime:
    settings: dict
    store: NodeStore
    sync: SyncService
    transport: object = None  # the HttpTransport to HQ, for what only HQ does (device codes)

    @classmethod
    def open(cls, home: NodeHome, *, interval_s: float = 30, max_backoff_s: float = 600) -> "NodeRuntime":
        settings, store, key, transport = open_node(home)
        sync = SyncService(store, transport, key, interval_s=interval_s, jitter_s=min(5, interval_s / 5),
                           max_backoff_s=max_backoff_s, blobs_dir=home.blobs)
        # After a round (the outlet's retention may just have arrived), at most hourly.
        sync.add_listener(lambda _status: retention.purge_if_due(store))
        return cls(settings, store, sync, transport)

    def start(self) -> None:
        self.sync.start()

    def stopping(self) -> None:
        """The stop has begun: no new sync round, a running one ends before its next request."""
        self.sync.stopping()

    def stop(self, timeout: float, cut_short=lambda: False) -> bool:
        """Stop the sync within `timeout` s and close the store. False if a round was still
        waiting for HQ's answer: the store stays open for it, and the caller leaves it
        behind (shared.stopping.leave_now); HQ applies a segment whole or not at all."""
        if not self.sync.stop(timeout, cut_short):
            return False
        self.store.close()
        return True
