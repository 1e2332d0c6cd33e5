"""A small world for tests: a hub on a real SQLite file (or a PostgreSQL database: `hub_at`),
outlets, users and enrolled nodes talking to it in-process through the real handlers."""
import uuid
from pathlib import Path

from shared.tables import TABLES
from sync import hub_handlers, merge
from sync.hlc import HLC, now_ms
from sync.hub_store import HubStore
from sync.pg_hub_store import open_hub_store
from sync.keys import SigningKey
from sync.node_store import NodeStore
from sync.node_sync import LocalTransport, sync_round


def uid() -> str:
    return str(uuid.uuid4())


def stock_places(conn, outlet_id: str) -> dict[tuple[str | None, str], int]:
    """An outlet's on hand per place, as a store file holds it: (holder, part) → Σ qty of
    that place's moves (holder None: the store; else the technician's bag), zeros left out."""
    return {(holder, part): n for holder, part, n in conn.execute(
        "SELECT holder, part_id, SUM(qty) FROM stock_moves WHERE outlet_id = ? GROUP BY holder, part_id",
        (outlet_id,)) if n}


def unbalanced_pairs(conn) -> list[str]:
    """The refs of issues and hand-backs whose moves do not sum to zero: a pair applied in
    half (stock made or lost between two places of an outlet)."""
    return [ref for ref, n in conn.execute(
        "SELECT ref, SUM(qty) FROM stock_moves WHERE kind IN ('issue', 'hand_back') GROUP BY ref") if n]


class Node:
    def __init__(self, path: Path, hub: HubStore, outlet_id: str, clock: HLC | None = None,
                 technician_id: str | None = None):
        """`technician_id`: enroll a technician's device bound to them (a device code),
        else the outlet's PC."""
        self.path, self.hub = Path(path), hub
        self.key = SigningKey.generate()
        self.store = NodeStore(self.path, clock=clock)
        token = hub.create_enroll_token(outlet_id, technician_id=technician_id)
        enrollment = hub_handlers.enroll(hub, {"token": token, "public_key": self.key.public_b64,
                                               "name": self.path.stem, "app_version": "test"})
        self.store.bind(enrollment)
        self.node_id = enrollment["node_id"]
        self.outlet_id = outlet_id

    def transport(self):
        return LocalTransport(self.hub, self.node_id)

    def sync(self):
        return sync_round(self.store, self.transport(), self.key)

    def reopen(self, clock: HLC | None = None):
        self.store.close()
        self.store = NodeStore(self.path, clock=clock)


class World:
    """A hub with outlets and users; `node(outlet)` enrolls a node there."""

    def __init__(self, tmp: Path, n_outlets: int = 2, hub_clock: HLC | None = None,
                 hub_at: str | Path | None = None):
        """`hub_at`: where the hub store is (a postgresql:// URL or a file; the tests'
        `hub_db` fixture), else tmp/hub.db."""
        self.tmp = Path(tmp)
        self.hub = open_hub_store(hub_at or self.tmp / "hub.db", clock=hub_clock)
        self.outlets, self.users = [], {}
        ops = []
        for i in range(n_outlets):
            oid = f"outlet-{i + 1}"
            self.outlets.append(oid)
            ops.append({"op": "put", "table": "outlets", "id": oid,
                        "fields": {"code": f"SH{i + 1:02d}", "name": f"上海{i + 1}号网点", "active": True}})
            for role in ("technician", "clerk", "outlet_manager"):
                user_id = f"{role}-{i + 1}"
                self.users[(oid, role)] = user_id
                ops.append({"op": "put", "table": "users", "id": user_id,
                            "fields": {"username": user_id, "role": role, "outlet_id": oid, "active": True}})
        ops.append({"op": "put", "table": "parts", "id": "P-1001",
                    "fields": {"sku": "P-1001", "name": "压缩机", "category": "AC", "unit_price": 120000}})
        self.hub.write(ops)
        self.nodes: list[Node] = []

    def node(self, outlet_id: str, clock: HLC | None = None) -> Node:
        n = Node(self.tmp / f"node{len(self.nodes) + 1}.db", self.hub, outlet_id, clock)
        self.nodes.append(n)
        return n

    def device(self, technician_id: str, clock: HLC | None = None) -> Node:
        """A technician's device, enrolled by a device code bound to them."""
        outlet_id = next(o for (o, _), u in self.users.items() if u == technician_id)
        n = Node(self.tmp / f"device{len(self.nodes) + 1}.db", self.hub, outlet_id, clock,
                 technician_id=technician_id)
        self.nodes.append(n)
        return n

    def user(self, outlet_id: str, role: str = "clerk") -> str:
        return self.users[(outlet_id, role)]

    def dispatch(self, outlet_id: str, **fields) -> str:
        """HQ creates an order for an outlet (status new)."""
        oid = uid()
        self.hub.write([{"op": "put", "table": "service_orders", "id": oid, "fields": {
            "number": f"HQ-{oid[:6]}", "outlet_id": outlet_id, "type": "repair", "status": "new",
            "priority": "normal", "created_at": now_ms(), "fault_description": "空调不制冷", **fields}}])
        return oid

    def hub_row(self, table: str, row_id: str):
        return merge.load(self.hub.conn, TABLES[table], row_id)

    def close(self):
        for n in self.nodes:
            n.store.close()
        self.hub.close()
