"""The background sync and the services share one SQLite connection. A pull is applied in
one transaction; a clerk's list read in the middle of it would show half a round, and an
action checked in the middle could be written against a status the round is changing.
Every service call waits for the transaction in progress — and only for that: "sync now"
talking to HQ leaves every screen usable."""
import threading

import pytest

from node.services import NodeServices
from sync.node_sync import LocalTransport, RoundResult, pull_all, push_all, reconcile
from fieldsync.testing.outlet import put


def _pull_in_progress(env, order_id):
    """Stand-in for NodeStore.apply_pull: two writes in one transaction, paused between."""
    inside, release = threading.Event(), threading.Event()

    def pull():
        with env.node.store.tx() as c:
            c.execute("UPDATE service_orders SET fault_description = '半截' WHERE id = ?", (order_id,))
            inside.set()
            release.wait(10)
            c.execute("UPDATE service_orders SET fault_description = '空调不制冷，外机不启动' WHERE id = ?",
                      (order_id,))

    thread = threading.Thread(target=pull)
    thread.start()
    assert inside.wait(10)
    return thread, release


def test_a_list_read_during_a_pull_shows_the_whole_round(env):
    oid = env.dispatch(technician_id=env.tech.user_id)
    pull, release = _pull_in_progress(env, oid)
    seen = {}
    reader = threading.Thread(target=lambda: seen.update(
        faults=[c.fault_description for c in env.svc.orders.page(env.clerk, "all").cards]))
    reader.start()
    reader.join(0.5)  # without the lock the read would be done by now, with half a round
    release.set()
    pull.join(10)
    reader.join(10)
    assert seen["faults"] == ["空调不制冷，外机不启动"]


def test_an_action_during_a_pull_is_written_after_it(env):
    oid = env.dispatch(technician_id=env.tech.user_id)
    pull, release = _pull_in_progress(env, oid)
    done = threading.Event()
    worker = threading.Thread(target=lambda: (env.svc.actions.accept(env.tech, oid), done.set()))
    worker.start()
    worker.join(0.5)
    release.set()
    pull.join(10)
    worker.join(10)
    assert done.is_set()
    detail = env.svc.order.get(env.tech, oid)
    assert detail.status == "accepted" and detail.fault_description == "空调不制冷，外机不启动"


def test_sync_now_leaves_the_services_usable_while_it_talks_to_hq(env):
    env.dispatch(technician_id=env.tech.user_id)
    seen = {}

    def round_talking_to_hq():  # a clerk opens the orders while the round waits on the network
        clerk = threading.Thread(target=lambda: seen.update(total=env.svc.orders.page(env.clerk, "all").total))
        clerk.start()
        clerk.join(10)
        seen["waited_for_the_round"] = clerk.is_alive()

    NodeServices(env.node.store, sync_now=round_talking_to_hq).sync.sync_now(env.clerk)
    assert seen == {"total": 1, "waited_for_the_round": False}


class _WatchedTransport(LocalTransport):
    """The in-process transport, telling the test when a push reached HQ."""

    def __init__(self, hub, node_id, pushed: threading.Event):
        super().__init__(hub, node_id)
        self.pushed = pushed

    def push(self, body: bytes) -> dict:
        answer = super().push(body)
        self.pushed.set()
        return answer


def test_a_sync_round_never_pushes_a_write_that_is_then_rolled_back(env):
    """A service call appends its change, then fails before it commits (the UI's transaction
    on the connection the sync thread shares). A round that comes to its push meanwhile must
    not read that change: HQ would hold a change this node never made, and the node's next
    change would carry the same seq with another hash."""
    oid = env.dispatch(technician_id=env.tech.user_id)
    store, key = env.node.store, env.node.key
    reconciled, appended, pushed = threading.Event(), threading.Event(), threading.Event()
    transport = _WatchedTransport(env.w.hub, env.node.node_id, pushed)

    def sync_round_reaching_its_push_during_the_write():  # sync_round's steps, paused once
        hello = transport.hello()
        reconcile(store, hello["node"])
        reconciled.set()
        appended.wait(10)
        result = RoundResult()
        push_all(store, transport, key, result, hello["node"]["seq"])
        pull_all(store, transport, result, hello)

    sync = threading.Thread(target=sync_round_reaching_its_push_during_the_write)
    sync.start()
    assert reconciled.wait(10)
    with pytest.raises(RuntimeError):
        with store.tx():
            env.svc.ctx.write(env.clerk, [put("service_orders", oid, notes="写了又撤回")])
            appended.set()
            pushed.wait(1)  # without the lock the round has pushed the change by now
            raise RuntimeError("the service call fails after its write")
    sync.join(10)
    assert not sync.is_alive()
    bodies = env.w.hub.conn.execute("SELECT body FROM node_changes WHERE origin = ?", (env.node.node_id,))
    assert not any("写了又撤回" in bytes(b).decode() for b, in bodies)
    assert env.hub("service_orders", oid)["notes"] is None

    env.svc.actions.accept(env.tech, oid)  # the node's next change: HQ takes it as the next in its chain
    env.sync()
    assert env.hub("service_orders", oid)["status"] == "accepted"
    assert store.pending_count() == 0
    held = env.w.hub.conn.execute("SELECT epoch, seq, head FROM nodes WHERE node_id = ?",
                                  (env.node.node_id,)).fetchone()
    assert held == (store.epoch, *store.last())
    assert env.w.hub.conn.execute("SELECT COUNT(*) FROM fork_alerts").fetchone()[0] == 0
