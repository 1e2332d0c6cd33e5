"""Call intake at HQ: the agent finds a returning caller by phone (with their orders and
membership), creates a new one, and records what they asked for — a repair becomes a
dispatched order, a consult names the article that answered, a complaint lands in a
department queue, praise is linked to its order. Refusals change nothing."""
import dataclasses
import types

import pytest

from shared.errors import ServiceError
from shared.labels import label
from shared.sla import MINUTE_MS
from tests.hub.conftest import NOW


def refused(services, code, fn, *args, **kwargs) -> ServiceError:
    """Call an action that must be refused with `code`, and check nothing was stored."""
    before = counts(services)
    with pytest.raises(ServiceError) as e:
        fn(*args, **kwargs)
    assert e.value.code == code, e.value
    assert e.value.message("zh") and e.value.message("en")
    assert counts(services) == before
    return e.value


def counts(services) -> dict:
    tables = ("customers", "service_orders", "hq_requests", "hq_complaints", "hq_dispatches", "bucket_changes")
    out = {t: services.ctx.scalar(f"SELECT COUNT(*) FROM {t}") for t in tables}
    out["counter"] = services.ctx.hub.meta_get("hq_order_counter")
    return out


def returning(services) -> dict:
    """A demo member with at least two orders."""
    return services.ctx.one(
        "SELECT c.* FROM customers c JOIN service_orders o ON o.customer_id = c.id "
        "WHERE c.member_level IS NOT NULL GROUP BY c.id HAVING COUNT(*) >= 2 ORDER BY c.id LIMIT 1")


def model(services, category="AC") -> dict:
    return services.ctx.one("SELECT * FROM product_models WHERE category = ? ORDER BY code LIMIT 1", (category,))


# a fault picked from the demo's master data (AC01 空调不制冷, AC02 室内机漏水), in the agent's words
NO_COOLING = {"fault_code": "AC01", "fault_description": "不制冷"}
LEAK = {"fault_code": "AC02", "fault_description": "漏水"}
NEW_CALLER = {"name": "赵小红", "phone": "139 1234 0001", "city": "上海",
              "address": "上海市徐汇区漕溪北路88号3栋1201室"}


def test_a_returning_caller_is_found_by_number_or_its_tail_with_history_and_membership(services, agent):
    cust = returning(services)
    full = services.intake.lookup(agent, cust["phone"])
    assert full.returning and [c.id for c in full.customers] == [cust["id"]]
    card = full.customers[0]
    assert card.member and card.customer.member_level == cust["member_level"]
    assert (card.customer.name, card.customer.phone) == (cust["name"], cust["phone"])
    assert len(card.orders) >= 2
    first = card.orders[0]
    assert first.number.startswith("HQ-") and first.status and first.model_code and first.outlet_name
    assert first.status_label == label("status", first.status) and first.type_label == label("order_type", first.type)
    assert [o.created_at for o in card.orders] == sorted((o.created_at for o in card.orders), reverse=True)
    english = services.intake.lookup(dataclasses.replace(agent, lang="en"), cust["phone"]).customers[0].orders[0]
    assert english.status_label == label("status", first.status, "en") != first.status_label
    tail = services.intake.lookup(agent, cust["phone"][-6:])
    assert cust["id"] in [c.id for c in tail.customers]
    spaced = services.intake.lookup(agent, "+86 " + cust["phone"][:3] + "-" + cust["phone"][3:])
    assert [c.id for c in spaced.customers] == [cust["id"]]


def test_an_unknown_number_is_a_new_caller(services, agent):
    assert not services.intake.lookup(agent, "13900000000").returning


@pytest.mark.parametrize("query", ["", "123", "abc12345", "1" * 16])
def test_a_lookup_needs_a_number_or_at_least_four_digits(services, agent, query):
    e = refused(services, "phone_query", services.intake.lookup, agent, query)
    assert "后4位" in e.message("zh")


def test_an_approver_does_not_take_calls(services, approver):
    cust = returning(services)
    e = refused(services, "role_forbidden", services.intake.lookup, approver, cust["phone"])
    assert "坐席" in e.message("zh")
    refused(services, "role_forbidden", services.intake.record_request, approver, type="praise",
            customer_id=cust["id"], summary="师傅很专业")


def test_the_agent_creates_and_edits_a_customer(services, agent, hub):
    cid = services.intake.save_customer(agent, **NEW_CALLER)
    row = hub.rows("customers", "id = ?", (cid,))[0]
    assert row["phone"] == "13912340001" and row["created_at"] == NOW and row["member_level"] is None
    assert [c.id for c in services.intake.lookup(agent, "0001").customers] == [cid]
    services.intake.save_customer(agent, cid, **{**NEW_CALLER, "member_level": "银卡会员"})
    assert services.intake.card(agent, cid).customer.member_level == "银卡会员"


