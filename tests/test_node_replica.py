"""What a clerk would notice on a node: a local edit is never overwritten by a pulled
value before HQ has it; a node restored from an old copy loses nothing and mints no
duplicate numbers; a crashed write leaves nothing behind; a hub restored from a backup
gets the node's work again."""
import shutil
import sqlite3
import time

import pytest

from shared.tables import TABLES
from sync import merge
from sync.node_sync import RoundResult, pull_all, push_all
from sync.store import InjectedFault
from fieldsync.testing.world import World, uid


def row(store, table, row_id):
    return merge.load(store.conn, TABLES[table], row_id)


def backup(store, dest):
    dst = sqlite3.connect(dest)
    store.conn.backup(dst)
    dst.close()


def restore(node, src):
    node.store.close()
    for suffix in ("-wal", "-shm"):
        p = node.path.with_name(node.path.name + suffix)
        if p.exists():
            p.unlink()
    shutil.copy(src, node.path)
    node.reopen()


def new_order(node, clerk, **fields):
    oid = uid()
    with node.store.tx():
        number = node.store.mint_number()
        node.store.write(clerk, [{"op": "put", "table": "service_orders", "id": oid, "fields": {
            "number": number, "outlet_id": node.outlet_id, "type": "repair", **fields}}])
    return oid, number


def a_moment_later():
    """Concurrent writes in the same millisecond tie on the clock and break by origin;
    a few ms apart, the later write wins everywhere (what a person expects)."""
    time.sleep(0.005)


def test_pulled_value_waits_behind_an_unacknowledged_local_edit(tmp_path):
    w = World(tmp_path)
    o1 = w.outlets[0]
    a = w.node(o1)
    order = w.dispatch(o1)
    a.sync()
    a.store.write(w.user(o1, "technician"), [{"op": "put", "table": "service_orders", "id": order,
                                              "fields": {"notes": "客户下午在家"}}])
    a_moment_later()
    w.hub.write([{"op": "put", "table": "service_orders", "id": order, "fields": {"notes": "HQ: 改约明天"}}])
    hello = a.transport().hello()
    pull_all(a.store, a.transport(), RoundResult(), hello)  # pull before pushing
    assert row(a.store, "service_orders", order)["notes"] == "客户下午在家"
    push_all(a.store, a.transport(), a.key, RoundResult(), hello["node"]["seq"])
    # HQ wrote last, so HQ's note wins on the hub and, once acked, on the node too.
    assert w.hub_row("service_orders", order)["notes"] == "HQ: 改约明天"
    assert row(a.store, "service_orders", order)["notes"] == "HQ: 改约明天"
    a.sync()
    assert row(a.store, "service_orders", order)["notes"] == "HQ: 改约明天"


def test_later_local_edit_wins_over_an_older_hub_value(tmp_path):
    w = World(tmp_path)
    o1 = w.outlets[0]
    a, b = w.node(o1), w.node(o1)
    order = w.dispatch(o1)
    a.sync(), b.sync()
    a.store.write(w.user(o1, "clerk"), [{"op": "put", "table": "service_orders", "id": order,
                                         "fields": {"notes": "A"}}])
    a_moment_later()
    b.store.write(w.user(o1, "clerk"), [{"op": "put", "table": "service_orders", "id": order,
                                         "fields": {"notes": "B"}}])  # later clock
    b.sync(), a.sync(), b.sync()
    assert {row(n.store, "service_orders", order)["notes"] for n in (a, b)} == {"B"}
    assert w.hub_row("service_orders", order)["notes"] == "B"


def test_node_restored_from_an_old_copy_starts_a_new_epoch_and_loses_nothing(tmp_path):
    w = World(tmp_path)
    o1 = w.outlets[0]
    node = w.node(o1)
    clerk = w.user(o1)
    node.sync()
    first, _ = new_order(node, clerk, notes="备份前")
    node.sync()
    backup(node.store, tmp_path / "old.db")
    lost, lost_number = new_order(node, clerk, notes="备份后已同步")
    node.sync()
    restore(node, tmp_path / "old.db")
    assert row(node.store, "service_orders", lost) is None  # the copy predates it
    offline, offline_number = new_order(node, clerk, notes="恢复后离线录入")
    result = node.sync()
    assert result.new_epoch and node.store.epoch == 2
    for oid in (first, lost, offline):
        assert w.hub_row("service_orders", oid) is not None
        assert row(node.store, "service_orders", oid) is not None  # the lost one came back
    assert w.hub.node(node.node_id)["epoch"] == 2
    alerts = w.hub.rows("fork_alerts", "node_id = ?", (node.node_id,))
    assert len(alerts) == 1 and alerts[0]["epoch"] == 1  # HQ sees it
    # Once synced, the counter has moved past every number the node minted before the
    # restore (they came back from the hub), so new numbers collide with none of them.
    _, after_sync = new_order(node, clerk)
    assert after_sync > max(lost_number, offline_number)
    node.sync()
    numbers = [r["number"] for r in w.hub.rows("service_orders") if r["outlet_id"] == o1]
    assert numbers.count(after_sync) == 1


def test_a_crash_just_before_commit_leaves_nothing(tmp_path):
    w = World(tmp_path)
    o1 = w.outlets[0]
    node = w.node(o1)
    node.sync()
    before_log = node.store.last()

    def crash():
        raise InjectedFault("power cut")
    node.store.before_commit = crash
    oid = uid()
    with pytest.raises(InjectedFault):
        node.store.write(w.user(o1), [{"op": "put", "table": "service_orders", "id": oid,
                                       "fields": {"outlet_id": o1, "type": "repair"}}])
    node.store.before_commit = None
    assert row(node.store, "service_orders", oid) is None
    assert node.store.last() == before_log
    assert node.store.conn.execute("SELECT COUNT(*) FROM _pending").fetchone()[0] == 0
    seq = node.store.write(w.user(o1), [{"op": "put", "table": "service_orders", "id": oid,
                                         "fields": {"outlet_id": o1, "type": "repair"}}])
    assert seq == before_log[0] + 1


def test_hub_restored_from_a_backup_gets_the_nodes_work_again(tmp_path):
    w = World(tmp_path)
    o1 = w.outlets[0]
    node = w.node(o1)
    clerk = w.user(o1)
    node.sync()
    hub_path = tmp_path / "hub.db"
    dst = sqlite3.connect(tmp_path / "hub-backup.db")
    w.hub.conn.backup(dst)
    dst.close()
    orders = [new_order(node, clerk)[0] for _ in range(3)]
    node.sync()
    assert all(w.hub_row("service_orders", o) for o in orders)
    # Disaster: HQ restores last night's backup.
    key, hub_id = w.hub.key, w.hub.hub_id
    w.hub.close()
    for suffix in ("-wal", "-shm"):
        p = hub_path.with_name(hub_path.name + suffix)
        if p.exists():
            p.unlink()
    shutil.copy(tmp_path / "hub-backup.db", hub_path)
    from sync.hub_store import HubStore
    w.hub = HubStore(hub_path, key=key)
    node.hub = w.hub
    assert w.hub.hub_id == hub_id
    assert all(w.hub_row("service_orders", o) is None for o in orders)
    node.sync()
    assert all(w.hub_row("service_orders", o) for o in orders)
    assert node.store.epoch == 1  # same history, the hub just held less
