"""Convergence under random work, random faults and random sync orders.

A Hypothesis state machine drives a hub and four nodes (two outlet PCs at outlet-1, one at
outlet-2, and the device of outlet-1's technician) on real SQLite files, the hub once on a
SQLite file and once on PostgreSQL (`hub_places`, tests/conftest.py): clerks and
technicians work offline, HQ dispatches, assigns and reassigns, re-dispatches, cancels,
changes prices and approves, rounds are lost, duplicated and
crashed, nodes are restored from old copies of their files. Whenever everything has synced
in quiet (`quiesce`, and at the end of every run), what a user would notice must hold:
every node shows exactly what HQ holds for its buckets (a device: its technician's share,
and nothing else), on-hand agrees, nothing was applied
twice, no order status went backwards, every stored chain verifies and no write a node
made is lost unless HQ refused it."""
import functools
import json
import os
import shutil
import sqlite3
import tempfile
import uuid
from collections import defaultdict
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from shared import orders
from shared.stock import on_hand
from shared.tables import TABLES
from sync import relay
from sync.canonical import ZERO_HASH, canonical_bytes, sha256_hex
from sync.hlc import HLC, now_ms
from sync.node_sync import LocalTransport, RoundResult, pull_all, sync_round
from sync.schema import decode_row
from sync.store import InjectedFault, dict_row, iter_dicts, table_names
from fieldsync.testing.world import World, stock_places, unbalanced_pairs

EXAMPLES = int(os.environ.get("FIELDSYNC_HYPOTHESIS_EXAMPLES", "200"))
# On PostgreSQL each example also creates and drops a database and every hub write is a
# round trip to the server: fewer examples by default (the rules and invariants are the
# same; the SQLite run explores, this one checks the same machine holds on the other store).
PG_EXAMPLES = int(os.environ.get("FIELDSYNC_HYPOTHESIS_PG_EXAMPLES", "25"))
NS = uuid.UUID("6f1c1d2e-0000-4000-8000-000000000000")
PART = "P-1001"
STATUSES = [s.value for s in orders.Status]
# Node i lives at outlet NODE_OUTLET[i] (indexes into World.outlets); node i is the device
# of technician NODE_DEVICE[i] when that is not None (its technician's share of the outlet).
NODE_OUTLET = (0, 0, 1, 0)
NODE_DEVICE = (None, None, None, "technician-1")
node_idx = st.integers(0, len(NODE_OUTLET) - 1)
pick = st.integers(0, 1000)

_NEXT: dict[str, set[str]] = defaultdict(set)
for (_frm, _to) in orders.TRANSITIONS:
    _NEXT[_frm.value].add(_to.value)


def reachable(a: str | None, b: str | None) -> bool:
    """b equals a or follows it through the state machine (either side's transitions)."""
    if a == b:
        return True
    seen, todo = {a}, [a]
    while todo:
        for n in _NEXT.get(todo.pop(), ()):
            if n == b:
                return True
            if n not in seen:
                seen.add(n)
                todo.append(n)
    return False


class NetworkDown(ConnectionError):
    """What the HTTPS transport raises when a request or its response is lost."""


class FaultyTransport:
    """A LocalTransport with one fault on the first push (or pull) of the round."""

    def __init__(self, inner: LocalTransport, fault: str):
        self.inner, self.fault, self.fired = inner, fault, False

    def hello(self, pending=None):
        return self.inner.hello(pending)

    def push(self, body):
        if self.fired or self.fault not in ("drop_push", "lose_push_response", "duplicate_push"):
            return self.inner.push(body)
        self.fired = True
        if self.fault == "drop_push":
            raise NetworkDown("push request never reached the hub")
        first = self.inner.push(body)
        if self.fault == "lose_push_response":
            raise NetworkDown("push response lost")
        second = self.inner.push(body)  # the network delivered the request twice
        assert second["have"] == first["have"]
        return second

    def pull(self, bucket, after, limit=1000):
        if self.fired or self.fault != "lose_pull_response":
            return self.inner.pull(bucket, after, limit)
        self.fired = True
        self.inner.pull(bucket, after, limit)
        raise NetworkDown("pull response lost")


def table_rows(conn, spec) -> dict[str, dict]:
    """id -> decoded fields (sync columns `_clk`/`_hlc`/`_src` left out)."""
    cur = conn.execute(f"SELECT * FROM [{spec.name}]")
    out = {}
    for cells in iter_dicts(cur):
        out[cells["id"]] = {"id": cells["id"], **decode_row(spec, cells)}
    return out


def fingerprint(conn) -> dict:
    """Every table's full contents: a crashed write must leave all of it as it was."""
    names = table_names(conn)
    return {n: sorted(conn.execute(f"SELECT * FROM [{n}]").fetchall(), key=repr) for n in names}


