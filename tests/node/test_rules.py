"""The pure rules the node and the hub share (shared/): SLA clocks, warranty, fees, the
parts suggestion, phone masking, periods and the search tokenizer."""
from datetime import date

from hypothesis import given, strategies as st

from shared import fees, phone, search, sla, stock, warranty
from shared.orders import Status
from shared.periods import DAY_MS, period_bounds, period_of, valid_period

POLICY = {"accept_within_min": 120, "on_site_within_min": 1440, "complete_within_min": 4320}


@given(status=st.sampled_from(list(Status)), created=st.integers(0, 10**12),
       elapsed=st.integers(0, 10 * DAY_MS))
def test_the_fast_overdue_check_agrees_with_the_full_clock(status, created, elapsed):
    now = created + elapsed
    clock = sla.sla_clock(created_at=created, policy=POLICY, status=status, events=[], now=now)
    due = sla.running_due(created_at=created, policy=POLICY, status=status)
    nxt = clock.next
    assert (nxt.name, nxt.due_at) == due if nxt else due is None
    assert clock.overdue == (due is not None and due[1] < now)


def test_waiting_for_parts_pauses_only_the_running_clock():
    h = 3600 * 1000
    events = [("accepted", 1 * h), ("scheduled", 2 * h), ("en_route", 3 * h), ("on_site", 4 * h),
              ("waiting_parts", 5 * h), ("scheduled", 29 * h)]
    clock = sla.sla_clock(created_at=0, policy=POLICY, status="scheduled", events=events, now=30 * h)
    accept, on_site, complete = clock.milestones
    assert accept.met and not accept.breached and on_site.met
    assert complete.due_at == 72 * h + 24 * h and complete.remaining_ms == (72 + 24 - 30) * h
    declined = sla.sla_clock(created_at=0, policy=POLICY, status="declined", events=[("declined", 3 * h)], now=9 * h)
    assert declined.milestones[0].stopped and declined.milestones[0].breached and not declined.overdue
    assert sla.policy_for([{"type": "repair", "priority": "normal", "active": True, **POLICY}],
                          "repair", "urgent")["accept_within_min"] == 120  # falls back to normal


def test_warranty():
    assert warranty.add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    w = warranty.warranty_status("2020-03-01", None, "AC", date(2026, 2, 28))
    assert (w.state, w.months, w.until) == ("in", 72, date(2026, 2, 28))
    assert warranty.warranty_status("2020-03-01", None, "AC", date(2026, 3, 1)).state == "out"
    assert warranty.warranty_status("2020-03-01", 12, "AC", date(2020, 6, 1)).months == 12
    assert warranty.warranty_status("not a date", None, "XX", date(2020, 6, 1)).state == "unknown"
    assert warranty.months_for(None, "XX") == warranty.DEFAULT_MONTHS


def test_fees_and_suggestion():
    rules = [{"id": "a", "type": "repair", "category": "AC", "visit_fee": 3000, "labour_fee": 8000},
             {"id": "b", "type": "repair", "category": None, "visit_fee": 2000, "labour_fee": 5000},
             {"id": "c", "type": "repair", "category": "WM", "visit_fee": 1, "labour_fee": 1, "active": False}]
    assert fees.match_rule(rules, "repair", "AC")["id"] == "a"
    assert fees.match_rule(rules, "repair", "WM")["id"] == "b"  # inactive exact rule: the wildcard
    assert fees.match_rule(rules, "install", "AC") is None
    f = fees.order_fees(rules, "repair", "AC", [(2, 2500, True), (1, 9000, False)])
    assert (f.parts_fee, f.visit_fee, f.labour_fee) == (5000, 3000, 8000)
    assert fees.settlement_total([{"parts_fee": 5000, "visit_fee": 3000, "labour_fee": 8000,
                                   "deduction": 1000, "adjustment": -500}]) == 14500
    assert stock.suggest_qty(consumed=10, safety_stock=2, on_hand=1, in_transit=1) == 4  # ceil(10/3)+2-2
    assert stock.suggest_qty(consumed=0, safety_stock=0, on_hand=5, in_transit=0) == 0


def test_phone_and_periods():
    assert phone.mask("13812345678") == "138****5678"
    assert phone.mask("021-6234 5678") == "021****5678" and phone.mask("6234 5678") == "****5678"
    assert phone.plausible("139 1234 8888") and phone.plausible("021-62345678") and not phone.plausible("12ab")
    start, end = period_bounds("2025-12")
    assert period_of(start) == "2025-12" and period_of(end) == "2026-01" and period_of(end - 1) == "2025-12"
    assert not valid_period("2025-13") and not valid_period("25-01")


def test_tokenizer():
    assert search.index_tokens("室内机漏水") == "室内 内机 机漏 漏水 水"
    assert search.index_tokens("KFR-35GW/BpR3") == "kfr 35gw bpr3 kfr35gwbpr3"
    assert search.match_expression("不制冷 E4") == '"不制 制冷" AND "e4"'
    assert search.match_expression("BCD-470") == '("bcd 470"* OR "bcd470"*)'  # separators anywhere, or none
    synonyms = search.synonym_map([["滴水", "漏水"], ["制冷差", "不制冷"]])
    assert search.match_expression("空调制冷差", synonyms) == '"空调" AND ("不制 制冷" OR "制冷 冷差")'
    assert search.match_expression("漏") == '"漏"*'
    assert search.match_expression('"*()') is None
