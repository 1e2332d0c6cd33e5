"""One sync round of a node: hello, reconcile chains (new epoch after a restore), push the
unsent changes as signed segments, pull every bucket. The transport is the only thing that
differs between in-process tests and HTTPS."""
from dataclasses import dataclass, field
from typing import Protocol

from sync import change, handback, keys, segment
from sync.change import release_params
from sync.errors import ChainGap, Fork
from sync.hlc import MAX_DRIFT_MS, now_ms
from sync.node_store import NodeStore


class Transport(Protocol):
    def hello(self, pending: int | None = None) -> dict: ...
    def push(self, body: bytes) -> dict: ...
    def pull(self, bucket: str, after: int, limit: int) -> bytes: ...
    # Optional (docs/protocol.md "Hand-back"): def handback(self, bucket: str, body: bytes) -> dict


@dataclass
class RoundResult:
    pushed: int = 0
    pulled: int = 0
    rejected: list[dict] = field(default_factory=list)
    new_epoch: bool = False
    clock_rewound: bool = False  # our clock had run ahead of HQ's; it follows HQ's again
    evicted: int = 0             # rows a device removed as out of its technician's scope
    held: str | None = None      # why nothing was pushed (hub_older, device_outdated; see schema_hold)
    handed_back: int = 0         # HQ's changes HQ had lost and took back from us (sync/handback.py)
    lost: int = 0                # rows removed because HQ lost them and no node could give them back


def schema_hold(accepted) -> str | None:
    """Why our changes must wait, from the schemas HQ accepts (hello's `schema`): HQ runs an
    older release than ours (`hub_older`: HQ upgrades first, then our changes go) or no
    longer accepts ours (`device_outdated`: this device upgrades). Pushing anyway would
    only be refused (426); the changes stay in the log, nothing is lost."""
    if not isinstance(accepted, dict):
        return None
    if isinstance(accepted.get("max"), int) and accepted["max"] < change.SCHEMA:
        return "hub_older"
    if isinstance(accepted.get("min"), int) and accepted["min"] > change.SCHEMA:
        return "device_outdated"
    return None


def reconcile(store: NodeStore, held: dict) -> bool:
    """Compare what the hub holds of our chain with our log. If the hub holds changes we do
    not have (restored from an old copy) or a different history (cloned), start a new
    epoch and re-send everything after our last acknowledged change. True if it did."""
    epoch = store.epoch
    last_seq, _ = store.last(epoch)
    h_epoch, h_seq, h_head = held["epoch"], held["seq"], held["head"]
    diverged = (h_epoch > epoch or (h_epoch == epoch and (
        h_seq > last_seq or store.hash_at(epoch, h_seq) != h_head)))
    if diverged:
        store.start_epoch(max(h_epoch, epoch) + 1, resend_after=store.acked())
        return True
    if h_epoch == epoch:
        store.mark_acked(epoch, h_seq)
    return False


def push_all(store: NodeStore, transport: Transport, key: keys.SigningKey, result: RoundResult,
             held_seq: int) -> None:
    attempts = 0
    while True:
        batch = push_batch(store.unsent(held_seq))
        if not batch:
            return
        prev = store.hash_at(store.epoch, batch[0][0] - 1)
        assert prev is not None, "an unsent change follows one of our log (or the start)"
        lines = [b for _, _, b in batch]
        manifest = segment.manifest_for(hub=store.hub_id, origin_key="origin", origin=store.node_id,
                                        epoch=store.epoch, first=batch[0][0], lines=lines, prev=prev)
        body = segment.encode(manifest, segment.sign_manifest(key, keys.SEGMENT, manifest), lines)
        try:
            resp = transport.push(body)
        except ChainGap as gap:
            held_seq = _resend_point(store, gap.extra.get("have"))
            attempts += 1
            if attempts > 3:
                raise
            continue
        except Fork:
            store.start_epoch(store.epoch + 1, resend_after=store.acked())
            result.new_epoch = True
            held_seq = 0
            attempts += 1
            if attempts > 3:
                raise
            continue
        have = resp["have"]
        result.pushed += max(0, have["seq"] - held_seq) if have["epoch"] == store.epoch else 0
        result.rejected += resp.get("rejected", [])
        store.mark_acked(have["epoch"], have["seq"])
        held_seq = have["seq"]


def _resend_point(store: NodeStore, have: object) -> int:
    """After chain_gap: continue from what the hub holds of our current epoch."""
    if isinstance(have, dict) and have.get("epoch") == store.epoch:
        return int(have.get("seq", 0))
    return 0