def check_chain(rows, origin: str, epoch: int, where: str) -> None:
    """rows: [(seq, hash, body)] of one (origin, epoch), any order."""
    rows = sorted(rows)
    prev = ZERO_HASH
    for n, (seq, h, body) in enumerate(rows, start=1):
        body = bytes(body)
        assert seq == n, f"{where}: seq {seq} where {n} was expected (not contiguous)"
        assert h == sha256_hex(body), f"{where}: stored hash of seq {seq} is not sha256(body)"
        ch = json.loads(body)
        assert ch["prev"] == prev, f"{where}: seq {seq} does not link to seq {seq - 1}"
        assert (ch["origin"], ch["epoch"], ch["seq"]) == (origin, epoch, seq), \
            f"{where}: body of seq {seq} names another place in the chain"
        prev = h


def step(fn):
    """Marks the machine busy while a step runs: teardown checks the invariants only after
    a run whose every step finished (so it never masks the step's own failure)."""
    @functools.wraps(fn)
    def wrapper(self, *args, **kwargs):
        self.busy = True
        fn(self, *args, **kwargs)
        self.busy = False
    return wrapper


class Convergence(RuleBasedStateMachine):

    def __init__(self, places=None):
        """`places`: where each example's hub goes (tests/conftest.py `HubPlaces`); None:
        a SQLite file in the example's folder."""
        super().__init__()
        self.places, self.place = places, None

    @initialize()
    @step
    def setup(self):
        self.dir = Path(tempfile.mkdtemp(prefix="fieldsync-conv-"))
        self.place = self.places.new() if self.places is not None else None
        self.w = World(self.dir, n_outlets=2, hub_at=self.place)
        self.hub = self.w.hub
        self.nodes = [self.w.device(tech) if tech else self.w.node(self.w.outlets[o])
                      for o, tech in zip(NODE_OUTLET, NODE_DEVICE, strict=True)]
        for n in self.nodes:
            if n.store.kind == "device":  # the machine's clock is months behind the wall's:
                n.store.set_keep_closed_days(3650)  # closed orders stay (tests/device covers the window)
        self.counter, self.turn = 0, -1
        self.offsets = [0] * len(self.nodes)  # each tablet's clock error, ms
        self.at = 1_771_000_000_000
        self.customers: list[str] = []
        self.written: list[list[dict]] = [[] for _ in self.nodes]  # per node, in write order
        for outlet in (0, 1, 0, 1):  # some work to start from
            self.hub_dispatch.__wrapped__(self, outlet, 1)
        for i in (0, 2):
            self.create_settlement.__wrapped__(self, i, 1)
        for n in self.nodes:
            n.sync()
        self.backups: dict[int, tuple[Path, int]] = {}
        for i in range(len(self.nodes)):  # the copy a restore goes back to, until the next one
            self.backup.__wrapped__(self, i)
        self.status_seen: dict[str, list] = defaultdict(list)  # order -> hub status per quiesce

    def teardown(self):
        try:
            if getattr(self, "w", None) is not None and not getattr(self, "busy", True):
                self.hub.before_commit = None
                for n in self.nodes:
                    n.store.before_commit = None
                self.settle(range(len(self.nodes)))
        finally:
            if getattr(self, "w", None) is not None:
                self.w.close()
            if self.place is not None:
                self.places.discard(self.place)
            if getattr(self, "dir", None) is not None:
                shutil.rmtree(self.dir, ignore_errors=True)

    # ---- helpers ----

    def new_id(self, kind: str) -> str:
        self.counter += 1
        return str(uuid.uuid5(NS, f"{kind}-{self.counter}"))

    def now(self) -> int:
        self.at += 60_000
        return self.at

    def user(self, i: int, role: str) -> str:
        return self.w.user(self.nodes[i].outlet_id, role)

    @staticmethod
    def choose(conn, sql: str, params=(), k: int = 0):
        ids = [r[0] for r in conn.execute(sql, params)]
        return ids[k % len(ids)] if ids else None

    def local(self, i: int, actor: str, ops: list[dict], mint_into: dict | None = None) -> None:
        """A local write on node i, remembered so that the invariants can find it on the hub."""
        store = self.nodes[i].store
        with store.tx():
            if mint_into is not None:
                mint_into["number"] = store.mint_number()
            seq = store.write(actor, ops)
        epoch = store.epoch
        hlc, body = store.conn.execute("SELECT hlc, body FROM _log WHERE epoch = ? AND seq = ?",
                                       (epoch, seq)).fetchone()
        logged = json.loads(body)["ops"]
        assert logged == [{"op": o["op"], "table": o["table"], "id": o["id"],
                           "fields": o["fields"]} for o in ops]
        self.written[i].append({"hlc": hlc, "ops": logged})

    # ---- outlet work (local, offline) ----

    @rule(i=node_idx, with_customer=st.booleans(), k=pick)
    @step
    def create_order(self, i, with_customer, k):
        store = self.nodes[i].store
        fields = {"outlet_id": store.outlet_id, "type": "repair", "priority": "normal",
                  "created_at": self.now(), "fault_description": "不制冷", "source": "walk-in"}
        if with_customer:
            cust = self.choose(store.conn, "SELECT id FROM customers ORDER BY id", k=k)
            if cust:
                fields["customer_id"] = cust
        op = {"op": "put", "table": "service_orders", "id": self.new_id("order"), "fields": fields}
        self.local(i, self.user(i, "clerk"), [op], mint_into=fields)

    @rule(i=node_idx, k=pick, what=st.sampled_from(
        ["notes", "appointment_at", "technician_id", "forbidden_field", "move_outlet"]))
    @step
    def edit_order(self, i, k, what):
        store = self.nodes[i].store
        order = self.choose(store.conn, "SELECT id FROM service_orders ORDER BY id", k=k)
        if order is None:
            return
        role, fields = "technician", {}
        if what == "notes":
            fields = {"notes": f"note {self.counter}"}
        elif what == "appointment_at":
            fields = {"appointment_at": self.now()}
        elif what == "technician_id":
            role, fields = "clerk", {"technician_id": self.user(i, "technician")}
        elif what == "forbidden_field":  # a technician may not change the address: refused
            fields = {"address": f"addr {self.counter}"}
        else:  # outlet_id is HQ's once set: refused
            other = [o for o in self.w.outlets if o != store.outlet_id][0]
            role, fields = "clerk", {"outlet_id": other}
        self.counter += 1
        self.local(i, self.user(i, role), [{"op": "put", "table": "service_orders", "id": order,
                                            "fields": fields}])

    @rule(i=node_idx, k=pick, to=st.sampled_from([None, None, None, *STATUSES]),
          role=st.sampled_from(["technician", "clerk"]))
    @step
    def add_event(self, i, k, to, role):
        """A status command: mostly one the node's own view allows (None), else any."""
        store = self.nodes[i].store
        order = self.choose(store.conn, "SELECT id FROM service_orders ORDER BY id", k=k)
        if order is None:
            return
        if to is None:
            current = store.conn.execute("SELECT status FROM service_orders WHERE id = ?",
                                         (order,)).fetchone()[0]
            legal = orders.next_for(current, orders.OUTLET) if current else []
            to = legal[k % len(legal)].value if legal else STATUSES[k % len(STATUSES)]
        self.local(i, self.user(i, role), [{"op": "add", "table": "order_events",
                                            "id": self.new_id("event"), "fields": {
                                                "order_id": order, "to_status": to,
                                                "reason": "", "at": self.now()}}])

    @rule(i=node_idx, k=pick, in_warranty=st.booleans())
    @step
    def use_part(self, i, k, in_warranty):
        store = self.nodes[i].store
        order = self.choose(store.conn, "SELECT id FROM service_orders ORDER BY id", k=k)
        if order is None:
            return
        at = self.now()
        self.local(i, self.user(i, "technician"), [
            {"op": "add", "table": "order_parts", "id": self.new_id("part"), "fields": {
                "order_id": order, "part_id": PART, "qty": 1, "old_serial": "OLD",
                "new_serial": f"NEW-{self.counter}", "in_warranty": in_warranty, "at": at}},
            {"op": "add", "table": "stock_moves", "id": self.new_id("move"), "fields": {
                "outlet_id": store.outlet_id, "part_id": PART, "qty": -1, "kind": "consume",
                "ref": order, "at": at}}])

    @rule(i=node_idx, kind=st.sampled_from(["consume", "return", "receipt", "receipt_by_technician"]),
          n=st.integers(1, 5))
    @step
    def stock_move(self, i, kind, n):
        store = self.nodes[i].store
        role, qty = "technician", {"consume": -1, "return": 1}.get(kind, n)
        if kind == "receipt":
            role = "clerk"
        elif kind == "receipt_by_technician":  # a technician may not receive stock: refused
            kind = "receipt"
        self.local(i, self.user(i, role), [{"op": "add", "table": "stock_moves",
                                            "id": self.new_id("move"), "fields": {
                                                "outlet_id": store.outlet_id, "part_id": PART,
                                                "qty": qty, "kind": kind, "ref": None,
                                                "at": self.now()}}])

    @rule(i=node_idx, kind=st.sampled_from(["issue", "hand_back", "consume_bag", "others_bag"]),
          n=st.integers(1, 3))
    @step
    def van_move(self, i, kind, n):
        """Parts between the store and the technician's bag (a pair of moves, one ref naming
        the bag), used from the bag, or a hand-back of another outlet's technician's bag
        (refused whole by the hub). Offline, so a bag may go below zero here: the hub keeps
        the ledger, the node services refuse it in words (tests/node/test_van_stock.py)."""
        store = self.nodes[i].store
        outlet, tech = store.outlet_id, self.user(i, "technician")
        at = self.now()

        def move(qty, holder, kind_, ref):
            fields = {"outlet_id": outlet, "part_id": PART, "qty": qty, "kind": kind_, "ref": ref, "at": at}
            if holder is not None:
                fields["holder"] = holder
            return {"op": "add", "table": "stock_moves", "id": self.new_id("move"), "fields": fields}
        if kind == "consume_bag":
            self.local(i, tech, [move(-1, tech, "consume", None)])
            return
        actor, holder, sign = {"issue": (self.user(i, "clerk"), tech, 1), "hand_back": (tech, tech, -1),
                               "others_bag": (tech, self.w.user(self.w.outlets[1 - NODE_OUTLET[i]], "technician"),
                                              -1)}[kind]
        ref = f"{holder}/{self.new_id('pair')}"
        kind_ = "issue" if kind == "issue" else "hand_back"
        self.local(i, actor, [move(-sign * n, None, kind_, ref), move(sign * n, holder, kind_, ref)])

    @rule(i=node_idx, month=st.integers(1, 3))
    @step
    def create_settlement(self, i, month):
        store = self.nodes[i].store
        self.local(i, self.user(i, "clerk"), [{"op": "put", "table": "settlements",
                                               "id": self.new_id("settlement"), "fields": {
                                                   "outlet_id": store.outlet_id,
                                                   "period": f"2026-{month:02d}",
                                                   "status": "draft", "total": 0}}])

    @rule(i=node_idx, k=pick, k2=pick, fee=st.integers(0, 50_000))
    @step
    def add_settlement_line(self, i, k, k2, fee):
        store = self.nodes[i].store
        sid = self.choose(store.conn, "SELECT id FROM settlements ORDER BY id", k=k)
        if sid is None:
            return
        order = self.choose(store.conn, "SELECT id FROM service_orders ORDER BY id", k=k2)
        self.local(i, self.user(i, "clerk"), [{"op": "put", "table": "settlement_lines",
                                               "id": self.new_id("line"), "fields": {
                                                   "settlement_id": sid, "order_id": order,
                                                   "visit_fee": fee, "labour_fee": 3000,
                                                   "parts_fee": 0, "deduction": 0}}])

    @rule(i=node_idx, k=pick, total=st.integers(0, 1_000_000), line=st.booleans())
    @step
    def edit_settlement(self, i, k, total, line):
        store = self.nodes[i].store
        table = "settlement_lines" if line else "settlements"
        row = self.choose(store.conn, f"SELECT id FROM {table} ORDER BY id", k=k)
        if row is None:
            return
        fields = {"visit_fee": total} if line else {"total": total}
        self.local(i, self.user(i, "clerk"), [{"op": "put", "table": table, "id": row,
                                               "fields": fields}])

    @rule(i=node_idx, k=pick)
    @step
    def submit_settlement(self, i, k):
        store = self.nodes[i].store
        sid = self.choose(store.conn, "SELECT id FROM settlements ORDER BY id", k=k)
        if sid is None:
            return
        self.local(i, self.user(i, "clerk"), [{"op": "put", "table": "settlements", "id": sid,
                                               "fields": {"status": "submitted",
                                                          "submitted_at": self.now()}}])

    # ---- HQ's writes ----

    def hub_orders(self, where: str, k: int):
        return self.choose(self.hub.conn, f"SELECT id FROM service_orders WHERE {where} ORDER BY id",
                           k=k)

    @rule(outlet=st.integers(0, 1), customer=st.integers(0, 3))
    @step
    def hub_dispatch(self, outlet, customer):
        ops = []
        fields = {"number": f"HQ-{self.counter + 1:07d}", "outlet_id": self.w.outlets[outlet],
                  "type": "repair", "status": "new", "priority": "normal",
                  "created_at": self.now(), "fault_description": "空调不制冷"}
        if customer:
            cid = str(uuid.uuid5(NS, f"customer-{customer}"))
            if cid not in self.customers:
                self.customers.append(cid)
                ops.append({"op": "put", "table": "customers", "id": cid, "fields": {
                    "name": f"客户{customer}", "city": "上海", "created_at": self.now()}})
            fields["customer_id"] = cid
        ops.append({"op": "put", "table": "service_orders", "id": self.new_id("order"),
                    "fields": fields})
        self.hub.write(ops)

    @rule(k=pick)
    @step
    def hub_edit_order(self, k):
        order = self.hub_orders("1 = 1", k)
        if order:
            self.counter += 1
            self.hub.write([{"op": "put", "table": "service_orders", "id": order,
                             "fields": {"notes": f"HQ note {self.counter}"}}])

    @rule(k=pick, who=st.sampled_from(["technician-1", "technician-2", None]))
    @step
    def hub_assign(self, k, who):
        """The clerk's assignment as HQ holds it: the order moves between technicians' devices."""
        order = self.hub_orders("1 = 1", k)
        if order:
            self.hub.write([{"op": "put", "table": "service_orders", "id": order,
                             "fields": {"technician_id": who}}])

    @rule(k=pick, outlet=st.integers(0, 1))
    @step
    def hub_redispatch(self, k, outlet):
        order = self.hub_orders("status = 'declined'", k)
        if order:
            self.hub.write([{"op": "put", "table": "service_orders", "id": order, "fields": {
                "status": "new", "outlet_id": self.w.outlets[outlet]}}])

    @rule(k=pick, close=st.booleans())
    @step
    def hub_cancel_or_close(self, k, close):
        if close:
            order, to = self.hub_orders("status = 'completed'", k), "closed"
        else:
            cancellable = ", ".join(f"'{s.value}'" for (s, t) in orders.TRANSITIONS
                                    if t == orders.Status.CANCELLED)
            order, to = self.hub_orders(f"status IN ({cancellable})", k), "cancelled"
        if order:
            self.hub.write([{"op": "put", "table": "service_orders", "id": order, "fields": {
                "status": to, "closed_at": self.now(), "closed_reason": to}}])

    @rule(price=st.integers(1, 500_000))
    @step
    def hub_price(self, price):
        self.hub.write([{"op": "put", "table": "parts", "id": PART, "fields": {"unit_price": price}}])

    @rule(n=st.integers(0, 2))
    @step
    def hub_kb(self, n):
        self.counter += 1
        self.hub.write([{"op": "put", "table": "kb_articles", "id": f"kb-{n}", "fields": {
            "title": f"E{n} 故障", "body": f"rev {self.counter}", "tags": ["空调", n],
            "updated_at": self.now(), "active": True}}])

    @rule(k=pick, approve=st.booleans())
    @step
    def hub_decide_settlement(self, k, approve):
        sid = self.choose(self.hub.conn, "SELECT id FROM settlements WHERE status = 'submitted' "
                                         "ORDER BY id", k=k)
        if sid is None:
            return
        row = self.w.hub_row("settlements", sid)
        decision = "approved" if approve else "rejected"
        self.hub.write([
            {"op": "add", "table": "approvals", "id": self.new_id("approval"), "fields": {
                "outlet_id": row["outlet_id"], "subject_table": "settlements", "subject_id": sid,
                "decision": decision, "level": 1, "content_hash": row["content_hash"],
                "approver_id": "hq-approver", "comment": None, "at": self.now()}},
            {"op": "put", "table": "settlements", "id": sid, "fields": {"status": decision}}])

    # ---- sync, faults, crashes, restores ----

    @rule()
    @step
    def sync_next(self):
        """The nodes sync in turn (the most frequent step: Hypothesis favours the first rule)."""
        self.turn = (self.turn + 1) % len(self.nodes)
        self.nodes[self.turn].sync()

    @rule(i=node_idx)
    @step
    def sync(self, i):
        self.nodes[i].sync()

    @rule(i=node_idx)
    @step
    def pull_only(self, i):
        """The push endpoint is down but pulls go through: pulled values meet local writes
        the hub has not acknowledged yet."""
        node = self.nodes[i]
        transport = node.transport()
        pull_all(node.store, transport, RoundResult(), transport.hello())

    @rule(i=node_idx, fault=st.sampled_from(
        ["drop_push", "lose_push_response", "duplicate_push", "lose_pull_response"]))
    @step
    def faulty_sync(self, i, fault):
        node = self.nodes[i]
        try:
            sync_round(node.store, FaultyTransport(node.transport(), fault), node.key)
        except NetworkDown:
            pass

    @rule(i=node_idx, what=st.sampled_from(["order", "move", "event"]), k=pick)
    @step
    def crash_local_write(self, i, what, k):
        store = self.nodes[i].store
        before = fingerprint(store.conn)
        actor = self.user(i, "clerk")
        order = self.choose(store.conn, "SELECT id FROM service_orders ORDER BY id", k=k)
        if what == "event" and order:
            ops, minted = [{"op": "add", "table": "order_events", "id": self.new_id("event"), "fields": {
                "order_id": order, "to_status": "scheduled", "at": self.now()}}], "reason"
        elif what == "move":
            ops, minted = [{"op": "add", "table": "stock_moves", "id": self.new_id("move"), "fields": {
                "outlet_id": store.outlet_id, "part_id": PART, "qty": 7, "kind": "receipt",
                "at": self.now()}}], "note"
        else:
            ops, minted = [{"op": "put", "table": "service_orders", "id": self.new_id("order"), "fields": {
                "outlet_id": store.outlet_id, "type": "install", "created_at": self.now()}}], "number"

        def power_cut():
            raise InjectedFault("power cut just before COMMIT")
        store.before_commit = power_cut
        try:
            with store.tx():
                ops[0]["fields"][minted] = store.mint_number()
                store.write(actor, ops)
        except InjectedFault:
            pass
        else:
            raise AssertionError("the write did not crash")
        finally:
            store.before_commit = None
        assert fingerprint(store.conn) == before, "a crashed local write left something behind"

    @rule(i=node_idx)
    @step
    def crash_hub_ingest(self, i):
        node = self.nodes[i]
        before = fingerprint(self.hub.conn)

        fired = []

        def crash_once():
            self.hub.before_commit = None
            fired.append(True)
            raise InjectedFault("hub crashed just before COMMIT")
        self.hub.before_commit = crash_once
        try:
            node.sync()
        except InjectedFault:
            assert fired
        else:
            assert not fired, "the crash was swallowed"
            return  # nothing to push: the round only read
        finally:
            self.hub.before_commit = None
        assert fingerprint(self.hub.conn) == before, "a crashed hub transaction left something behind"

    @rule(i=node_idx, minutes=st.sampled_from([0, -30, -2, 3, 15]))
    @step
    def set_clock(self, i, minutes):
        """The tablet's clock is set wrong (15 minutes ahead: beyond the hub's max drift)."""
        self.offsets[i] = minutes * 60_000
        store = self.nodes[i].store
        store.clock = self.clock(i, store.clock.last)

    def clock(self, i: int, last: int = 0) -> HLC:
        offset = self.offsets[i]
        return HLC(last=last, wall=lambda: now_ms() + offset)

    @rule(i=node_idx)
    @step
    def backup(self, i):
        node = self.nodes[i]
        dest = self.dir / f"node{i}-old.db"
        if dest.exists():
            dest.unlink()
        dst = sqlite3.connect(dest)
        node.store.conn.backup(dst)
        dst.close()
        self.backups[i] = (dest, len(self.written[i]))

    @rule(i=node_idx, offline_work=st.integers(0, 2))
    @step
    def restore(self, i, offline_work):
        """Node i's disk is replaced by its old copy; its users may work on it before it
        next syncs."""
        src, mark = self.backups[i]
        node = self.nodes[i]
        node.store.close()
        for suffix in ("-wal", "-shm"):
            p = node.path.with_name(node.path.name + suffix)
            if p.exists():
                p.unlink()
        shutil.copy(src, node.path)
        node.reopen(clock=self.clock(i))
        # Writes made after the copy and never received by the hub went with the disk.
        held = self.held_by_hub()
        self.written[i] = self.written[i][:mark] + [w for w in self.written[i][mark:]
                                                    if self.copies(held, node.node_id, w)]
        for n in range(offline_work):
            self.stock_move.__wrapped__(self, i, "receipt", n + 1)
            self.create_order.__wrapped__(self, i, False, 0)

    @rule(order=st.permutations(list(range(len(NODE_OUTLET)))))
    @step
    def quiesce(self, order):
        self.settle(order)

    # ---- the invariants ----

    @invariant()
    def chains_verify(self):
        """At every step, not only when quiet: whatever crashed or was lost, every stored
        chain (the hub's copies of the nodes' chains, its bucket chains, each node's log)
        links by hash with contiguous seqs."""
        if getattr(self, "w", None) is not None:
            self.busy = True  # a failure here must not be masked by teardown's own check
            self.check_chains()
            self.busy = False


    def settle(self, order) -> None:
        order = list(order)
        for _ in range(6):
            moved = False
            for i in order:
                r = self.nodes[i].sync()
                moved |= bool(r.pushed or r.pulled or r.new_epoch)
            if not moved:
                break
        else:
            raise AssertionError("sync did not settle after 6 quiet rounds")
        hub = self.hub.conn
        self.check_chains()
        self.check_projections()
        self.check_stock()
        self.check_nothing_lost()
        self.check_statuses()
        for n in self.nodes:
            held = self.hub.node(n.node_id)
            mine = (n.store.epoch, *n.store.last())
            # A new epoch with nothing in it yet has nothing to send.
            assert (held["epoch"], held["seq"], held["head"]) == mine or (
                mine[1] == 0 and held["epoch"] < mine[0]), "the hub does not hold the node's whole chain"
            for t in ("_pending", "_deferred"):
                assert n.store.conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] == 0, \
                    f"{t} not empty after a quiet sync"
            for b in n.store.buckets:
                assert n.store.cursor(b) == relay.head_of(hub, b), f"cursor of {b} behind the hub"

    def check_chains(self) -> None:
        hub = self.hub.conn
        assert not hub.execute("SELECT origin, epoch, seq FROM node_changes GROUP BY origin, epoch, seq"
                               " HAVING COUNT(*) > 1").fetchall(), "a change is held twice"
        for origin, epoch in hub.execute("SELECT DISTINCT origin, epoch FROM node_changes").fetchall():
            rows = hub.execute("SELECT seq, hash, body FROM node_changes WHERE origin=? AND epoch=?",
                               (origin, epoch)).fetchall()
            check_chain(rows, origin, epoch, f"hub node_changes {origin}/{epoch}")
        for (origin,) in hub.execute("SELECT node_id FROM nodes").fetchall():
            n = self.hub.node(origin)
            if n["seq"]:
                h = hub.execute("SELECT hash FROM node_changes WHERE origin=? AND epoch=? AND seq=?",
                                (origin, n["epoch"], n["seq"])).fetchone()
                assert h and h[0] == n["head"], f"hub's head for {origin} is not its last change"
                top = hub.execute("SELECT MAX(seq) FROM node_changes WHERE origin=? AND epoch=?",
                                  (origin, n["epoch"])).fetchone()[0]
                assert top == n["seq"]
        for bucket, epoch in hub.execute("SELECT DISTINCT bucket, epoch FROM bucket_changes").fetchall():
            rows = hub.execute("SELECT seq, hash, body FROM bucket_changes WHERE bucket=? AND epoch=?",
                               (bucket, epoch)).fetchall()
            check_chain(rows, relay.bucket_origin(bucket), epoch, f"hub bucket {bucket}/{epoch}")
            head = relay.head_of(hub, bucket)
            assert head[1] == max(r[0] for r in rows) and head[2] == sha256_hex(bytes(
                [r for r in rows if r[0] == head[1]][0][2]))
        for n in self.nodes:
            c = n.store.conn
            for (epoch,) in c.execute("SELECT DISTINCT epoch FROM _log").fetchall():
                rows = c.execute("SELECT seq, hash, body FROM _log WHERE epoch = ?", (epoch,)).fetchall()
                check_chain(rows, n.node_id, epoch, f"node {n.node_id} _log/{epoch}")

    def check_projections(self) -> None:
        hub = self.hub.conn
        hub_cache: dict = {}
        hub_rows = {name: table_rows(hub, spec) for name, spec in TABLES.items()}
        for n in self.nodes:
            mine = set(n.store.buckets)
            node_cache: dict = {}
            for name, spec in TABLES.items():
                expected = {i: r for i, r in hub_rows[name].items()
                            if mine & set(relay.buckets_of(hub, spec, r, hub_cache))}
                have = table_rows(n.store.conn, spec)
                # A row that left this outlet (re-dispatch) may stay behind as the node last
                # saw it; it must not be one the node made up.
                shown = {i: r for i, r in have.items()
                         if mine & set(relay.buckets_of(n.store.conn, spec, r, node_cache))}
                phantom = set(have) - set(shown) - set(hub_rows[name])
                assert not phantom, f"{n.node_id} holds {name} rows HQ never had: {sorted(phantom)}"
                if n.store.kind == "device":  # device-sized: nothing out of its scope stays
                    assert set(have) == set(shown), \
                        f"device {n.node_id} keeps {name} rows out of its scope: {sorted(set(have) - set(shown))}"
                if shown != expected:
                    missing = sorted(set(expected) - set(shown))
                    extra = sorted(set(shown) - set(expected))
                    differ = {i: (shown[i], expected[i]) for i in set(shown) & set(expected)
                              if shown[i] != expected[i]}
                    raise AssertionError(
                        f"{n.node_id} ({n.outlet_id}) differs from HQ in {name}: missing {missing}, "
                        f"extra {extra}, differ {differ}")

    def check_stock(self) -> None:
        """On hand per place (the store, each technician's bag) is Σ of its moves, the same
        on every node of the outlet as on the hub, and no issue or hand-back is half applied."""
        for n in self.nodes:
            hub_places = stock_places(self.hub.conn, n.outlet_id)
            if n.store.kind == "device":  # a technician's share: their own bag, not the store
                tech = n.store.technician_id
                bag = {k: v for k, v in stock_places(n.store.conn, n.outlet_id).items() if k[0] == tech}
                assert bag == {k: v for k, v in hub_places.items() if k[0] == tech}, f"{tech}'s bag at {n.node_id}"
                continue
            assert stock_places(n.store.conn, n.outlet_id) == hub_places, f"on hand per place at {n.node_id}"
            assert on_hand(n.store, PART) == hub_places.get((None, PART), 0), f"the store's {PART} at {n.node_id}"
            tech = self.w.user(n.outlet_id, "technician")
            assert on_hand(n.store, PART, tech) == hub_places.get((tech, PART), 0), f"{tech}'s bag at {n.node_id}"
        assert unbalanced_pairs(self.hub.conn) == [], "an issue or hand-back applied in half"

    def held_by_hub(self) -> dict:
        """(origin, hlc) -> [(epoch, seq, canonical ops)] of every change the hub holds."""
        held = defaultdict(list)
        for origin, epoch, seq, body in self.hub.conn.execute(
                "SELECT origin, epoch, seq, body FROM node_changes"):
            ch = json.loads(bytes(body))
            held[(origin, ch["hlc"])].append((epoch, seq, canonical_bytes(ch["ops"])))
        return held

    @staticmethod
    def copies(held: dict, origin: str, w: dict) -> list[tuple[int, int]]:
        """Where the hub holds this write: the same ops at the same clock (a re-send after a
        restore is the same write in a later epoch)."""
        ops = canonical_bytes(w["ops"])
        return [(e, s) for e, s, o in held.get((origin, w["hlc"]), ()) if o == ops]

    def check_nothing_lost(self) -> None:
        hub = self.hub.conn
        refused = set(hub.execute("SELECT origin, epoch, seq, op_index FROM refusals").fetchall())
        held = self.held_by_hub()
        accepted_ids = defaultdict(set)
        for i, n in enumerate(self.nodes):
            for w in self.written[i]:
                copies = self.copies(held, n.node_id, w)
                assert copies, f"a write of {n.node_id} never reached the hub: {w['ops']}"
                for k, op in enumerate(w["ops"]):
                    ok = any((n.node_id, e, s, k) not in refused for e, s in copies)
                    spec = TABLES[op["table"]]
                    row = table_rows_one(hub, spec, op["id"])
                    if not spec.is_record:
                        if ok:
                            accepted_ids[op["table"]].add(op["id"])
                            assert row is not None, f"accepted {op['table']} {op['id']} is lost"
                            values, clk = row
                            assert all(values[f] == v for f, v in op["fields"].items())
                            assert clk == {"": [w["hlc"], n.node_id]}, f"{op['table']} {op['id']} re-applied"
                        else:
                            assert row is None, f"refused {op['table']} {op['id']} reached HQ"
                    elif ok:
                        assert row is not None, f"accepted put on {op['table']} {op['id']} is lost"
                        _, clk = row
                        for f in op["fields"]:
                            assert tuple(clk.get(f, (-1, ""))) >= (w["hlc"], n.node_id), \
                                f"{op['table']}.{f} of {op['id']} lost an accepted write"
        for table in ("order_events", "stock_moves", "order_parts"):
            count = hub.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            assert count == len(accepted_ids[table]), \
                f"HQ holds {count} {table} rows for {len(accepted_ids[table])} accepted ones"

    def check_statuses(self) -> None:
        for oid, status in self.hub.conn.execute("SELECT id, status FROM service_orders"):
            seen = self.status_seen[oid]
            if seen:
                assert reachable(seen[-1], status), \
                    f"order {oid} went from {seen[-1]} back to {status}"
            seen.append(status)


