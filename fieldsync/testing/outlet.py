"""A small outlet with realistic reference data (models, parts, fee rules, SLA policies, a
customer, named users, and on request parts in the store and in the technicians' bags) on a
`World`'s hub: what the node service tests and the node list benchmark start from."""
from fieldsync.testing.world import World, uid
from shared.stock import pair_ref
from sync.hlc import now_ms

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
# What the first outlet's technicians carry with `seed(w, bags=True)`: technician → part → qty
# (HQ ships the store twice as many, and the clerk issued these).
BAGS = {"technician-1": {"P-2001": 2, "P-2003": 1}, "technician-1b": {"P-2002": 1}}


def days_ago(days: int) -> str:
    """An ISO date `days` before today (local), so warranty tests do not age."""
    from datetime import timedelta
    from shared.periods import local_date
    return (local_date(now_ms()) - timedelta(days=days)).isoformat()


def put(table, row_id, **fields):
    return {"op": "put", "table": table, "id": row_id, "fields": fields}


def add(table, row_id, **fields):
    return {"op": "add", "table": table, "id": row_id, "fields": fields}


def seed(w: World, bags: bool = False) -> None:
    """The reference data and users; `bags`: the first outlet's store stocked and its
    technicians carrying BAGS (written on the hub, as the clerk's issues would arrive)."""
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
    if bags:
        w.hub.write(bag_ops(w.outlets[0]))


def bag_ops(outlet_id: str) -> list[dict]:
    """HQ's transfer into the store, then one issue per technician (a pair per part)."""
    at, ops = now_ms(), []
    shipped: dict[str, int] = {}
    for parts in BAGS.values():
        for part, qty in parts.items():
            shipped[part] = shipped.get(part, 0) + 2 * qty
    ops += [add("stock_moves", uid(), outlet_id=outlet_id, part_id=part, qty=qty, kind="transfer", ref="HQ", at=at)
            for part, qty in shipped.items()]
    for tech, parts in BAGS.items():
        ref = pair_ref(tech, uid())
        for part, qty in parts.items():
            common = dict(outlet_id=outlet_id, part_id=part, kind="issue", ref=ref, at=at)
            ops += [add("stock_moves", uid(), qty=-qty, **common),
                    add("stock_moves", uid(), qty=qty, holder=tech, **common)]
    return ops
