"""Measure list and search times at outlet scale (not a test: pytest does not collect it).

    .venv/bin/python -m tests.node.measure_services [orders] [articles]

Builds a hub with 10,000 orders for one outlet and 5,000 knowledge-base articles from the
domain vocabulary, syncs a node (the real pull path), then times the node services'
lists, order detail and searches (median of repeated runs, after a warm-up)."""
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from node.services import NodeServices, Session
from shared.periods import day_bounds, period_of
from sync.hlc import now_ms
from tests.helpers import World
from tests.node.conftest import DAY, HOUR, seed

VOCAB = json.loads((Path(__file__).resolve().parents[3] / "shared" / "domain-vocabulary.json").read_text())
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "建国丽娟伟芳敏静磊洋勇艳杰娜涛明超秀英华平刚"
STREETS = ["张杨路", "漕溪北路", "南京西路", "淮海中路", "世纪大道", "中山公园路", "虹桥路"]


def build(tmp: Path, n_orders: int, n_articles: int, rng: random.Random):
    w = World(tmp)
    seed(w)
    outlet = w.outlets[0]
    techs = [w.user(outlet, "technician"), "technician-1b"]
    now = now_ms()
    start, _ = day_bounds(now)
    statuses = ["closed"] * 50 + ["completed"] * 20 + ["new"] * 5 + ["accepted"] * 5 + ["scheduled"] * 8 + \
               ["en_route"] * 2 + ["on_site"] * 3 + ["waiting_parts"] * 4 + ["declined"] * 1 + ["cancelled"] * 2
    models = list(json.loads(json.dumps({"PM-AC-35": 1, "PM-WM-100": 1, "PM-RF-470": 1})))
    faults = [f["text"] for c in VOCAB["categories"] for f in c["faults"]]
    ops = []
    for i in range(n_orders):
        cid, oid = f"C-{i:05d}", f"O-{i:05d}"
        created = now - rng.randint(0, 120) * DAY - rng.randint(0, 23) * HOUR
        status = rng.choice(statuses)
        ops.append({"op": "put", "table": "customers", "id": cid, "fields": {
            "name": rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
            "phone": "1" + str(rng.choice([38, 39, 58, 86, 88])) + f"{rng.randint(0, 99999999):08d}",
            "address": f"上海市{rng.choice(STREETS)}{rng.randint(1, 999)}号", "created_at": created}})
        ops.append({"op": "put", "table": "service_orders", "id": oid, "fields": {
            "number": f"HQ-{i:07d}", "outlet_id": outlet, "customer_id": cid, "type": rng.choice(["repair"] * 4 + ["install"]),
            "priority": rng.choice(["normal"] * 9 + ["urgent"]), "status": status, "created_at": created,
            "product_model_id": rng.choice(models), "fault_description": rng.choice(faults),
            "technician_id": rng.choice(techs), "purchase_date": "2023-05-01",
            "appointment_at": start + rng.randint(8, 20) * HOUR if rng.random() < 0.02 else created + DAY}})
        if status in ("completed", "closed"):
            done = created + rng.randint(4, 70) * HOUR
            part = rng.choice(["P-1001", "P-2001", "P-2002", "P-2003"])
            ops.append({"op": "add", "table": "order_events", "id": f"D-{i:05d}", "fields": {
                "order_id": oid, "to_status": "completed", "at": done}})
            ops.append({"op": "add", "table": "order_parts", "id": f"OP-{i:05d}", "fields": {
                "order_id": oid, "part_id": part, "qty": 1, "in_warranty": rng.random() < 0.7, "at": done}})
            ops.append({"op": "add", "table": "stock_moves", "id": f"M-{i:05d}", "fields": {
                "outlet_id": outlet, "part_id": part, "qty": -1, "kind": "consume", "ref": oid, "at": done}})
            if rng.random() < 0.2:
                ops.append({"op": "add", "table": "stock_moves", "id": f"R-{i:05d}", "fields": {
                    "outlet_id": outlet, "part_id": part, "qty": 6, "kind": "transfer", "ref": "HQ", "at": done}})
        if status == "waiting_parts":
            ops.append({"op": "add", "table": "order_events", "id": f"E-{i:05d}", "fields": {
                "order_id": oid, "to_status": "waiting_parts", "at": created + 2 * HOUR}})
        if len(ops) >= 3000:
            w.hub.write(ops)
            ops = []
    cats = VOCAB["categories"]
    for i in range(n_articles):
        c = rng.choice(cats)
        f = rng.choice(c["faults"])
        model = rng.choice(c["model_prefixes"]) + str(rng.randint(1, 99))
        part = rng.choice(c["parts"])["name"]
        ops.append({"op": "put", "table": "kb_articles", "id": f"KB-{i:05d}", "fields": {
            "title": f"{c['name']}{f['text']}（{model}）", "category": c["code"],
            "body": f"现象：{f['text']}。原因：{f['cause']}。处理：检查{part}，必要时更换{part}，"
                    f"更换后试机30分钟确认{c['name']}运行正常。案例编号{i}。" * 3,
            "tags": [f["text"][-2:], c["name"]], "fault_codes": [f["code"]] if f["code"] else [],
            "models": [model], "active": True, "updated_at": now - i * 1000}})
        if len(ops) >= 3000:
            w.hub.write(ops)
            ops = []
    if ops:
        w.hub.write(ops)
    return w, outlet


