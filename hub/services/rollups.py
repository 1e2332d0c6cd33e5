"""Report roll-ups: hub-only tables that hold the orders' measures summed by
(outlet, product model, month) — and coarser: by outlet, by region and model, by technician,
by agent, each per month, and by outlet and service type per week — and the parts used by
(outlet, model, month, part), so that a report over a million orders reads a few thousand
rows instead of the orders.

How the roll-ups follow the orders — a dirty set fed by triggers. Every insert or update of
an order's reported columns, every new order event or part line, every complaint about an
order and the call that created it (its agent) puts the order's id into `hq_rollup_dirty`
*inside the transaction that made the change*, whatever wrote it (a node's pushed segment,
a hub service, a job). The roll-up job (`fold`) takes dirty ids in batches and, in one
transaction per batch, recomputes each order's fact from the base rows
(hub/services/rollup_facts.py), subtracts the fact it last contributed (kept in
`hq_rollup_facts`) and adds the new one. We chose this over a watermark
on `_clk` (a JSON cell per row: no index can find "changed since") and over reading
`bucket_changes` (orders without an outlet never reach a bucket, complaints are hub-only and
never do, and the bodies would have to be decoded): a trigger cannot miss a write path and
costs one indexed insert per changed row.

Measures that move without a write are handled too: an SLA milestone falls due as time
passes (each fact keeps `next_due_at`, and the fold re-reads orders whose time has come), and
a repeat repair of a serial number changes the earlier order's first-time-fix (the fold
refreshes every order of the serial numbers it touches). A change of the SLA policies marks
every order dirty, and the job refolds them batch by batch (a transaction per batch, so the
nodes' pushes are never held up for long). `rebuild` recomputes everything from the base
tables in one transaction — the first build, or by hand (`python -m hub.services.rollups
--dir D`, hub stopped or not); it equals the incremental result (tested). The roll-up
tables are written only here, by SQL on the HubContext transaction's connection (bulk
upserts, which `HubContext.insert/update` do not offer)."""
from collections import defaultdict

from hub.services.rollup_facts import EXTRA, KEY, MEASURES, Policies, base_fact, serial_flags
from shared.intake import ORDER_REQUESTS
from shared.orders import Status
from shared.reports import week_monday
from sync.store import dict_rows, iter_dicts

BATCH = 2000
CHUNK = 500

ORDER_COLUMNS = ("outlet_id", "product_model_id", "type", "priority", "status", "created_at",
                 "serial_no", "source", "callback_result", "callback_score", "technician_id")
FACT_COLUMNS = ("order_id", *KEY, *EXTRA, *MEASURES)
# An order's agent: who recorded the first repair / install call that created it (alias o).
AGENT_SQL = ("(SELECT q.created_by FROM hq_requests q WHERE q.order_id = o.id AND q.type IN ("
             + ", ".join(f"'{k}'" for k in ORDER_REQUESTS) + ") ORDER BY q.created_at, q.id LIMIT 1)")
# Roll-ups by person and month, for the technician and agent reports (no outlet detail).
PEOPLE_ROLLUPS = {"hq_rollup_tech_month": "technician_id", "hq_rollup_agent_month": "agent_id"}
# By outlet × service type × month × ISO week (its Monday, as local days since 1970-01-01; a
# week across two months has a row in each): the analysis by outlet, region or type per
# week without reading the per-order facts.
WEEK_ROLLUP = "hq_rollup_type_week"
WEEK_SQL = "COALESCE(day - ((day + 3) % 7), 0)"

_measures_ddl = ", ".join(f"{m} INTEGER NOT NULL DEFAULT 0" for m in MEASURES)


def _dirty_trigger(name: str, event: str, table: str, expr: str) -> str:
    return (f"CREATE TRIGGER IF NOT EXISTS {name} AFTER {event} ON {table} BEGIN "
            f"INSERT OR IGNORE INTO hq_rollup_dirty (order_id) SELECT {expr} WHERE {expr} IS NOT NULL; END")


