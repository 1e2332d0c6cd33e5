"""What a tampered, replayed, forged or over-reaching push or pull gets: the exact protocol
error, and nothing applied. A request refused whole leaves every hub table, the node's
chain state and the bucket chains as they were; an op refused alone leaves the rest of its
segment applied and tells the outlet why with a notice in its bucket."""
import gzip
import json

import pytest

from shared.tables import TABLES, outlet_bucket
from sync import hub_handlers, merge, relay, segment
from sync.canonical import ZERO_HASH, sha256_hex
from sync.errors import SyncError
from sync.hlc import HLC, now_ms, wall_ms
from sync.keys import SigningKey
from sync.node_store import LocalWriteError
from tests import forge
from tests.forge import dump, node_dump
from fieldsync.testing.world import World, uid

DAY_MS = 24 * 3600 * 1000


@pytest.fixture
def w(tmp_path, hub_db):
    world = World(tmp_path, hub_at=hub_db)
    yield world
    world.close()


# ---- small builders and checks ----

def put(table, row_id, **fields):
    return {"op": "put", "table": table, "id": row_id, "fields": fields}


def add(table, row_id, **fields):
    return {"op": "add", "table": table, "id": row_id, "fields": fields}


def notes(order, text):
    return put("service_orders", order, notes=text)


def move(outlet, qty, kind="consume", move_id=None):
    return add("stock_moves", move_id or uid(), outlet_id=outlet, part_id="P-1001", qty=qty,
               kind=kind, ref="", at=1)


def push(w, node_id, body):
    return hub_handlers.push(w.hub, node_id, body)


def refused_whole(w, code, fn, *args, status=None, changes=()):
    """Call a hub handler that must refuse the request with `code` and change nothing
    (except the tables in `changes`, which the caller checks)."""
    before = dump(w.hub)
    with pytest.raises(SyncError) as exc:
        fn(*args)
    assert exc.value.code == code, exc.value.message
    if status is not None:
        assert exc.value.status == status
    after = dump(w.hub)
    for t in changes:
        before.pop(t), after.pop(t)
    assert after == before
    return exc.value


def lines_of(node):
    return [b for _, _, b in node.store.unsent(0)]


def hub_row(w, table, row_id):
    row = w.hub_row(table, row_id)
    return dict(row) if row is not None else None


def node_row(node, table, row_id):
    row = merge.load(node.store.conn, TABLES[table], row_id)
    return dict(row) if row is not None else None


def rejected(result):
    return [(r["seq"], r["op"], r["code"]) for r in result.rejected]


def notices(w, node, code):
    """Refusal notices for `node` with `code` in its outlet's bucket chain."""
    ops = forge.pulled_ops(w.hub, node, outlet_bucket(node.outlet_id))
    return [op["fields"] for op in ops if op["table"] == "notices"
            and op["fields"]["origin"] == node.node_id and op["fields"]["code"] == code]


def assert_told(w, node, code, n):
    """The outlet heard of `n` refusals with `code`: in its bucket and on the node."""
    assert len(notices(w, node, code)) == n
    assert [r["code"] for r in node.store.refused()].count(code) == n


def bucket_bytes(w, outlet=None) -> bytes:
    where = "WHERE bucket = ?" if outlet else ""
    args = (outlet_bucket(outlet),) if outlet else ()
    return b"".join(bytes(r[0]) for r in w.hub.conn.execute(
        f"SELECT body FROM bucket_changes {where}", args))


def on_hand(store, outlet, part="P-1001"):
    return store.conn.execute("SELECT COALESCE(SUM(qty), 0) FROM stock_moves WHERE outlet_id = ?"
                              " AND part_id = ?", (outlet, part)).fetchone()[0]


def setup_node(w, outlet=None, **kw):
    """A node with one dispatched order already pulled; returns (node, order, clerk)."""
    outlet = outlet or w.outlets[0]
    node = w.node(outlet, **kw)
    order = w.dispatch(outlet)
    node.sync()
    return node, order, w.user(outlet, "clerk")


# ---- 1–5: the segment itself is not what was signed ----

def test_flipped_byte_in_a_change_line_is_bad_segment(w):
    n, order, clerk = setup_node(w)
    n.store.write(clerk, [notes(order, "abcdef")])
    n.store.write(clerk, [notes(order, "ghijkl")])
    lines = lines_of(n)
    first_flipped = [forge.flip(lines[0], b'"notes":"abc'), lines[1]]
    last_flipped = [lines[0], forge.flip(lines[1], b'"notes":"ghi')]
    for sent in (first_flipped, last_flipped):
        assert json.loads(sent[0]) and json.loads(sent[1])  # still valid JSON
        refused_whole(w, "bad_segment", push, w, n.node_id, forge.body(n, lines, sent_lines=sent),
                      status=400)
    assert push(w, n.node_id, forge.body(n, lines))["have"]["seq"] == 2  # untampered: fine


