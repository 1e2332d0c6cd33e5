"""What the people do during a chaos run. At the outlets, through the node services (as the
app's screens call them): technicians accept, decline, schedule, set out, arrive, fit
parts and complete; clerks assign, receive shipments, request parts, count stock, settle
the month, take phoned-in orders and search the knowledge base. At HQ, on the hub's file
through HubStore.write (as fieldsync/demo/headless.py does): dispatch new orders, re-dispatch
declined ones, close completed ones, approve or reject parts requests and settlements.
Every action and every refusal a person would see is counted."""
import random
import uuid
from collections import Counter

from fieldsync.demo.data import DEMO_PIN
from fieldsync.demo.data import put as _put
from node.services import NodeServices, ServiceError
from node.sync_service import SyncService
from shared.documents import DocStatus
from shared.numbering import hq_counter_of, hq_number
from shared.orders import HUB, Status, can_transition
from shared.periods import period_of
from shared.roles import Role
from shared.stock import on_hand
from sync.hlc import now_ms

HOUR = 3_600_000
OPEN = ("new", "accepted", "scheduled", "en_route", "on_site", "waiting_parts")
TEXTS = ("已排除故障，试机正常", "更换主板后正常", "客户要求改约", "Fixed; tested OK ✅",
         "'; DROP TABLE service_orders; --", "压缩机异响\n已处理", "العربية نص", "  ")
QUERIES = ("不制冷", "E4", "漏水", "主板", "噪音 异响", "\"unclosed", "OR 1=1", "*", "E1 AND")