DDL = (
    "CREATE TABLE IF NOT EXISTS hq_rollup_dirty (order_id TEXT PRIMARY KEY) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS hq_rollup_meta (key TEXT PRIMARY KEY, value)",
    f"""CREATE TABLE IF NOT EXISTS hq_rollup_facts (order_id TEXT PRIMARY KEY, outlet_id TEXT NOT NULL,
        model_id TEXT NOT NULL, month TEXT NOT NULL, type TEXT, serial_no TEXT, completed_at INTEGER,
        next_due_at INTEGER, day INTEGER, technician_id TEXT, agent_id TEXT, {_measures_ddl})""",
    # the analysis reads the facts themselves for what no roll-up holds (a type, a week, a day)
    "CREATE INDEX IF NOT EXISTS ix_hq_rollup_facts_month ON hq_rollup_facts (month)",
    "CREATE INDEX IF NOT EXISTS ix_hq_rollup_facts_serial ON hq_rollup_facts (serial_no) WHERE serial_no != ''",
    "CREATE INDEX IF NOT EXISTS ix_hq_rollup_facts_due ON hq_rollup_facts (next_due_at) WHERE next_due_at IS NOT NULL",
    """CREATE TABLE IF NOT EXISTS hq_rollup_part_facts (order_id TEXT NOT NULL, part_id TEXT NOT NULL,
        qty INTEGER NOT NULL, lines INTEGER NOT NULL, PRIMARY KEY (order_id, part_id)) WITHOUT ROWID""",
    f"""CREATE TABLE IF NOT EXISTS hq_rollup_orders_month (outlet_id TEXT NOT NULL, model_id TEXT NOT NULL,
        month TEXT NOT NULL, {_measures_ddl}, PRIMARY KEY (outlet_id, model_id, month))""",
    "CREATE INDEX IF NOT EXISTS ix_hq_rollup_orders_month ON hq_rollup_orders_month (month)",
    """CREATE TABLE IF NOT EXISTS hq_rollup_parts_month (outlet_id TEXT NOT NULL, model_id TEXT NOT NULL,
        month TEXT NOT NULL, part_id TEXT NOT NULL, qty INTEGER NOT NULL DEFAULT 0,
        lines INTEGER NOT NULL DEFAULT 0, orders INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (outlet_id, model_id, month, part_id))""",
    # coarser roll-ups for the reports that need no outlet detail (a region is the outlet's at
    # fold time; an outlet changing region regroups them from the outlet-level roll-ups)
    f"""CREATE TABLE IF NOT EXISTS hq_rollup_outlet_month (outlet_id TEXT NOT NULL, month TEXT NOT NULL,
        {_measures_ddl}, PRIMARY KEY (outlet_id, month))""",
    f"""CREATE TABLE IF NOT EXISTS hq_rollup_region_month (region TEXT NOT NULL, model_id TEXT NOT NULL,
        month TEXT NOT NULL, {_measures_ddl}, PRIMARY KEY (region, model_id, month))""",
    """CREATE TABLE IF NOT EXISTS hq_rollup_parts_region_month (region TEXT NOT NULL, part_id TEXT NOT NULL,
        model_id TEXT NOT NULL, month TEXT NOT NULL, qty INTEGER NOT NULL DEFAULT 0,
        lines INTEGER NOT NULL DEFAULT 0, orders INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (region, part_id, model_id, month))""",
    *(f"""CREATE TABLE IF NOT EXISTS {table} ({col} TEXT NOT NULL, month TEXT NOT NULL, {_measures_ddl},
        PRIMARY KEY ({col}, month))""" for table, col in PEOPLE_ROLLUPS.items()),
    f"""CREATE TABLE IF NOT EXISTS {WEEK_ROLLUP} (outlet_id TEXT NOT NULL, type TEXT NOT NULL, month TEXT NOT NULL,
        week INTEGER NOT NULL, {_measures_ddl}, PRIMARY KEY (outlet_id, type, month, week))""",
    *(f"""CREATE TRIGGER IF NOT EXISTS tr_hq_rollup_outlet_{ev.split()[0].lower()} AFTER {ev} ON outlets BEGIN
        INSERT OR REPLACE INTO hq_rollup_meta (key, value) VALUES ('regroup', 1); END"""
      for ev in ("INSERT", "UPDATE OF region", "DELETE")),
    # the fold looks up orders by serial number (repeat repairs) and events by type
    "CREATE INDEX IF NOT EXISTS ix_hq_orders_serial ON service_orders (serial_no) WHERE serial_no IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS ix_hq_requests_order ON hq_requests (order_id)",
    _dirty_trigger("tr_hq_rollup_order_ins", "INSERT", "service_orders", "NEW.id"),
    _dirty_trigger("tr_hq_rollup_order_upd", f"UPDATE OF {', '.join(ORDER_COLUMNS)}", "service_orders", "NEW.id"),
    _dirty_trigger("tr_hq_rollup_order_del", "DELETE", "service_orders", "OLD.id"),
    _dirty_trigger("tr_hq_rollup_event_ins", "INSERT", "order_events", "NEW.order_id"),
    _dirty_trigger("tr_hq_rollup_event_del", "DELETE", "order_events", "OLD.order_id"),
    _dirty_trigger("tr_hq_rollup_part_ins", "INSERT", "order_parts", "NEW.order_id"),
    _dirty_trigger("tr_hq_rollup_part_del", "DELETE", "order_parts", "OLD.order_id"),
    _dirty_trigger("tr_hq_rollup_complaint_ins", "INSERT", "hq_complaints", "NEW.order_id"),
    _dirty_trigger("tr_hq_rollup_complaint_upd", "UPDATE OF order_id", "hq_complaints", "NEW.order_id"),
    _dirty_trigger("tr_hq_rollup_complaint_old", "UPDATE OF order_id", "hq_complaints", "OLD.order_id"),
    # a call that creates an order names its agent (intake inserts it with the order's id)
    _dirty_trigger("tr_hq_rollup_request_ins", "INSERT", "hq_requests", "NEW.order_id"),
    *(f"""CREATE TRIGGER IF NOT EXISTS tr_hq_rollup_policy_{ev.lower()} AFTER {ev} ON sla_policies BEGIN
        INSERT OR REPLACE INTO hq_rollup_meta (key, value) VALUES ('refold', 1); END"""
      for ev in ("INSERT", "UPDATE", "DELETE")),
)


