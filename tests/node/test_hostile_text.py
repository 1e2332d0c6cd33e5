"""Hostile text in every text field the node services accept (order notes, resolution,
decline and waiting-for-parts reasons, phoned-in order fields, parts request notes,
stocktake notes, settlement adjustment reasons, search boxes, the login name): SQL-looking
strings, NUL, right-to-left marks, emoji, combining marks, line separators and very long
strings are stored verbatim as text (trimmed of outer whitespace, as every form is),
reach HQ verbatim and come back verbatim; a search box takes any of them. A lone
surrogate (which no UTF-8 text can hold) is refused with a ServiceError naming the field
and nothing is stored half-way; the knowledge-base search looks for the words around it;
a login with one simply fails."""
import pytest

from sync.hlc import now_ms
from fieldsync.testing.outlet import HOUR

HOSTILE = {
    "sql": "'; DROP TABLE service_orders; -- \" OR 1=1 /* */",
    "nul": "前\x00后",
    "rtl": "\u202eكلمة\u202c 正常 \u200f",
    "emoji": "🧊❄️👩🏽‍🔧 OK",
    "combining": "e\u0301\u0308 Z\u0334\u0351",
    "separators": "第一行\u2028第二行\u2029第三行\r\n第四行\t",
    "bom_zw": "\ufeff零\u200b宽\u200d",
    "long": "长" * 100_000,
    "json": '{"op":"put","table":"users"}\n{"manifest":{}}',
    "control": "".join(chr(c) for c in range(1, 32) if chr(c) not in " \t\n\r") + "x",
}
LONE = "bad\ud800text"


def order_value(env, order_id, field):
    return env.svc.ctx.one(f"SELECT [{field}] FROM service_orders WHERE id = ?", (order_id,))[field]


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_order_texts_are_stored_and_synced_verbatim(env, name):
    text = HOSTILE[name]
    a, tech = env.svc.actions, env.tech
    oid = env.on_site()
    a.update_details(tech, oid, notes=text, fault_description=text)
    a.complete(tech, oid, text)
    assert order_value(env, oid, "notes") == text.strip()
    assert order_value(env, oid, "resolution") == text.strip()
    assert env.sync().rejected == []
    hub = env.hub("service_orders", oid)
    assert hub["notes"] == hub["fault_description"] == hub["resolution"] == text.strip()
    other = env.w.node(env.outlet)  # a second device of the outlet pulls the same text
    other.sync()
    assert other.store.conn.execute("SELECT resolution FROM service_orders WHERE id = ?", (oid,)).fetchone()[0] \
        == text.strip()


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_reasons_requests_counts_adjustments_and_phoned_in_orders_keep_the_text(env, name):
    text = HOSTILE[name]
    svc, clerk, tech = env.svc, env.clerk, env.tech
    declined = env.dispatch(technician_id=tech.user_id)
    svc.actions.decline(tech, declined, text)
    waiting = env.on_site()
    svc.actions.wait_for_parts(tech, waiting, text)
    created = svc.actions.create(clerk, contact_name=text, contact_phone="13912345678", address=text,
                                 fault_description=text, notes=text)
    rid = svc.requests.create_draft(clerk, note=text, use_suggestions=False)
    cid = svc.stocktake.open(clerk, note=text)
    assert env.sync().rejected == []
    want = text.strip()
    events = env.w.hub.conn.execute("SELECT reason FROM order_events WHERE order_id IN (?, ?) AND reason IS NOT NULL",
                                    (declined, waiting)).fetchall()
    assert sorted(r[0] for r in events) == [want, want]
    hub_order = env.hub("service_orders", created.id)
    assert hub_order["contact_name"] == hub_order["address"] == hub_order["notes"] == want
    assert env.hub("parts_requests", rid)["note"] == want
    assert env.hub("stock_counts", cid)["note"] == want


def completed_order_in_settlement(env):
    oid = env.on_site()
    env.svc.actions.complete(env.tech, oid, "已修好")
    period = __import__("shared.periods", fromlist=["period_of"]).period_of(now_ms())
    sid = env.svc.settlements.draft(env.clerk, period)
    return oid, sid


@pytest.mark.parametrize("name", ["sql", "nul", "rtl", "emoji", "long"])
def test_settlement_adjustment_reason_is_kept(env, name):
    text = HOSTILE[name]
    oid, sid = completed_order_in_settlement(env)
    env.svc.settlements.adjust(env.clerk, sid, oid, -300, text)
    assert env.sync().rejected == []
    line = env.w.hub.conn.execute("SELECT adjustment_reason FROM settlement_lines WHERE settlement_id = ?",
                                  (sid,)).fetchone()[0]
    assert line == text.strip()


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_search_boxes_and_login_take_any_text(env, name):
    text = HOSTILE[name]
    env.dispatch()
    assert isinstance(env.svc.kb.search(env.clerk, text), tuple)
    assert isinstance(env.svc.orders.page(env.clerk, search=text).cards, tuple)
    with pytest.raises(Exception) as exc:
        env.svc.login(text, text, pin=True)
    too_long = len(text.strip()) > 64  # refused before anything is stored (tests/security)
    assert getattr(exc.value, "code", None) == ("login_too_long" if too_long else "login_failed")


def test_a_lone_surrogate_is_refused_in_every_text_field_and_nothing_is_stored(env):
    svc, clerk, tech = env.svc, env.clerk, env.tech
    oid = env.on_site()
    fresh = env.dispatch(technician_id=tech.user_id)
    env.refused("bad_text", svc.actions.update_details, tech, oid, notes=LONE)
    env.refused("bad_text", svc.actions.complete, tech, oid, LONE)
    env.refused("bad_text", svc.actions.wait_for_parts, tech, oid, LONE)
    env.refused("bad_text", svc.actions.decline, tech, fresh, LONE)
    err = env.refused("bad_text", svc.actions.create, clerk, contact_name="王先生", contact_phone="13912345678",
                      address=LONE, fault_description="不制冷")
    assert err.field == "address" and "地址" in err.message("zh") and "address" in err.message("en")
    env.refused("bad_text", svc.requests.create_draft, clerk, note=LONE)
    env.refused("bad_text", svc.stocktake.open, clerk, note=LONE)
    assert isinstance(svc.kb.search(clerk, LONE), tuple)  # searches the words around it; stores nothing
    env.refused("bad_text", svc.orders.page, clerk, search=LONE)
    env.refused("login_failed", svc.login, LONE, "1234", pin=True)
    svc.actions.complete(tech, oid, "已修好")
    period = __import__("shared.periods", fromlist=["period_of"]).period_of(now_ms())
    sid = svc.settlements.draft(clerk, period)
    env.refused("bad_text", svc.settlements.adjust, clerk, sid, oid, 100, LONE)
    assert env.sync().rejected == []


def test_appointment_and_quantities_refuse_text(env):
    oid = env.dispatch(technician_id=env.tech.user_id)
    env.svc.actions.accept(env.tech, oid)
    env.refused("bad_time", env.svc.actions.schedule, env.tech, oid, "'; DROP TABLE x; --")
    env.refused("bad_time", env.svc.actions.schedule, env.tech, oid, now_ms() + 0.5 * HOUR)
    rid = env.svc.requests.create_draft(env.clerk, use_suggestions=False)
    env.refused("bad_qty", env.svc.requests.set_qty, env.clerk, rid, "P-2001", "3")