def test_a_customer_with_a_taken_or_invalid_number_or_no_name_is_refused(services, agent):
    cust = returning(services)
    e = refused(services, "phone_taken", services.intake.save_customer, agent,
                **{**NEW_CALLER, "phone": cust["phone"]})
    assert cust["name"] in e.message("zh")
    refused(services, "bad_phone", services.intake.save_customer, agent, **{**NEW_CALLER, "phone": "12-34"})
    e = refused(services, "required", services.intake.save_customer, agent, **{**NEW_CALLER, "name": " "})
    assert "客户姓名" in e.message("zh")
    refused(services, "bad_choice", services.intake.save_customer, agent, **{**NEW_CALLER, "member_level": "黑卡"})


def test_a_repair_call_becomes_a_dispatched_hq_order_with_sla_due_times(services, agent, hub):
    cust = returning(services)
    m = model(services)
    top = max(int(r["number"][3:]) for r in hub.rows("service_orders"))
    rec = services.intake.record_request(agent, type="repair", customer_id=cust["id"], summary="空调不制冷，有异响",
                                         order={"product_model_id": m["id"], **NO_COOLING,
                                                "serial_no": "KFR123", "purchase_date": "2025-06-01"})
    order = hub.rows("service_orders", "id = ?", (rec.order_id,))[0]
    assert rec.order_number == order["number"] == f"HQ-{top + 1:07d}"
    assert order["status"] == "new" and order["source"] == "hub" and order["created_at"] == NOW
    assert order["outlet_id"] == rec.outlet_id and order["customer_id"] == cust["id"]
    assert (order["contact_name"], order["contact_phone"], order["address"]) \
        == (cust["name"], cust["phone"], cust["address"])
    assert (order["serial_no"], order["purchase_date"], order["fault_description"]) \
        == ("KFR123", "2025-06-01", "不制冷")
    policy = hub.rows("sla_policies", "type = 'repair' AND priority = 'normal'")[0]
    assert order["sla_accept_due"] == NOW + policy["accept_within_min"] * MINUTE_MS
    assert order["sla_on_site_due"] == NOW + policy["on_site_within_min"] * MINUTE_MS
    assert order["sla_complete_due"] == NOW + policy["complete_within_min"] * MINUTE_MS
    req = services.ctx.row("hq_requests", rec.request_id)
    assert (req["type"], req["order_id"], req["summary"]) == ("repair", rec.order_id, "空调不制冷，有异响")
    card = services.intake.card(agent, cust["id"])
    assert card.orders[0].number == rec.order_number and card.requests[0].about == rec.order_number
    assert (card.requests[0].type_label, card.requests[0].summary) == ("维修", "空调不制冷，有异响")
    # the next call gets the next number
    again = services.intake.record_request(agent, type="install", customer_id=cust["id"],
                                           order={"product_model_id": m["id"]})
    assert again.order_number == f"HQ-{top + 2:07d}"


def test_a_new_caller_and_their_install_are_recorded_in_one_go(services, agent, hub):
    m = model(services)
    rec = services.intake.record_request(agent, type="install", customer=NEW_CALLER,
                                         order={"product_model_id": m["id"], "priority": "normal"})
    order = hub.rows("service_orders", "id = ?", (rec.order_id,))[0]
    assert order["type"] == "install" and order["contact_phone"] == "13912340001"
    outlet = hub.rows("outlets", "id = ?", (rec.outlet_id,))[0]
    assert "上海" in outlet["coverage"]


def test_a_refused_order_leaves_no_customer_and_no_request_behind(services, agent):
    m = model(services)
    refused(services, "fault_required", services.intake.record_request, agent, type="repair", customer=NEW_CALLER,
            order={"product_model_id": m["id"], "fault_description": " "})
    refused(services, "bad_date", services.intake.record_request, agent, type="repair", customer=NEW_CALLER,
            order={"product_model_id": m["id"], **LEAK, "purchase_date": "2099-01-01"})
    refused(services, "bad_choice", services.intake.record_request, agent, type="repair", customer=NEW_CALLER,
            order={"product_model_id": "no-such-model", **LEAK})
    refused(services, "bad_choice", services.intake.record_request, agent, type="visit", customer=NEW_CALLER,
            summary="?")


def test_a_consult_is_answered_from_the_knowledge_base_and_names_the_article(services, agent):
    cust = returning(services)
    hits = services.intake.search_kb(agent, "漏水")
    assert hits and all("漏水" in h.title or "漏水" in h.snippet for h in hits)
    code_hits = services.intake.search_kb(agent, "E4")
    assert all("E4" in h.fault_codes for h in code_hits)
    rec = services.intake.record_request(agent, type="consult", customer_id=cust["id"], summary="空调室内机滴水怎么办",
                                         kb_article_id=hits[0].id)
    req = services.ctx.row("hq_requests", rec.request_id)
    assert req["kb_article_id"] == hits[0].id and req["order_id"] is None
    assert services.intake.card(agent, cust["id"]).requests[0].about == hits[0].title
    refused(services, "not_found", services.intake.record_request, agent, type="consult", customer_id=cust["id"],
            summary="?", kb_article_id="no-such-article")
    refused(services, "required", services.intake.record_request, agent, type="consult", customer_id=cust["id"],
            summary="")


