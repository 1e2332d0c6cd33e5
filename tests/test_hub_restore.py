"""HQ restored from last night's backup loses nothing any outlet pulled, and no replica
keeps rows HQ no longer has (issue #21; sync/recovery.py, sync/handback.py). In process,
on real SQLite files: the hub's file is copied with the backup API, replaced by the copy,
and opened again with the same key, as HQ's IT would do."""
import json
import shutil
import sqlite3

import pytest

from fieldsync.demo.headless import converged
from fieldsync.testing.world import World, uid
from hub.services.restore_report import restore_report
from sync import recovery
from sync.errors import BadSegment
from sync.hub_store import HubStore


def backup_hub(w: World, dest):
    dst = sqlite3.connect(dest)
    w.hub.conn.backup(dst)
    dst.close()


def restore_hub(w: World, src):
    """The hub's disk died: put the backup back and open it again (same key, same id)."""
    key, path = w.hub.key, w.tmp / "hub.db"
    w.hub.close()
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    shutil.copy(src, path)
    w.hub = HubStore(path, key=key)
    for n in w.nodes:
        n.hub = w.hub


def new_order(node, clerk):
    oid = uid()
    with node.store.tx():
        number = node.store.mint_number()
        node.store.write(clerk, [{"op": "put", "table": "service_orders", "id": oid, "fields": {
            "number": number, "outlet_id": node.outlet_id, "type": "repair"}}])
    return oid


def node_row(node, table, row_id):
    return node.store.conn.execute(f"SELECT * FROM {table} WHERE id = ?", (row_id,)).fetchone()


def test_orders_hq_dispatched_after_the_backup_come_back_from_the_outlet(tmp_path):
    w = World(tmp_path)
    o1 = w.outlets[0]
    node = w.node(o1)
    node.sync()
    backup_hub(w, tmp_path / "nightly.db")
    hq_orders = [w.dispatch(o1, fault_description=f"第{i}单") for i in range(2)]
    own = new_order(node, w.user(o1))
    node.sync()
    assert all(node_row(node, "service_orders", o) for o in hq_orders)
    # The technician accepts one of them offline, before the disaster.
    node.store.write(w.user(o1, "technician"), [{"op": "add", "table": "order_events", "id": uid(),
                     "fields": {"order_id": hq_orders[0], "to_status": "accepted", "at": 1}}])

    restore_hub(w, tmp_path / "nightly.db")
    assert all(w.hub_row("service_orders", o) is None for o in hq_orders + [own])
    result = node.sync()

    # HQ's orders came back before the accept was judged: nothing refused, nothing lost.
    assert result.handed_back >= 2 and result.lost == 0 and result.rejected == []
    for o, status in zip(hq_orders, ("accepted", "new"), strict=True):
        row = w.hub_row("service_orders", o)
        assert row is not None and row["status"] == status and row["outlet_id"] == o1
    assert w.hub_row("service_orders", own) is not None
    assert converged(w.hub, node.store, o1) == []
    node.sync()
    assert converged(w.hub, node.store, o1) == []
    report = restore_report(w.hub, "en")
    assert report.recovered_by_bucket.get(f"outlet:{o1}", 0) >= 2
    assert "hq_" in report.not_recoverable


def test_nodes_holding_overlapping_parts_are_deduplicated_and_an_offline_node_rejoins(tmp_path):
    w = World(tmp_path)
    o1 = w.outlets[0]
    a, b, c = w.node(o1), w.node(o1), w.node(o1)
    for n in (a, b, c):
        n.sync()
    backup_hub(w, tmp_path / "nightly.db")
    first = [w.dispatch(o1) for _ in range(2)]
    for n in (a, b, c):
        n.sync()                      # all three hold the first two
    later = [w.dispatch(o1) for _ in range(2)]
    b.sync()                          # only b holds the later two
    c.sync()                          # c too, then goes offline during the restore

    restore_hub(w, tmp_path / "nightly.db")
    after_restore = w.dispatch(o1, fault_description="恢复后新派的单")  # HQ works on before b comes back
    a.sync()
    assert all(w.hub_row("service_orders", o) for o in first)
    assert all(w.hub_row("service_orders", o) is None for o in later)
    b.sync()
    assert all(w.hub_row("service_orders", o) for o in first + later + [after_restore])
    with w.hub.snapshot() as conn:
        counted = conn.execute("SELECT COUNT(*), COUNT(DISTINCT bucket || seq || hash)"
                               " FROM recovered_changes").fetchone()
    assert counted[0] == counted[1]   # each lost change re-applied once, whoever handed it back
    c.sync()                          # back from its outage: hands back only duplicates
    for n in (a, b, c):
        n.sync()
        assert converged(w.hub, n.store, o1, n.path.stem) == []
        assert all(node_row(n, "service_orders", o) for o in first + later + [after_restore])
    outcomes = [h["outcome"] for h in recovery.handbacks(w.hub)]
    assert "recovered" in outcomes and "duplicate" in outcomes