class Rollups:
    def __init__(self, ctx):
        self.ctx = ctx

    # ---- state ----

    def status(self) -> dict:
        """Pending dirty orders, whether a rebuild is due, when the roll-ups were last built."""
        meta = {r["key"]: r["value"] for r in self.ctx.query("SELECT key, value FROM hq_rollup_meta")}
        return {"dirty": self.ctx.scalar("SELECT COUNT(*) FROM hq_rollup_dirty"),
                "rebuild_due": "built_at" not in meta,
                "refold_due": bool(meta.get("refold")),
                "regroup_due": bool(meta.get("regroup")),
                "built_at": meta.get("built_at"), "folded_at": meta.get("folded_at")}

    # ---- the job ----

    def fold(self, max_batches: int | None = None) -> int:
        """Fold dirty orders (and orders whose next SLA milestone has fallen due) into the
        roll-ups; rebuild instead when never built or the SLA policies changed. Returns the
        number of orders refreshed."""
        status = self.status()
        if status["rebuild_due"]:
            return self.rebuild()
        done, batches = 0, 0
        with self.ctx.tx() as c:
            if status["refold_due"]:  # the SLA policies changed: every order, batch by batch
                c.execute("INSERT OR IGNORE INTO hq_rollup_dirty (order_id) SELECT id FROM service_orders")
                c.execute("DELETE FROM hq_rollup_meta WHERE key = 'refold'")
            c.execute("INSERT OR IGNORE INTO hq_rollup_dirty (order_id) SELECT order_id FROM hq_rollup_facts "
                      "WHERE next_due_at IS NOT NULL AND next_due_at <= ?", (self.ctx.now(),))
            _regroup_if_due(c)
        while max_batches is None or batches < max_batches:
            with self.ctx.tx() as c:
                ids = [r[0] for r in c.execute("SELECT order_id FROM hq_rollup_dirty LIMIT ?", (BATCH,))]
                if not ids:
                    break
                done += self._fold_ids(c, ids)
                _regroup_if_due(c)
                c.executemany("DELETE FROM hq_rollup_dirty WHERE order_id = ?", [(i,) for i in ids])
                _meta_set(c, "folded_at", self.ctx.now())
            batches += 1
        return done

    def _fold_ids(self, c, ids: list[str]) -> int:
        orders = _orders(c, ids)
        old = _facts(c, ids)
        serials = {o["serial_no"] for o in orders.values() if o.get("serial_no")}
        serials |= {f["serial_no"] for f in old.values() if f["serial_no"]}
        groups = {s: _serial_group(c, s) for s in serials}
        # orders sharing a touched serial number: their first-time fix may have changed
        extra = [g["id"] for grp in groups.values() for g in grp if g["id"] not in orders]
        orders.update(_orders(c, extra))
        old.update(_facts(c, extra))
        all_ids = list(orders) + [i for i in ids if i not in orders]
        events, parts, complaints = _events(c, list(orders)), _parts(c, list(orders)), _complaints(c, list(orders))
        policies = _policies(c)
        regions = dict(c.execute("SELECT id, COALESCE(region, '') FROM outlets"))
        now = self.ctx.now()
        new = {}
        for oid, order in orders.items():
            f = base_fact(order, events.get(oid, []), parts.get(oid, {}), complaints.get(oid, 0), policies, now)
            if f["serial_no"]:
                serial_flags(f, groups.get(f["serial_no"]) or [])
            new[oid] = f
        for oid in all_ids:
            if oid in old:
                _add(c, old[oid], _old_parts(c, oid), -1, regions)
            c.execute("DELETE FROM hq_rollup_facts WHERE order_id = ?", (oid,))
            c.execute("DELETE FROM hq_rollup_part_facts WHERE order_id = ?", (oid,))
            if oid in new:
                _insert_fact(c, new[oid], parts.get(oid, {}))
                _add(c, new[oid], parts.get(oid, {}), +1, regions)
        for table in ORDER_ROLLUPS:
            c.execute(f"DELETE FROM {table} WHERE orders = 0")
        for table in PART_ROLLUPS:
            c.execute(f"DELETE FROM {table} WHERE lines = 0")
        return len(all_ids)

    # ---- the full rebuild ----

    def rebuild(self) -> int:
        """Recompute every fact and both roll-ups from the base tables, in one transaction
        (reports keep reading the old roll-ups until it commits). Returns the order count."""
        now = self.ctx.now()
        with self.ctx.tx() as c:
            for t in ("hq_rollup_facts", "hq_rollup_part_facts", "hq_rollup_orders_month",  # (regroup empties
                      "hq_rollup_parts_month", "hq_rollup_dirty", *PEOPLE_ROLLUPS, WEEK_ROLLUP):  # the coarse ones)
                c.execute(f"DELETE FROM {t}")
            policies, complaints = _policies(c), dict(c.execute(
                "SELECT order_id, COUNT(*) FROM hq_complaints WHERE order_id IS NOT NULL GROUP BY order_id"))
            n = 0
            facts, part_rows = [], []
            for order, events, parts in _stream(c):
                f = base_fact(order, events, parts, complaints.get(order["id"], 0), policies, now)
                facts.append(tuple(f[k] for k in FACT_COLUMNS))
                part_rows += [(order["id"], p, q, n_) for p, (q, n_) in parts.items()]
                n += 1
                if len(facts) >= 20_000:
                    _flush(c, facts, part_rows)
            _flush(c, facts, part_rows)
            self._rebuild_serials(c)
            sums = ", ".join(f"SUM({m})" for m in MEASURES)
            c.execute(f"INSERT INTO hq_rollup_orders_month (outlet_id, model_id, month, {', '.join(MEASURES)}) "
                      f"SELECT outlet_id, model_id, month, {sums} FROM hq_rollup_facts "
                      "GROUP BY outlet_id, model_id, month")
            c.execute("INSERT INTO hq_rollup_parts_month (outlet_id, model_id, month, part_id, qty, lines, orders) "
                      "SELECT f.outlet_id, f.model_id, f.month, p.part_id, SUM(p.qty), SUM(p.lines), COUNT(*) "
                      "FROM hq_rollup_part_facts p JOIN hq_rollup_facts f ON f.order_id = p.order_id "
                      "GROUP BY f.outlet_id, f.model_id, f.month, p.part_id")
            for table, col in PEOPLE_ROLLUPS.items():
                c.execute(f"INSERT INTO {table} ({col}, month, {', '.join(MEASURES)}) "
                          f"SELECT COALESCE({col}, ''), month, {sums} FROM hq_rollup_facts GROUP BY 1, 2")
            c.execute(f"INSERT INTO {WEEK_ROLLUP} (outlet_id, type, month, week, {', '.join(MEASURES)}) "
                      f"SELECT outlet_id, COALESCE(type, ''), month, {WEEK_SQL}, {sums} FROM hq_rollup_facts "
                      "GROUP BY 1, 2, 3, 4")
            regroup(c)
            c.execute("DELETE FROM hq_rollup_meta WHERE key = 'refold'")
            _meta_set(c, "built_at", now)
        return n

    def _rebuild_serials(self, c) -> None:
        """Repeat repairs and first-time fix for every serial number with several orders."""
        cur = c.execute("SELECT order_id, type, serial_no, completed_at, completed, waited, repeats, ftf "
                        "FROM hq_rollup_facts WHERE serial_no != '' AND serial_no IN (SELECT serial_no FROM "
                        "hq_rollup_facts WHERE serial_no != '' GROUP BY serial_no HAVING COUNT(*) > 1) "
                        "ORDER BY serial_no")
        updates, group, current = [], [], None

        def flush():
            members = [{"id": g["order_id"], "type": g["type"], "serial_no": g["serial_no"],
                        "completed_at": g["completed_at"]} for g in group]
            for g in group:
                before = (g["repeats"], g["ftf"])
                serial_flags(g, members)
                if (g["repeats"], g["ftf"]) != before:
                    updates.append((g["repeats"], g["ftf"], g["order_id"]))

        for r in dict_rows(cur):
            if r["serial_no"] != current and group:
                flush()
                group = []
            current = r["serial_no"]
            group.append(r)
        if group:
            flush()
        c.executemany("UPDATE hq_rollup_facts SET repeats = ?, ftf = ? WHERE order_id = ?", updates)


