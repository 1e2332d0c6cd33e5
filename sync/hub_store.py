"""The hub's store: the authoritative rows of every table, the nodes and their chains, the
audit of received changes, refusals, fork alerts and the bucket chains. `write` (hub-made
changes) and `ingest.push` (nodes' changes) both go through `apply_put`/`apply_add` here."""
import hashlib
import secrets
import uuid

from shared.numbering import node_letter
from shared.tables import TABLES, ByOutlet, TableSpec, outlet_bucket, tech_bucket
from sync import merge, relay
from sync.canonical import ZERO_HASH, canonical_bytes, sha256_hex
from sync.hlc import HLC, MAX_DRIFT_MS, now_ms
from sync.keys import SigningKey
from sync.migrations import schema_of
from sync.schema import add_declared_column
from sync.store import SQLiteStore, dict_row, dict_rows

HUB_SRC = "hub"
DEFAULT_MAX_DRIFT_MS = MAX_DRIFT_MS
TOKEN_TTL_MS = 24 * 3600 * 1000


class HubStore(SQLiteStore):
    clock: HLC  # set in __init__ once the tables exist

    def __init__(self, path, *, key: SigningKey | None = None, hub_id: str | None = None,
                 clock: HLC | None = None, max_drift_ms: int = DEFAULT_MAX_DRIFT_MS):
        self.open_storage(path)  # a SQLite file here; PostgreSQL in sync/pg_hub_store.py
        self.key = key or SigningKey.generate()
        with self.tx():
            if self.meta_get("hub_id") is None:
                self.meta_set("hub_id", hub_id or f"hub-{uuid.uuid4().hex[:12]}")
            self.hub_id = self.meta_get("hub_id")
        self.clock = clock or HLC()
        self.follow_clock()
        self.max_drift_ms = max_drift_ms

    def schema(self):
        return schema_of("hub")  # registered by hub/migrations.py

    # ---- nodes, enrollment and fork alerts: the only SQL on these tables ----
    # Methods taking `c` run on the caller's transaction (or snapshot) connection.

    def node(self, node_id: str) -> dict | None:
        """A snapshot read, not `read`: every request authenticates its node here, and a
        node's hello or pull must not wait behind another node's push (a long transaction)."""
        with self.snapshot() as c:
            return dict_row(c.execute("SELECT * FROM nodes WHERE node_id = ?", (node_id,)))

    def node_list(self) -> list[dict]:
        """Every enrolled node with its outlet's code and name, its technician's name (a
        device) and its open fork alerts, newest first (the public key left out)."""
        with self.snapshot() as c:
            return dict_rows(c.execute(
                "SELECT n.node_id, n.outlet_id, n.name, n.letter, n.status, n.epoch, n.seq, n.head,"
                " n.app_version, n.schema, n.enrolled_at, n.revoked_at, n.last_seen_at, n.kind, n.technician_id,"
                " n.pending, o.code AS outlet_code, o.name AS outlet_name, u.display_name AS technician_name,"
                " (SELECT COUNT(*) FROM fork_alerts f WHERE f.node_id = n.node_id AND f.resolved = 0) AS open_forks"
                " FROM nodes n LEFT JOIN outlets o ON o.id = n.outlet_id LEFT JOIN users u ON u.id = n.technician_id"
                " ORDER BY n.enrolled_at DESC"))

    def active_nodes_by_outlet(self) -> dict[str, int]:
        with self.snapshot() as c:
            return dict(c.execute("SELECT outlet_id, COUNT(*) FROM nodes WHERE status = 'active'"
                                  " GROUP BY outlet_id").fetchall())

    def outlet_sync_summary(self, limit: int) -> list[tuple[str, int | None, int]]:
        """(outlet code, its active nodes' latest sync, their reported pending changes) for
        the `limit` outlets longest without a sync (never synced first): the metrics' gauges."""
        with self.snapshot() as c:
            return c.execute(
                "SELECT COALESCE(o.code, n.outlet_id), MAX(n.last_seen_at), COALESCE(SUM(n.pending), 0) FROM nodes n"
                " LEFT JOIN outlets o ON o.id = n.outlet_id WHERE n.status = 'active'"
                " GROUP BY n.outlet_id, o.code"  # (o.code: PostgreSQL groups by what it selects)
                " ORDER BY MAX(n.last_seen_at) IS NOT NULL, MAX(n.last_seen_at) LIMIT ?",  # NULLs first on both
                (limit,)).fetchall()

    def node_counts(self) -> dict[str, int]:
        with self.snapshot() as c:
            return dict(c.execute("SELECT status, COUNT(*) FROM nodes GROUP BY status").fetchall())

    def create_enroll_token(self, outlet_id: str, ttl_ms: int = TOKEN_TTL_MS,
                            technician_id: str | None = None) -> str:
        """A one-time token; only its hash is stored. With `technician_id` it enrolls a
        device bound to that technician (a device code), else the outlet's PC."""
        token = secrets.token_urlsafe(24)
        now = now_ms()
        with self.tx() as c:
            c.execute("INSERT INTO enroll_tokens (token_hash, outlet_id, created_at, expires_at,"
                      " technician_id) VALUES (?,?,?,?,?)",
                      (token_hash(token), outlet_id, now, now + ttl_ms, technician_id))
        return token

    def enroll_token_expiry(self, token: str) -> int | None:
        with self.snapshot() as c:
            row = c.execute("SELECT expires_at FROM enroll_tokens WHERE token_hash = ?",
                            (token_hash(token),)).fetchone()
        return row[0] if row else None

    def enroll(self, c, token: str, public_key: str, name: str, app_version: str,
               schema: int | None, at: int) -> dict | None:
        """Spend a one-time token on a new node of the token's outlet, lettered in the order
        the outlet's nodes enrolled. None when the token is unknown, used or expired."""
        row = c.execute("SELECT outlet_id, expires_at, used_at, technician_id FROM enroll_tokens"
                        " WHERE token_hash = ?", (token_hash(token),)).fetchone()
        if row is None or row[2] is not None or row[1] < at:
            return None
        outlet_id, technician_id = row[0], row[3]
        count = c.execute("SELECT COUNT(*) FROM nodes WHERE outlet_id = ?", (outlet_id,)).fetchone()[0]
        node = {"node_id": f"node-{uuid.uuid4().hex[:16]}", "outlet_id": outlet_id, "letter": node_letter(count),
                "kind": "device" if technician_id else "outlet", "technician_id": technician_id}
        c.execute("INSERT INTO nodes (node_id, outlet_id, public_key, name, letter, app_version,"
                  " schema, enrolled_at, kind, technician_id) VALUES (?,?,?,?,?,?,?,?,?,?)",
                  (node["node_id"], outlet_id, public_key, name, node["letter"], app_version, schema, at,
                   node["kind"], technician_id))
        c.execute("UPDATE enroll_tokens SET used_at = ?, node_id = ? WHERE token_hash = ?",
                  (at, node["node_id"], token_hash(token)))
        return node

    def node_chain(self, c, node_id: str) -> tuple[int, int, str, str]:
        """(epoch, seq, head, status) of an enrolled node's chain as HQ holds it."""
        return c.execute("SELECT epoch, seq, head, status FROM nodes WHERE node_id = ?", (node_id,)).fetchone()

    def advance_node(self, c, node_id: str, epoch: int, seq: int, head: str, at: int) -> None:
        c.execute("UPDATE nodes SET epoch = ?, seq = ?, head = ?, last_seen_at = ? WHERE node_id = ?",
                  (epoch, seq, head, at, node_id))

    def set_node_key(self, node_id: str, public_key: str) -> None:
        with self.tx() as c:
            c.execute("UPDATE nodes SET public_key = ? WHERE node_id = ?", (public_key, node_id))

    def revoke_node(self, node_id: str, at: int) -> bool:
        """False when there is no such active node."""
        with self.tx() as c:
            return c.execute("UPDATE nodes SET status = 'revoked', revoked_at = ? WHERE node_id = ?"
                             " AND status != 'revoked'", (at, node_id)).rowcount == 1

    def add_fork_alert(self, c, node_id: str, epoch: int, seq: int, held_hash: str, sent_hash: str,
                       at: int) -> None:
        c.execute("INSERT INTO fork_alerts (node_id, epoch, seq, held_hash, sent_hash, at)"
                  " VALUES (?,?,?,?,?,?)", (node_id, epoch, seq, held_hash, sent_hash, at))

    def fork_alert(self, alert_id: int) -> dict | None:
        with self.snapshot() as c:
            return dict_row(c.execute("SELECT * FROM fork_alerts WHERE id = ?", (alert_id,)))

    def fork_alerts(self, open_only: bool = True) -> list[dict]:
        """Fork alerts, newest first, with the node's name and epoch and its outlet."""
        with self.snapshot() as c:
            return dict_rows(c.execute(
                "SELECT f.*, n.name AS node_name, n.epoch AS node_epoch, o.code AS outlet_code,"
                " o.name AS outlet_name FROM fork_alerts f LEFT JOIN nodes n ON n.node_id = f.node_id"
                " LEFT JOIN outlets o ON o.id = n.outlet_id"
                + (" WHERE f.resolved = 0" if open_only else "") + " ORDER BY f.at DESC"))

    def resolve_fork_alert(self, alert_id: int) -> bool:
        """False when there is no such open alert."""
        with self.tx() as c:
            return c.execute("UPDATE fork_alerts SET resolved = 1 WHERE id = ? AND resolved = 0",
                             (alert_id,)).rowcount == 1

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
        after = merge.write_fields(c, spec, row_id, row, won, {f: clock for f in won}) \
            or merge.load_held(c, spec, row_id)
        if spec.technician and before is not None and before.get(spec.technician) \
                and spec.technician in won and won[spec.technician] != before.get(spec.technician):
            self.note_handover(c, spec, row_id, before[spec.technician], clock[0])
        moved = _outlet_move(spec, before, won)
        if moved is not None:
            self.note_move(c, spec, row_id, moved[0], moved[1], clock[0])
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
        for col, table in spec.carries:
            # A new reference goes to every bucket of the row; a row entering a bucket (a
            # reassigned order reaching its new technician) takes what it carries there.
            to = new_buckets if col in won else entered
            carried = merge.load(c, TABLES[table], after[col]) if to and after.get(col) else None
            if carried is not None:
                out.send(to, relay.snapshot_ops(carried))
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
        row = merge.load_held(c, spec, row_id)
        lines: list[dict] = []
        for child in TABLES.values():
            link = child.parent
            if child.frozen_with == spec.name and link is not None:
                ids = [r[0] for r in c.execute(
                    f"SELECT id FROM [{child.name}] WHERE [{link.column}] = ? ORDER BY id", (row_id,))]
                lines += [dict(merge.load_held(c, child, i)) for i in ids]
        doc = {"row": {k: v for k, v in row.items() if not spec.hub_authority(k)}, "lines": lines}
        return sha256_hex(canonical_bytes(doc))

    def notice_id(self, origin: str, epoch: int, seq: int, op_index: int) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"fieldsync:{origin}:{epoch}:{seq}:{op_index}"))

    def outlet_bucket_of_node(self, node: dict) -> str:
        """Where the hub answers a node about its own ops (refusal snapshots): the outlet's
        bucket for the outlet's PC, the technician's for a device."""
        if node.get("kind") == "device" and node.get("technician_id"):
            return tech_bucket(node["technician_id"])
        return outlet_bucket(node["outlet_id"])

    def note_handover(self, c, spec: TableSpec, row_id: str, technician_id: str, hlc: int) -> None:
        """A row left a technician (an order reassigned): their device's offline work on it,
        pushed later, is still theirs to send (sync/authorize.py `_in_device_scope`)."""
        c.execute("INSERT INTO handovers (tbl, row_id, technician_id, hlc) VALUES (?,?,?,?) ON CONFLICT"
                  " DO UPDATE SET hlc = excluded.hlc", (spec.name, row_id, technician_id, hlc))

    def note_move(self, c, spec: TableSpec, row_id: str, from_outlet: str, to_outlet: str, hlc: int) -> None:
        """A row left an outlet (HQ re-dispatched an order): the old outlet's pushes on it
        from now on are refused `moved_away` and kept in `late_work` (sync/authorize.py)."""
        c.execute("INSERT INTO outlet_moves (tbl, row_id, from_outlet_id, to_outlet_id, hlc) VALUES (?,?,?,?,?) "
                  "ON CONFLICT DO UPDATE SET to_outlet_id = excluded.to_outlet_id, hlc = excluded.hlc",
                  (spec.name, row_id, from_outlet, to_outlet, hlc))
        # Back at an outlet it once left: that outlet's work on it counts again.
        c.execute("DELETE FROM outlet_moves WHERE tbl = ? AND row_id = ? AND from_outlet_id = ?",
                  (spec.name, row_id, to_outlet))

    def seed_tech_bucket(self, c, technician_id: str) -> int:
        """Once per technician, on the first device enrolled for them: append to their
        bucket a snapshot of every row that is theirs now (orders with their events, parts,
        attachments and customers; their user row; their notices). Rows assigned before the
        bucket existed (a hub upgraded from before devices) then reach the device too;
        rows assigned later are relayed as any write is. Returns the ops appended."""
        bucket = tech_bucket(technician_id)
        key = f"seeded:{bucket}"
        if c.execute("SELECT 1 FROM _meta WHERE key = ?", (key,)).fetchone():
            return 0
        # A hub file made since technicians' buckets exist relayed every row to them as it
        # was written: a bucket with history is whole there. A file upgraded to them
        # (migration 4 marks it) may hold history that never reached the bucket.
        upgraded = c.execute("SELECT 1 FROM _meta WHERE key = ?", (TECH_BUCKETS_PARTIAL,)).fetchone()
        if relay.head_of(c, bucket)[1] and not upgraded:
            return 0
        out = relay.Relay()
        for spec in TABLES.values():
            if spec.technician is None or spec.parent is not None:
                continue
            ids = [r[0] for r in c.execute(f"SELECT id FROM [{spec.name}] WHERE [{spec.technician}] = ?"
                                           " ORDER BY id", (technician_id,))]
            for row_id in ids:
                row = merge.load_held(c, spec, row_id)
                if bucket not in relay.buckets_of(c, spec, row):
                    continue
                out.send([bucket], relay.snapshot_ops(row) + relay.children_ops(c, spec, row_id))
                for col, table in spec.carries:
                    carried = merge.load(c, TABLES[table], row[col]) if row.get(col) else None
                    if carried is not None:
                        out.send([bucket], relay.snapshot_ops(carried))
        sent = len(out.ops.get(bucket, []))
        self.finish(c, out)
        c.execute("INSERT INTO _meta (key, value) VALUES (?, 1)", (key,))
        return sent


