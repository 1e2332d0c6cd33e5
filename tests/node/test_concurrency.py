"""The background sync and the services share one SQLite connection. A pull is applied in
one transaction; a clerk's list read in the middle of it would show half a round, and an
action checked in the middle could be written against a status the round is changing.
Every service call waits for the transaction in progress — and only for that: "sync now"
talking to HQ leaves every screen usable."""
import threading

from node.services import NodeServices


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
