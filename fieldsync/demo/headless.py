"""The demo run without a screen: `fieldsync demo --headless --days N`. A hub with the demo
data and three enrolled nodes (SH01 front desk and tablet, BJ01) on real SQLite files,
talking in-process through the real hub handlers. For N working days ending today: HQ's
agent takes calls and dispatches orders (intake + dispatch services); clerks assign them
and each morning issue parts to the technicians for their repairs ahead (领料);
technicians accept, schedule, set out, arrive, fit parts they carry and complete (a few decline)
through the node services, offline; nodes sync at random moments (some days a node stays
offline all day); HQ runs the callback job and calls customers back (the answers close
the orders, a low score opens a complaint), re-dispatches declined orders, and the
approver decides parts requests, stocktakes and settlements through the approvals
services, each bound to the version it reviewed; a clerk requests parts and submits last
month's settlement. At the end everyone syncs twice and
every node's outlet rows must equal the hub's.

Time is simulated (every store's clock reads the simulation's), always in the past, so
HQ's clock-drift check holds."""
import hashlib
import random
import shutil
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from fieldsync.demo.data import DEMO_PASSWORD, DEMO_PIN, FULL, Sizes, generate
from hub.services import HubServices
from shared import callbacks as cb
from shared.approvals import LEVEL_LIMITS
from shared.errors import ServiceError as HqRefusal
from node.services import NodeServices, ServiceError
from shared.documents import DocStatus
from shared.orders import Status
from shared.periods import DAY_MS, local_date, ms_of, period_of
from shared.roles import Role
from shared.stock import on_hand
from shared.tables import TABLES, ByOutlet, ByParent
from sync import hub_handlers
from sync.change import SCHEMA
from sync.hlc import HLC, now_ms
from sync.hub_store import HubStore
from sync.keys import SigningKey
from sync.node_store import NodeStore
from sync.node_sync import LocalTransport, sync_round
from sync.schema import decode_row
from sync.store import iter_dicts

MINUTE = 60_000
HOUR = 60 * MINUTE
MARKER = ".fieldsync-headless-demo"
NODES = (("SH01", "A"), ("SH01", "B"), ("BJ01", "A"))


class SimClock:
    """The simulation's wall clock, shared by the hub and every node."""

    def __init__(self, start: int):
        self.t = start

    def now(self) -> int:
        return self.t

    def at_least(self, t: int) -> None:
        self.t = max(self.t, t)