def test_reserialised_change_is_bad_segment(w):
    n, order, clerk = setup_node(w)
    n.store.write(clerk, [notes(order, "one")])
    n.store.write(clerk, [notes(order, "two")])
    lines = lines_of(n)
    other_order = forge.reorder(lines[0])
    assert other_order != lines[0] and json.loads(other_order) == json.loads(lines[0])
    # The next change's prev names the canonical bytes, not these.
    refused_whole(w, "bad_segment", push, w, n.node_id,
                  forge.body(n, lines, sent_lines=[other_order, lines[1]]))
    # One change whose manifest head is the hash of its canonical bytes.
    refused_whole(w, "bad_segment", push, w, n.node_id,
                  forge.body(n, lines[:1], sent_lines=[other_order]))


def test_bad_manifest_signature(w):
    n, order, clerk = setup_node(w)
    n.store.write(clerk, [notes(order, "signed")])
    good = forge.unsent_body(n)
    head, rest = good.split(b"\n", 1)
    h = json.loads(head)
    # A signature over another manifest (the count was changed after signing).
    other = segment.sign_manifest(n.key, b"segment", {**h["manifest"], "count": 2})
    for sig in (other, "", "not base64!", h["sig"][:-4]):
        tampered = json.dumps({"manifest": h["manifest"], "sig": sig}).encode() + b"\n" + rest
        refused_whole(w, "bad_signature", push, w, n.node_id, tampered, status=401)
    missing = json.dumps({"manifest": h["manifest"]}).encode() + b"\n" + rest
    refused_whole(w, "bad_signature", push, w, n.node_id, missing, status=401)
    assert push(w, n.node_id, good)["have"]["seq"] == 1


def test_manifest_signed_by_another_nodes_key(w):
    a, order, clerk = setup_node(w)
    b = w.node(w.outlets[0])
    a.store.write(clerk, [notes(order, "by a")])
    by_b = forge.unsent_body(a, key=b.key)  # origin a, signed by b
    refused_whole(w, "bad_signature", push, w, a.node_id, by_b, status=401)
    refused_whole(w, "bad_segment", push, w, b.node_id, by_b, status=400)


def test_manifest_for_another_hub_is_bad_segment(w):
    n, order, clerk = setup_node(w)
    n.store.write(clerk, [notes(order, "elsewhere")])
    body = forge.unsent_body(n, hub="hub-somewhere-else")
    refused_whole(w, "bad_segment", push, w, n.node_id, body, status=400)


# ---- 6–8: the chain ----

def test_replayed_segment_is_a_no_op(w):
    n, order, clerk = setup_node(w)
    tech = w.user(w.outlets[0], "technician")
    n.store.write(clerk, [notes(order, "once"), move(n.outlet_id, 5, "receipt")])
    n.store.write(tech, [add("order_events", uid(), order_id=order, to_status="completed", at=1)])
    body = forge.unsent_body(n)
    first = push(w, n.node_id, body)
    assert [r["code"] for r in first["rejected"]] == ["bad_transition"]
    snap = dump(w.hub)
    again = push(w, n.node_id, body)
    assert again == {"have": first["have"], "rejected": []}
    assert dump(w.hub) == snap  # no second move, notice, refusal or bucket change
    assert on_hand(w.hub, n.outlet_id) == 5
    # Held changes at the front of a segment are skipped; the new one is applied once.
    n.store.write(clerk, [notes(order, "twice")])
    r = push(w, n.node_id, forge.unsent_body(n))
    assert r["have"]["seq"] == 3 and r["rejected"] == []
    assert hub_row(w, "service_orders", order)["notes"] == "twice"
    assert on_hand(w.hub, n.outlet_id) == 5
    assert n.sync().pushed == 0 and n.store.pending_count() == 0


