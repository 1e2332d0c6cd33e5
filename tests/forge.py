"""Hand-made changes and segments for adversarial tests: what a modified client or a
man in the middle could send, built from the same pieces the real client uses."""
import json

from shared.tables import TABLES
from sync import hub_handlers, keys, segment
from sync.canonical import ZERO_HASH, canonical_bytes, sha256_hex
from sync.change import SCHEMA, VERSION
from sync.store import table_names
from fieldsync.testing.world import Node

# Every hub table an adversarial test may look at, beside the replicated ones.
HUB_OWN = ("bucket_changes", "buckets", "node_changes", "refusals", "fork_alerts")


def dump(store, extra=HUB_OWN) -> dict:
    """A snapshot of every replicated table (with clocks) and the given bookkeeping tables;
    for a hub also the chain state of each node (not its last_seen_at)."""
    out = {}
    for name in [*TABLES, *extra]:
        out[name] = sorted(store.conn.execute(f"SELECT * FROM [{name}]").fetchall(), key=repr)
    if "nodes" in table_names(store.conn):
        out["nodes"] = store.conn.execute(
            "SELECT node_id, status, epoch, seq, head FROM nodes ORDER BY node_id").fetchall()
    return out


def node_dump(node: Node) -> dict:
    return dump(node.store, extra=("_cursors", "_pending", "_deferred", "_refused", "_log"))


def change(node: Node, seq: int, prev: str, ops: list[dict], *, actor: str, hlc: int,
           epoch: int = 1, **overrides) -> bytes:
    """A change of `node`'s chain in canonical bytes; `overrides` replace top-level keys
    (schema=99, outlet=...) after the normal ones are set."""
    obj = {"v": VERSION, "origin": node.node_id, "epoch": epoch, "seq": seq, "prev": prev,
           "hlc": hlc, "at": 1_771_000_000_000, "actor": actor, "outlet": node.outlet_id,
           "schema": SCHEMA, "ops": ops}
    obj.update(overrides)
    return canonical_bytes(obj)


def chain(node: Node, ops_per_change: list[list[dict]], *, actor: str, hlc: int,
          first: int = 1, prev: str = ZERO_HASH, epoch: int = 1) -> list[bytes]:
    """Consecutive changes of `node`'s chain starting at `first`."""
    lines = []
    for i, ops in enumerate(ops_per_change):
        line = change(node, first + i, prev, ops, actor=actor, hlc=hlc + i, epoch=epoch)
        lines.append(line)
        prev = sha256_hex(line)
    return lines


def body(node: Node, lines: list[bytes], *, first: int = 1, prev: str = ZERO_HASH,
         epoch: int = 1, key: keys.SigningKey | None = None, sent_lines: list[bytes] | None = None,
         **manifest_overrides) -> bytes:
    """A push body: a manifest over `lines` signed by `key` (default the node's key), with
    `sent_lines` (default `lines`) as the change lines actually sent."""
    m = segment.manifest_for(hub=node.store.hub_id, origin_key="origin", origin=node.node_id,
                             epoch=epoch, first=first, lines=lines, prev=prev)
    m.update(manifest_overrides)
    sig = segment.sign_manifest(key or node.key, keys.SEGMENT, m)
    return segment.encode(m, sig, lines if sent_lines is None else sent_lines)


def unsent_body(node: Node, after: int = 0, **kw) -> bytes:
    """The segment the real client would send for the node's log after `after`."""
    rows = node.store.unsent(after)
    prev = node.store.hash_at(node.store.epoch, after)
    return body(node, [b for _, _, b in rows], first=after + 1, prev=prev,
                epoch=node.store.epoch, **kw)


def log_change(node: Node, actor: str, ops: list[dict], **overrides) -> int:
    """Append a hand-made change to the node's own log, bypassing NodeStore.write's local
    checks (a modified client): the next sync pushes it like any other. Rows are not
    touched locally. Returns the seq."""
    st = node.store
    with st.tx() as c:
        epoch = st.epoch
        seq, prev = st.last(epoch)
        hlc = st.clock.tick()
        line = change(node, seq + 1, prev, ops, actor=actor, hlc=hlc, epoch=epoch, **overrides)
        c.execute("INSERT INTO _log (epoch, seq, hash, hlc, body) VALUES (?,?,?,?,?)",
                  (epoch, seq + 1, sha256_hex(line), hlc, line))
        st.meta_set("hlc", st.clock.last)
    return seq + 1


def flip(data: bytes, needle: bytes) -> bytes:
    """Flip the low bit of the last byte of the first `needle` (pick one inside a string
    value so that the line stays valid JSON)."""
    i = data.index(needle) + len(needle) - 1
    return data[:i] + bytes([data[i] ^ 1]) + data[i + 1:]


def reorder(line: bytes) -> bytes:
    """The same change with its keys in reverse order: same content, other bytes."""
    obj = json.loads(line)
    return json.dumps(dict(reversed(list(obj.items()))), separators=(",", ":"),
                      ensure_ascii=False).encode()


def pulled_ops(hub, node: Node, bucket: str) -> list[dict]:
    """Every op of a bucket's full chain, as the node would pull it."""
    ops, after = [], 0
    while True:
        m, _, lines = segment.split(hub_handlers.pull(hub, node.node_id, bucket, after, 1000))
        for line in lines:
            ops += json.loads(line)["ops"]
        after = m["last"] if lines else after
        if not m["more"]:
            return ops
