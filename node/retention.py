"""Personal data leaves a node once the work no longer needs it (shared/retention.py): the
name, phone and address of orders closed or cancelled more than the outlet's
`personal_data_days` ago, and of customers with no newer order here, are blanked in this
file only — HQ keeps them, nothing is pushed. The space they took is overwritten
(`secure_delete`) and the WAL truncated, so the bytes are gone from the disk's file too.

A blanked field forgets its clock: if HQ sends the customer again (a new order of theirs),
HQ's value is taken back whatever its age. Runs after a sync round, at most every
PURGE_EVERY_MS (node/runtime.py), and on demand (`purge`)."""
import json
from dataclasses import dataclass

from shared.orders import TERMINAL
from shared.retention import CUSTOMER_FIELDS, DAY_MS, ORDER_FIELDS, days_of
from sync.handback import KEEP_MS
from sync.node_store import NodeStore

PURGE_EVERY_MS = 3600 * 1000
_LAST = "retention_purged_at"


@dataclass(frozen=True)
class Purged:
    days: int
    orders: int
    customers: int


def purge_if_due(store: NodeStore) -> Purged | None:
    now = store.clock.wall_now()
    if now - int(store.meta_get(_LAST, 0) or 0) < PURGE_EVERY_MS:
        return None
    return purge(store, now)


def purge(store: NodeStore, now: int) -> Purged:
    """Blank what is past the outlet's retention as of `now` (ms); returns what was blanked."""
    ended = ", ".join(f"'{s}'" for s in sorted(TERMINAL))
    with store.read() as c:
        c.execute("PRAGMA secure_delete = ON")  # this connection's freed space is zeroed from now on
    with store.tx() as c:
        row = c.execute("SELECT personal_data_days FROM outlets WHERE id = ?", (store.outlet_id,)).fetchone()
        days = days_of(row[0] if row else None)
        cutoff = now - days * DAY_MS
        old = (f"o.status IN ({ended}) AND COALESCE(o.closed_at, (SELECT MAX(e.at) FROM order_events e WHERE "
               f"e.order_id = o.id AND e.to_status IN ({ended}))) < ?")
        orders = [r[0] for r in c.execute(
            f"SELECT o.id FROM service_orders o WHERE {old} AND ("
            + " OR ".join(f"COALESCE(o.[{f}], '') != ''" for f in ORDER_FIELDS) + ")", (cutoff,))]
        customers = [r[0] for r in c.execute(
            "SELECT cu.id FROM customers cu WHERE ("
            + " OR ".join(f"COALESCE(cu.[{f}], '') != ''" for f in CUSTOMER_FIELDS) + ") "
            f"AND NOT EXISTS (SELECT 1 FROM service_orders o WHERE o.customer_id = cu.id AND NOT ({old}))",
            (cutoff,))]
        for table, ids, fields in (("service_orders", orders, ORDER_FIELDS), ("customers", customers, CUSTOMER_FIELDS)):
            for row_id in ids:
                _blank(c, table, row_id, fields)
        # What the node pulled is kept KEEP_MS for a hub restore (sync/handback.py); older copies
        # of the same rows go now rather than at the next pull.
        for table in ("_pulled", "_pulled_manifests"):
            c.execute(f"DELETE FROM {table} WHERE pulled_at < ?", (now - KEEP_MS,))
        store.meta_set(_LAST, now)
    with store.read() as c:
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return Purged(days, len(orders), len(customers))


def _blank(c, table: str, row_id: str, fields: tuple[str, ...]) -> None:
    clk = json.loads(c.execute(f"SELECT _clk FROM [{table}] WHERE id = ?", (row_id,)).fetchone()[0] or "{}")
    for f in fields:
        clk.pop(f, None)
    sets = ", ".join(f"[{f}] = ''" for f in fields)
    c.execute(f"UPDATE [{table}] SET {sets}, _clk = ? WHERE id = ?", (json.dumps(clk, separators=(",", ":")), row_id))