def fold_job(services) -> None:
    """The scheduled roll-up job (hub/jobs.py)."""
    services.rollups.fold()


def _meta_set(c, key: str, value) -> None:
    c.execute("INSERT OR REPLACE INTO hq_rollup_meta (key, value) VALUES (?, ?)", (key, value))


def _chunks(ids: list[str]):
    for i in range(0, len(ids), CHUNK):
        yield ids[i:i + CHUNK]


def _rows(c, sql: str, params=()) -> list[dict]:
    return dict_rows(c.execute(sql, tuple(params)))


def _orders(c, ids: list[str]) -> dict[str, dict]:
    out = {}
    for chunk in _chunks(ids):
        for r in _rows(c, f"SELECT o.id, {', '.join('o.' + k for k in ORDER_COLUMNS)}, {AGENT_SQL} AS agent_id "
                          f"FROM service_orders o WHERE o.id IN ({', '.join('?' * len(chunk))})", chunk):
            out[r["id"]] = r
    return out


def _facts(c, ids: list[str]) -> dict[str, dict]:
    out = {}
    for chunk in _chunks(ids):
        for r in _rows(c, f"SELECT * FROM hq_rollup_facts WHERE order_id IN ({', '.join('?' * len(chunk))})", chunk):
            out[r["order_id"]] = r
    return out