def table_rows_one(conn, spec, row_id):
    cells = dict_row(conn.execute(f"SELECT * FROM [{spec.name}] WHERE id = ?", (row_id,)))
    if cells is None:
        return None
    clk = json.loads(cells["_clk"]) if spec.is_record else {"": [cells["_hlc"], cells["_src"]]}
    return decode_row(spec, cells), clk


def test_convergence(hub_places):
    """The machine, once with the hub on each store (`hub_places` is parametrized by store)."""
    examples = EXAMPLES if hub_places.store == "sqlite" else PG_EXAMPLES
    run_state_machine_as_test(lambda: Convergence(hub_places), settings=settings(
        max_examples=examples, stateful_step_count=100, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                               HealthCheck.filter_too_much]))


# ---- the shortest cases the machine found, kept as plain regression tests ----

def _notes(store, order):
    return store.conn.execute("SELECT notes FROM service_orders WHERE id = ?", (order,)).fetchone()[0]


def test_pulling_before_hearing_the_ack_keeps_accepted_work_and_drops_refused_work(tmp_path):
    """The push response is lost, then the node pulls before it pushes again. A clerk's
    refused writes (moving the order to another outlet, a settlement created as approved)
    and the technician's accepted note: the note must not be undone by HQ's authoritative
    row taken before it, and the refused settlement must leave the node."""
    w = World(tmp_path)
    o1, o2 = w.outlets
    node = w.node(o1)
    order = w.dispatch(o1)
    node.sync()
    clerk, tech = w.user(o1, "clerk"), w.user(o1, "technician")
    node.store.write(clerk, [{"op": "put", "table": "service_orders", "id": order,
                              "fields": {"outlet_id": o2}}])
    node.store.write(tech, [{"op": "put", "table": "service_orders", "id": order,
                             "fields": {"notes": "换了电容"}}])
    settlement = str(uuid.uuid4())
    node.store.write(clerk, [{"op": "put", "table": "settlements", "id": settlement, "fields": {
        "outlet_id": o1, "period": "2026-01", "status": "approved", "total": 1}}])
    try:
        sync_round(node.store, FaultyTransport(node.transport(), "lose_push_response"), node.key)
    except NetworkDown:
        pass
    transport = node.transport()
    pull_all(node.store, transport, RoundResult(), transport.hello())
    node.sync()
    assert sorted(r[0] for r in w.hub.conn.execute("SELECT code FROM refusals")) == ["forbidden", "not_owner"]
    assert _notes(w.hub, order) == "换了电容"
    assert _notes(node.store, order) == "换了电容"
    assert node.store.conn.execute("SELECT outlet_id FROM service_orders WHERE id = ?",
                                   (order,)).fetchone()[0] == o1
    assert w.hub_row("settlements", settlement) is None
    assert node.store.rows("settlements", "id = ?", (settlement,)) == []
    w.close()