def test_forked_chain_is_refused_and_alerted(w):
    n, order, clerk = setup_node(w)
    n.store.write(clerk, [notes(order, "held 1")])
    n.store.write(clerk, [notes(order, "held 2")])
    n.sync()
    have = {"epoch": 1, "seq": 2, "head": n.store.hash_at(1, 2)}
    h1 = n.store.hash_at(1, 1)
    other2 = forge.change(n, 2, h1, [notes(order, "another 2")], actor=clerk, hlc=n.store.clock.tick())
    assert sha256_hex(other2) != have["head"]
    cases = [forge.body(n, [other2], first=2, prev=h1),                    # seq 2 alone
             forge.body(n, [lines_of(n)[0], other2]),                       # 1 held, 2 differs
             forge.body(n, forge.chain(n, [[notes(order, "3 on another 2")]], actor=clerk,
                                       hlc=n.store.clock.tick(), first=3, prev=sha256_hex(other2)),
                        first=3, prev=sha256_hex(other2))]                  # 3 after another 2
    for i, body in enumerate(cases, 1):
        exc = refused_whole(w, "fork", push, w, n.node_id, body, status=409,
                            changes=("fork_alerts",))
        assert exc.extra["have"] == have
        alerts = w.hub.rows("fork_alerts", "node_id = ?", (n.node_id,))
        assert len(alerts) == i and alerts[-1]["epoch"] == 1
    first = w.hub.rows("fork_alerts", "node_id = ?", (n.node_id,))[0]
    assert (first["seq"], first["held_hash"], first["sent_hash"]) == (2, have["head"], sha256_hex(other2))
    assert hub_row(w, "service_orders", order)["notes"] == "held 2"


def test_chain_gap(w):
    n, order, clerk = setup_node(w)
    for text in ("1", "2", "3"):
        n.store.write(clerk, [notes(order, text)])
    lines = lines_of(n)
    body = forge.body(n, lines[2:], first=3, prev=sha256_hex(lines[1]))
    exc = refused_whole(w, "chain_gap", push, w, n.node_id, body, status=409)
    assert exc.extra["have"] == {"epoch": 1, "seq": 0, "head": ZERO_HASH}
    push(w, n.node_id, forge.body(n, lines[:1]))
    exc = refused_whole(w, "chain_gap", push, w, n.node_id, body)
    assert exc.extra["have"] == {"epoch": 1, "seq": 1, "head": sha256_hex(lines[0])}


# ---- 9–10, 22: size, encoding, schema ----

def test_oversized_segments_are_too_large(w):
    n, order, clerk = setup_node(w)
    too_many = forge.chain(n, [[notes(order, str(i))] for i in range(1001)], actor=clerk,
                           hlc=n.store.clock.tick())
    refused_whole(w, "too_large", push, w, n.node_id, forge.body(n, too_many), status=413)
    huge = forge.chain(n, [[notes(order, "x" * (4 * 1024 * 1024))]], actor=clerk,
                       hlc=n.store.clock.tick())
    refused_whole(w, "too_large", push, w, n.node_id, forge.body(n, huge), status=413)
    bomb = gzip.compress(b"\0" * (10 * 1024 * 1024))
    assert len(bomb) < 64 * 1024
    with pytest.raises(SyncError) as exc:
        segment.inflate(bomb)
    assert (exc.value.code, exc.value.status) == ("too_large", 413)
    # An honest gzipped body inflates to exactly what was sent.
    n.store.write(clerk, [notes(order, "small")])
    body = forge.unsent_body(n)
    assert segment.inflate(gzip.compress(body)) == body
    with pytest.raises(SyncError) as exc:  # cut short in transit: not a shorter segment
        segment.inflate(gzip.compress(body)[:-10])
    assert exc.value.code == "bad_request"
    assert on_hand(w.hub, n.outlet_id) == 0 and hub_row(w, "service_orders", order)["notes"] is None


@pytest.mark.parametrize("op", [
    move("outlet-1", 1.5),
    put("settlement_lines", "line-1", settlement_id="s-1", parts_fee=12.5),
], ids=["qty", "fee"])
def test_float_in_a_change_is_bad_change(w, op):
    n, order, clerk = setup_node(w)
    line = forge.change(n, 1, ZERO_HASH, [notes(order, "fine"), op], actor=clerk,
                        hlc=n.store.clock.tick())
    assert b"1.5" in line or b"12.5" in line
    refused_whole(w, "bad_change", push, w, n.node_id, forge.body(n, [line]), status=400)
    # The node's own write path never logs a change the hub would refuse whole.
    log = node_dump(n)
    with pytest.raises(LocalWriteError):
        n.store.write(clerk, [op])
    assert node_dump(n) == log


def test_schema_out_of_range_is_schema_unsupported(w):
    n, order, clerk = setup_node(w)
    line = forge.change(n, 1, ZERO_HASH, [notes(order, "from the future")], actor=clerk,
                        hlc=n.store.clock.tick(), schema=99)
    exc = refused_whole(w, "schema_unsupported", push, w, n.node_id, forge.body(n, [line]),
                        status=426)
    assert exc.extra["schema"] == {"min": 1, "max": 1}