def _outlet_move(spec: TableSpec, before: dict | None, won: dict) -> tuple[str, str] | None:
    """(from, to) when a row's outlet column changes from one outlet to another."""
    rule = spec.bucket
    if not isinstance(rule, ByOutlet) or before is None or rule.column not in won:
        return None
    old, new = before.get(rule.column), won[rule.column]
    return (old, new) if old and new and old != new else None


def handed_over(c, table: str, row_id: str, technician_id: str | None) -> bool:
    """Did this row once belong to this technician (`HubStore.note_handover`)?"""
    return c.execute("SELECT 1 FROM handovers WHERE tbl = ? AND row_id = ? AND technician_id = ?",
                     (table, row_id, technician_id)).fetchone() is not None


# Set by hub migration 4 on a file that existed before rows were relayed to technicians'
# buckets: the first device of each technician starts from a snapshot (`seed_tech_bucket`).
TECH_BUCKETS_PARTIAL = "tech_buckets_partial"


def add_notice_technician(c) -> None:
    """Hub migration 4: notices name the technician they concern (shared/tables.py), and
    the technicians' buckets are marked as not yet holding what was written before."""
    add_declared_column(c, "notices", "technician_id")
    create_handovers(c)
    c.execute("INSERT OR REPLACE INTO _meta (key, value) VALUES (?, 1)", (TECH_BUCKETS_PARTIAL,))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# Added by hub migration 3 (hub/migrations.py): what kind of node it is ('outlet': the