@dataclass
class Summary:
    days: int = 0
    first_day: str = ""
    last_day: str = ""
    nodes: list[str] = field(default_factory=list)
    generated: dict = field(default_factory=dict)
    generation_s: float = 0.0
    dispatched: int = 0
    steps: Counter = field(default_factory=Counter)
    parts_used: int = 0
    closed: int = 0
    callback_tasks: int = 0
    callbacks_answered: int = 0
    callbacks_unsatisfied: int = 0
    callbacks_unreachable: int = 0
    complaints: int = 0
    redispatched: int = 0
    requests_submitted: int = 0
    requests_approved: int = 0
    shipments_received: int = 0
    settlements_submitted: int = 0
    settlements_approved: int = 0
    rounds: int = 0
    pushed: int = 0
    pulled: int = 0
    offline_node_days: int = 0
    refused: Counter = field(default_factory=Counter)
    service_refusals: Counter = field(default_factory=Counter)
    hq_refusals: Counter = field(default_factory=Counter)
    mismatches: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def converged(self) -> bool:
        return not self.mismatches

    def lines(self) -> list[str]:
        g = self.generated
        refused = ", ".join(f"{k} {v}" for k, v in sorted(self.refused.items())) or "none"
        local = ", ".join(f"{k} {v}" for k, v in sorted(self.service_refusals.items())) or "none"
        steps = ", ".join(f"{k} {v}" for k, v in sorted(self.steps.items()))
        hq = ", ".join(f"{k} {v}" for k, v in sorted(self.hq_refusals.items())) or "none"
        out = [
            f"headless demo: {self.days} working days ({self.first_day} … {self.last_day}), "
            f"nodes {', '.join(self.nodes)}",
            f"  demo data generated in {self.generation_s:.1f} s: {g.get('service_orders', 0)} orders, "
            f"{g.get('order_events', 0)} order events, {g.get('customers', 0)} customers, "
            f"{g.get('parts', 0)} parts, {g.get('kb_articles', 0)} knowledge-base articles",
            f"  orders dispatched by HQ: {self.dispatched}",
            f"  steps at the outlets: {steps}; parts fitted {self.parts_used}",
            f"  HQ: closed {self.closed} (callbacks or not sampled), re-dispatched {self.redispatched}, "
            f"parts requests approved {self.requests_approved}/{self.requests_submitted}, settlements approved "
            f"{self.settlements_approved}/{self.settlements_submitted}",
            f"  callbacks: {self.callback_tasks} tasks, {self.callbacks_answered} answered "
            f"({self.callbacks_unsatisfied} unsatisfied), {self.callbacks_unreachable} closed unreachable; "
            f"complaints opened {self.complaints}",
            f"  shipments received at the outlets: {self.shipments_received}",
            f"  sync: {self.rounds} rounds, changes pushed {self.pushed}, pulled {self.pulled}; "
            f"node-days offline {self.offline_node_days}",
            f"  ops refused by HQ: {sum(self.refused.values())} ({refused})",
            f"  actions refused on the nodes (shown to the user): {sum(self.service_refusals.values())} ({local})",
            f"  HQ actions refused by the hub services: {sum(self.hq_refusals.values())} ({hq})",
        ]
        out += [f"  MISMATCH {m}" for m in self.mismatches[:20]]
        out.append(f"converged: {'yes' if self.converged else 'no'}  ({self.seconds:.1f} s)")
        return out


class SimNode:
    """An enrolled node on its own SQLite file, synced in-process."""

    def __init__(self, path: Path, hub: HubStore, outlet: dict, letter: str, clock: SimClock):
        self.name = f"{outlet['code']}-{letter}"
        self.hub, self.outlet_id = hub, outlet["id"]
        self.key = SigningKey.generate()
        self.store = NodeStore(path, clock=HLC(wall=clock.now))
        enrollment = hub_handlers.enroll(hub, {
            "token": hub.create_enroll_token(outlet["id"]), "public_key": self.key.public_b64,
            "name": self.name, "app_version": "demo", "schema": SCHEMA})
        self.store.bind(enrollment)
        self.node_id = enrollment["node_id"]
        self.sync()
        self.blobs = path.with_suffix(".blobs")
        self.svc = NodeServices(self.store, now=clock.now, queue_blob=self.queue_blob)
        self.clerk = None
        self.techs: list = []

    def queue_blob(self, data: bytes) -> str:
        """Photos and signatures wait here (the real node uploads them in the background)."""
        sha = hashlib.sha256(data).hexdigest()
        self.blobs.mkdir(exist_ok=True)
        (self.blobs / sha).write_bytes(data)
        return sha

    def sync(self):
        return sync_round(self.store, LocalTransport(self.hub, self.node_id), self.key)