def test_an_altered_handed_back_change_is_refused_and_nothing_of_it_applied(tmp_path):
    w = World(tmp_path)
    o1 = w.outlets[0]
    node = w.node(o1)
    node.sync()
    backup_hub(w, tmp_path / "nightly.db")
    order = w.dispatch(o1, fault_description="原始描述")
    node.sync()
    # The node's owner edits what it kept: the order now says something HQ never wrote.
    with node.store.tx() as c:
        seq, body = c.execute("SELECT seq, body FROM _pulled WHERE bucket = ? ORDER BY seq DESC LIMIT 1",
                              (f"outlet:{o1}",)).fetchone()
        c.execute("UPDATE _pulled SET body = ? WHERE bucket = ? AND seq = ?",
                  (bytes(body).replace("原始描述".encode(), "伪造描述".encode()), f"outlet:{o1}", seq))
    restore_hub(w, tmp_path / "nightly.db")
    from sync import handback
    bodies = list(handback.handback_bodies(node.store, f"outlet:{o1}", {}))
    assert bodies
    with pytest.raises(BadSegment):
        recovery.receive(w.hub, node.node_id, bodies[-1])
    assert w.hub_row("service_orders", order) is None
    # A forged proof is refused too: a manifest HQ did not sign.
    head, *rest = bodies[-1].split(b"\n")
    header = json.loads(head)
    header["proof"]["sig"] = header["proof"]["sig"][::-1]
    from sync.canonical import canonical_bytes
    from sync.errors import BadSignature
    with pytest.raises(BadSignature):
        recovery.receive(w.hub, node.node_id, b"\n".join([canonical_bytes(header), *rest]))
    # The round goes on: the order HQ lost and could not verify leaves the outlet, in words.
    result = node.sync()
    assert w.hub_row("service_orders", order) is None
    assert node_row(node, "service_orders", order) is None and result.lost >= 1
    assert converged(w.hub, node.store, o1) == []
    lost = handback.lost(node.store)
    assert any(r["tbl"] == "service_orders" and r["row_id"] == order for r in lost)
    report = restore_report(w.hub, "en")
    assert report.refused and report.refused[0].node_id == node.node_id


def test_the_outlet_is_told_in_words_which_order_disappeared(tmp_path):
    """A backup older than anything the outlet kept (its kept changes were pruned): the order
    HQ lost cannot come back; the outlet's sync panel names it and says why."""
    from node.services import NodeServices
    from node.services.session import Session
    w = World(tmp_path)
    o1 = w.outlets[0]
    node = w.node(o1)
    node.sync()
    backup_hub(w, tmp_path / "nightly.db")
    order = w.dispatch(o1)
    node.sync()
    number = w.hub_row("service_orders", order)["number"]
    with node.store.tx() as c:   # beyond the horizon: nothing kept to hand back
        c.execute("DELETE FROM _pulled")
    restore_hub(w, tmp_path / "nightly.db")
    result = node.sync()
    assert result.lost >= 1 and node_row(node, "service_orders", order) is None
    assert converged(w.hub, node.store, o1) == []
    panel = NodeServices(node.store).sync
    view = panel.view(Session(w.user(o1), "clerk", "clerk", "clerk", o1, lang="en"))
    lost = [r for r in view.lost if r.row_id == order]
    assert lost and lost[0].row_label == number and "restored from a backup" in lost[0].reason


def test_work_the_outlet_sends_again_is_not_refused_against_what_came_back(tmp_path):
    """The outlet drafted and submitted a settlement after the backup. Handed back, HQ has it
    submitted (frozen) again; the outlet's earlier draft edits, sent again because HQ's
    record of them was lost, are the same writes, not edits of a frozen document."""
    w = World(tmp_path)
    o1 = w.outlets[0]
    node = w.node(o1)
    clerk = w.user(o1)
    node.sync()
    backup_hub(w, tmp_path / "nightly.db")
    sid, line = uid(), uid()
    node.store.write(clerk, [{"op": "put", "table": "settlements", "id": sid, "fields": {
        "outlet_id": o1, "period": "2026-11", "status": "draft", "total": 0}}])
    node.store.write(clerk, [{"op": "put", "table": "settlement_lines", "id": line, "fields": {
        "settlement_id": sid, "visit_fee": 3000, "labour_fee": 5000}}])
    node.store.write(clerk, [{"op": "put", "table": "settlement_lines", "id": line, "fields": {"visit_fee": 3500}}])
    assert node.sync().rejected == []
    node.store.write(clerk, [{"op": "put", "table": "settlements", "id": sid, "fields": {
        "status": "submitted", "total": 8500}}])
    assert node.sync().rejected == []
    frozen_at = w.hub_row("settlements", sid)["content_hash"]

    restore_hub(w, tmp_path / "nightly.db")
    result = node.sync()
    assert result.rejected == [] and node.store.refused() == []
    row = w.hub_row("settlements", sid)
    assert row["status"] == "submitted" and row["content_hash"] == frozen_at
    assert w.hub_row("settlement_lines", line)["visit_fee"] == 3500
    assert converged(w.hub, node.store, o1) == []