# outlet's PC, the whole outlet; 'device': a technician's tablet or phone, bound to
# `technician_id`), and what it said at its last hello (unsynced changes, clock drift).
NODE_KINDS = ("outlet", "device")
NODE_COLUMNS_V3_LIST = (
    "kind TEXT NOT NULL DEFAULT 'outlet'", "technician_id TEXT", "pending INTEGER",
    "clock_drift_ms INTEGER")
NODE_COLUMNS_V3 = "".join(f", {col}" for col in NODE_COLUMNS_V3_LIST)


def add_device_columns(c) -> None:
    """Hub migration 3: device nodes (kind, the technician they are bound to, what they
    reported at hello) and enrollment codes issued for one technician."""
    for col in NODE_COLUMNS_V3_LIST:
        c.execute(f"ALTER TABLE nodes ADD COLUMN {col}")
    c.execute("ALTER TABLE enroll_tokens ADD COLUMN technician_id TEXT")


def create_handovers(c) -> None:
    """Rows that left a technician (hub migration 4): (table, row, technician, hub clock)."""
    c.execute("""CREATE TABLE IF NOT EXISTS handovers (tbl TEXT, row_id TEXT, technician_id TEXT,
        hlc INTEGER, PRIMARY KEY (tbl, row_id, technician_id))""")


