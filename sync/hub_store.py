"""The hub's store: the authoritative rows of every table, the nodes and their chains, the
audit of received changes, refusals, fork alerts and the bucket chains. `write` (hub-made
changes) and `ingest.push` (nodes' changes) both go through `apply_put`/`apply_add` here."""
import hashlib
import secrets
import uuid

from shared.tables import TABLES, TableSpec, outlet_bucket
from sync import merge, relay
from sync.canonical import ZERO_HASH, canonical_bytes, sha256_hex
from sync.hlc import HLC, MAX_DRIFT_MS, now_ms
from sync.keys import SigningKey
from sync.store import SQLiteStore

HUB_SRC = "hub"
DEFAULT_MAX_DRIFT_MS = MAX_DRIFT_MS
TOKEN_TTL_MS = 24 * 3600 * 1000


class HubStore(SQLiteStore):
    def __init__(self, path, *, key: SigningKey | None = None, hub_id: str | None = None,
                 clock: HLC | None = None, max_drift_ms: int = DEFAULT_MAX_DRIFT_MS):
        super().__init__(path)
        self.key = key or SigningKey.generate()
        with self.tx():
            if self.meta_get("hub_id") is None:
                self.meta_set("hub_id", hub_id or f"hub-{uuid.uuid4().hex[:12]}")
            self.hub_id = self.meta_get("hub_id")
        self.clock = clock or HLC()
        self.follow_clock()
        self.max_drift_ms = max_drift_ms

    def create_own_tables(self) -> None:
        c = self.conn
        c.execute("CREATE TABLE IF NOT EXISTS _meta (key TEXT PRIMARY KEY, value)")
        c.execute("""CREATE TABLE IF NOT EXISTS nodes (node_id TEXT PRIMARY KEY,
            outlet_id TEXT NOT NULL, public_key TEXT NOT NULL, name TEXT, letter TEXT,
            status TEXT NOT NULL DEFAULT 'active', epoch INTEGER NOT NULL DEFAULT 1,
            seq INTEGER NOT NULL DEFAULT 0, head TEXT NOT NULL DEFAULT '""" + ZERO_HASH + """',
            app_version TEXT, schema INTEGER, enrolled_at INTEGER, revoked_at INTEGER,
            last_seen_at INTEGER)""")
        c.execute("""CREATE TABLE IF NOT EXISTS enroll_tokens (token_hash TEXT PRIMARY KEY,
            outlet_id TEXT NOT NULL, created_at INTEGER, expires_at INTEGER, used_at INTEGER,
            node_id TEXT)""")
        c.execute("""CREATE TABLE IF NOT EXISTS node_changes (origin TEXT, epoch INTEGER,
            seq INTEGER, hash TEXT NOT NULL, body BLOB NOT NULL, received_at INTEGER,
            PRIMARY KEY (origin, epoch, seq))""")
        c.execute("""CREATE TABLE IF NOT EXISTS refusals (id INTEGER PRIMARY KEY,
            origin TEXT, epoch INTEGER, seq INTEGER, op_index INTEGER, table_name TEXT,
            row_id TEXT, code TEXT, message TEXT, at INTEGER)""")
        c.execute("""CREATE TABLE IF NOT EXISTS bucket_changes (bucket TEXT, epoch INTEGER,
            seq INTEGER, hash TEXT NOT NULL, body BLOB NOT NULL,
            PRIMARY KEY (bucket, epoch, seq))""")
        c.execute("""CREATE TABLE IF NOT EXISTS buckets (bucket TEXT PRIMARY KEY,
            epoch INTEGER NOT NULL, seq INTEGER NOT NULL, head TEXT NOT NULL)""")
        c.execute("""CREATE TABLE IF NOT EXISTS fork_alerts (id INTEGER PRIMARY KEY,
            node_id TEXT, epoch INTEGER, seq INTEGER, held_hash TEXT, sent_hash TEXT,
            at INTEGER, resolved INTEGER NOT NULL DEFAULT 0)""")

    # ---- nodes and enrollment ----

    def node(self, node_id: str) -> dict | None:
        with self.snapshot() as c:
            cur = c.execute("SELECT * FROM nodes WHERE node_id = ?", (node_id,))
            row = cur.fetchone()
            return dict(zip([d[0] for d in cur.description], row, strict=True)) if row else None

    def create_enroll_token(self, outlet_id: str, ttl_ms: int = TOKEN_TTL_MS) -> str:
        """A one-time token; only its hash is stored."""
        token = secrets.token_urlsafe(24)
        now = now_ms()
        with self.tx() as c:
            c.execute("INSERT INTO enroll_tokens (token_hash, outlet_id, created_at, expires_at)"
                      " VALUES (?,?,?,?)", (token_hash(token), outlet_id, now, now + ttl_ms))
        return token

    # ---- the one write path ----

    def tick(self) -> int:
        return self.clock.tick()

    def apply_put(self, c, spec: TableSpec, row_id: str, fields: dict, clock, out: relay.Relay,
                  row: merge.Row | None = None, cache: dict | None = None) -> dict:
        """LWW-merge a put into the hub's row and relay what won to the row's buckets. A row
        entering a new outlet (dispatch, re-dispatch) takes its full state and what it
        carries (its customer) along. Returns the fields that won."""
        return self.put_row(c, spec, row_id, fields, clock, out, row, cache)[0]

    def put_row(self, c, spec: TableSpec, row_id: str, fields: dict, clock, out: relay.Relay,
                row: merge.Row | None = None, cache: dict | None = None, *,
                loaded: bool = False) -> tuple[dict, merge.Row | None]:
        """`apply_put` that also returns the row as it now stands (None if there is none).
        `loaded`: the caller just read `row` in this transaction, so None means no row."""
        if row is None and not loaded:
            row = merge.load(c, spec, row_id)
        before = dict(row) if row is not None else None
        won = merge.lww_winners(row, fields, clock)
        if not won:
            return won, row
        after = merge.write_fields(c, spec, row_id, row, won, {f: clock for f in won})
        if after is None:
            after = merge.load(c, spec, row_id)
        new_buckets = relay.buckets_of(c, spec, after, cache)
        old_buckets = relay.buckets_of(c, spec, before, cache) if before is not None else []
        if cache is not None:
            relay.remember_outlet(c, spec, after, cache)
        op = {"op": "put", "table": spec.name, "id": row_id, "fields": won,
              "hlc": clock[0], "src": clock[1]}
        out.send([b for b in old_buckets if b not in new_buckets], [op])
        entered = [b for b in new_buckets if b not in old_buckets]
        out.send([b for b in new_buckets if b in old_buckets], [op])
        if entered:
            out.send(entered, relay.snapshot_ops(after) if before is not None else [op])
            if before is not None:  # a moved row takes the rows that belong with it along
                out.send(entered, relay.children_ops(c, spec, row_id))
        moved = entered or any(col in won for col, _ in spec.carries)
        if moved and new_buckets:
            for col, table in spec.carries:
                carried = merge.load(c, TABLES[table], after[col]) if after.get(col) else None
                if carried is not None:
                    out.send(new_buckets, relay.snapshot_ops(carried))
        return won, after

    def apply_add(self, c, spec: TableSpec, row_id: str, fields: dict, clock, out: relay.Relay,
                  cache: dict | None = None) -> None:
        merge.add(c, spec, row_id, fields, clock)
        out.send(relay.buckets_of(c, spec, {"id": row_id, **fields}, cache),
                 [{"op": "add", "table": spec.name, "id": row_id, "fields": fields,
                   "hlc": clock[0], "src": clock[1]}])

    def hub_put(self, c, table: str, row_id: str, fields: dict, out: relay.Relay,
                cache: dict | None = None, row: merge.Row | None = None) -> None:
        """A hub decision (status, content hash, initial values) with a fresh hub clock.
        `row`: the row as it stands, when the caller has it (else it is read)."""
        self.apply_put(c, TABLES[table], row_id, fields, (self.tick(), HUB_SRC), out,
                       row=row, cache=cache)

    def write(self, ops: list[dict], actor: str = "hub") -> None:
        """Hub-made changes (reference data, dispatch, approvals): the hub is trusted here;
        hub services check roles and the state machine before they call it."""
        out = relay.Relay()
        with self.tx() as c:
            for op in ops:
                spec = TABLES[op["table"]]
                clock = (self.tick(), HUB_SRC)
                if op["op"] == "put":
                    self.apply_put(c, spec, op["id"], op["fields"], clock, out)
                else:
                    existing = merge.load(c, spec, op["id"])
                    if existing is None:
                        self.apply_add(c, spec, op["id"], op["fields"], clock, out)
                    elif not merge.same_ledger_row(existing, op["fields"]):
                        raise ValueError(f"{spec.name} {op['id']} exists with other fields")
            self.finish(c, out)

    def finish(self, c, out: relay.Relay) -> None:
        out.flush(c, tick=self.tick, at=now_ms())
        self.meta_set("hlc", self.clock.last)

    def snapshot_to(self, c, spec: TableSpec, row_id: str, bucket: str, out: relay.Relay) -> bool:
        """Send the hub's authoritative version of a row to one bucket; False if none."""
        row = merge.load(c, spec, row_id)
        if row is None:
            return False
        out.send([bucket], relay.snapshot_ops(row, auth=True))
        return True

    def content_hash(self, c, spec: TableSpec, row_id: str) -> str:
        """The hash a submission is frozen at: the row and its lines, outlet fields only."""
        row = merge.load(c, spec, row_id)
        doc = {"row": {k: v for k, v in row.items() if not spec.hub_authority(k)}, "lines": []}
        for child in TABLES.values():
            if child.frozen_with == spec.name:
                ids = [r[0] for r in c.execute(
                    f"SELECT id FROM [{child.name}] WHERE [{child.parent.column}] = ? ORDER BY id",
                    (row_id,))]
                doc["lines"] += [dict(merge.load(c, child, i)) for i in ids]
        return sha256_hex(canonical_bytes(doc))

    def notice_id(self, origin: str, epoch: int, seq: int, op_index: int) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"fieldsync:{origin}:{epoch}:{seq}:{op_index}"))

    def outlet_bucket_of_node(self, node: dict) -> str:
        return outlet_bucket(node["outlet_id"])


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
