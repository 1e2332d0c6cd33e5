"""HQ's settings (#15 item 8), on both stores: an admin sets callback sampling per order
type, the callback delay, the approval amounts per level and the stocktake variance
limits; the callback job and the approval rules follow at their next use; each change is
one audit line (old → new); bad input or another role is refused in words and changes
nothing."""
from hub.services.hq_settings import SPECS
from hub.services.monitor import escalation_job
from hub.services.order_query import QueryFilter
from shared import approvals
from shared import callbacks as cb
from shared.sla import MINUTE_MS

from tests.hub.test_admin_network import refused
from tests.hub.test_callbacks import completed_orders
from tests.hub.test_order_query import a_customer, call, every


def state(services):
    q = services.ctx.query
    return (q("SELECT key, value FROM hq_settings ORDER BY key"),
            q("SELECT subject, detail FROM hq_audit WHERE action = 'setting_changed' ORDER BY subject"))


def test_the_defaults_are_the_shared_rules_until_hq_changes_them(services, admin):
    s = services.settings
    shown = {x.key: x for x in s.all(admin)}
    assert set(shown) == set(SPECS)
    assert shown["callback_sample_pct.repair"].value == cb.SAMPLING_PCT["repair"]
    assert shown["callback_delay_min"].value * 60_000 == cb.DELAY_MS
    assert s.level_limits() == approvals.LEVEL_LIMITS
    assert s.levels_needed(approvals.LEVEL_LIMITS[0] + 1) == 2
    assert all(x.updated_at is None for x in shown.values())


def test_the_callback_job_follows_the_sampling_and_delay_hq_sets(services, admin, clock):
    s = services.settings
    assert s.save(admin, {"callback_sample_pct.repair": "100", "callback_sample_pct.install": 0,
                          "callback_delay_min": "60", "callback_sample_pct.maintenance": cb.SAMPLING_PCT[
                              "maintenance"]}) == 3  # an unchanged value is no change
    completed = completed_orders(services)
    due = [o for o in completed if o["completed_at"] + 60 * 60_000 <= clock()]
    repairs = [o for o in due if o["type"] == "repair"]
    installs = [o for o in due if o["type"] == "install"]
    assert repairs and installs
    services.callbacks.run_job()
    tasks = {r["order_id"]: r for r in services.ctx.query("SELECT * FROM hq_callbacks WHERE status = 'open'")}
    assert all(o["id"] in tasks for o in repairs)            # every repair is called back
    assert not any(o["id"] in tasks for o in installs)       # no installation is
    assert all(tasks[o["id"]]["due_at"] == o["completed_at"] + 60 * 60_000 for o in repairs)
    audit = services.ctx.query("SELECT subject, detail, user_id FROM hq_audit WHERE action = 'setting_changed' "
                               "ORDER BY subject")
    assert [(a["subject"], a["detail"]) for a in audit] == [
        ("callback_delay_min", f"{cb.DELAY_MS // 60_000} → 60"),
        ("callback_sample_pct.install", f"{cb.SAMPLING_PCT['install']} → 0"),
        ("callback_sample_pct.repair", f"{cb.SAMPLING_PCT['repair']} → 100")]
    assert {a["user_id"] for a in audit} == {admin.user_id}


def test_approval_levels_and_variance_limits_follow_hq(services, admin):
    s = services.settings
    s.save(admin, {"approval_level2_fen": "100", "approval_level3_fen": "¥1,000", "variance_max_qty": "0",
                   "variance_max_fen": 0})
    assert s.level_limits() == (10_000, 100_000)
    assert [s.levels_needed(a) for a in (10_000, 10_001, 100_001)] == [1, 2, 3]
    assert not s.auto_posts(1, 100) and s.auto_posts(0, 100)
    shown = {x.key: x for x in s.all(admin)}
    assert shown["approval_level2_fen"].value == 10_000 and shown["approval_level2_fen"].updated_at is not None


def test_bad_values_and_other_roles_are_refused_and_change_nothing(services, admin, agent, approver):
    s = services.settings
    before = state(services)
    refused("bad_pct", s.save, admin, {"callback_delay_min": "30", "callback_sample_pct.repair": "120"})
    refused("negative_amount", s.save, admin, {"variance_max_fen": "-5"})
    refused("bad_number", s.save, admin, {"callback_delay_min": "一天"})
    refused("hs_levels_order", s.save, admin, {"approval_level3_fen": "100"})
    refused("bad_choice", s.save, admin, {"no_such_setting": 1})
    for who in (agent, approver):
        refused("role_forbidden", s.save, who, {"callback_delay_min": "30"})
        refused("role_forbidden", s.all, who)
    assert state(services) == before


def test_the_escalation_job_warns_outlets_at_the_level_hq_sets(services, admin):
    services.settings.save(admin, {"sla_warning_level": "50"})
    sent = services.monitor.escalate()
    rows = services.ctx.query("SELECT level, notice_id, outlet_id FROM hq_escalations")
    warned = [r for r in rows if r["level"] == 50]
    assert warned and sent[75] == len(warned)  # the job's count of warnings
    assert not any(r["level"] == 75 for r in rows)
    assert all(r["notice_id"] for r in warned if r["outlet_id"])  # each outlet's manager is told


def test_the_sla_warning_level_is_one_the_clocks_mark(services, admin):
    before = state(services)
    refused("hs_sla_level", services.settings.save, admin, {"sla_warning_level": "60"})
    refused("hs_sla_level", services.settings.save, admin, {"sla_warning_level": "100"})
    assert state(services) == before


def test_the_ticket_query_calls_an_order_warned_at_hq_s_level_a_warning(services, admin, agent, clock):
    services.settings.save(admin, {"sla_warning_level": "50"})
    policy = services.ctx.one("SELECT * FROM sla_policies WHERE type = 'repair' AND priority = 'normal'")
    customer = a_customer(services)
    warned = call(services, agent, customer).order_id
    clock.advance(policy["accept_within_min"] * MINUTE_MS * 6 // 10)   # 60 % of its time used
    escalation_job(services)

    def ids(state):
        return {r.id for r in every(services, agent, QueryFilter(sla=state, text=customer["phone"]))}
    assert warned in ids("warning") and warned not in ids("ok") and warned not in ids("overdue")