# ---- 11–17, 21: ops the hub refuses one by one ----

def test_op_on_another_outlets_row_is_not_owner(w):
    o1, o2 = w.outlets
    n, own, clerk = setup_node(w, o1)
    theirs = w.dispatch(o2)
    theirs_before = hub_row(w, "service_orders", theirs)
    o2_chain = bucket_bytes(w, o2)
    stray_move = uid()
    n.store.write(clerk, [notes(theirs, "HIJACK"), move(o2, -3, move_id=stray_move),
                          notes(own, "our own note")])
    result = n.sync()
    assert rejected(result) == [(1, 0, "not_owner"), (1, 1, "not_owner")]
    assert hub_row(w, "service_orders", theirs) == theirs_before
    assert hub_row(w, "stock_moves", stray_move) is None and on_hand(w.hub, o2) == 0
    assert hub_row(w, "service_orders", own)["notes"] == "our own note"  # the good op
    assert bucket_bytes(w, o2) == o2_chain  # nothing relayed to outlet-2
    assert b"HIJACK" not in bucket_bytes(w)
    assert not [op for op in forge.pulled_ops(w.hub, n, outlet_bucket(o1)) if op["id"] == theirs]
    assert_told(w, n, "not_owner", 2)
    # The node's stray rows are gone: it matches the hub.
    assert node_row(n, "service_orders", theirs) is None
    assert node_row(n, "stock_moves", stray_move) is None


def test_naming_another_outlets_customer_does_not_copy_it(w):
    """An order may only carry a customer this outlet already serves: naming another
    outlet's customer id must not bring that customer (and phone) into this bucket."""
    o1, o2 = w.outlets
    n, own, clerk = setup_node(w, o1)
    theirs = uid()
    w.hub.write([put("customers", theirs, name="王女士", phone="13812345678")])
    w.dispatch(o2, customer_id=theirs)
    ours = uid()
    w.hub.write([put("customers", ours, name="李先生", phone="13900001111")])
    w.dispatch(o1, customer_id=ours)
    n.sync()
    sneaky, fine = uid(), uid()
    n.store.write(clerk, [put("service_orders", sneaky, outlet_id=o1, type="repair", customer_id=theirs),
                          put("service_orders", fine, outlet_id=o1, type="repair", customer_id=ours)])
    result = n.sync()
    assert rejected(result) == [(1, 0, "not_owner")]
    assert b"13812345678" not in bucket_bytes(w, o1)
    assert node_row(n, "customers", theirs) is None and node_row(n, "service_orders", sneaky) is None
    assert hub_row(w, "service_orders", fine)["customer_id"] == ours  # a customer we serve is fine
    assert_told(w, n, "not_owner", 1)


def test_node_write_to_a_hub_table_is_not_owner(w):
    n, order, clerk = setup_node(w)
    part_before = hub_row(w, "parts", "P-1001")
    local_part = node_row(n, "parts", "P-1001")
    approval = uid()
    forged_put = put("parts", "P-1001", unit_price=1)
    forged_add = add("approvals", approval, outlet_id=n.outlet_id, subject_table="settlements",
                     subject_id="s-1", decision="approved", level=1, at=1)
    for op in (forged_put, forged_add):
        with pytest.raises(LocalWriteError):
            n.store.write(clerk, [op])
    forge.log_change(n, clerk, [forged_put, forged_add, notes(order, "still applied")])
    result = n.sync()
    assert rejected(result) == [(1, 0, "not_owner"), (1, 1, "not_owner")]
    assert hub_row(w, "parts", "P-1001") == part_before
    assert hub_row(w, "approvals", approval) is None
    assert hub_row(w, "service_orders", order)["notes"] == "still applied"
    assert b'"unit_price":1,' not in bucket_bytes(w) and b'"unit_price":1}' not in bucket_bytes(w)
    assert_told(w, n, "not_owner", 2)
    assert node_row(n, "parts", "P-1001") == local_part  # the catalog is still there


def test_node_write_to_a_hub_field_is_not_owner(w):
    n, order, clerk = setup_node(w)
    with pytest.raises(LocalWriteError):
        n.store.write(clerk, [put("service_orders", order, status="completed")])
    forge.log_change(n, clerk, [put("service_orders", order, status="completed"),
                                put("service_orders", order, outlet_id=w.outlets[1]),
                                notes(order, "still applied")])
    result = n.sync()
    assert rejected(result) == [(1, 0, "not_owner"), (1, 1, "not_owner")]
    row = hub_row(w, "service_orders", order)
    assert (row["status"], row["outlet_id"], row["notes"]) == ("new", w.outlets[0], "still applied")
    assert b'"status":"completed"' not in bucket_bytes(w)
    assert_told(w, n, "not_owner", 2)
    assert node_row(n, "service_orders", order)["status"] == "new"