class Simulation:
    def __init__(self, root: Path, *, days: int, seed: int, sizes: Sizes = FULL):
        self.root, self.days = Path(root), days
        self.rng = random.Random(seed)
        today = local_date(now_ms())
        self.first = today - timedelta(days=days)
        self.clock = SimClock(ms_of(self.first) + 8 * HOUR)
        self.summary = Summary(days=days, first_day=self.first.isoformat(),
                               last_day=(today - timedelta(days=1)).isoformat())
        self.hub = HubStore(self.root / "hub.db", clock=HLC(wall=self.clock.now))
        self.data = generate(self.hub, seed=seed, now=self.clock.now(), sizes=sizes)
        self.summary.generated = self.data.counts
        self.summary.generation_s = self.data.seconds
        # HQ's people work through the hub services, on the simulation's clock.
        self.hq = HubServices(self.hub, now=self.clock.now)
        self.agent = self.hq.login("hq.agent", DEMO_PASSWORD)
        self.approver = self.hq.login("hq.approver", DEMO_PASSWORD)
        self.nodes: list[SimNode] = []
        for code, letter in NODES:
            outlet = self.data.outlet(code)
            node = SimNode(self.root / f"{code.lower()}-{letter.lower()}.db", self.hub, outlet, letter, self.clock)
            self.nodes.append(node)
        self.login_people()
        self.summary.nodes = [n.name for n in self.nodes]

    # ---- people ----

    def login_people(self) -> None:
        """Clerks sit at the first node of their outlet; each technician carries one of
        the outlet's devices. Everyone logs in with the demo PIN, offline."""
        by_outlet: dict[str, list[SimNode]] = {}
        for n in self.nodes:
            by_outlet.setdefault(n.outlet_id, []).append(n)
        for outlet_id, nodes in by_outlet.items():
            users = nodes[0].svc.ctx.query("SELECT username, role FROM users WHERE outlet_id = ? ORDER BY username",
                                           (outlet_id,))
            techs = [u["username"] for u in users if u["role"] == Role.TECHNICIAN]
            clerk = next(u["username"] for u in users if u["role"] == Role.CLERK)
            nodes[0].clerk = nodes[0].svc.login(clerk, DEMO_PIN, pin=True)
            for i, name in enumerate(techs):
                node = nodes[i % len(nodes)]
                node.techs.append(node.svc.login(name, DEMO_PIN, pin=True))

    # ---- the run ----

    def run(self) -> Summary:
        started = time.perf_counter()
        for d in range(self.days):
            self.day(ms_of(self.first + timedelta(days=d)))
        self.clock.at_least(ms_of(self.first + timedelta(days=self.days)) - 2 * HOUR)
        for _ in range(2):
            for n in self.nodes:
                self.sync(n)
        self.summary.mismatches = [m for n in self.nodes for m in converged(self.hub, n.store, n.outlet_id, n.name)]
        self.summary.seconds = time.perf_counter() - started
        return self.summary

    def day(self, midnight: int) -> None:
        offline = {n.name for n in self.nodes if self.rng.random() < 0.2}
        self.summary.offline_node_days += len(offline)
        for slot in range(8 * 2, 20 * 2 + 1):  # half-hour slots, 08:00 … 20:00
            self.clock.at_least(midnight + slot * 30 * MINUTE)
            hour = slot / 2
            if hour in (8.5, 12, 15.5):
                self.dispatch()
            if hour in (12.5, 18):
                self.hq_office()
            for n in self.nodes:
                if n.clerk and hour in (9, 13, 16.5):
                    self.office(n, hour)
                for tech in n.techs:
                    if self.rng.random() < 0.3:
                        self.work(n, tech)
                if n.name not in offline and self.rng.random() < 0.12:
                    self.sync(n)

    def tick(self) -> None:
        self.clock.t += self.rng.randint(20, 240) * 1000

    def sync(self, n: SimNode) -> None:
        r = n.sync()
        self.summary.rounds += 1
        self.summary.pushed += r.pushed
        self.summary.pulled += r.pulled
        for rej in r.rejected:
            self.summary.refused[rej["code"]] += 1

    def act(self, what: str, fn, *args, **kwargs) -> bool:
        """A node action; a refusal is what the user would see on screen (counted)."""
        self.tick()
        try:
            fn(*args, **kwargs)
            return True
        except ServiceError as exc:
            self.summary.service_refusals[exc.code] += 1
            return False

    # ---- HQ ----

    def hq_act(self, fn, *args, **kwargs):
        """An HQ action through the hub services; a refusal is what the agent would see."""
        try:
            return fn(*args, **kwargs)
        except HqRefusal as exc:
            self.summary.hq_refusals[exc.code] += 1
            return None

    def dispatch(self) -> None:
        """New calls taken at intake and dispatched, mostly to the outlets that run nodes."""
        outlets = {n.outlet_id for n in self.nodes}
        for o in self.data.outlets:
            for _ in range(self.rng.randint(1, 3) if o["id"] in outlets else self.rng.randint(0, 1)):
                self.new_order(o)

    def new_order(self, outlet: dict) -> None:
        """A returning customer calls about the appliance of a past order at `outlet`; the
        agent takes the suggested outlet, or sends it to `outlet` with a reason."""
        past = self.hub.rows("service_orders", "outlet_id = ? AND type = 'repair' AND customer_id IS NOT NULL",
                             (outlet["id"],), "number")
        if not past:
            return
        p = self.rng.choice(past)
        order = {k: p[k] for k in ("product_model_id", "serial_no", "purchase_date", "fault_description",
                                   "fault_code", "contact_name", "contact_phone", "address") if p[k]}
        order["priority"] = "urgent" if self.rng.random() < 0.1 else "normal"
        suggestion = self.hq_act(self.hq.dispatch.suggest, None, customer_id=p["customer_id"],
                                 address=p["address"], product_model_id=p["product_model_id"])
        best = suggestion.best if suggestion else None
        override = None if best and best.outlet_id == outlet["id"] else "客户要求由原网点服务"
        self.tick()
        if self.hq_act(self.hq.intake.record_request, self.agent, type="repair", customer_id=p["customer_id"],
                       phone=p["contact_phone"], order=order, outlet_id=outlet["id"],
                       suggested_outlet_id=best.outlet_id if best else None, override_reason=override):
            self.summary.dispatched += 1

    def hq_office(self) -> None:
        self.callbacks()
        for o in self.hq.dispatch.queue(self.agent):
            if o.status == Status.DECLINED and self.hq_act(self.hq.dispatch.redispatch, self.agent, o.id):
                self.summary.redispatched += 1
        ap = self.hq.approvals
        for r in self.hub.rows("parts_requests", "status = ?", (str(DocStatus.SUBMITTED),), "id"):
            review = ap.parts_request(self.approver, r["id"])
            qty = within_first_level(review)
            out = self.hq_act(ap.decide_parts_request, self.approver, r["id"], "approved",
                              "同意，已安排物流发货" if qty is None else "超出一级审批额度，本次按额度内数量发货",
                              approved_qty=qty, seen_hash=review.content_hash)
            if out and out.final:
                self.summary.requests_approved += 1
        for c in self.hub.rows("stock_counts", "status = ?", (str(DocStatus.SUBMITTED),), "id"):
            review = ap.stocktake(self.approver, c["id"])
            self.hq_act(ap.decide_stocktake, self.approver, c["id"], "approved", "差异已核实，准予调整",
                        seen_hash=review.content_hash)
        for st in self.hub.rows("settlements", "status = ?", (str(DocStatus.SUBMITTED),), "id"):
            review = ap.settlement(self.approver, st["id"])
            if self.hq_act(ap.decide_settlement, self.approver, st["id"], "approved", "核对无误，同意结算",
                           review.content_hash):
                self.summary.settlements_approved += 1

    def callbacks(self) -> None:
        """The callback job, then the agent calls the due customers back: most are
        satisfied, a few are not (a complaint opens), some do not answer."""
        job = self.hq.callbacks.run_job()
        self.summary.callback_tasks += job["tasks"]
        self.summary.closed += job["closed"]
        for t in self.hq.callbacks.queue(self.agent):
            self.tick()
            if self.rng.random() < 0.15:
                out = self.hq_act(self.hq.callbacks.unreachable, self.agent, t.id, "无人接听")
                if out and out.closed:
                    self.summary.callbacks_unreachable += 1
                    self.summary.closed += 1
                continue
            happy = self.rng.random() < 0.9
            task = self.hq.callbacks.task(self.agent, t.id)
            answers = [survey_answer(q, happy, self.rng) for q in task.questions]
            out = self.hq_act(self.hq.callbacks.answer, self.agent, t.id, answers,
                              "" if happy else "客户反映师傅迟到，问题未彻底解决")
            if out:
                self.summary.callbacks_answered += 1
                self.summary.closed += 1
                if out.result == "unsatisfied":
                    self.summary.callbacks_unsatisfied += 1
                if out.complaint_id:
                    self.summary.complaints += 1

    # ---- the outlet office ----

    def office(self, n: SimNode, hour: float) -> None:
        svc, clerk, ctx = n.svc, n.clerk, n.svc.ctx
        techs = [t.user_id for t in self.techs_of(n.outlet_id)]
        for o in ctx.query("SELECT id FROM service_orders WHERE outlet_id = ? AND status = 'new' "
                           "AND technician_id IS NULL", (n.outlet_id,)):
            if self.rng.random() < 0.8:
                self.act("assign", svc.actions.assign, clerk, o["id"], self.rng.choice(techs))
        for shipment in svc.stock.shipments(clerk):
            if self.act("receive", svc.receiving.receive, clerk, shipment.request_id):
                self.summary.shipments_received += 1
        if hour == 9:
            self.issue_for_the_day(n)
        if hour == 16.5:
            self.parts_request(n)
            self.settlement(n)

    def issue_for_the_day(self, n: SimNode) -> None:
        """Morning 领料: each technician with a repair ahead collects one part of that
        appliance's kind that the store has and their bag lacks."""
        svc, clerk, ctx = n.svc, n.clerk, n.svc.ctx
        ahead = sorted({(r["technician_id"], r["category"] or "") for r in ctx.query(
            "SELECT o.technician_id, pm.category FROM service_orders o JOIN product_models pm "
            "ON pm.id = o.product_model_id WHERE o.outlet_id = ? AND o.type = 'repair' "
            "AND o.technician_id IS NOT NULL AND o.status IN ('accepted', 'scheduled', 'en_route')",
            (n.outlet_id,))})
        for tech_id, category in ahead:
            parts = [r["id"] for r in ctx.query("SELECT id FROM parts WHERE category = ? ORDER BY sku", (category,))]
            if any(on_hand(n.store, p, tech_id) > 0 for p in parts):
                continue
            in_store = [p for p in parts if on_hand(n.store, p) > 0]
            if in_store:
                self.act("issue", svc.van.issue, clerk, tech_id, {self.rng.choice(in_store): 1})

    def techs_of(self, outlet_id: str) -> list:
        return [t for n in self.nodes if n.outlet_id == outlet_id for t in n.techs]

    def parts_request(self, n: SimNode) -> None:
        svc, clerk = n.svc, n.clerk
        open_ = [r for r in svc.requests.all(clerk) if r.status in (DocStatus.DRAFT, DocStatus.SUBMITTED)]
        if open_ or not any(s.suggested_qty > 0 for s in svc.requests.suggestions(clerk)):
            return
        try:
            self.tick()
            rid = svc.requests.create_draft(clerk, note="月度补货")
            svc.requests.submit(clerk, rid)
            self.summary.requests_submitted += 1
        except ServiceError as exc:
            self.summary.service_refusals[exc.code] += 1

    def settlement(self, n: SimNode) -> None:
        """Last month's fee settlement, drafted and submitted once."""
        first_of_month = local_date(self.clock.now()).replace(day=1)
        period = period_of(ms_of(first_of_month) - DAY_MS)
        svc, clerk = n.svc, n.clerk
        if svc.settlements.all(clerk, period):
            return
        try:
            self.tick()
            sid = svc.settlements.draft(clerk, period)
            svc.settlements.submit(clerk, sid)
            self.summary.settlements_submitted += 1
        except ServiceError as exc:
            self.summary.service_refusals[exc.code] += 1

    # ---- the technicians ----

    def work(self, n: SimNode, tech) -> None:
        """One step on one of the technician's orders (or an unassigned new one)."""
        ctx, a, now = n.svc.ctx, n.svc.actions, self.clock.now()
        # Mostly their own orders; now and then one nobody has been given yet (two
        # technicians on two devices may take the same one offline: HQ refuses the second).
        mine = "o.technician_id = ?" + (" OR (o.technician_id IS NULL AND o.status = 'new')"
                                        if self.rng.random() < 0.08 else "")
        rows = ctx.query("SELECT o.*, pm.category FROM service_orders o LEFT JOIN product_models pm "
                         "ON pm.id = o.product_model_id WHERE o.outlet_id = ? AND o.status IN "
                         f"('new', 'accepted', 'scheduled', 'en_route', 'on_site', 'waiting_parts') AND ({mine}) "
                         "ORDER BY o.created_at", (n.outlet_id, tech.user_id))
        if not rows:
            return
        o = self.rng.choice(rows[:8])
        status, oid = o["status"], o["id"]
        if status == Status.NEW:
            if self.rng.random() < 0.05:
                self.step(Status.DECLINED, a.decline, tech, oid, self.rng.choice(
                    ["超出网点服务范围", "师傅排班已满，无法按时上门", "客户地址偏远，建议转派"]))
            else:
                self.step(Status.ACCEPTED, a.accept, tech, oid)
        elif status in (Status.ACCEPTED, Status.WAITING_PARTS):
            if status == Status.WAITING_PARTS and self.rng.random() < 0.7:
                return  # the part has not come yet
            appointment = (now + self.rng.randint(1, 20) * HOUR) // (30 * MINUTE) * (30 * MINUTE)
            self.step(Status.SCHEDULED, a.schedule, tech, oid, appointment)
        elif status == Status.SCHEDULED and (o["appointment_at"] or 0) - HOUR <= now:
            self.step(Status.EN_ROUTE, a.set_out, tech, oid)
        elif status == Status.EN_ROUTE:
            self.step(Status.ON_SITE, a.arrive, tech, oid)
        elif status == Status.ON_SITE:
            if o["type"] == "repair" and self.rng.random() < 0.5:
                self.fit_part(n, tech, o)
            if self.rng.random() < 0.05:
                self.step(Status.WAITING_PARTS, a.wait_for_parts, tech, oid, "配件缺货，已申请调拨")
            else:
                self.step(Status.COMPLETED, a.complete, tech, oid, "已排除故障，试机正常",
                          signature=b"\x89PNG demo signature")

    def step(self, to: Status, fn, *args, **kwargs) -> None:
        if self.act(str(to), fn, *args, **kwargs):
            self.summary.steps[str(to)] += 1

    def fit_part(self, n: SimNode, tech, o: dict) -> None:
        candidates = [r["id"] for r in n.svc.ctx.query(
            "SELECT id FROM parts WHERE category = ? ORDER BY sku", (o.get("category") or "",))]
        carried = [p for p in candidates if on_hand(n.store, p, tech.user_id) > 0]
        if not carried and n.clerk is not None:  # at the outlet's PC: collected at the counter (领料) first
            in_store = [p for p in candidates if on_hand(n.store, p) > 0]
            part = self.rng.choice(in_store) if in_store else None
            if part and self.act("issue", n.svc.van.issue, n.clerk, tech.user_id, {part: 1}):
                carried = [part]
        if carried and self.act("use_part", n.svc.parts.use_part, tech, o["id"], self.rng.choice(carried), 1,
                                 old_serial=f"OLD{self.rng.randint(10**8, 10**9 - 1)}",
                                 new_serial=f"NEW{self.rng.randint(10**8, 10**9 - 1)}"):
            self.summary.parts_used += 1