def _events(c, ids: list[str]) -> dict[str, list[tuple[str, int]]]:
    out = defaultdict(list)
    for chunk in _chunks(ids):
        for oid, to, at in c.execute(f"SELECT order_id, to_status, at FROM order_events WHERE order_id IN "
                                     f"({', '.join('?' * len(chunk))})", chunk):
            out[oid].append((to, at))
    return out


def _parts(c, ids: list[str]) -> dict[str, dict[str, tuple[int, int]]]:
    out = defaultdict(dict)
    for chunk in _chunks(ids):
        for oid, part, qty, lines in c.execute(
                f"SELECT order_id, part_id, SUM(COALESCE(qty, 0)), COUNT(*) FROM order_parts WHERE order_id IN "
                f"({', '.join('?' * len(chunk))}) AND part_id IS NOT NULL GROUP BY order_id, part_id", chunk):
            out[oid][part] = (qty, lines)
    return out


def _old_parts(c, oid: str) -> dict[str, tuple[int, int]]:
    return {p: (q, n) for p, q, n in c.execute(
        "SELECT part_id, qty, lines FROM hq_rollup_part_facts WHERE order_id = ?", (oid,))}


def _complaints(c, ids: list[str]) -> dict[str, int]:
    out = {}
    for chunk in _chunks(ids):
        out.update(dict(c.execute(f"SELECT order_id, COUNT(*) FROM hq_complaints WHERE order_id IN "
                                  f"({', '.join('?' * len(chunk))}) GROUP BY order_id", chunk)))
    return out


