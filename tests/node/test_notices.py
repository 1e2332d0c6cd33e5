"""HQ's notices in the outlet's office (node/services/notices.py): HQ's escalation job warns
the manager of an order running out of time, a real sync brings the warning, the manager
and the clerk each see it unread until they read it, newest first, with the order's number
and the message in their language; a technician is refused in words; a notice that is not
the outlet's cannot be marked."""
import pytest

from hub.services import HubServices
from hub.services.monitor import escalation_job
from fieldsync.testing.world import uid
from sync.hlc import now_ms

MIN = 60_000


def hq_notice(env, kind: str, at: int, **fields) -> str:
    nid = uid()
    env.w.hub.write([{"op": "add", "table": "notices", "id": nid, "fields": {
        "outlet_id": env.outlet, "kind": kind, "code": kind, "at": at, **fields}}])
    return nid


def test_hqs_warning_reaches_the_manager_and_the_clerk_each_reads_it_on_their_own(env):
    oid = env.dispatch(created_at=now_ms() - 100 * MIN)  # 100 of the 120 minutes to accept used
    assert escalation_job(HubServices(env.w.hub)) == {75: 1, 100: 0}
    hq_notice(env, "refused", now_ms(), message="refused op")  # the sync panel's, not the notices'
    assert env.svc.notices.unread(env.manager) == 0  # not synced yet
    env.sync()
    number = env.svc.order.get(env.manager, oid).number
    [warning] = env.svc.notices.list(env.manager)
    assert (warning.kind_label, warning.row_label, warning.order_id, warning.read) == ("时效预警", number, oid, False)
    assert warning.message.startswith(f"SLA预警：工单{number}「接单」时限已用83%")
    [en] = env.svc.notices.list(env.session(env.manager.user_id, "en"))
    assert en.message.startswith(f"SLA warning: order {number} (Accept) has used 83% of its time")
    assert (env.svc.notices.unread(env.manager), env.svc.notices.unread(env.clerk)) == (1, 1)

    env.svc.notices.mark_read(env.manager, warning.id)
    assert (env.svc.notices.unread(env.manager), env.svc.notices.unread(env.clerk)) == (0, 1)
    assert env.svc.notices.list(env.manager)[0].read and not env.svc.notices.list(env.clerk)[0].read
    env.svc.notices.mark_read(env.manager, warning.id)  # twice is once
    assert env.svc.notices.mark_all_read(env.clerk) == 1
    assert env.svc.notices.unread(env.clerk) == 0
    env.sync()  # HQ's row is as HQ wrote it; the marks stay on this device
    assert env.svc.notices.unread(env.manager) == 0
    assert env.w.hub.conn.execute("SELECT COUNT(*) FROM notices WHERE kind = 'sla_warning'").fetchone()[0] == 1


def test_newest_first_and_a_notice_without_an_order_here_opens_nothing(env):
    oid = env.dispatch()
    number = env.svc.order.get(env.manager, oid).number
    t = now_ms()
    hq_notice(env, "hq_note", t - 5 * MIN, table_name="service_orders", row_id=oid,
              detail={"key": "hq_note", "params": {"number": number, "text": "客户改约到周六"}}, message="x")
    hq_notice(env, "taken_back", t - MIN, table_name="service_orders", row_id=uid(),
              detail={"key": "taken_back", "params": {"number": "HQ-GONE", "reason": "客户要求"}}, message="y")
    hq_notice(env, "device_silent", t, row_id=uid(), message="设备“师傅平板”已2天未与总部同步")
    env.sync()
    silent, gone, note = env.svc.notices.list(env.clerk)
    assert [n.kind_label for n in (silent, gone, note)] == ["设备未同步", "工单被收回", "总部通知"]
    assert (silent.row_label, silent.order_id, silent.message) == ("", None, "设备“师傅平板”已2天未与总部同步")
    assert (gone.row_label, gone.order_id) == ("HQ-GONE", None)
    assert (note.row_label, note.order_id) == (number, oid)
    assert note.message == f"总部关于工单{number}的通知：客户改约到周六"
    assert env.svc.notices.unread(env.clerk) == 3


def test_a_technician_is_refused_and_a_strange_notice_cannot_be_marked(env):
    nid = hq_notice(env, "hq_note", now_ms(), message="x")
    env.sync()
    err = env.refused("role_forbidden", env.svc.notices.list, env.tech)
    assert err.message("zh") == "只有网点文员或网点经理可以查看总部通知。"
    assert env.svc.notices.unread(env.tech) == 0  # the shell asks for anyone: no bell for them
    env.refused("role_forbidden", env.svc.notices.mark_read, env.tech, nid)
    env.refused("not_found", env.svc.notices.mark_read, env.manager, "no-such-notice")
    assert env.svc.notices.unread(env.manager) == 1


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_refusal_is_worded_in_both_languages(env, lang):
    err = env.refused("role_forbidden", env.svc.notices.mark_all_read, env.session(env.tech.user_id, lang))
    assert ("查看总部通知" in err.message("zh")) and ("read HQ's notices" in err.message("en"))
