"""A network in the middle of a rollout, through the hub's real handlers. The next schema
does not exist yet, so a test sets it: `change.SCHEMA` is what this process writes, and
`change.SCHEMA_RANGE` what HQ accepts. A node one schema behind HQ has its changes
accepted and upgraded; a node one schema ahead holds its changes, says why, and sends them
once HQ has upgraded; what HQ sends, a node applies whatever it does not know in it."""
import json

import pytest

from hub.services.admin_nodes import behind
from node.sync_service import SyncService
from shared.messages import describe
from shared.stock import on_hand
from sync import change, hub_handlers, op_upgrade, relay
from sync.errors import SchemaUnsupported
from sync.node_sync import LocalTransport, RoundResult, push_all, sync_round
from fieldsync.testing.world import World, uid


class OldNodeTransport(LocalTransport):
    """A node of release 0.1.0 (schema 1) saying so in its hello."""

    def hello(self, pending=None) -> dict:
        return hub_handlers.hello(self.hub, self.node_id, app_version="0.1.0", schema=1)


def used_part(w, node, order, note: str) -> str:
    move = uid()
    tech = w.user(node.outlet_id, "technician")
    node.store.write(tech, [{"op": "add", "table": "stock_moves", "id": move, "fields": {
        "outlet_id": node.outlet_id, "part_id": "P-1001", "qty": -1, "kind": "consume", "ref": order,
        "note": note, "at": 1}}])
    return move


def test_a_node_one_schema_behind_is_accepted_its_ops_upgraded_and_flagged(tmp_path, monkeypatch):
    w = World(tmp_path)
    node = w.node(w.outlets[0])
    order = w.dispatch(node.outlet_id)
    move = used_part(w, node, order, "换压缩机")  # written in schema 1
    # HQ runs schema 2, where a move's note carries its language: the upgrader adds it.
    monkeypatch.setattr(change, "SCHEMA", 2)
    monkeypatch.setattr(change, "SCHEMA_RANGE", (1, 2))
    monkeypatch.setitem(op_upgrade.UPGRADES, 1, lambda op: {**op, "fields": {
        **op["fields"], "note": "zh:" + op["fields"]["note"]}} if op["table"] == "stock_moves" else op)
    result = sync_round(node.store, OldNodeTransport(w.hub, node.node_id), node.key)
    assert (result.held, result.rejected, result.pushed) == (None, [], 1)
    assert w.hub_row("stock_moves", move)["note"] == "zh:换压缩机"
    body = w.hub.conn.execute("SELECT body FROM node_changes WHERE origin = ?", (node.node_id,)).fetchone()[0]
    assert json.loads(body)["schema"] == 1  # kept as sent: its hash is the node's
    listed = {n["node_id"]: {**n, "behind": behind(n)} for n in w.hub.node_list()}[node.node_id]
    assert (listed["app_version"], listed["schema"], listed["behind"]) == ("0.1.0", 1, True)


def test_a_node_one_schema_ahead_holds_its_changes_until_hq_upgrades(tmp_path, monkeypatch):
    w = World(tmp_path)
    node = w.node(w.outlets[0])
    order = w.dispatch(node.outlet_id)
    node.sync()
    monkeypatch.setattr(change, "SCHEMA", 2)  # this node runs the next release; HQ's range stays 1..1
    move = used_part(w, node, order, "换压缩机")
    service = SyncService(node.store, node.transport(), node.key, lang="en")
    status = service.sync_now()
    assert status.last_round["held"] == "hub_older" and status.last_round["pushed"] == 0
    assert status.last_error == describe("hub_older", "en")  # the sync panel says so, in words
    assert node.store.pending_count() == 1 and w.hub_row("stock_moves", move) is None
    later = w.dispatch(node.outlet_id)
    node.sync()
    assert node.store.rows("service_orders", "id = ?", (later,))  # pulling goes on meanwhile

    with pytest.raises(SchemaUnsupported) as refused:  # a client pushing anyway is refused whole
        push_all(node.store, node.transport(), node.key, RoundResult(), node.store.acked())
    assert refused.value.status == 426 and "HQ upgrades first" in refused.value.message
    assert w.hub_row("stock_moves", move) is None

    monkeypatch.setattr(change, "SCHEMA_RANGE", (1, 2))  # HQ upgraded
    status = service.sync_now()
    assert status.last_round["pushed"] == 1 and status.last_error is None
    assert w.hub_row("stock_moves", move)["note"] == "换压缩机"
    assert w.hub.conn.execute("SELECT COUNT(*) FROM node_changes WHERE origin = ?",
                              (node.node_id,)).fetchone()[0] == node.store.last()[0]
    listed = {n["node_id"]: {**n, "behind": behind(n)} for n in w.hub.node_list()}[node.node_id]
    assert listed["schema"] == 2 and not listed["behind"]


def test_a_node_hq_no_longer_serves_is_told_to_upgrade(tmp_path, monkeypatch):
    w = World(tmp_path)
    node = w.node(w.outlets[0])
    order = w.dispatch(node.outlet_id)
    node.sync()
    used_part(w, node, order, "换压缩机")
    monkeypatch.setattr(change, "SCHEMA_RANGE", (2, 3))
    assert node.sync().held == "device_outdated"
    assert node.store.pending_count() == 1


def test_what_hq_sends_a_node_of_another_schema_applies_ignoring_what_it_does_not_know(tmp_path, monkeypatch):
    w = World(tmp_path)
    node = w.node(w.outlets[0])
    order = w.dispatch(node.outlet_id)
    node.sync()
    move, bucket = uid(), f"outlet:{node.outlet_id}"
    out = relay.Relay()
    out.send([bucket], [
        {"op": "put", "table": "service_orders", "id": order, "fields": {"notes": "HQ", "eta_window": "am"},
         "hlc": w.hub.tick(), "src": "hub"},
        {"op": "add", "table": "stock_moves", "id": move, "fields": {
            "outlet_id": node.outlet_id, "part_id": "P-1001", "qty": 5, "kind": "receipt", "ref": "",
            "at": 1, "carrier": "顺丰"}, "hlc": w.hub.tick(), "src": "hub"},
        {"op": "add", "table": "van_stock", "id": uid(), "fields": {"qty": 1}, "hlc": w.hub.tick(), "src": "hub"}])
    with w.hub.tx() as c:
        w.hub.finish(c, out)  # stamped schema 1, with a column and a table schema 1 never had
    monkeypatch.setattr(change, "SCHEMA", 3)  # and the node reading them runs schema 3 (2..3)
    monkeypatch.setattr(change, "SCHEMA_RANGE", (2, 3))
    assert node.sync().pulled >= 1
    assert node.store.rows("service_orders", "id = ?", (order,))[0]["notes"] == "HQ"
    assert on_hand(node.store, "P-1001") == 5
    assert node.store.rows("stock_moves", "id = ?", (move,))[0]["kind"] == "receipt"
