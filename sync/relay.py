"""Which buckets a row travels in, and the hub's bucket chains (origin `hub/<bucket>`):
every write the hub accepts or makes is relayed with its original (hlc, src)."""
from collections import defaultdict

from shared.tables import (GLOBAL_BUCKET, TABLES, ByOutlet, ByParent, ByReferrers, Global,
                           TableSpec, outlet_bucket, tech_bucket)
from sync import merge
from sync.canonical import ZERO_HASH, sha256_hex
from sync.change import MAX_OPS, bucket_schema, make_change
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
    """Note in `cache` the outlet and the buckets of a row as it now stands, so that
    `row_outlet` and `buckets_of` of its children (keyed by the parent's table and id) need
    not read it again."""
    if isinstance(spec.bucket, (ByOutlet, ByParent)):
        cache[(spec.name, row["id"])] = row_outlet(conn, spec, row, cache)
        cache[("buckets", spec.name, row["id"])] = buckets_of(conn, spec, row, cache)


def buckets_of(conn, spec: TableSpec, row: dict, cache: dict | None = None) -> list[str]:
    """Every bucket a row travels in: `global`; its outlet's bucket and, when the table
    names a technician (`TableSpec.technician`), that technician's bucket; a child row
    (ByParent) all of its parent's; a referred row (a customer) those of the rows naming it."""
    rule = spec.bucket
    if isinstance(rule, Global):
        return [GLOBAL_BUCKET]
    if isinstance(rule, ByReferrers):
        return _referrers_buckets(conn, rule, row)
    if isinstance(rule, ByParent):
        parent_id = row.get(rule.column)
        key = ("buckets", rule.table, parent_id)
        if cache is not None and key in cache:
            return list(cache[key])
        parent = merge.load(conn, TABLES[rule.table], parent_id) if parent_id else None
        found = buckets_of(conn, TABLES[rule.table], parent, cache) if parent else []
        if cache is not None and parent is not None:
            cache[key] = found
        return list(found)
    return own_buckets(spec, row)


def own_buckets(spec: TableSpec, row: dict) -> list[str]:
    """A row placed by its own outlet column: the outlet's bucket, and its technician's
    when it names one. A row of no outlet is the hub's alone (no technician bucket either:
    a technician's bucket is a share of an outlet)."""
    assert isinstance(spec.bucket, ByOutlet)
    outlet = row.get(spec.bucket.column)
    if not outlet:
        return []
    tech = row.get(spec.technician) if spec.technician else None
    return [outlet_bucket(outlet), tech_bucket(tech)] if tech else [outlet_bucket(outlet)]


def _referrers_buckets(conn, rule: ByReferrers, row: dict) -> list[str]:
    placed = TABLES[rule.table]
    assert isinstance(placed.bucket, ByOutlet), f"{rule.table} must be placed by its outlet"
    outlet_col = placed.bucket.column
    tech_col = placed.technician
    cols = f"[{outlet_col}], [{tech_col}]" if tech_col else f"[{outlet_col}], NULL"
    found: list[str] = []
    for outlet, tech in conn.execute(f"SELECT DISTINCT {cols} FROM [{rule.table}] WHERE [{rule.column}] = ?"
                                     f" AND [{outlet_col}] IS NOT NULL", (row["id"],)).fetchall():
        for b in (outlet_bucket(outlet), tech_bucket(tech) if tech else None):
            if b is not None and b not in found:
                found.append(b)
    return found


def reaches_technician(spec: TableSpec) -> bool:
    """Can a row of this table travel in a technician's bucket (it names one, or belongs to
    a row that does)? Such rows are what a device's scope is made of."""
    if spec.technician is not None:
        return True
    parent = spec.parent
    return parent is not None and reaches_technician(TABLES[parent.table])


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
                ops += snapshot_ops(merge.load_held(conn, child, child_id))
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
                       hlc=tick(), at=at, actor="hub", outlet=None, ops=ops, schema=bucket_schema())
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


def append(conn, bucket: str, ops: list[dict], *, hlc: int, at: int) -> None:
    epoch, seq, head = head_of(conn, bucket)
    body = make_change(origin=bucket_origin(bucket), epoch=epoch, seq=seq + 1, prev=head,
                       hlc=hlc, at=at, actor="hub", outlet=None, ops=ops, schema=bucket_schema())
    _store(conn, bucket, epoch, seq + 1, body)


def _store(conn, bucket: str, epoch: int, seq: int, body: bytes) -> None:
    h = sha256_hex(body)
    conn.execute("INSERT INTO bucket_changes (bucket, epoch, seq, hash, body) VALUES (?,?,?,?,?)",
                 (bucket, epoch, seq, h, body))
    conn.execute("INSERT INTO buckets (bucket, epoch, seq, head) VALUES (?,?,?,?) "
                 "ON CONFLICT(bucket) DO UPDATE SET seq = excluded.seq, head = excluded.head",
                 (bucket, epoch, seq, h))