def test_illegal_transition_is_bad_transition_and_the_node_is_corrected(w):
    n, order, _ = setup_node(w)
    tech = w.user(w.outlets[0], "technician")
    event = uid()
    n.store.write(tech, [add("order_events", event, order_id=order, to_status="completed", at=1),
                         notes(order, "tech was here")])
    assert node_row(n, "service_orders", order)["status"] == "completed"  # optimistic
    result = n.sync()
    assert rejected(result) == [(1, 0, "bad_transition")]
    assert hub_row(w, "service_orders", order)["status"] == "new"
    assert hub_row(w, "order_events", event) is None
    assert hub_row(w, "service_orders", order)["notes"] == "tech was here"
    assert_told(w, n, "bad_transition", 1)
    assert node_row(n, "service_orders", order)["status"] == "new"
    assert node_row(n, "order_events", event) is None


def test_editing_a_submitted_settlement_is_frozen(w):
    n, order, clerk = setup_node(w)
    s, line = uid(), uid()
    n.store.write(clerk, [put("settlements", s, outlet_id=n.outlet_id, period="2026-01",
                              status="draft", total=5000),
                          put("settlement_lines", line, settlement_id=s, order_id=order,
                              visit_fee=5000)])
    n.store.write(clerk, [put("settlements", s, status="submitted")])
    n.sync()
    settled = hub_row(w, "settlements", s)
    assert settled["status"] == "submitted" and settled["content_hash"]
    lines_before = w.hub.rows("settlement_lines")
    new_line = uid()
    n.store.write(clerk, [put("settlements", s, total=999999),
                          put("settlement_lines", new_line, settlement_id=s, order_id=order,
                              labour_fee=999999),
                          notes(order, "still applied")])
    result = n.sync()
    assert rejected(result) == [(3, 0, "frozen"), (3, 1, "frozen")]
    assert hub_row(w, "settlements", s) == settled
    assert w.hub.rows("settlement_lines") == lines_before
    assert hub_row(w, "service_orders", order)["notes"] == "still applied"
    assert b"999999" not in bucket_bytes(w)
    assert_told(w, n, "frozen", 2)
    assert node_row(n, "settlements", s)["total"] == 5000  # the node is corrected
    assert node_row(n, "settlement_lines", new_line) is None


def test_ledger_id_reused_with_other_fields_is_conflict(w):
    o1 = w.outlets[0]
    a, order, clerk = setup_node(w, o1)
    b = w.node(o1)
    b.sync()
    moved = uid()
    a.store.write(clerk, [move(o1, -1, move_id=moved)])
    a.sync()
    original = hub_row(w, "stock_moves", moved)
    assert on_hand(w.hub, o1) == -1
    b.store.write(clerk, [move(o1, -5, move_id=moved), notes(order, "still applied")])
    result = b.sync()
    assert rejected(result) == [(1, 0, "conflict")]
    assert hub_row(w, "stock_moves", moved) == original
    assert on_hand(w.hub, o1) == -1
    assert hub_row(w, "service_orders", order)["notes"] == "still applied"
    assert_told(w, b, "conflict", 1)
    assert node_row(b, "stock_moves", moved)["qty"] == -1 and on_hand(b.store, o1) == -1
    # The same id with the same fields again is a no-op, not a conflict.
    same = {k: v for k, v in original.items() if k != "id"}
    b.store.write(clerk, [add("stock_moves", moved, **same)])
    assert rejected(b.sync()) == [] and on_hand(w.hub, o1) == -1


def test_change_from_a_clock_a_day_ahead_is_kept_but_every_op_refused(w):
    o1 = w.outlets[0]
    n, order, clerk = setup_node(w, o1, clock=HLC(wall=lambda: now_ms() + DAY_MS))
    order_before = hub_row(w, "service_orders", order)
    moved = uid()
    n.store.write(clerk, [notes(order, "from tomorrow"), move(o1, 7, "receipt", moved)])
    result = n.sync()
    assert rejected(result) == [(1, 0, "clock_ahead"), (1, 1, "clock_ahead")]
    assert hub_row(w, "service_orders", order) == order_before
    assert hub_row(w, "stock_moves", moved) is None and on_hand(w.hub, o1) == 0
    held = w.hub.rows("node_changes", "origin = ?", (n.node_id,))
    assert [(r["epoch"], r["seq"], r["hash"]) for r in held] == [(1, 1, n.store.hash_at(1, 1))]
    assert w.hub.node(n.node_id)["seq"] == 1
    assert wall_ms(w.hub.clock.last) < now_ms() + w.hub.max_drift_ms  # the hub's clock held
    assert b"from tomorrow" not in bucket_bytes(w)
    assert_told(w, n, "clock_ahead", 2)
    assert node_row(n, "stock_moves", moved) is None and on_hand(n.store, n.outlet_id) == 0