def _policies(c) -> Policies:
    rows = _rows(c, "SELECT * FROM sla_policies")
    for r in rows:
        r["active"] = r.get("active") is None or bool(r["active"])
    return Policies(rows)


def _serial_group(c, serial: str) -> list[dict]:
    return _rows(c, "SELECT o.id, o.type, o.serial_no, (SELECT MIN(e.at) FROM order_events e WHERE "
                    "e.order_id = o.id AND e.to_status = ?) AS completed_at FROM service_orders o "
                    "WHERE o.serial_no = ?", (str(Status.COMPLETED), serial))


def _insert_fact(c, f: dict, parts: dict) -> None:
    c.execute(f"INSERT INTO hq_rollup_facts ({', '.join(FACT_COLUMNS)}) VALUES "
              f"({', '.join('?' * len(FACT_COLUMNS))})", [f[k] for k in FACT_COLUMNS])
    c.executemany("INSERT INTO hq_rollup_part_facts (order_id, part_id, qty, lines) VALUES (?, ?, ?, ?)",
                  [(f["order_id"], p, q, n) for p, (q, n) in parts.items()])


ORDER_ROLLUPS = ("hq_rollup_orders_month", "hq_rollup_outlet_month", "hq_rollup_region_month", *PEOPLE_ROLLUPS,
                 WEEK_ROLLUP)
PART_ROLLUPS = ("hq_rollup_parts_month", "hq_rollup_parts_region_month")


def _upsert(c, table: str, key: dict, values: dict) -> None:
    cols = [*key, *values]
    c.execute(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))}) "
              f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET "  # (qualified: PostgreSQL finds `m` ambiguous)
              + ", ".join(f"{m} = {table}.{m} + excluded.{m}" for m in values),
              [*key.values(), *values.values()])


def _add(c, f: dict, parts: dict, sign: int, regions: dict[str, str]) -> None:
    """Add (+1) or take away (-1) one fact's contribution to every roll-up."""
    region = regions.get(f["outlet_id"], "")
    values = {m: sign * int(f[m] or 0) for m in MEASURES}
    _upsert(c, "hq_rollup_orders_month", {k: f[k] for k in KEY}, values)
    _upsert(c, "hq_rollup_outlet_month", {"outlet_id": f["outlet_id"], "month": f["month"]}, values)
    _upsert(c, "hq_rollup_region_month", {"region": region, "model_id": f["model_id"], "month": f["month"]}, values)
    for table, col in PEOPLE_ROLLUPS.items():
        _upsert(c, table, {col: f[col] or "", "month": f["month"]}, values)
    week = week_monday(f["day"]) if f["day"] is not None else 0
    _upsert(c, WEEK_ROLLUP, {"outlet_id": f["outlet_id"], "type": f["type"] or "", "month": f["month"], "week": week},
            values)
    for part, (qty, lines) in parts.items():
        delta = {"qty": sign * qty, "lines": sign * lines, "orders": sign}
        _upsert(c, "hq_rollup_parts_month", {**{k: f[k] for k in KEY}, "part_id": part}, delta)
        _upsert(c, "hq_rollup_parts_region_month", {"region": region, "part_id": part, "model_id": f["model_id"],
                                                    "month": f["month"]}, delta)


def _regroup_if_due(c) -> None:
    """Checked in the fold's own transaction: an outlet's new region (set in the same
    transaction as the flag) never meets coarse rows grouped by its old one for long."""
    if c.execute("SELECT 1 FROM hq_rollup_meta WHERE key = 'regroup'").fetchone():
        regroup(c)