class Workload:
    def __init__(self, nodes, hub, rng: random.Random):
        self.nodes, self.hub, self.rng = nodes, hub, rng
        self.done: Counter = Counter()      # actions that went through
        self.refused: Counter = Counter()   # ServiceError codes shown to the user
        self.sessions: dict[str, dict] = {}
        hq = hub.open()
        try:
            self.hq_counter = max((hq_counter_of(r["number"]) or 0) for r in hq.rows("service_orders"))
            self.approver = hq.rows("users", "username = 'hq.approver'")[0]["id"]
        finally:
            hq.close()
        self.hq = None

    # ---- plumbing ----

    def attach(self, node) -> None:
        """(Re)build the node's services over its open store; log its people in once."""
        store = node.open_store()
        uploads = SyncService(store, None, None, blobs_dir=node.home.blobs)  # the upload queue only
        node.svc = NodeServices(store, now=node.now, queue_blob=uploads.queue_attachment)
        if node.name not in self.sessions:
            users = node.svc.ctx.query("SELECT username, role FROM users WHERE outlet_id = ? AND active = 1 "
                                       "ORDER BY username", (node.outlet_id,))
            peers = [n for n in self.nodes if n.outlet_id == node.outlet_id]
            techs = [u["username"] for u in users if u["role"] == Role.TECHNICIAN]
            mine = techs[peers.index(node)::len(peers)] or techs[:1]
            clerk = next(u["username"] for u in users if u["role"] == Role.CLERK)
            self.sessions[node.name] = {
                "clerk": node.svc.login(clerk, DEMO_PIN, pin=True),
                "techs": [node.svc.login(t, DEMO_PIN, pin=True) for t in mine]}

    def act(self, what: str, fn, *args, **kwargs):
        try:
            out = fn(*args, **kwargs)
        except ServiceError as exc:
            self.refused[exc.code] += 1
            return None
        self.done[what] += 1
        return out if out is not None else True

    def step(self, live_nodes) -> None:
        """One person does one thing (or HQ does its round)."""
        r = self.rng.random()
        if r < 0.04:
            self.hq_round()
            return
        if not live_nodes:
            return
        node = self.rng.choice(live_nodes)
        if r < 0.7:
            self.technician(node)
        else:
            self.office(node)

    # ---- technicians ----

    def technician(self, node) -> None:
        svc, rng = node.svc, self.rng
        tech = rng.choice(self.sessions[node.name]["techs"])
        extra = " OR (o.technician_id IS NULL AND o.status = 'new')" if rng.random() < 0.15 else ""
        rows = svc.ctx.query(
            "SELECT o.*, pm.category FROM service_orders o LEFT JOIN product_models pm ON pm.id = o.product_model_id "
            f"WHERE o.outlet_id = ? AND o.status IN ({','.join('?' * len(OPEN))}) AND (o.technician_id = ?{extra}) "
            "ORDER BY o.created_at LIMIT 8", (node.outlet_id, *OPEN, tech.user_id))
        if not rows:
            return
        o = rng.choice(rows)
        a, oid, status = svc.actions, o["id"], o["status"]
        if status == Status.NEW:
            if rng.random() < 0.07:
                self.act("decline", a.decline, tech, oid, rng.choice(["超出服务范围", "排班已满", TEXTS[4]]))
            else:
                self.act("accept", a.accept, tech, oid)
        elif status in (Status.ACCEPTED, Status.WAITING_PARTS):
            self.act("schedule", a.schedule, tech, oid, (node.now() + rng.randint(1, 30) * HOUR) // 60000 * 60000)
        elif status == Status.SCHEDULED:
            if rng.random() < 0.2:
                self.act("details", a.update_details, tech, oid, notes=rng.choice(TEXTS))
            self.act("set_out", a.set_out, tech, oid)
        elif status == Status.EN_ROUTE:
            self.act("arrive", a.arrive, tech, oid)
        elif status == Status.ON_SITE:
            if rng.random() < 0.6:
                self.fit_part(node, tech, o)
            if rng.random() < 0.06:
                self.act("wait_parts", a.wait_for_parts, tech, oid, "配件缺货")
            else:
                self.act("complete", a.complete, tech, oid, rng.choice(TEXTS[:6]),
                         signature=b"\x89PNG chaos " + uuid.uuid4().bytes)

    def fit_part(self, node, tech, o) -> None:
        ids = [r["id"] for r in node.svc.ctx.query("SELECT id FROM parts WHERE category = ? ORDER BY sku",
                                                   (o.get("category") or "",))]
        stocked = [p for p in ids if on_hand(node.store, p, tech.user_id) > 0]  # what the technician carries
        clerk = self.sessions[node.name].get("clerk")
        if not stocked and clerk is not None:  # collected at the counter first (领料)
            in_store = [p for p in ids if on_hand(node.store, p) > 0]
            part = self.rng.choice(in_store) if in_store else None
            if part:
                self.act("issue", node.svc.van.issue, clerk, tech.user_id, {part: 1})
                stocked = [p for p in ids if on_hand(node.store, p, tech.user_id) > 0]
        if stocked:
            self.act("use_part", node.svc.parts.use_part, tech, o["id"], self.rng.choice(stocked), 1,
                     old_serial=f"OLD{self.rng.randint(10**6, 10**7)}",
                     new_serial=f"NEW{self.rng.randint(10**6, 10**7)}")

    # ---- the office ----

    def office(self, node) -> None:
        svc, rng = node.svc, self.rng
        clerk = self.sessions[node.name]["clerk"]
        pick = rng.random()
        if pick < 0.25:
            techs = [t.user_id for s in self.sessions.values() for t in s["techs"] if t.outlet_id == node.outlet_id]
            for o in svc.ctx.query("SELECT id FROM service_orders WHERE outlet_id = ? AND status = 'new' AND "
                                   "technician_id IS NULL LIMIT 3", (node.outlet_id,)):
                self.act("assign", svc.actions.assign, clerk, o["id"], rng.choice(techs))
        elif pick < 0.4:
            for shipment in svc.stock.shipments(clerk):
                self.act("receive", svc.receiving.receive, clerk, shipment.request_id)
        elif pick < 0.52:
            if not [r for r in svc.requests.all(clerk) if r.status == DocStatus.DRAFT]:
                rid = self.act("request_draft", svc.requests.create_draft, clerk, note=rng.choice(TEXTS))
                if rid and rid is not True:
                    parts = svc.ctx.query("SELECT id FROM parts ORDER BY random() LIMIT 2")
                    for p in parts:
                        self.act("request_qty", svc.requests.set_qty, clerk, rid, p["id"], rng.randint(1, 6))
            for r in svc.requests.all(clerk):
                if r.status == DocStatus.DRAFT and rng.random() < 0.7:
                    self.act("request_submit", svc.requests.submit, clerk, r.id)
        elif pick < 0.64:
            self.stocktake(node, clerk)
        elif pick < 0.76:
            self.settlement(node, clerk)
        elif pick < 0.86:
            self.act("phoned_in", svc.actions.create, clerk, contact_name=rng.choice(["王先生", "李女士", "O'Brien"]),
                     contact_phone=f"139{rng.randint(10**7, 10**8 - 1)}", address="上海市徐汇区漕溪北路1号",
                     fault_description=rng.choice(TEXTS[:5]), notes=rng.choice(TEXTS))
        else:
            self.act("kb_search", svc.kb.search, clerk, rng.choice(QUERIES))

    def stocktake(self, node, clerk) -> None:
        st = node.svc.stocktake
        current = st.current(clerk)
        if current is None:
            self.act("count_open", st.open, clerk, blind=self.rng.random() < 0.3, note=self.rng.choice(TEXTS))
            return
        todo = [line for line in current.lines if line.counted is None or self.rng.random() < 0.1]
        for line in todo[:3]:
                have = on_hand(node.store, line.part_id)
                self.act("count_enter", st.enter, clerk, current.id, line.part_id,
                         max(0, have + self.rng.choice([0, 0, 0, 1, -1])))
        if len(todo) <= 3 and self.rng.random() < 0.5:
            self.act("count_submit", st.submit, clerk, current.id)

    def settlement(self, node, clerk) -> None:
        s = node.svc.settlements
        period = period_of(node.now())
        sid = self.act("settle_draft", s.draft, clerk, period)
        if not sid or sid is True:
            return
        view = s.get(clerk, sid)
        if view.editable and view.lines and self.rng.random() < 0.5:
            line = self.rng.choice(view.lines)
            self.act("settle_adjust", s.adjust, clerk, sid, line.order_id, self.rng.randint(-500, 500),
                     self.rng.choice(TEXTS[3:]))
        if view.editable and self.rng.random() < 0.4:
            self.act("settle_submit", s.submit, clerk, sid)

    # ---- HQ ----

    def hq_round(self) -> None:
        if self.hq is None:
            self.hq = self.hub.open()
        hq, rng, now = self.hq, self.rng, now_ms()
        ops = []
        outlets = sorted({n.outlet_id for n in self.nodes})
        for outlet_id in outlets:
            if rng.random() < 0.4:
                past = hq.rows("service_orders", "outlet_id = ? AND customer_id IS NOT NULL ORDER BY random() LIMIT 1",
                               (outlet_id,))
                if past:
                    p = past[0]
                    self.hq_counter += 1
                    keep = ("customer_id", "type", "product_model_id", "serial_no", "purchase_date",
                            "fault_description", "contact_name", "contact_phone", "address")
                    ops.append(_put("service_orders", str(uuid.uuid4()), **{k: p[k] for k in keep},
                                    number=hq_number(self.hq_counter), outlet_id=outlet_id, status=str(Status.NEW),
                                    priority="normal", source=HUB, created_at=now))
                    self.done["hq_dispatch"] += 1
        for o in hq.rows("service_orders", "status = 'completed' ORDER BY random() LIMIT 3"):
            if can_transition(o["status"], Status.CLOSED, HUB):
                ops.append(_put("service_orders", o["id"], status=str(Status.CLOSED), closed_at=now,
                                closed_reason="回访满意"))
                self.done["hq_close"] += 1
        for o in hq.rows("service_orders", "status = 'declined'"):
            others = [x for x in outlets if x != o["outlet_id"]]
            if others and can_transition(o["status"], Status.NEW, HUB):
                ops.append(_put("service_orders", o["id"], status=str(Status.NEW), outlet_id=rng.choice(others),
                                technician_id=None))
                self.done["hq_redispatch"] += 1
        for r in hq.rows("parts_requests", "status = 'submitted'"):
            decision = DocStatus.APPROVED if rng.random() < 0.8 else DocStatus.REJECTED
            if decision == DocStatus.APPROVED:
                for line in hq.rows("parts_request_lines", "request_id = ?", (r["id"],)):
                    ops.append(_put("parts_request_lines", line["id"], approved_qty=line["qty"] or 0))
            ops += self.decision("parts_requests", r, decision, decided_at=now)
        for s in hq.rows("settlements", "status = 'submitted'"):
            ops += self.decision("settlements", s, DocStatus.APPROVED if rng.random() < 0.7 else DocStatus.REJECTED)
        if ops:
            hq.write(ops)

    def decision(self, table: str, row: dict, decision: DocStatus, **fields) -> list[dict]:
        self.done[f"hq_{table}_{decision}"] += 1
        return [_put(table, row["id"], status=str(decision), **fields),
                {"op": "add", "table": "approvals", "id": str(uuid.uuid4()), "fields": {
                    "outlet_id": row["outlet_id"], "subject_table": table, "subject_id": row["id"],
                    "decision": str(decision), "level": 1, "comment": self.rng.choice(TEXTS),
                    "content_hash": row.get("content_hash"), "approver_id": self.approver, "at": now_ms()}}]

    def close(self) -> None:
        if self.hq is not None:
            self.hq.close()
            self.hq = None