def test_actor_outside_the_outlet_or_role_is_forbidden(w):
    o1, o2 = w.outlets
    n, order, clerk = setup_node(w, o1)
    tech = w.user(o1, "technician")
    n.store.write(w.user(o2, "clerk"), [notes(order, "by outlet-2's clerk")])
    n.store.write(clerk, [put("service_orders", order, resolution="by our clerk")])
    settlement = uid()
    n.store.write(tech, [put("settlements", settlement, outlet_id=o1, period="2026-01",
                             status="draft", total=1)])
    result = n.sync()
    assert rejected(result) == [(1, 0, "forbidden"), (3, 0, "forbidden")]
    row = hub_row(w, "service_orders", order)
    assert (row["notes"], row["resolution"]) == (None, "by our clerk")
    assert hub_row(w, "settlements", settlement) is None
    assert b"by outlet-2's clerk" not in bucket_bytes(w)
    assert_told(w, n, "forbidden", 2)
    assert node_row(n, "service_orders", order)["notes"] is None
    assert node_row(n, "settlements", settlement) is None


# ---- 18: outlets never see each other ----

def outlet_rows(w, outlet) -> set[str]:
    """Ids of every hub row that belongs to `outlet`."""
    ids = set()
    for spec in TABLES.values():
        for (row_id,) in w.hub.conn.execute(f"SELECT id FROM [{spec.name}]"):
            row = merge.load(w.hub.conn, spec, row_id)
            # the outlet's bucket, and maybe its technicians' shares of it (tech:<user>)
            buckets = relay.buckets_of(w.hub.conn, spec, row)
            if outlet_bucket(outlet) in buckets and all(b.startswith("tech:") for b in buckets[1:]):
                ids.add(row_id)
    return ids


def test_outlets_never_see_each_others_rows(w):
    nodes = {}
    for i, outlet in enumerate(w.outlets, 1):
        customer = f"cust-{i}"
        w.hub.write([put("customers", customer, name=f"客户{i}", phone=f"1380000000{i}")])
        order = w.dispatch(outlet, customer_id=customer)
        n = w.node(outlet)
        n.sync()
        clerk, tech = w.user(outlet, "clerk"), w.user(outlet, "technician")
        phoned_in, s = uid(), uid()
        n.store.write(tech, [add("order_events", uid(), order_id=order, to_status="accepted", at=1)])
        n.store.write(clerk, [put("service_orders", phoned_in, number=f"N{i}", outlet_id=outlet,
                                  type="repair"), move(outlet, 10, "receipt"),
                              put("settlements", s, outlet_id=outlet, period="2026-01",
                                  status="draft", total=100),
                              put("settlement_lines", uid(), settlement_id=s, order_id=order,
                                  visit_fee=100)])
        n.store.write(tech, [add("order_events", uid(), order_id=order, to_status="completed", at=2)])
        nodes[outlet] = n
    for _ in range(2):
        for n in nodes.values():
            n.sync()
    o1, o2 = w.outlets
    mine = {o: outlet_rows(w, o) for o in w.outlets}
    assert len(mine[o1]) > 10 and len(mine[o2]) > 10 and not mine[o1] & mine[o2]
    for me, them in ((o1, o2), (o2, o1)):
        n = nodes[me]
        chain = forge.pulled_ops(w.hub, n, outlet_bucket(me))
        assert chain
        for op in chain:
            assert op["id"] not in mine[them]
            assert not set(map(str, op["fields"].values())) & (mine[them] | {them})
        for spec in TABLES.values():
            held = {r[0] for r in n.store.conn.execute(f"SELECT id FROM [{spec.name}]")}
            assert not held & mine[them], spec.name
        refused_whole(w, "forbidden", hub_handlers.pull, w.hub, n.node_id, outlet_bucket(them), 0,
                      1000, status=403)


# ---- 19: who may talk at all ----

