"""An outlet worth looking at: 上海徐汇网点 with a technician, a clerk and a manager who
log in with known passwords, appliances, parts in stock and in 张师傅's bag, fee rules, SLA policies,
knowledge-base articles, and orders in several states — written on the hub before it
starts, so the node pulls them when it enrolls."""
from datetime import timedelta

from shared.passwords import hash_password, hash_pin
from shared.periods import local_date
from sync.hlc import now_ms
from fieldsync.testing.world import uid
from shared.stock import pair_ref

HOUR = 3600 * 1000
PASSWORDS = {"zhang": "tech-123", "li": "tech-456", "liu": "clerk-123", "chen": "boss-123"}
PIN = "246813"


def put(table, row_id, **fields):
    return {"op": "put", "table": table, "id": row_id, "fields": fields}


def add(table, row_id, **fields):
    return {"op": "add", "table": table, "id": row_id, "fields": fields}


def days_ago(days: int) -> str:
    return (local_date(now_ms()) - timedelta(days=days)).isoformat()


def seed(hub, outlet_id: str) -> dict:
    """Write the outlet's world; returns the ids a test needs."""
    now = now_ms()
    users = {"zhang": ("technician", "张师傅"), "li": ("technician", "李师傅"),
             "liu": ("clerk", "刘文员"), "chen": ("outlet_manager", "陈经理")}
    pin = hash_pin(PIN)  # one costly hash for everyone
    ops = [put("users", f"u-{name}", username=name, display_name=display, role=role, outlet_id=outlet_id,
               active=True, password_hash=hash_password(PASSWORDS.get(name, "x-" + name)),
               pin_hash=pin) for name, (role, display) in users.items()]
    ops += [
        put("product_models", "PM-AC-35", code="KFR-35GW/BpR3", name="变频挂壁式空调 1.5匹", category="AC",
            warranty_months=72, active=True),
        put("product_models", "PM-WM-100", code="XQG100-B14", name="滚筒洗衣机 10公斤", category="WM",
            warranty_months=36, active=True),
        put("parts", "P-2001", sku="P-2001", name="室内温度传感器", category="AC", unit_price=2500, safety_stock=5,
            active=True),
        put("parts", "P-2002", sku="P-2002", name="排水泵", category="WM", unit_price=9000, safety_stock=2,
            active=True),
        put("parts", "P-2003", sku="P-2003", name="门封条", category="WM", unit_price=6000, safety_stock=0,
            active=True),
        put("fee_rules", "FR-1", type="repair", category="AC", visit_fee=3000, labour_fee=8000, active=True),
        put("fee_rules", "FR-2", type="repair", category="WM", visit_fee=3000, labour_fee=6000, active=True),
        put("sla_policies", "SLA-1", type="repair", priority="normal", accept_within_min=120,
            on_site_within_min=24 * 60, complete_within_min=72 * 60, active=True),
        put("sla_policies", "SLA-2", type="repair", priority="urgent", accept_within_min=30,
            on_site_within_min=6 * 60, complete_within_min=24 * 60, active=True),
        put("customers", "C-1", name="王建国", phone="13812345678", address="上海市徐汇区漕溪北路88号",
            city="上海", member_level="金卡会员", created_at=now),
        put("customers", "C-2", name="李秀英", phone="13998765432", address="上海市徐汇区天钥桥路200弄5号",
            city="上海", created_at=now),
        put("customers", "C-3", name="赵海燕", phone="13611112222", address="上海市徐汇区虹桥路1号", city="上海",
            created_at=now),
        put("kb_articles", "KB-1", title="滚筒洗衣机底部漏水的排查", category="WM",
            body="洗衣机底部漏水，先检查排水泵与排水管接口是否松动，再检查门封条是否破损。E21 故障代码表示排水超时。",
            tags=["洗衣机", "漏水"], fault_codes=["E21"], models=["XQG100-B14"], updated_at=now, active=True),
        put("kb_articles", "KB-2", title="空调不制冷：温度传感器检测", category="AC",
            body="空调开机后不制冷，室内温度传感器阻值异常时更换传感器。F1 故障代码为室内温度传感器故障。",
            tags=["空调", "不制冷"], fault_codes=["F1"], models=["KFR-35GW/BpR3"], updated_at=now, active=True),
    ]
    ops += [add("stock_moves", uid(), outlet_id=outlet_id, part_id=p, qty=q, kind="transfer", ref="HQ", at=now)
            for p, q in (("P-2001", 9), ("P-2002", 1), ("P-2003", 3))]
    issue = pair_ref("u-zhang", uid())  # 张师傅 carries two sensors (the store keeps 7)
    ops += [add("stock_moves", uid(), outlet_id=outlet_id, part_id="P-2001", qty=q, kind="issue", ref=issue,
                note="张师傅", at=now, **extra) for q, extra in ((-2, {}), (2, {"holder": "u-zhang"}))]

    def order(number, customer, model, fault, status="new", **fields):
        oid = uid()
        ops.append(put("service_orders", oid, number=number, outlet_id=outlet_id, customer_id=customer,
                       product_model_id=model, type="repair", priority=fields.pop("priority", "normal"),
                       status=status, created_at=fields.pop("created_at", now - HOUR),
                       fault_description=fault, **fields))
        return oid

    ids = {
        "flow": order("HQ-1001", "C-1", "PM-AC-35", "空调不制冷，室内机显示F1", technician_id="u-zhang",
                      serial_no="AC35-2023-778812", purchase_date=days_ago(400)),
        "cancel": order("HQ-1002", "C-2", "PM-WM-100", "洗衣机底部漏水", technician_id="u-zhang",
                        purchase_date=days_ago(900)),
        "urgent": order("HQ-1003", "C-3", "PM-AC-35", "空调外机异响，客户投诉", priority="urgent",
                        created_at=now - 2 * HOUR),
        "li_on_site": order("HQ-1004", "C-3", "PM-WM-100", "洗衣机不排水，显示E21", status="on_site",
                            technician_id="u-li", purchase_date=days_ago(300)),
        "done": order("HQ-0990", "C-2", "PM-WM-100", "洗衣机不排水", status="completed", technician_id="u-li",
                      purchase_date=days_ago(200), resolution="更换排水泵", created_at=now - 30 * HOUR),
    }
    ops.append(add("order_events", uid(), order_id=ids["done"], to_status="completed", at=now - 20 * HOUR,
                   actor_id="u-li"))
    hub.write(ops)
    return ids
