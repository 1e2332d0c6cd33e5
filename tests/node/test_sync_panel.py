"""The sync panel: pending changes, last sync, reachability, and refused changes in words
with the order they concerned."""
from node.services import NodeServices
from sync.http_client import HubUnreachable


def test_pending_refused_and_sync_now(env):
    oid = env.dispatch()
    number = env.svc.order.get(env.clerk, oid).number
    other = env.w.node(env.outlet)
    other.sync()
    other_svc = NodeServices(other.store)
    other_svc.actions.decline(env.session(env.clerk.user_id), oid, "无配件")  # another desk declines it …
    other.sync()
    env.svc.actions.accept(env.tech, oid)  # … while this tablet, offline, accepts it
    view = env.svc.sync.view(env.tech)
    assert view.pending == 1 and view.refused == () and view.last_sync_at is None
    view = env.svc.sync.sync_now(env.tech)
    assert view.pending == 0 and view.hub_reachable and view.last_sync_at is not None
    [refused] = view.refused
    assert refused.code == "bad_transition" and refused.row_label == number
    assert refused.reason == "工单状态已变化，此操作不再允许。" and refused.table_label == "工单状态"
    assert env.svc.sync.view(env.session(env.tech.user_id, "en")).refused[0].reason.startswith("The order's status")
    # HQ's explanation too, in the reader's language, the statuses in words
    assert refused.detail == f"总部记录中工单{number}为“网点退单”，不能改为“已接单”。"
    en = env.svc.sync.view(env.session(env.tech.user_id, "en")).refused[0]
    assert en.detail == f"Order {number} cannot go from Declined to Accepted."
    assert env.svc.order.get(env.tech, oid).status == "declined"  # HQ's word came back


def test_unreachable_hub_is_reported_in_words(env):
    def down():
        raise HubUnreachable("connection refused")
    svc = NodeServices(env.node.store, sync_now=down)
    view = svc.sync.sync_now(env.clerk)
    assert view.hub_reachable is False and view.last_error.startswith("无法连接总部服务器")
    env.refused("sync_unavailable", NodeServices(env.node.store).sync.sync_now, env.clerk)


def test_status_comes_from_the_background_sync_when_given(env):
    status = {"last_success_at": 1_771_000_000_000, "hub_reachable": True, "last_error": None}
    view = NodeServices(env.node.store, sync_status=lambda: status).sync.view(env.clerk)
    assert view.last_sync_at == 1_771_000_000_000 and view.hub_reachable