def test_unknown_and_revoked_nodes(w):
    n, order, clerk = setup_node(w)
    n.store.write(clerk, [notes(order, "after revocation")])
    body = forge.unsent_body(n)
    calls = [(hub_handlers.hello, (w.hub,)), (hub_handlers.push, (w.hub,), body),
             (hub_handlers.pull, (w.hub,), outlet_bucket(n.outlet_id), 0, 1000)]

    def each(node_id, code, status):
        for fn, (hub,), *rest in calls:
            refused_whole(w, code, fn, hub, node_id, *rest, status=status)

    each("node-0000000000000000", "unknown_node", 401)
    with w.hub.tx() as c:
        c.execute("UPDATE nodes SET status = 'revoked' WHERE node_id = ?", (n.node_id,))
    each(n.node_id, "revoked", 403)
    with pytest.raises(SyncError) as exc:
        n.sync()
    assert exc.value.code == "revoked"
    assert w.hub.rows("node_changes") == [] and hub_row(w, "service_orders", order)["notes"] is None


# ---- 20: what the node pulls ----

def test_tampered_pull_is_refused_by_the_node(w):
    o1 = w.outlets[0]
    n = w.node(o1)
    w.dispatch(o1)
    w.dispatch(o1)
    bucket = outlet_bucket(o1)
    good = hub_handlers.pull(w.hub, n.node_id, bucket, 0, 1000)
    m, sig, lines = segment.split(good)
    assert len(lines) == 3  # the outlet's users, then two orders
    new_last = forge.flip(lines[-1], b'"type":"repair')
    flipped_first = segment.encode(m, sig, [forge.flip(lines[0], b'"outlet_id":"outlet'),
                                            *lines[1:]])
    flipped_last = segment.encode(m, sig, [*lines[:-1], new_last])
    resigned = segment.encode(m, segment.sign_manifest(SigningKey.generate(), b"bucket", m), lines)
    # A man in the middle alters the last change and fixes up head: the signature breaks.
    fixed_up = segment.encode({**m, "head": sha256_hex(new_last)}, sig, [*lines[:-1], new_last])
    before = node_dump(n)
    for body, code in ((flipped_first, "bad_segment"), (flipped_last, "bad_segment"),
                       (resigned, "bad_signature"), (fixed_up, "bad_signature")):
        with pytest.raises(SyncError) as exc:
            n.store.apply_pull(bucket, body)
        assert exc.value.code == code
        assert node_dump(n) == before
        assert n.store.cursor(bucket) == (0, 0, ZERO_HASH)
    n.store.apply_pull(bucket, good)
    assert n.store.cursor(bucket)[1] == 3
    assert len(n.store.rows("service_orders")) == 2



def test_stock_move_quantity_must_fit_its_kind(w):
    """A consumption cannot add stock, a receipt cannot remove it: an outlet cannot raise
    its own on-hand by recording a 'consumption' of +50."""
    o1 = w.outlets[0]
    n, order, clerk = setup_node(w, o1)
    good = uid()
    n.store.write(clerk, [move(o1, 50, kind="consume"), move(o1, -3, kind="receipt"),
                          move(o1, 2, kind="receipt", move_id=good)])
    result = n.sync()
    assert rejected(result) == [(1, 0, "invalid"), (1, 1, "invalid")]
    assert on_hand(w.hub, o1) == on_hand(n.store, o1) == 2
    assert hub_row(w, "stock_moves", good)["qty"] == 2


def test_a_technician_may_use_parts_but_not_book_their_arrival(w):
    """Receipts are the office's: a technician's receipt is refused, their consumption kept."""
    o1 = w.outlets[0]
    n, order, clerk = setup_node(w, o1)
    tech = w.user(o1, "technician")
    n.store.write(clerk, [move(o1, 5, kind="receipt")])
    seq = n.store.write(tech, [move(o1, 9, kind="receipt"), move(o1, -1, kind="consume")])
    assert rejected(n.sync()) == [(seq, 0, "forbidden")]
    assert on_hand(w.hub, o1) == on_hand(n.store, o1) == 4
    assert_told(w, n, "forbidden", 1)


def test_actor_id_and_set_once_order_fields(w):
    o1 = w.outlets[0]
    n, order, clerk = setup_node(w, o1)
    tech = w.user(o1, "technician")
    n.store.write(clerk, [add("order_events", uid(), order_id=order, to_status="accepted", at=1, actor_id=tech)])
    n.store.write(clerk, [put("service_orders", order, number="SH01-Z-999999")])
    result = n.sync()
    assert rejected(result) == [(1, 0, "invalid"), (2, 0, "not_owner")]
    assert hub_row(w, "service_orders", order)["status"] == "new"
    assert hub_row(w, "service_orders", order)["number"].startswith("HQ-")
    assert node_row(n, "service_orders", order)["number"].startswith("HQ-")