def create_moves(c) -> None:
    """Rows HQ moved from one outlet to another (hub migration 9), and the late work of the
    outlet they left: each op it pushed afterwards, refused `moved_away` and kept whole."""
    c.execute("""CREATE TABLE IF NOT EXISTS outlet_moves (tbl TEXT, row_id TEXT, from_outlet_id TEXT,
        to_outlet_id TEXT, hlc INTEGER, PRIMARY KEY (tbl, row_id, from_outlet_id))""")
    c.execute("""CREATE TABLE IF NOT EXISTS late_work (id TEXT PRIMARY KEY, node_id TEXT NOT NULL,
        outlet_id TEXT NOT NULL, epoch INTEGER, seq INTEGER, op_index INTEGER, table_name TEXT,
        row_id TEXT, moved_table TEXT, moved_row_id TEXT, actor TEXT, hlc INTEGER, op TEXT NOT NULL,
        at INTEGER NOT NULL)""")
    c.execute("CREATE INDEX IF NOT EXISTS ix_late_work_moved ON late_work (moved_row_id, at)")


def moved_from(c, table: str, row_id: str, outlet_id: str) -> bool:
    """Did HQ move this row away from this outlet (`HubStore.note_move`)?"""
    return c.execute("SELECT 1 FROM outlet_moves WHERE tbl = ? AND row_id = ? AND from_outlet_id = ?",
                     (table, row_id, outlet_id)).fetchone() is not None