def test_a_clock_reused_after_a_restore_is_refused_not_silently_lost(tmp_path):
    """A tablet whose clock runs behind is restored from an old copy: its clock goes back
    to the copy's, so its next write can carry the very clock of a write HQ already holds.
    LWW cannot tell the two apart; HQ refuses the second (conflict) and every replica shows
    HQ's value, instead of the tablet showing its own value forever."""
    w = World(tmp_path)
    o1 = w.outlets[0]
    behind = HLC(wall=lambda: now_ms() - 30 * 60_000)
    a, b = w.node(o1, clock=behind), w.node(o1)
    order = w.dispatch(o1)
    a.sync(), b.sync()
    old = tmp_path / "a-old.db"
    dst = sqlite3.connect(old)
    a.store.conn.backup(dst)
    dst.close()
    tech = w.user(o1, "technician")
    first = a.store.write(tech, [{"op": "put", "table": "service_orders", "id": order,
                                  "fields": {"notes": "恢复前"}}])
    a.sync()
    a.store.close()
    for suffix in ("-wal", "-shm"):
        a.path.with_name(a.path.name + suffix).unlink(missing_ok=True)
    shutil.copy(old, a.path)
    a.reopen(clock=HLC(wall=lambda: now_ms() - 30 * 60_000))
    second = a.store.write(tech, [{"op": "put", "table": "service_orders", "id": order,
                                   "fields": {"notes": "恢复后"}}])
    assert a.store.conn.execute("SELECT hlc FROM _log WHERE epoch = 1 AND seq = ?", (second,)).fetchone() \
        == w.hub.conn.execute("SELECT json_extract(body, '$.hlc') FROM node_changes WHERE origin = ? "
                              "AND seq = ?", (a.node_id, first)).fetchone()  # the clock went back
    result = a.sync()
    a.sync(), b.sync()
    assert [r["code"] for r in result.rejected] == ["conflict"]
    assert {_notes(s, order) for s in (w.hub, a.store, b.store)} == {"恢复前"}
    w.close()