# ---- what a technician carries (stock_moves.holder) ----

def bag_move(outlet, holder, qty, kind, ref="r", move_id=None):
    fields = {"outlet_id": outlet, "part_id": "P-1001", "qty": qty, "kind": kind, "ref": ref, "at": 1}
    if holder is not None:
        fields["holder"] = holder
    return add("stock_moves", move_id or uid(), **fields)


def places(store, outlet):
    return {(h, n) for h, n in store.conn.execute(
        "SELECT holder, SUM(qty) FROM stock_moves WHERE outlet_id = ? GROUP BY holder", (outlet,)) if n}


def test_moves_in_another_technicians_bag_are_refused_whole(w):
    """A technician moves only their own bag — not a consumption from a colleague's, not a
    hand-back of a colleague's parts (both moves of that pair refused: the store gains
    nothing); a clerk issues and takes back but never uses a bag's parts; a bag is a
    technician's of this outlet; a receipt never lands in a bag; a pair names its bag."""
    o1, o2 = w.outlets
    w.hub.write([put("users", "technician-1b", username="technician-1b", role="technician", outlet_id=o1,
                     active=True)])
    n, order, clerk = setup_node(w, o1)
    tech, other = w.user(o1, "technician"), "technician-1b"
    n.store.write(clerk, [move(o1, 10, kind="receipt")])
    issue = f"{other}/{uid()}"
    n.store.write(clerk, [bag_move(o1, None, -4, "issue", issue), bag_move(o1, other, 4, "issue", issue)])
    assert rejected(n.sync()) == []
    assert places(w.hub, o1) == {(None, 6), (other, 4)}

    stolen = f"{other}/{uid()}"
    seq_tech = n.store.write(tech, [
        bag_move(o1, other, -1, "consume", order),                                        # 0: a colleague's part
        bag_move(o1, other, -2, "hand_back", stolen), bag_move(o1, None, 2, "hand_back", stolen)])  # 1, 2
    seq_clerk = n.store.write(clerk, [bag_move(o1, other, -1, "consume", order)])        # the office uses none
    seq_who = n.store.write(clerk, [
        bag_move(o1, clerk, 1, "issue", f"{clerk}/x"),                                    # 0: a clerk has no bag
        bag_move(o1, w.user(o2, "technician"), 1, "issue", f"{w.user(o2, 'technician')}/x")])  # 1: not ours
    seq_bad = n.store.write(clerk, [
        bag_move(o1, other, 1, "receipt"),                                                # 0: receipts are the store's
        bag_move(o1, other, 1, "issue", f"{tech}/y"),                                     # 1: ref names another bag
        bag_move(o1, None, -1, "issue", "no-bag")])                                       # 2: ref names no bag
    result = n.sync()
    assert rejected(result) == [
        (seq_tech, 0, "forbidden"), (seq_tech, 1, "forbidden"), (seq_tech, 2, "forbidden"),
        (seq_clerk, 0, "forbidden"), (seq_who, 0, "not_owner"), (seq_who, 1, "not_owner"),
        (seq_bad, 0, "invalid"), (seq_bad, 1, "invalid"), (seq_bad, 2, "invalid")]
    assert places(w.hub, o1) == {(None, 6), (other, 4)}  # nothing half-applied: the pair went whole
    n.sync()
    assert places(n.store, o1) == places(w.hub, o1)
    told = {f["detail"]["key"] for f in notices(w, n, "forbidden")}
    assert told == {"other_bag", "office_bag"}


def test_a_technician_uses_and_hands_back_their_own_bag(w):
    o1 = w.outlets[0]
    n, order, clerk = setup_node(w, o1)
    tech = w.user(o1, "technician")
    n.store.write(clerk, [move(o1, 5, kind="receipt")])
    issue, back = f"{tech}/{uid()}", f"{tech}/{uid()}"
    n.store.write(clerk, [bag_move(o1, None, -3, "issue", issue), bag_move(o1, tech, 3, "issue", issue)])
    n.store.write(tech, [bag_move(o1, tech, -1, "consume", order)])
    n.store.write(tech, [bag_move(o1, tech, -1, "hand_back", back), bag_move(o1, None, 1, "hand_back", back)])
    assert rejected(n.sync()) == []
    assert places(w.hub, o1) == places(n.store, o1) == {(None, 3), (tech, 1)}
