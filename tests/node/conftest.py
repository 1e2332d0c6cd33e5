"""A small outlet for the service tests: a hub with realistic reference data (models,
parts, fee rules, SLA policies, a customer), an enrolled node at 上海1号网点 synced with
it, and the node's services with a session per role. Orders come from the hub
(`env.dispatch`) and every sync is a real in-process round."""
import hashlib
from dataclasses import dataclass, field

import pytest

from node.services import NodeServices, ServiceError, Session
from sync.hlc import now_ms
from tests.forge import node_dump
from fieldsync.testing.outlet import HOUR, bag_ops, days_ago, seed
from fieldsync.testing.world import Node, World, uid

@dataclass
class Env:
    w: World
    node: Node
    svc: NodeServices
    blobs: dict = field(default_factory=dict)

    @property
    def outlet(self) -> str:
        return self.node.outlet_id

    def session(self, user_id: str, lang: str = "zh") -> Session:
        row = self.svc.ctx.user(user_id)
        return Session.of_user(row, lang)

    @property
    def tech(self) -> Session:
        return self.session(self.w.user(self.outlet, "technician"))

    @property
    def tech2(self) -> Session:
        return self.session("technician-1b")

    @property
    def clerk(self) -> Session:
        return self.session(self.w.user(self.outlet, "clerk"))

    @property
    def manager(self) -> Session:
        return self.session(self.w.user(self.outlet, "outlet_manager"))

    def sync(self):
        return self.node.sync()

    def dispatch(self, sync=True, **fields) -> str:
        fields.setdefault("customer_id", "C-1")
        fields.setdefault("product_model_id", "PM-AC-35")
        fields.setdefault("purchase_date", days_ago(400))
        oid = self.w.dispatch(self.outlet, **fields)
        if sync:
            self.sync()
        return oid

    def hub(self, table, row_id):
        row = self.w.hub_row(table, row_id)
        return dict(row) if row is not None else None

    def hub_on_hand(self, part_id) -> int:
        return self.w.hub.conn.execute("SELECT COALESCE(SUM(qty), 0) FROM stock_moves WHERE outlet_id = ? "
                                       "AND part_id = ?", (self.outlet, part_id)).fetchone()[0]

    def stock_from_hq(self, part_id: str, qty: int):
        """HQ transfers stock to the outlet (a hub-posted move), then the node syncs."""
        self.w.hub.write([{"op": "add", "table": "stock_moves", "id": uid(), "fields": {
            "outlet_id": self.outlet, "part_id": part_id, "qty": qty, "kind": "transfer", "ref": "HQ",
            "at": now_ms()}}])
        self.sync()

    def seed_bags(self):
        """The outlet's technicians carry fieldsync.testing.outlet.BAGS."""
        self.w.hub.write(bag_ops(self.outlet))
        self.sync()

    def carry(self, part_id: str, qty: int, tech: Session | None = None):
        """HQ ships a part to the outlet and the clerk issues it to a technician's bag."""
        self.stock_from_hq(part_id, qty)
        self.svc.van.issue(self.clerk, (tech or self.tech).user_id, {part_id: qty})

    def on_site(self, **fields) -> str:
        """A dispatched order the technician has taken to on site."""
        oid = self.dispatch(technician_id=self.w.user(self.outlet, "technician"), **fields)
        a, t = self.svc.actions, self.tech
        a.accept(t, oid)
        a.schedule(t, oid, now_ms() + HOUR)
        a.set_out(t, oid)
        a.arrive(t, oid)
        return oid

    def refused(self, code: str, fn, *args, **kwargs) -> ServiceError:
        """Call an action that must be refused with `code` and leave the replica as it was."""
        before = node_dump(self.node)
        with pytest.raises(ServiceError) as exc:
            fn(*args, **kwargs)
        assert exc.value.code == code, exc.value
        assert node_dump(self.node) == before
        assert exc.value.message("zh") and exc.value.message("en")
        return exc.value


@pytest.fixture
def env(tmp_path):
    w = World(tmp_path)
    seed(w)
    node = w.node(w.outlets[0])
    node.sync()
    blobs: dict = {}

    def queue_blob(data: bytes) -> str:
        sha = hashlib.sha256(data).hexdigest()
        blobs[sha] = data
        return sha

    e = Env(w, node, NodeServices(node.store, queue_blob=queue_blob, read_blob=blobs.get, sync_now=node.sync),
            blobs)
    yield e
    w.close()
