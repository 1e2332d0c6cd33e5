"""A node's replica. `write` is the one local write path: it applies ops and appends the
change (exact bytes, seq, prev hash) in the same transaction. `apply_pull` takes the hub's
bucket segments, never overwriting a local write the hub has not acknowledged yet: such a
pulled value waits in `_deferred` until the ack, then merges by the same rules."""
import json

from shared.numbering import counter_of
from shared.policies import RefusedOp
from shared.tables import HUB, TABLES, TableSpec
from sync import keys, merge, segment
from sync.canonical import ZERO_HASH, canonical_bytes, has_float, sha256_hex
from sync.change import check_op, make_change
from sync.errors import BadSegment
from sync.hlc import HLC, from_wall
from sync.migrations import schema_of
from sync.store import SQLiteStore, dict_rows


class LocalWriteError(ValueError):
    """A programming error: a node tried to write what only HQ writes."""


class NodeStore(SQLiteStore):
    clock: HLC  # set in __init__ once the tables exist

    def __init__(self, path, clock: HLC | None = None):
        super().__init__(path)
        self.clock = clock or HLC()
        self.follow_clock()

    def schema(self):
        return schema_of("node")  # registered by node/migrations.py

    # ---- identity (set once at enrollment) ----

    def bind(self, enrollment: dict) -> None:
        with self.tx():
            for k in ("node_id", "outlet_id", "hub_id", "hub_public_key", "node_letter", "outlet_code",
                      "kind", "technician_id"):
                self.meta_set(k, enrollment.get(k))
            self.meta_set("buckets", json.dumps(enrollment["buckets"]))
            if self.meta_get("epoch") is None:
                self.meta_set("epoch", 1)

    def _m(self, key):
        return self.meta_get(key)

    node_id = property(lambda s: s._m("node_id"))
    outlet_id = property(lambda s: s._m("outlet_id"))
    hub_id = property(lambda s: s._m("hub_id"))
    node_letter = property(lambda s: s._m("node_letter"))
    outlet_code = property(lambda s: s._m("outlet_code"))
    # 'device' for a technician's device bound to `technician_id`; 'outlet' (or None: a
    # node enrolled before devices existed) for the outlet's PC.
    kind = property(lambda s: s._m("kind") or "outlet")
    technician_id = property(lambda s: s._m("technician_id"))
    epoch = property(lambda s: int(s._m("epoch") or 1))
    buckets = property(lambda s: json.loads(s._m("buckets") or "[]"))

    # Reads of the chain and the bookkeeping go through `read` (the writer lock), not a
    # snapshot: `write` reads `last` inside its own transaction and must see the change a
    # joined outer transaction appended, and the sync thread must wait for a service call's
    # transaction rather than push a change that is then rolled back.

    def last(self, epoch: int | None = None) -> tuple[int, str]:
        """(seq, hash) of the newest change of an epoch (default: the current one)."""
        with self.read() as c:
            row = c.execute("SELECT seq, hash FROM _log WHERE epoch = ? ORDER BY seq DESC LIMIT 1",
                            (epoch or self.epoch,)).fetchone()
        return (row[0], row[1]) if row else (0, ZERO_HASH)

    def hash_at(self, epoch: int, seq: int) -> str | None:
        if seq == 0:
            return ZERO_HASH
        with self.read() as c:
            row = c.execute("SELECT hash FROM _log WHERE epoch=? AND seq=?", (epoch, seq)).fetchone()
        return row[0] if row else None

    def acked(self) -> int:
        """The seq of the current epoch the hub last said it holds."""
        with self.read():
            held = int(self.meta_get("acked_epoch", 0) or 0) == self.epoch
            return int(self.meta_get("acked_seq", 0) or 0) if held else 0

    # ---- the one local write path ----

    def mint_number(self) -> str:
        """The next offline-safe order number of this node (call inside a write)."""
        from shared.numbering import node_number
        with self.tx():
            n = int(self.meta_get("number_counter", 0) or 0) + 1
            self.meta_set("number_counter", n)
        return node_number(self.outlet_code, self.node_letter, n)

    def write(self, actor: str, ops: list[dict], at: int | None = None) -> int:
        """Apply local ops and log their change in one transaction; returns the seq."""
        ops = [{"op": o["op"], "table": o["table"], "id": o["id"], "fields": dict(o["fields"])} for o in ops]
        for i, op in enumerate(ops):
            check_op(op, f"op {i}")
            spec = TABLES.get(op["table"])
            if spec is None or spec.owner == HUB:
                raise LocalWriteError(f"{op['table']} is not written by outlets")
            if spec.is_record != (op["op"] == "put"):
                raise LocalWriteError(f"{op['table']} takes {'put' if spec.is_record else 'add'}")
            bad = [f for f in op["fields"] if f not in spec.columns or f in spec.hub_fields or f == "id"]
            if bad:
                raise LocalWriteError(f"{op['table']}.{bad[0]} is not an outlet field")
            if has_float(op["fields"]):  # the hub refuses the whole segment (bad_change)
                raise LocalWriteError(f"{op['table']}: floats are not allowed; use integers")
        with self.tx() as c:
            hlc = self.clock.tick()
            epoch = self.epoch
            seq, prev = self.last(epoch)
            seq += 1
            clock = (hlc, self.node_id)
            for op in ops:
                self._apply_local(c, op, clock, epoch, seq)
            body = make_change(origin=self.node_id, epoch=epoch, seq=seq, prev=prev, hlc=hlc,
                               at=at if at is not None else self.clock.wall_now(), actor=actor,
                               outlet=self.outlet_id, ops=ops)
            c.execute("INSERT INTO _log (epoch, seq, hash, hlc, body) VALUES (?,?,?,?,?)",
                      (epoch, seq, sha256_hex(body), hlc, body))
            self.meta_set("hlc", self.clock.last)
        return seq

    def _apply_local(self, c, op, clock, epoch, seq) -> None:
        spec = TABLES[op["table"]]
        if spec.is_record:
            won = merge.put(c, spec, op["id"], op["fields"], clock)
            self._mark_pending(c, spec.name, op["id"], won, epoch, seq)
            return
        if merge.load(c, spec, op["id"]) is None:
            merge.add(c, spec, op["id"], op["fields"], clock)
        parent = spec.parent
        if spec.sets_parent and parent is not None:  # optimistic: shown now, the hub decides later
            target_col, source_col = spec.sets_parent
            won = merge.put(c, TABLES[parent.table], op["fields"][parent.column],
                            {target_col: op["fields"][source_col]}, clock, force=True)
            self._mark_pending(c, parent.table, op["fields"][parent.column], won, epoch, seq)

    def _mark_pending(self, c, table, row_id, fields, epoch, seq) -> None:
        c.executemany("INSERT INTO _pending (tbl, row_id, field, epoch, seq) VALUES (?,?,?,?,?) "
                      "ON CONFLICT DO UPDATE SET epoch = excluded.epoch, seq = excluded.seq",
                      [(table, row_id, f, epoch, seq) for f in fields])

    # ---- acknowledgements and epochs ----

    def unsent(self, after: int, limit: int = segment.MAX_CHANGES) -> list[tuple[int, str, bytes]]:
        with self.read() as c:
            rows = c.execute("SELECT seq, hash, body FROM _log WHERE epoch = ? AND seq > ? "
                             "ORDER BY seq LIMIT ?", (self.epoch, after, limit)).fetchall()
        return [(r[0], r[1], bytes(r[2])) for r in rows]

    def mark_acked(self, epoch: int, seq: int) -> None:
        """The hub holds our chain up to seq: those writes are no longer pending, and what
        was deferred behind them now merges."""
        if epoch != self.epoch:
            return
        with self.tx() as c:
            self.meta_set("acked_epoch", epoch)
            self.meta_set("acked_seq", seq)
            c.execute("DELETE FROM _pending WHERE epoch < ? OR (epoch = ? AND seq <= ?)", (epoch, epoch, seq))
            self._resolve_deferred(c)

    def start_epoch(self, new_epoch: int, resend_after: int) -> int:
        """Start a new chain (the hub holds a history this copy does not: restored from a
        backup or cloned) and re-log, in order, every change after `resend_after` of the
        current epoch. Ops are idempotent by id, so re-sending held work changes nothing."""
        with self.tx() as c:
            old = self.epoch
            rows = c.execute("SELECT seq, body FROM _log WHERE epoch = ? AND seq > ? ORDER BY seq",
                             (old, resend_after)).fetchall()
            prev, seq = ZERO_HASH, 0
            for old_seq, body in rows:
                ch = json.loads(body)
                seq += 1
                new_body = make_change(origin=ch["origin"], epoch=new_epoch, seq=seq, prev=prev,
                                       hlc=ch["hlc"], at=ch["at"], actor=ch["actor"],
                                       outlet=ch["outlet"], ops=ch["ops"], schema=ch.get("schema"))
                prev = sha256_hex(new_body)
                c.execute("INSERT INTO _log (epoch, seq, hash, hlc, body) VALUES (?,?,?,?,?)",
                          (new_epoch, seq, prev, ch["hlc"], new_body))
                c.execute("UPDATE _pending SET epoch = ?, seq = ? WHERE epoch = ? AND seq = ?",
                          (new_epoch, seq, old, old_seq))
            # Pending marks of older changes that are not re-sent: the hub holds them.
            c.execute("DELETE FROM _pending WHERE epoch < ?", (new_epoch,))
            self.meta_set("epoch", new_epoch)
            self.meta_set("acked_epoch", new_epoch)
            self.meta_set("acked_seq", 0)
            self._resolve_deferred(c)
        return seq

    # ---- pull ----

    def cursor(self, bucket: str) -> tuple[int, int, str]:
        with self.read() as c:
            row = c.execute("SELECT epoch, seq, head FROM _cursors WHERE bucket = ?", (bucket,)).fetchone()
        return (row[0], row[1], row[2]) if row else (0, 0, ZERO_HASH)

    def reset_cursor(self, bucket: str) -> None:
        with self.tx() as c:
            c.execute("DELETE FROM _cursors WHERE bucket = ?", (bucket,))

    def apply_pull(self, bucket: str, body: bytes) -> dict:
        """Verify a bucket segment (hub signature, chain, continuity with our cursor) and
        apply it with the cursor in one transaction. Returns the manifest."""
        m, sig, lines = segment.split(body)
        segment.check_manifest(m, lines, hub_id=self.hub_id, origin_key="bucket", origin=bucket)
        keys.verify(self.meta_get("hub_public_key"), keys.BUCKET, canonical_bytes(m), sig)
        epoch, seq, head = self.cursor(bucket)
        if m["epoch"] != epoch and seq:
            if m["first"] != 1:
                raise BadSegment(f"{bucket} changed epoch; pull it again from the start")
            seq, head = 0, ZERO_HASH
        if m["first"] != seq + 1 or m["prev"] != head:
            raise BadSegment(f"{bucket} segment does not continue from our cursor {seq}")
        changes = segment.verify_chain(m, lines, f"hub/{bucket}", any_schema=True)
        with self.tx() as c:
            has_pending = c.execute("SELECT 1 FROM _pending LIMIT 1").fetchone() is not None
            me = self.node_id
            pulled = int(self.meta_get("hlc_pulled", 0) or 0)  # the newest clock HQ relayed
            for _, ch in changes:
                for op in ch["ops"]:
                    self._apply_pulled(c, op, has_pending, me)
                    if "hlc" in op:
                        self.clock.observe(op["hlc"])
                        pulled = max(pulled, op["hlc"])
                self.clock.observe(ch["hlc"])
                pulled = max(pulled, ch["hlc"])
            last = m["last"] if lines else seq
            c.execute("INSERT INTO _cursors (bucket, epoch, seq, head) VALUES (?,?,?,?) ON CONFLICT(bucket)"
                      " DO UPDATE SET epoch = excluded.epoch, seq = excluded.seq, head = excluded.head",
                      (bucket, m["epoch"], last, m["head"]))
            self.meta_set("hlc", self.clock.last)
            self.meta_set("hlc_pulled", pulled)
        return m

    def rewind_clock(self, hub_time_ms: int, max_drift_ms: int) -> bool:
        """The clock ran ahead of HQ's by more than HQ accepts (a tablet set days into the
        future): HQ refused every change clocked beyond that, and as a clock never goes
        back it would refuse every later one too, for days after the date is set right.
        After a sync round, whose pull brought HQ's authoritative rows back for those
        refusals, bring the clock back to the newest clock HQ could have accepted: what it
        relayed, our changes within the bound, its time. True if it did."""
        bound = from_wall(hub_time_ms + max_drift_ms)
        if self.clock.last <= bound:
            return False
        with self.tx() as c:
            if self.clock.last <= bound:  # another process on this file rewound it meanwhile
                return False
            floor = max(int(self.meta_get("hlc_pulled", 0) or 0), from_wall(hub_time_ms),
                        c.execute("SELECT COALESCE(MAX(hlc), 0) FROM _log WHERE hlc <= ?", (bound,)).fetchone()[0])
            self.clock.reset(floor)
            self.meta_set("hlc", floor)
            self._hlc_resets = int(self.meta_get("hlc_resets", 0) or 0) + 1
            self.meta_set("hlc_resets", self._hlc_resets)
        return True

    def _pending_fields(self, c, table: str, row_id: str) -> set[str]:
        return {r[0] for r in c.execute("SELECT field FROM _pending WHERE tbl = ? AND row_id = ?",
                                        (table, row_id))}

    def _apply_pulled(self, c, op: dict, has_pending: bool, me: str) -> None:
        """Merge one pulled op; `me` is this node's id (read once per segment)."""
        spec = TABLES.get(op["table"])
        if spec is None:
            return  # a table from a newer schema: ignored until this node upgrades
        clock = (op.get("hlc", 0), op.get("src", "hub"))
        fields = op["fields"]
        if not spec.is_record:
            self._apply_pulled_add(c, spec, op["id"], fields, clock, me)
            return
        if clock[1] == me and not op.get("auth") and self._is_own_echo(c, spec, op["id"], fields, clock):
            return
        row = merge.load(c, spec, op["id"])
        pending = self._pending_fields(c, spec.name, op["id"]) if has_pending else set()
        auth = bool(op.get("auth"))
        won = {}
        for f, v in fields.items():
            if f not in spec.columns:
                continue  # a column of a newer schema: ignored until this node upgrades
            if f in pending:
                c.execute("INSERT INTO _deferred (tbl, row_id, field, value, hlc, src, auth) VALUES "
                          "(?,?,?,?,?,?,?) ON CONFLICT DO UPDATE SET value = excluded.value, "
                          "hlc = excluded.hlc, src = excluded.src, auth = excluded.auth",
                          (spec.name, op["id"], f, json.dumps(v), clock[0], clock[1], int(auth)))
            elif auth or spec.hub_authority(f) or row is None or clock > row.clock(f):
                won[f] = v
        merge.write_fields(c, spec, op["id"], row, won, {f: clock for f in won})
        if spec.minted and isinstance(won.get(spec.minted), str):
            self._bump_counter(won[spec.minted])  # every minted column shares the counter

    def _is_own_echo(self, c, spec: TableSpec, row_id: str, fields: dict, clock) -> bool:
        """Our own accepted write coming back in the bucket: every field still carries its
        clock here, so there is nothing to merge (the cheap check saves ~¼ of a push round)."""
        cell = c.execute(f"SELECT _clk FROM [{spec.name}] WHERE id = ?", (row_id,)).fetchone()
        if cell is None:
            return False
        mine = [clock[0], clock[1]]
        clk = json.loads(cell[0])
        return all(clk.get(f) == mine for f in fields)

    def _apply_pulled_add(self, c, spec: TableSpec, row_id: str, fields: dict, clock, me: str) -> None:
        fields = {f: v for f, v in fields.items() if f in spec.columns}  # a newer schema's column waits
        if clock[1] == me and c.execute(
                f"SELECT 1 FROM [{spec.name}] WHERE id = ? AND _hlc = ? AND _src = ?",
                (row_id, clock[0], clock[1])).fetchone():
            return  # our own ledger row coming back, the very write (not one a restored copy made again)
        row = merge.load(c, spec, row_id)
        if row is None:
            merge.add(c, spec, row_id, fields, clock)
        elif not merge.same_ledger_row(row, fields):
            merge.replace_ledger(c, spec, row_id, fields, clock)
        refused = spec.policy.refused_op(fields, me)
        if refused is not None:
            self._quarantine(c, row_id, refused)

    def _quarantine(self, c, notice_id: str, refused: RefusedOp) -> None:
        """The hub refused one of our ops. Keep the local row aside for the sync panel and,
        when the hub has no such row, take it out of the live tables so that this replica
        matches the hub (a refused ledger row must not count in any sum)."""
        spec = TABLES.get(refused.table or "")
        row = merge.load(c, spec, refused.row_id) if spec and refused.row_id else None
        c.execute("INSERT OR IGNORE INTO _refused (notice_id, tbl, row_id, code, message, row_json, at)"
                  " VALUES (?,?,?,?,?,?,?)", (notice_id, refused.table, refused.row_id,
                                              refused.code, refused.message,
                                              json.dumps(dict(row), ensure_ascii=False) if row else None,
                                              refused.at))
        if spec is not None and row is not None and not refused.row_exists:
            pending = self._pending_fields(c, spec.name, row["id"])
            if not pending:
                c.execute(f"DELETE FROM [{spec.name}] WHERE id = ?", (row["id"],))

    def _resolve_deferred(self, c) -> None:
        rows = c.execute("SELECT d.tbl, d.row_id, d.field, d.value, d.hlc, d.src, d.auth FROM _deferred d "
                         "WHERE NOT EXISTS (SELECT 1 FROM _pending p WHERE p.tbl = d.tbl AND "
                         "p.row_id = d.row_id AND p.field = d.field)").fetchall()
        for tbl, row_id, field, value, hlc, src, auth in rows:
            spec = TABLES[tbl]
            row = merge.load(c, spec, row_id)
            clock = (hlc, src)
            if auth or spec.hub_authority(field) or row is None or clock > row.clock(field):
                merge.write_fields(c, spec, row_id, row, {field: json.loads(value)}, {field: clock})
            c.execute("DELETE FROM _deferred WHERE tbl = ? AND row_id = ? AND field = ?", (tbl, row_id, field))

    def _bump_counter(self, number: str) -> None:
        n = counter_of(number, self.outlet_code or "", self.node_letter or "")
        if n is not None and n > int(self.meta_get("number_counter", 0) or 0):
            self.meta_set("number_counter", n)

    # ---- attachments waiting for upload ----

    def queue_blob(self, sha256: str, path: str, size: int, at: int) -> None:
        with self.tx() as c:
            c.execute("INSERT OR IGNORE INTO _blob_queue (sha256, path, size, queued_at) VALUES (?,?,?,?)",
                      (sha256, path, size, at))

    def blobs_to_upload(self) -> list[tuple[str, str]]:
        with self.read() as c:
            return [(r[0], r[1]) for r in c.execute(
                "SELECT sha256, path FROM _blob_queue WHERE uploaded_at IS NULL ORDER BY queued_at")]

    def mark_uploaded(self, sha256: str, at: int) -> None:
        with self.tx() as c:
            c.execute("UPDATE _blob_queue SET uploaded_at = ? WHERE sha256 = ?", (at, sha256))

    # ---- reads the sync panel and the invariants use ----

    def refused(self) -> list[dict]:
        with self.read() as c:
            return dict_rows(c.execute("SELECT * FROM _refused ORDER BY at DESC"))

    def pending_count(self) -> int:
        """Local changes HQ has not acknowledged (one read: the ack and the log agree)."""
        with self.read() as c:
            return c.execute("SELECT COUNT(*) FROM _log WHERE epoch = ? AND seq > ?",
                             (self.epoch, self.acked())).fetchone()[0]

    def is_pending(self, table: str, row_id: str, field: str) -> bool:
        """Does a local write of this field wait for HQ's acknowledgement (shown as such)?"""
        with self.read() as c:
            return c.execute("SELECT 1 FROM _pending WHERE tbl = ? AND row_id = ? AND field = ?",
                             (table, row_id, field)).fetchone() is not None