def timed(fn, runs: int = 15) -> tuple[float, float]:
    """(median, fastest) wall time in ms: the fastest shows the cost on an idle machine,
    the median what a busy one adds."""
    fn()  # warm-up
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    return statistics.median(samples), min(samples)


def main(n_orders: int = 10_000, n_articles: int = 5_000) -> None:
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        w, outlet = build(Path(tmp), n_orders, n_articles, rng)
        print(f"hub built: {n_orders} orders, {n_articles} articles in {time.perf_counter() - t:.1f} s")
        node = w.node(outlet)
        t = time.perf_counter()
        node.sync()
        print(f"node first sync (pull): {time.perf_counter() - t:.1f} s")
        svc = NodeServices(node.store)
        t = time.perf_counter()
        svc.kb.refresh()
        print(f"knowledge-base index built: {time.perf_counter() - t:.2f} s")
        clerk = Session.of_user(svc.ctx.user(w.user(outlet, "clerk")))
        tech = Session.of_user(svc.ctx.user(w.user(outlet, "technician")))
        some = svc.orders.page(clerk, status="open").cards[0]
        cases = {
            "orders: today": lambda: svc.orders.page(tech, "today"),
            "orders: mine (open)": lambda: svc.orders.page(tech, "mine", status="open"),
            "orders: all, page 1": lambda: svc.orders.page(clerk),
            "orders: all, page 100": lambda: svc.orders.page(clerk, offset=99 * 50),
            "orders: status=scheduled": lambda: svc.orders.page(clerk, status="scheduled"),
            "orders: type=install, technician": lambda: svc.orders.page(clerk, type="install",
                                                                         technician_id="technician-1b"),
            "orders: overdue": lambda: svc.orders.page(clerk, overdue=True),
            "search: number HQ-0004": lambda: svc.orders.page(clerk, search="HQ-0004"),
            "search: phone tail 5678": lambda: svc.orders.page(clerk, search="5678"),
            "search: name 王建": lambda: svc.orders.page(clerk, search="王建"),
            "order detail": lambda: svc.order.get(tech, some.id),
            "stock levels": lambda: svc.stock.levels(clerk),
            "stock ledger, page 1": lambda: svc.stock.ledger(clerk),
            "parts request suggestions": lambda: svc.requests.suggestions(clerk),
            "kb: 漏水": lambda: svc.kb.search(tech, "漏水"),
            "kb: 不制冷": lambda: svc.kb.search(tech, "不制冷"),
            "kb: E4": lambda: svc.kb.search(tech, "E4"),
            "kb: KFR-35GW": lambda: svc.kb.search(tech, "KFR-35GW"),
            "kb: 空调 压缩机": lambda: svc.kb.search(tech, "空调 压缩机"),
            "kb: 故障 (very common)": lambda: svc.kb.search(tech, "故障"),
        }
        period = period_of(now_ms() - 30 * DAY)
        t = time.perf_counter()
        sid = svc.settlements.draft(clerk, period)
        print(f"settlement draft for {period} ({len(svc.settlements.get(clerk, sid).lines)} orders): "
              f"{(time.perf_counter() - t) * 1000:.0f} ms (a write, not a list)")
        cases_extra = {"settlement view": lambda: svc.settlements.get(clerk, sid)}
        print(f"{'case':36} {'median ms':>10} {'min ms':>8}  result")
        for name, fn in {**cases, **cases_extra}.items():
            median, fastest = timed(fn)
            r = fn()
            size = (f"{len(r.cards)}/{r.total}" if hasattr(r, "cards") else len(r) if isinstance(r, list)
                    else f"{len(r.lines)} lines" if hasattr(r, "lines") else "")
            print(f"{name:36} {median:10.2f} {fastest:8.2f}  {size}")
        w.close()


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