def create_own_tables(c) -> None:
    """The hub's sync bookkeeping: nodes, enrollment tokens, received changes, refusals, bucket chains."""
    c.execute("CREATE TABLE IF NOT EXISTS _meta (key TEXT PRIMARY KEY, value)")
    c.execute("""CREATE TABLE IF NOT EXISTS nodes (node_id TEXT PRIMARY KEY,
        outlet_id TEXT NOT NULL, public_key TEXT NOT NULL, name TEXT, letter TEXT,
        status TEXT NOT NULL DEFAULT 'active', epoch INTEGER NOT NULL DEFAULT 1,
        seq INTEGER NOT NULL DEFAULT 0, head TEXT NOT NULL DEFAULT '""" + ZERO_HASH + """',
        app_version TEXT, schema INTEGER, enrolled_at INTEGER, revoked_at INTEGER,
        last_seen_at INTEGER""" + NODE_COLUMNS_V3 + ")")
    c.execute("""CREATE TABLE IF NOT EXISTS enroll_tokens (token_hash TEXT PRIMARY KEY,
        outlet_id TEXT NOT NULL, created_at INTEGER, expires_at INTEGER, used_at INTEGER,
        node_id TEXT, technician_id TEXT)""")
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
    create_handovers(c)
    create_moves(c)
