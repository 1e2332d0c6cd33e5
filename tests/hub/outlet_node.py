"""A real outlet node enrolled against the test hub (the small demo network), synced
in-process through the hub's handlers, with the node's own services and a clerk session:
approval tests get their submitted documents the way HQ does, from a node."""
from dataclasses import dataclass

from node.services import NodeServices, Session
from shared.tables import TABLES
from sync import merge
from fieldsync.testing.world import Node

# Hub tables a refused decision must leave exactly as they were.
WATCHED = ("parts_requests", "parts_request_lines", "stock_counts", "stock_count_lines", "settlements",
           "settlement_lines", "stock_moves", "approvals", "hq_shipments", "hq_shipment_lines")


@dataclass
class Outlet:
    node: Node
    svc: NodeServices
    outlet_id: str
    code: str

    def session(self, username: str) -> Session:
        row = self.svc.ctx.one("SELECT * FROM users WHERE username = ?", (username,))
        return Session.of_user(row)

    @property
    def clerk(self) -> Session:
        return self.session(f"{self.code.lower()}.clerk")

    def sync(self):
        return self.node.sync()

    def on_hand(self, part_id: str) -> int:
        """In the outlet's store (not what its technicians carry)."""
        return self.svc.ctx.scalar("SELECT COALESCE(SUM(qty), 0) FROM stock_moves WHERE outlet_id = ? AND part_id = ? "
                                   "AND holder IS NULL", (self.outlet_id, part_id))


def enroll(hub, tmp_path, code: str = "SH01") -> Outlet:
    outlet = hub.conn.execute("SELECT id FROM outlets WHERE code = ?", (code,)).fetchone()[0]
    node = Node(tmp_path / f"{code.lower()}-node.db", hub, outlet)
    node.sync()
    return Outlet(node, NodeServices(node.store, sync_now=node.sync), outlet, code)


def hub_dump(hub) -> dict:
    out = {}
    for table in WATCHED:
        cur = hub.conn.execute(f"SELECT * FROM [{table}] ORDER BY id")
        out[table] = [tuple(r) for r in cur.fetchall()]
    return out


def hub_row(hub, table: str, row_id: str) -> dict | None:
    row = merge.load(hub.conn, TABLES[table], row_id)
    return dict(row) if row is not None else None