def survey_answer(q, happy: bool, rng: random.Random):
    """A customer's answer to one survey question."""
    if q.kind == cb.QuestionKind.YES_NO:
        return cb.YES if happy or rng.random() < 0.3 else cb.NO
    return rng.choice((q.hi, q.hi, q.hi - 1)) if happy else q.lo


def within_first_level(review) -> dict[str, int] | None:
    """Quantities that keep a request within the first approval level (the demo has one
    approver; a second level needs another person), the dearest lines cut first; None
    when the request already fits."""
    qty = {line.line_id: line.approved_qty for line in review.lines}
    amount = sum(qty[line.line_id] * line.unit_price for line in review.lines)
    if amount <= LEVEL_LIMITS[0]:
        return None
    for line in sorted(review.lines, key=lambda x: -x.unit_price):
        while qty[line.line_id] > 0 and amount > LEVEL_LIMITS[0]:
            qty[line.line_id] -= 1
            amount -= line.unit_price
    return qty


# ---- convergence ----

def outlet_rows(conn, spec, outlet_id: str) -> dict[str, dict]:
    """id -> fields of the rows of `spec` that belong to the outlet (by its own outlet
    column or its parent's)."""
    rule = spec.bucket
    if isinstance(rule, ByOutlet):
        sql, params = f"SELECT * FROM [{spec.name}] WHERE [{rule.column}] = ?", (outlet_id,)
    elif isinstance(rule, ByParent):
        parent = TABLES[rule.table].bucket
        sql = (f"SELECT c.* FROM [{spec.name}] c JOIN [{rule.table}] p ON p.id = c.[{rule.column}] "
               f"WHERE p.[{parent.column}] = ?")
        params = (outlet_id,)
    else:
        return {}
    return {r["id"]: decode_row(spec, r) for r in iter_dicts(conn.execute(sql, params))}