def create_own_tables(c) -> None:
    """The node's sync bookkeeping: its log, pending marks, deferred pulls, cursors, refusals, blob queue."""
    c.execute("CREATE TABLE IF NOT EXISTS _meta (key TEXT PRIMARY KEY, value)")
    c.execute("""CREATE TABLE IF NOT EXISTS _log (epoch INTEGER, seq INTEGER, hash TEXT NOT NULL,
        hlc INTEGER, body BLOB NOT NULL, PRIMARY KEY (epoch, seq))""")
    c.execute("""CREATE TABLE IF NOT EXISTS _pending (tbl TEXT, row_id TEXT, field TEXT,
        epoch INTEGER, seq INTEGER, PRIMARY KEY (tbl, row_id, field))""")
    c.execute("""CREATE TABLE IF NOT EXISTS _deferred (tbl TEXT, row_id TEXT, field TEXT,
        value TEXT, hlc INTEGER, src TEXT, auth INTEGER, PRIMARY KEY (tbl, row_id, field))""")
    c.execute("""CREATE TABLE IF NOT EXISTS _cursors (bucket TEXT PRIMARY KEY, epoch INTEGER,
        seq INTEGER, head TEXT)""")
    c.execute("""CREATE TABLE IF NOT EXISTS _refused (notice_id TEXT PRIMARY KEY, tbl TEXT,
        row_id TEXT, code TEXT, message TEXT, row_json TEXT, at INTEGER)""")
    c.execute("""CREATE TABLE IF NOT EXISTS _blob_queue (sha256 TEXT PRIMARY KEY, path TEXT NOT NULL,
        size INTEGER, queued_at INTEGER, uploaded_at INTEGER)""")