def push_batch(unsent: list[tuple[int, str, bytes]]) -> list[tuple[int, str, bytes]]:
    """At most MAX_CHANGES changes and MAX_BYTES bytes (the manifest line needs a little room)."""
    out: list[tuple[int, str, bytes]] = []
    size = 1024
    for item in unsent:
        size += len(item[2]) + 1
        if out and size > segment.MAX_BYTES:
            break
        out.append(item)
    return out


def pull_all(store: NodeStore, transport: Transport, result: RoundResult, hello: dict,
             limit: int = 1000) -> None:
    held = hello.get("node") or {}
    if held.get("epoch") == store.epoch and held.get("seq", 0) > store.acked() \
            and store.hash_at(store.epoch, held["seq"]) == held.get("head"):
        # What HQ holds of our chain is decided: its refusals and echoes in the buckets must
        # not wait behind those writes as if HQ had yet to see them (pull before push).
        store.mark_acked(store.epoch, held["seq"])
    for bucket in store.buckets:
        info = hello["buckets"].get(bucket, {})
        if handback.hub_lost(store, bucket, info):  # HQ restored: hand back, pull again
            handback.recover(store, transport, bucket, info, result)
        elif result.pushed == 0 and up_to_date(store, bucket, info):
            # hello said nothing moved (and no push of ours since made HQ write to our
            # buckets: refusals, the hub's word back): an idle round is that one request
            continue
        recovered = False
        while True:
            _, seq, _ = store.cursor(bucket)
            try:
                m = store.apply_pull(bucket, transport.pull(bucket, seq, limit))
            except (ChainGap, handback.Diverged):
                if recovered:
                    raise
                handback.recover(store, transport, bucket, None, result)
                recovered = True
                continue
            result.pulled += m["count"]
            if not m.get("more"):
                result.lost += handback.finish_rebuild(store, bucket)
                break


def up_to_date(store: NodeStore, bucket: str, info: dict) -> bool:
    """Does the node hold the bucket exactly to the head hello reported (same epoch, seq and
    hash), with no rebuild after a hub restore waiting to finish? Then a pull would answer
    nothing."""
    if not info or store.cursor(bucket) != (info.get("epoch"), info.get("seq"), info.get("head")):
        return False
    with store.read() as c:
        return not handback.rebuilding(c, bucket)


def sync_round(store: NodeStore, transport: Transport, key: keys.SigningKey) -> RoundResult:
    result = RoundResult()
    hello = transport.hello(pending=store.pending_count())
    held = hello["node"]
    result.new_epoch = reconcile(store, held)
    held_seq = held["seq"] if held["epoch"] == store.epoch else 0
    result.held = schema_hold(hello.get("schema"))
    # HQ restored from a backup: its lost changes go back before our own work is judged.
    handback.before_push(store, transport, hello, result,
                         will_push=result.held is None and store.last()[0] > held_seq)
    if result.held is None:
        push_all(store, transport, key, result, held_seq)
    pull_all(store, transport, result, hello)  # what HQ sends, a node of either schema can apply
    # A device then drops what left its scope; its own writes were pushed (and acknowledged)
    # above, so work on an order reassigned meanwhile reached HQ before the order goes.
    # After a pull that brought something; an idle round only for the closed orders'
    # window, at most hourly (NodeStore.scope_check_due).
    now = store.clock.wall_now()
    if store.scope_check_due(now):
        result.evicted = store.evict_out_of_scope(now)
    if isinstance(hello.get("hub_time"), int):
        store.rewind_clock(hello["hub_time"], MAX_DRIFT_MS)
    return result


class LocalTransport:
    """In-process transport: the node's calls go straight to the hub handlers, already
    authenticated as `node_id` (HTTP request signatures are the HTTPS transport's job)."""

    def __init__(self, hub, node_id: str):
        from sync import hub_handlers
        self._h = hub_handlers
        self.hub = hub
        self.node_id = node_id

    def hello(self, pending: int | None = None) -> dict:
        return self._h.hello(self.hub, self.node_id, **release_params(), pending=pending, node_time=now_ms())

    def push(self, body: bytes) -> dict:
        return self._h.push(self.hub, self.node_id, body)

    def pull(self, bucket: str, after: int, limit: int = 1000) -> bytes:
        return self._h.pull(self.hub, self.node_id, bucket, after, limit)

    def handback(self, bucket: str, body: bytes) -> dict:
        from sync import recovery
        return recovery.receive(self.hub, self.node_id, body)
