"""Which buckets a row travels in, and the hub's bucket chains (origin `hub/<bucket>`):
every write the hub accepts or makes is relayed with its original (hlc, src)."""
from collections import defaultdict

from shared.tables import (GLOBAL_BUCKET, TABLES, ByOrders, ByOutlet, ByParent, Global,
                           TableSpec, outlet_bucket)
from sync import merge
from sync.canonical import ZERO_HASH, sha256_hex
from sync.change import MAX_OPS, make_change
from sync.segment import MAX_BYTES


def bucket_origin(bucket: str) -> str:
    return f"hub/{bucket}"


def row_outlet(conn, spec: TableSpec, row: dict, cache: dict | None = None) -> str | None:
    """The outlet a row of an outlet-scoped table belongs to (via its parent if need be)."""
    rule = spec.bucket
    if isinstance(rule, ByOutlet):
        return row.get(rule.column)
    if isinstance(rule, ByParent):
        parent_id = row.get(rule.column)
        key = (rule.table, parent_id)
        if cache is not None and key in cache:
            return cache[key]
        parent = merge.load(conn, TABLES[rule.table], parent_id) if parent_id else None
        outlet = row_outlet(conn, TABLES[rule.table], parent, cache) if parent else None
        if cache is not None and parent is not None:
            cache[key] = outlet
        return outlet
    return None


def remember_outlet(conn, spec: TableSpec, row: dict, cache: dict) -> None:
    """Note in `cache` the outlet of a row as it now stands, so that `row_outlet` of its
    children (keyed by the parent's table and id) need not read it again."""
    if isinstance(spec.bucket, (ByOutlet, ByParent)):
        cache[(spec.name, row["id"])] = row_outlet(conn, spec, row, cache)


def buckets_of(conn, spec: TableSpec, row: dict, cache: dict | None = None) -> list[str]:
    rule = spec.bucket
    if isinstance(rule, Global):
        return [GLOBAL_BUCKET]
    if isinstance(rule, ByOrders):
        rows = conn.execute("SELECT DISTINCT outlet_id FROM service_orders WHERE customer_id = ?"
                            " AND outlet_id IS NOT NULL", (row["id"],)).fetchall()
        return [outlet_bucket(r[0]) for r in rows]
    outlet = row_outlet(conn, spec, row, cache)
    return [outlet_bucket(outlet)] if outlet else []


def children_ops(conn, spec: TableSpec, row_id: str) -> list[dict]:
    """Snapshot ops of every row that belongs where this row belongs (ByParent, at any
    depth), parents before children: what a row entering a new bucket brings along."""
    ops = []
    for child in TABLES.values():
        rule = child.bucket
        if isinstance(rule, ByParent) and rule.table == spec.name:
            ids = [r[0] for r in conn.execute(
                f"SELECT id FROM [{child.name}] WHERE [{rule.column}] = ? ORDER BY id", (row_id,))]
            for child_id in ids:
                ops += snapshot_ops(merge.load(conn, child, child_id))
                ops += children_ops(conn, child, child_id)
    return ops


def snapshot_ops(row: merge.Row, auth: bool = False) -> list[dict]:
    """A stored row as relay ops: one op per distinct field clock, so every replica keeps
    the same clocks. `auth` marks the hub's authoritative version after a refusal."""
    spec = row.spec
    fields = {c: v for c, v in row.items() if c != "id"}
    if not spec.is_record:
        hlc, src = row.clk[""]
        return [{"op": "add", "table": spec.name, "id": row["id"], "fields": fields,
                 "hlc": hlc, "src": src}]
    groups: dict[tuple, dict] = defaultdict(dict)
    for col, value in fields.items():
        if col in row.clk:
            groups[tuple(row.clk[col])][col] = value
        elif auth:  # never written on the hub: the authoritative value is null
            groups[(0, "hub")][col] = None
    ops = []
    for (hlc, src), group in sorted(groups.items()):
        op = {"op": "put", "table": spec.name, "id": row["id"], "fields": group,
              "hlc": hlc, "src": src}
        if auth:
            op["auth"] = True
        ops.append(op)
    return ops


class Relay:
    """Collects relayed ops per bucket during one hub transaction, then appends them to
    the bucket chains as changes of at most MAX_OPS ops."""

    def __init__(self):
        self.ops: dict[str, list[dict]] = defaultdict(list)

    def send(self, buckets, ops: list[dict]) -> None:
        for b in buckets:
            self.ops[b].extend(ops)

    def flush(self, conn, *, tick, at: int) -> None:
        for bucket, ops in self.ops.items():
            for i in range(0, len(ops), MAX_OPS):
                _append_fitting(conn, bucket, ops[i:i + MAX_OPS], tick, at)
        self.ops.clear()


# A pull answers at least one change and at most segment.MAX_BYTES with its manifest line
# (hub_handlers.pull keeps 1024 bytes for it): a bigger bucket change could never be pulled.
MAX_CHANGE_BYTES = MAX_BYTES - 1024 - 1


def _append_fitting(conn, bucket: str, ops: list[dict], tick, at: int) -> None:
    """Append ops as one change, or as several when one would be too big to pull."""
    epoch, seq, head = head_of(conn, bucket)
    body = make_change(origin=bucket_origin(bucket), epoch=epoch, seq=seq + 1, prev=head,
                       hlc=tick(), at=at, actor="hub", outlet=None, ops=ops)
    if len(body) > MAX_CHANGE_BYTES and len(ops) > 1:
        half = len(ops) // 2
        _append_fitting(conn, bucket, ops[:half], tick, at)
        _append_fitting(conn, bucket, ops[half:], tick, at)
        return
    _store(conn, bucket, epoch, seq + 1, body)


def head_of(conn, bucket: str) -> tuple[int, int, str]:
    row = conn.execute("SELECT epoch, seq, head FROM buckets WHERE bucket = ?",
                       (bucket,)).fetchone()
    return tuple(row) if row else (1, 0, ZERO_HASH)


def _store(conn, bucket: str, epoch: int, seq: int, body: bytes) -> None:
    h = sha256_hex(body)
    conn.execute("INSERT INTO bucket_changes (bucket, epoch, seq, hash, body) VALUES (?,?,?,?,?)",
                 (bucket, epoch, seq, h, body))
    conn.execute("INSERT INTO buckets (bucket, epoch, seq, head) VALUES (?,?,?,?) "
                 "ON CONFLICT(bucket) DO UPDATE SET seq = excluded.seq, head = excluded.head",
                 (bucket, epoch, seq, h))
