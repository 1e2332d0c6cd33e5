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
from tests.helpers import Node, World, uid

HOUR = 3600 * 1000
DAY = 24 * HOUR

MODELS = {
    "PM-AC-35": {"code": "KFR-35GW/BpR3", "name": "变频挂壁式空调 1.5匹", "category": "AC", "warranty_months": 72},
    "PM-WM-100": {"code": "XQG100-B14", "name": "滚筒洗衣机 10公斤", "category": "WM"},  # category default
    "PM-RF-470": {"code": "BCD-470WDPG", "name": "十字对开门冰箱", "category": "RF", "warranty_months": 36},
}
PARTS = {
    "P-2001": {"sku": "P-2001", "name": "室内温度传感器", "category": "AC", "unit_price": 2500, "safety_stock": 5},
    "P-2002": {"sku": "P-2002", "name": "排水泵", "category": "WM", "unit_price": 9000, "safety_stock": 2},
    "P-2003": {"sku": "P-2003", "name": "门封条", "category": "RF", "unit_price": 6000, "safety_stock": 0},
}
FEE_RULES = {
    "FR-1": {"type": "repair", "category": "AC", "visit_fee": 3000, "labour_fee": 8000},
    "FR-2": {"type": "install", "category": "AC", "visit_fee": 0, "labour_fee": 15000},
    "FR-3": {"type": "repair", "category": "WM", "visit_fee": 3000, "labour_fee": 6000},
}
SLA = {
    "SLA-1": {"type": "repair", "priority": "normal", "accept_within_min": 120,
              "on_site_within_min": 24 * 60, "complete_within_min": 72 * 60},
    "SLA-2": {"type": "repair", "priority": "urgent", "accept_within_min": 30,
              "on_site_within_min": 6 * 60, "complete_within_min": 24 * 60},
}
CUSTOMER = {"name": "王建国", "phone": "13812345678", "address": "上海市浦东新区张杨路500号", "city": "上海",
            "member_level": "金卡会员"}
NAMES = {"technician": "张师傅", "clerk": "刘文员", "outlet_manager": "陈经理"}


def days_ago(days: int) -> str:
    """An ISO date `days` before today (local), so warranty tests do not age."""
    from datetime import timedelta
    from shared.periods import local_date
    return (local_date(now_ms()) - timedelta(days=days)).isoformat()


def put(table, row_id, **fields):
    return {"op": "put", "table": table, "id": row_id, "fields": fields}


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
            "outlet_id": self.outlet, "part_id": part_id, "qty": qty, "kind": "transfer", "ref": "HQ", "at": now_ms()}}])
        self.sync()

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


def seed(w: World) -> None:
    ops = [put("product_models", k, active=True, **v) for k, v in MODELS.items()]
    ops += [put("parts", k, active=True, **v) for k, v in PARTS.items()]
    ops += [put("parts", "P-1001", safety_stock=1)]
    ops += [put("fee_rules", k, active=True, **v) for k, v in FEE_RULES.items()]
    ops += [put("sla_policies", k, active=True, **v) for k, v in SLA.items()]
    ops += [put("customers", "C-1", created_at=now_ms(), **CUSTOMER)]
    for (outlet, role), user_id in w.users.items():
        ops.append(put("users", user_id, display_name=NAMES[role] + ("" if outlet == w.outlets[0] else "（二店）")))
    ops.append(put("users", "technician-1b", username="technician-1b", display_name="李师傅", role="technician",
                   outlet_id=w.outlets[0], active=True))
    w.hub.write(ops)


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

    e = Env(w, node, NodeServices(node.store, queue_blob=queue_blob, sync_now=node.sync), blobs)
    yield e
    w.close()