def test_hq_reads_the_restore_report_through_the_admin_api(tmp_path):
    from tests.hub.test_admin_front_ends import Hq
    hq = Hq(tmp_path)
    try:
        assert hq.api.get("/api/v1/admin/restore-report").status_code == 401
        r = hq.api.get("/api/v1/admin/restore-report", headers={**hq.auth, "Accept-Language": "en"})
        assert r.status_code == 200
        body = r.json()
        assert body["recovered_by_bucket"] == {} and body["refused"] == []
        assert any("No node has handed anything back" in line for line in body["lines"])
        assert "hq_ tables" in body["not_recoverable"]
    finally:
        hq.close()


def test_a_restored_hub_that_wrote_more_since_is_noticed_by_the_chain_not_the_length(tmp_path):
    """The restored hub's chain is already longer than what the node pulled, but from the
    backup on it holds other changes at the same seqs: the node notices by the hash."""
    w = World(tmp_path)
    o1 = w.outlets[0]
    node = w.node(o1)
    node.sync()
    backup_hub(w, tmp_path / "nightly.db")
    lost = w.dispatch(o1)
    node.sync()
    _, pulled_to, _ = node.store.cursor(f"outlet:{o1}")
    restore_hub(w, tmp_path / "nightly.db")
    since = [w.dispatch(o1) for _ in range(3)]
    assert w.hub.conn.execute("SELECT seq FROM buckets WHERE bucket = ?", (f"outlet:{o1}",)).fetchone()[0] > pulled_to
    result = node.sync()
    assert result.handed_back == 1 and result.lost == 0
    assert all(w.hub_row("service_orders", o) for o in [lost, *since])
    assert converged(w.hub, node.store, o1) == []


def test_the_device_screen_of_hq_shows_the_restore_report_once_something_came_back(tmp_path):
    """HQ's admin sees the report on the devices screen (the service the screen calls)."""
    from hub.services import HubServices
    from hub.services.session import HubSession
    w = World(tmp_path)
    o1 = w.outlets[0]
    node = w.node(o1)
    node.sync()
    backup_hub(w, tmp_path / "nightly.db")
    w.dispatch(o1)
    node.sync()
    restore_hub(w, tmp_path / "nightly.db")
    node.sync()
    report = HubServices(w.hub).admin.nodes.restore_report(HubSession.of_system("test", lang="zh"))
    assert report.recovered_by_bucket == {f"outlet:{o1}": 1}
    assert any("从网点找回 1 个总部变更" in line for line in report.lines)


def test_keeping_what_was_pulled_costs_an_ordinary_round_no_extra_request(tmp_path):
    """No restore: a round that pulls HQ's new dispatch makes the usual requests (hello, one
    pull per bucket) — the check for a restored hub reads only what the node keeps."""
    from sync.node_sync import sync_round
    w = World(tmp_path)
    o1 = w.outlets[0]
    node = w.node(o1)
    node.sync()
    calls = []

    class Counting:
        def __init__(self, inner):
            self.inner = inner

        def __getattr__(self, name):
            calls.append(name)
            return getattr(self.inner, name)

    w.dispatch(o1)
    result = sync_round(node.store, Counting(node.transport()), node.key)
    assert result.pulled == 1 and result.handed_back == 0
    assert calls == ["hello", "pull"]  # only the bucket whose head moved
    with node.store.read() as c:
        assert c.execute("SELECT COUNT(*) FROM _pulled WHERE bucket = ?", (f"outlet:{o1}",)).fetchone()[0] >= 1


def test_a_node_hands_back_only_buckets_it_may_read(tmp_path):
    from sync import handback
    from sync.errors import Forbidden
    w = World(tmp_path)
    o1, o2 = w.outlets
    mine, other = w.node(o1), w.node(o2)
    mine.sync()
    other.sync()
    backup_hub(w, tmp_path / "nightly.db")
    order = w.dispatch(o1)
    mine.sync()
    restore_hub(w, tmp_path / "nightly.db")
    body = list(handback.handback_bodies(mine.store, f"outlet:{o1}", {}))[-1]
    with pytest.raises(Forbidden):
        recovery.receive(w.hub, other.node_id, body)   # another outlet's node cannot feed it
    assert w.hub_row("service_orders", order) is None
    assert recovery.receive(w.hub, mine.node_id, body)["outcome"] == "recovered"
    assert w.hub_row("service_orders", order) is not None