def regroup(c) -> None:
    """The coarse roll-ups again from the outlet-level ones, with the outlets' regions now."""
    sums = ", ".join(f"SUM(r.{m})" for m in MEASURES)
    cols = ", ".join(MEASURES)
    for table in ("hq_rollup_outlet_month", "hq_rollup_region_month", "hq_rollup_parts_region_month"):
        c.execute(f"DELETE FROM {table}")
    c.execute(f"INSERT INTO hq_rollup_outlet_month (outlet_id, month, {cols}) SELECT r.outlet_id, r.month, {sums} "
              "FROM hq_rollup_orders_month r GROUP BY r.outlet_id, r.month")
    c.execute(f"INSERT INTO hq_rollup_region_month (region, model_id, month, {cols}) SELECT COALESCE(o.region, ''), "
              f"r.model_id, r.month, {sums} FROM hq_rollup_orders_month r LEFT JOIN outlets o ON o.id = r.outlet_id "
              "GROUP BY 1, 2, 3")
    c.execute("INSERT INTO hq_rollup_parts_region_month (region, part_id, model_id, month, qty, lines, orders) "
              "SELECT COALESCE(o.region, ''), r.part_id, r.model_id, r.month, SUM(r.qty), SUM(r.lines), SUM(r.orders) "
              "FROM hq_rollup_parts_month r LEFT JOIN outlets o ON o.id = r.outlet_id GROUP BY 1, 2, 3, 4")
    c.execute("DELETE FROM hq_rollup_meta WHERE key = 'regroup'")


def _stream(c):
    """Every order with its events and parts, in id order, one row per order (events and
    parts folded into strings by SQLite), so a million orders never sit in memory at once."""
    cur = c.execute(
        f"SELECT o.id, {', '.join('o.' + k for k in ORDER_COLUMNS)}, {AGENT_SQL} AS agent_id, "
        "(SELECT group_concat(e.to_status || ' ' || COALESCE(CAST(e.at AS TEXT), ''), char(31)) FROM order_events e"
        " WHERE e.order_id = o.id) AS _events, "
        "(SELECT group_concat(p.part_id || ' ' || p.n || ' ' || p.qty, char(31)) FROM (SELECT part_id, COUNT(*) AS n, "
        " SUM(COALESCE(qty, 0)) AS qty FROM order_parts WHERE order_id = o.id AND part_id IS NOT NULL "
        " GROUP BY part_id) p) AS _parts FROM service_orders o ORDER BY o.id")
    for row in iter_dicts(cur):
        events = []
        for item in (row.pop("_events") or "").split("\x1f"):
            if item:
                to, _, at = item.rpartition(" ")
                events.append((to, int(at) if at.lstrip("-").isdigit() else None))
        parts = {}
        for item in (row.pop("_parts") or "").split("\x1f"):
            if item:
                part, n, qty = item.rsplit(" ", 2)
                parts[part] = (int(qty), int(n))
        yield row, events, parts


def _flush(c, facts: list, part_rows: list) -> None:
    c.executemany(f"INSERT INTO hq_rollup_facts ({', '.join(FACT_COLUMNS)}) VALUES "
                  f"({', '.join('?' * len(FACT_COLUMNS))})", facts)
    c.executemany("INSERT INTO hq_rollup_part_facts (order_id, part_id, qty, lines) VALUES (?, ?, ?, ?)", part_rows)
    facts.clear()
    part_rows.clear()



def main(argv=None) -> int:
    """`python -m hub.services.rollups --dir D`: rebuild the roll-ups of the hub in D."""
    import argparse
    import time
    from pathlib import Path

    from hub.home import HubHome
    from hub.services import HubServices
    ap = argparse.ArgumentParser(description="rebuild the report roll-ups from the base tables")
    ap.add_argument("--dir", required=True, type=Path, help="the hub's directory")
    a = ap.parse_args(argv)
    hub = HubHome(a.dir).open()
    try:
        t0 = time.perf_counter()
        n = HubServices(hub).rollups.rebuild()
        print(f"roll-ups rebuilt from {n} orders in {time.perf_counter() - t0:.1f} s")
    finally:
        hub.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