def converged(hub: HubStore, store: NodeStore, outlet_id: str, name: str = "node") -> list[str]:
    """Differences between a node's rows of its outlet and the hub's (empty: converged).
    Every table whose rows travel in the outlet's bucket is compared field by field."""
    out = []
    for spec in TABLES.values():
        if not isinstance(spec.bucket, (ByOutlet, ByParent)):
            continue
        if isinstance(spec.bucket, ByParent) and not isinstance(TABLES[spec.bucket.table].bucket, ByOutlet):
            continue
        theirs, mine = outlet_rows(hub.conn, spec, outlet_id), outlet_rows(store.conn, spec, outlet_id)
        for row_id in sorted(set(theirs) | set(mine)):
            a, b = theirs.get(row_id), mine.get(row_id)
            if a != b:
                what = "missing on the node" if b is None else "not on the hub" if a is None else \
                    "fields " + ", ".join(sorted(k for k in a if a.get(k) != b.get(k)))
                out.append(f"{name} {spec.name} {row_id}: {what}")
    return out


def run_headless(root: Path, *, days: int = 3, seed: int = 6, sizes: Sizes = FULL) -> Summary:
    """Run the scripted days in `root` (a fresh directory; a previous headless run there is
    replaced) and return the summary."""
    root = Path(root)
    if root.exists() and any(root.iterdir()):
        if not (root / MARKER).exists():
            raise SystemExit(f"{root} is not empty and holds no earlier headless demo; choose another --dir")
        shutil.rmtree(root)
    root.mkdir(parents=True, exist_ok=True)
    (root / MARKER).write_text("made by `fieldsync demo --headless`; replaced on the next run\n")
    with seeded_ids(seed):
        sim = Simulation(root, days=days, seed=seed, sizes=sizes)
        try:
            return sim.run()
        finally:
            for n in sim.nodes:
                n.store.close()
            sim.hub.close()


@contextmanager
def seeded_ids(seed: int):
    """uuid4 drawn from the seed while the run lasts: the services mint ids with uuid4 and
    HQ's callback sampling hashes the order's id, so the same seed gives the same run."""
    rng, real = random.Random(f"ids:{seed}"), uuid.uuid4
    uuid.uuid4 = lambda: uuid.UUID(int=rng.getrandbits(128), version=4)
    try:
        yield
    finally:
        uuid.uuid4 = real