def test_an_article_the_admin_edits_is_found_by_its_new_words(services, agent, hub):
    art = hub.rows("kb_articles", "audience LIKE '%hq_agent%'", order="id LIMIT 1")[0]  # one an agent may read
    assert not services.intake.search_kb(agent, "量子除霜")
    hub.write([{"op": "put", "table": "kb_articles", "id": art["id"], "fields": {"title": "量子除霜技巧"}}])
    assert [h.id for h in services.intake.search_kb(agent, "量子除霜")] == [art["id"]]
    hub.write([{"op": "put", "table": "kb_articles", "id": art["id"], "fields": {"active": False}}])
    assert not services.intake.search_kb(agent, "量子除霜")


def test_a_complaint_goes_to_the_department_queue_with_a_deadline(services, agent, approver):
    cust = returning(services)
    order = services.ctx.one("SELECT id FROM service_orders WHERE customer_id = ?", (cust["id"],))
    rec = services.intake.record_request(agent, type="complaint", customer_id=cust["id"], summary="师傅上门迟到三小时",
                                         department_id="dept-customer", severity="serious", order_id=order["id"])
    queue = services.complaints.queue(approver, "dept-customer")
    assert [c.id for c in queue] == [rec.complaint_id]
    c = queue[0]
    assert c.deadline_at == rec.deadline_at == NOW + 24 * 3_600_000 and c.request_id == rec.request_id
    assert c.order_id == order["id"] and c.customer_id == cust["id"] and c.source == "call"
    assert (rec.department_name("zh"), rec.department_name("en")) == ("客户关系部", "Customer relations")
    assert services.ctx.row("hq_requests", rec.request_id)["complaint_id"] == rec.complaint_id
    refused(services, "bad_choice", services.intake.record_request, agent, type="complaint", customer_id=cust["id"],
            summary="态度差", department_id="dept-nowhere")


def test_praise_is_recorded_and_linked_to_the_customers_order(services, agent):
    cust = returning(services)
    order = services.ctx.one("SELECT id FROM service_orders WHERE customer_id = ?", (cust["id"],))
    rec = services.intake.record_request(agent, type="praise", customer_id=cust["id"], summary="李师傅很专业",
                                         order_id=order["id"])
    assert services.ctx.row("hq_requests", rec.request_id)["order_id"] == order["id"]
    other = services.ctx.one("SELECT id FROM service_orders WHERE customer_id != ? LIMIT 1", (cust["id"],))
    refused(services, "order_of_other_customer", services.intake.record_request, agent, type="praise",
            customer_id=cust["id"], summary="好", order_id=other["id"])
    number = services.ctx.row("service_orders", order["id"])["number"]
    assert [(r.type, r.about) for r in services.intake.requests(agent, "praise")] == [("praise", number)]


class FakeShell:
    """The HQ shell without a browser: views build their controls, actions call the
    services, refusals are collected instead of shown."""

    def __init__(self, services, session, lang="zh"):
        from hub.ui.text import t
        self.services, self.session, self.lang, self._t = services, session, lang, t
        self.errors, self.toasts, self.view, self.dialogs = [], [], None, []
        self.page = types.SimpleNamespace(run_task=lambda fn: None, show_dialog=self.dialogs.append,
                                          pop_dialog=lambda: None)

    def dialog_width(self, want):
        return want

    def t(self, key, **params):
        return self._t(key, self.lang, **params)

    def run(self, fn, *args, done=None, **kwargs):
        try:
            result = fn(*args, **kwargs)
        except ServiceError as exc:
            self.errors.append(exc.code)
            return False, None
        if done:
            self.toasts.append(self.t(done))
        return True, result

    def toast(self, text):
        self.toasts.append(text)

    def render(self):
        self.built = self.view.build()


def test_the_intake_screen_records_a_complaint_and_praise(services, agent, approver):
    from hub.ui.views.intake import IntakeView
    cust = returning(services)
    sh = FakeShell(services, agent)
    v = sh.view = IntakeView(sh)
    v._lookup(cust["phone"])
    assert v.customer_id == cust["id"]
    for kind in ("repair", "install", "consult", "complaint", "praise"):
        v._kind(kind)  # every request form builds
    v._kind("consult")
    v._kb("漏水")
    first = services.intake.search_kb(agent, "漏水")[0]
    v._read(first.id)  # the article in full, for reading out
    assert not sh.errors and v.kb_open == first.id
    assert services.intake.article(agent, first.id).body.startswith("【适用】")
    v._kind("complaint")
    v.summary, v.department, v.severity = "师傅态度差", "dept-quality", "serious"
    card = services.intake.card(agent, cust["id"])
    v._feedback_done(card)
    assert not sh.errors and "质量管理部" in v.done()
    sh.lang = "en"
    assert "Quality" in v.done() and "质量管理部" not in v.done()  # worded when shown
    sh.lang = "zh"
    assert services.complaints.queue(approver, "dept-quality")[0].summary == "师傅态度差"
    v._kind("praise")
    v._feedback_done(card)
    assert sh.errors == ["required"]  # praise without words is refused in words
    v.summary, v.linked_order = "谢谢师傅", card.orders[0].id
    v._feedback_done(card)
    assert v.done() == "赞誉已记录"
    sh.lang = "en"
    assert v.done() == "Praise recorded"
