"""The demo: its data is plausible and consistent (sizes, Chinese names, numbers, every
order's history leads to its status, stock never below zero), the headless run converges,
and the live demo starts a hub and two nodes and stops them all."""
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pytest

from fieldsync.demo.served import node_serve_options
from fieldsync.demo.data import DEMO_PASSWORD, SMALL, generate
from fieldsync.demo.headless import run_headless
from hub.services import HubServices
from shared import callbacks as cb
from shared import vocabulary
from shared.fees import is_repeat_repair
from shared.reports import REPEAT_DAYS
from shared.orders import HUB, OUTLET, Status, can_transition
from fieldsync.cli import main
from shared.passwords import check_password
from shared.periods import DAY_MS, ms_of
from sync.hub_store import HubStore
from fieldsync.testing.processes import free_port

NOW = 1_790_000_000_000  # a fixed "now" makes the data identical for the same seed
CHINESE = re.compile(r"^[\u4e00-\u9fff·]{2,4}$")


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    store = HubStore(tmp_path_factory.mktemp("demo") / "hub.db")
    store.data = generate(store, seed=6, now=NOW, sizes=SMALL)
    yield store
    store.close()


def rows(hub, table, where="", params=(), order=""):
    return hub.rows(table, where, params, order)


def status_reachable(events: list[str], status: str) -> bool:
    """Do these event statuses (in time order), then HQ's close or cancel, lead from new
    to `status` through legal transitions?"""
    current = str(Status.NEW)
    for to in events:
        if not can_transition(current, to, OUTLET):
            return False
        current = to
    return status == current or can_transition(current, status, HUB)


def test_the_vocabulary_ships_with_the_package():
    v = vocabulary.vocabulary()
    assert [r["code"] for r in v["regions"]] == ["BJ", "SH", "GZ"]
    assert {c["code"] for c in v["categories"]} == {"AC", "WM", "RF", "WH", "RH"}
    assert all(city in v["districts"] for r in v["regions"] for city in r["cities"])


def test_sizes_and_reference_data(hub):
    s = SMALL
    outlets = rows(hub, "outlets", order="code")
    assert [o["code"] for o in outlets] == ["BJ01", "BJ02", "GZ01", "GZ02", "SH01", "SH02"]
    assert {o["region"] for o in outlets} == {r["name"] for r in vocabulary.regions()}
    for o in outlets:
        region = next(r for r in vocabulary.regions() if r["name"] == o["region"])
        assert set(json.loads(o["coverage"])) <= set(region["cities"]) and o["city"] in region["cities"]
        assert json.loads(o["qualifications"]) and o["capacity"] > 0 and o["name"].endswith("服务网点")
    users = rows(hub, "users")
    by_role = defaultdict(int)
    for u in users:
        by_role[u["role"]] += 1
    assert dict(by_role) == {"technician": s.technicians, "clerk": 6, "outlet_manager": 6,
                             "hq_agent": 3, "hq_approver": 1}
    assert len(rows(hub, "customers")) == s.customers
    assert len(rows(hub, "parts")) == s.parts
    assert len(rows(hub, "kb_articles")) == s.kb_articles
    audiences = [json.loads(a["audience"]) for a in rows(hub, "kb_articles")]
    for role in ("technician", "clerk", "hq_agent"):  # every reader finds answers in the demo
        assert any(role in a for a in audiences), role
    assert any(a == ["technician"] for a in audiences)  # repair steps stay the technicians'
    assert len(rows(hub, "service_orders")) == s.orders
    assert len(rows(hub, "fee_rules")) >= 10 and len(rows(hub, "sla_policies")) >= 4
    assert len(rows(hub, "survey_templates")) >= 3 and len(rows(hub, "product_models")) >= 20


def test_people_have_chinese_names_and_the_demo_password(hub):
    users = rows(hub, "users")
    assert all(CHINESE.match(u["display_name"]) for u in users)
    assert len({u["username"] for u in users}) == len(users)
    assert all(u["outlet_id"] for u in users if u["role"] in ("technician", "clerk", "outlet_manager"))
    assert check_password(DEMO_PASSWORD, users[0]["password_hash"])
    customers = rows(hub, "customers")
    assert all(CHINESE.match(c["name"]) for c in customers)
    assert all(re.fullmatch(r"1[3-9]\d{9}", c["phone"]) for c in customers)
    assert len({c["phone"] for c in customers}) == len(customers)
    assert all(c["address"].startswith(c["city"]) for c in customers)


def test_parts_prices_fall_in_the_vocabulary_ranges(hub):
    ranges = defaultdict(list)
    for cat in vocabulary.categories():
        for p in cat["parts"]:
            ranges[(cat["code"], p["name"])].append(p["price"])
    for part in rows(hub, "parts"):
        base = part["name"].split("（")[0]
        assert any(lo <= part["unit_price"] <= hi for lo, hi in ranges[(part["category"], base)]), part
    assert len({p["sku"] for p in rows(hub, "parts")}) == SMALL.parts


def test_orders_are_numbered_placed_and_timed(hub):
    orders = rows(hub, "service_orders")
    numbers = [o["number"] for o in orders]
    assert len(set(numbers)) == len(numbers) and all(re.fullmatch(r"HQ-\d{7}", n) for n in numbers)
    outlets = {o["id"]: o for o in rows(hub, "outlets")}
    customers = {c["id"]: c for c in rows(hub, "customers")}
    models = {m["id"]: m for m in rows(hub, "product_models")}
    for o in orders:
        outlet = outlets[o["outlet_id"]]
        assert customers[o["customer_id"]]["city"] in json.loads(outlet["coverage"])
        assert models[o["product_model_id"]]["category"] in json.loads(outlet["qualifications"])
        assert NOW - SMALL.days * DAY_MS <= o["created_at"] <= NOW
        assert o["type"] in ("repair", "install", "maintenance") and o["fault_description"]
    statuses = {o["status"] for o in orders}
    assert {"closed", "completed", "cancelled"} <= statuses
    assert statuses & {"new", "accepted", "scheduled", "en_route", "on_site", "waiting_parts"}


def test_every_status_is_reached_by_its_events(hub):
    events = defaultdict(list)
    for e in rows(hub, "order_events", order="at"):
        events[e["order_id"]].append(e)
    for o in rows(hub, "service_orders"):
        history = events[o["id"]]
        assert status_reachable([e["to_status"] for e in history], o["status"]), (o["number"], o["status"])
        times = [o["created_at"]] + [e["at"] for e in history]
        assert times == sorted(times) and times[-1] <= NOW
        if o["status"] in ("closed", "cancelled"):
            assert o["closed_at"] >= times[-1] and o["closed_reason"]
        if history:
            assert o["technician_id"] and all(e["actor_id"] == o["technician_id"] for e in history)


def test_stock_never_goes_below_zero_in_any_place_and_technicians_carry_parts(hub):
    on_hand, issued = defaultdict(int), defaultdict(int)
    for m in rows(hub, "stock_moves", order="at, holder"):  # an issue's store move before its bag move
        assert (m["kind"] == "receipt" or (m["kind"] == "issue" and m["holder"] is not None)) == (m["qty"] > 0)
        on_hand[(m["outlet_id"], m["holder"], m["part_id"])] += m["qty"]
        assert on_hand[(m["outlet_id"], m["holder"], m["part_id"])] >= 0, m
        if m["kind"] == "issue":
            issued[m["ref"]] += m["qty"]
    assert issued and not any(issued.values())  # each issue: the store's loss is the bag's gain
    technicians = {u["id"] for u in rows(hub, "users") if u["role"] == "technician"}
    carrying = {holder for (_, holder, _), n in on_hand.items() if holder and n > 0}
    assert carrying and carrying <= technicians
    used = rows(hub, "order_parts")
    assert used and len(used) == len([m for m in rows(hub, "stock_moves") if m["kind"] == "consume"])


def test_the_same_seed_makes_the_same_network(tmp_path, hub):
    other = HubStore(tmp_path / "again.db")
    try:
        generate(other, seed=6, now=NOW, sizes=SMALL)

        def strip(rs):
            return [{k: v for k, v in r.items() if k != "_clk" and not k.startswith("_")} for r in rs]
        for table in ("outlets", "customers", "service_orders", "order_events", "kb_articles", "stock_moves"):
            assert strip(other.rows(table, order="id")) == strip(hub.rows(table, order="id")), table
    finally:
        other.close()


def test_hq_history_calls_callbacks_and_repeat_repairs(hub):
    """Every demo order came from a call an agent took; the closed ones were called back; a
    few repairs are the same appliance back within 30 days; no complaints unless asked for."""
    c = hub.conn
    orders = {o["id"]: o for o in rows(hub, "service_orders")}
    agents = {u["id"] for u in rows(hub, "users") if u["role"] == "hq_agent"}
    calls = c.execute("SELECT order_id, type, created_by, created_at FROM hq_requests").fetchall()
    assert sorted(r[0] for r in calls) == sorted(orders)
    assert {r[2] for r in calls} == agents and len(agents) == 3
    assert all(r[1] == orders[r[0]]["type"] and r[3] < orders[r[0]]["created_at"] for r in calls)
    tasks = [dict(zip(("order_id", "status", "score", "result", "agent_id", "answers"), r, strict=True))
             for r in c.execute("SELECT order_id, status, score, result, agent_id, answers FROM hq_callbacks")]
    assert {t["order_id"] for t in tasks} == {i for i, o in orders.items() if o["status"] == "closed"}
    for t in tasks:
        o = orders[t["order_id"]]
        assert (o["callback_result"], o["callback_score"]) == (t["result"], t["score"]) and t["agent_id"] in agents
        if t["status"] == "done":
            assert 0 <= t["score"] <= 100 and t["result"] == cb.result_of(t["score"]) and json.loads(t["answers"])
    results = Counter(t["result"] for t in tasks)
    assert results["satisfied"] > results["unsatisfied"] > 0 and results["unreachable"] > 0
    completed = dict(c.execute("SELECT order_id, MIN(at) FROM order_events WHERE to_status = 'completed' "
                               "GROUP BY order_id").fetchall())
    repairs = [{"id": i, "type": o["type"], "serial_no": o["serial_no"], "completed_at": completed[i]}
               for i, o in orders.items() if o["type"] == "repair" and i in completed]
    repeats = [r for r in repairs if is_repeat_repair(r, repairs, REPEAT_DAYS)]
    assert 0.02 <= len(repeats) / len(repairs) <= 0.1
    for r in repeats:  # the same customer's appliance
        first = next(e for e in repairs if e["serial_no"] == r["serial_no"] and e["id"] != r["id"])
        assert orders[first["id"]]["customer_id"] == orders[r["id"]]["customer_id"]
    assert c.execute("SELECT COUNT(*) FROM hq_complaints").fetchone()[0] == 0


def test_complaint_history_for_the_served_demo(tmp_path):
    """With complaint_history (the served demo): every unsatisfied callback's complaint and a
    few callers', the ones older than a week contacted and resolved; the reports' rates are
    not all zero."""
    store = HubStore(tmp_path / "hub.db")
    try:
        generate(store, seed=6, now=NOW, sizes=SMALL, complaint_history=True)
        c = store.conn
        complaints = [dict(zip(("id", "source", "status", "created_at", "survey_score"), r, strict=True))
                      for r in c.execute("SELECT id, source, status, created_at, survey_score FROM hq_complaints")]
        unsatisfied = c.execute("SELECT COUNT(*) FROM hq_callbacks WHERE result = 'unsatisfied'").fetchone()[0]
        assert sum(x["source"] == "callback" for x in complaints) == unsatisfied > 0
        assert any(x["source"] == "call" for x in complaints)
        for x in complaints:
            steps = {r[0] for r in c.execute("SELECT kind FROM hq_complaint_steps WHERE complaint_id = ?", (x["id"],))}
            if x["created_at"] < NOW - 7 * DAY_MS:
                assert x["status"] == "resolved" and {"contact", "resolved"} <= steps and x["survey_score"] is not None
            else:
                assert x["status"] == "open"
        services = HubServices(store, now=lambda: NOW)
        services.rollups.fold()
        approver = services.login("hq.approver", DEMO_PASSWORD)
        card = services.reports.run(approver, "scorecard").rows
        assert any(r["complaint_rate"] for r in card) and sum(r["repeats"] for r in card) > 0
        sat = services.reports.run(approver, "satisfaction").rows
        assert all(r["callbacks"] for r in sat) and any((r["satisfaction_rate"] or 100) < 100 for r in sat)
        assert len(services.reports.run(approver, "agents").rows) == 3
    finally:
        store.close()


@pytest.fixture(scope="module")
def headless(tmp_path_factory):
    root = tmp_path_factory.mktemp("headless") / "run"
    return root, run_headless(root, days=3, seed=11, sizes=SMALL)


def test_headless_days_converge(headless):
    _, summary = headless
    assert summary.mismatches == []
    assert summary.converged and summary.dispatched > 0
    assert summary.steps["accepted"] > 0 and summary.steps["completed"] > 0
    assert summary.parts_used > 0  # from what the technicians carry
    assert summary.settlements_submitted >= 1 and summary.pushed > 0 and summary.pulled > 0
    assert summary.lines()[-1].startswith("converged: yes")


def test_headless_hq_works_through_the_hub_services(headless):
    """Intake and dispatch record each new order, the callback job makes tasks that the
    agent answers (closing the orders), the approver's decisions are audited."""
    root, summary = headless
    assert summary.callback_tasks > 0 and summary.callbacks_answered > 0
    assert any(line.startswith("  callbacks: ") and "complaints opened" in line for line in summary.lines())
    hub = HubStore(root / "hub.db")
    start = ms_of(date.fromisoformat(summary.first_day)) + 8 * 3_600_000  # the demo's history is before it
    try:
        c = hub.conn
        assert c.execute("SELECT COUNT(*) FROM hq_requests WHERE type = 'repair' AND order_id IS NOT NULL "
                         "AND created_at > ?", (start,)).fetchone()[0] == summary.dispatched
        assert c.execute("SELECT COUNT(*) FROM hq_dispatches").fetchone()[0] >= summary.dispatched
        assert c.execute("SELECT COUNT(*) FROM hq_callbacks WHERE status = 'done' AND created_at > ?",
                         (start,)).fetchone()[0] == summary.callbacks_answered
        assert c.execute("SELECT COUNT(*) FROM service_orders WHERE callback_result IS NOT NULL").fetchone()[0] \
            >= summary.callbacks_answered
        actions = {r[0] for r in c.execute("SELECT DISTINCT action FROM hq_audit")}
        assert {"request_recorded", "callback_job", "callback_answered"} <= actions
        if summary.settlements_approved:
            assert any(a.startswith("settlement_") for a in actions)
        assert c.execute("SELECT COUNT(*) FROM hq_complaints WHERE source = 'callback'").fetchone()[0] \
            == summary.complaints
    finally:
        hub.close()


def test_headless_is_the_same_for_the_same_seed(headless, tmp_path):
    _, first = headless
    again = run_headless(tmp_path / "again", days=3, seed=11, sizes=SMALL)

    def figures(summary):  # the lines without the wall-clock times
        return [re.sub(r"\d+\.\d+ s", "… s", line) for line in summary.lines()]
    assert figures(again) == figures(first)


def test_headless_cli_prints_the_summary(tmp_path, capsys):
    assert main(["demo", "--dir", str(tmp_path), "--headless", "--days", "1"]) == 0
    out = capsys.readouterr().out
    assert "orders dispatched by HQ" in out and "converged: yes" in out
    assert (tmp_path / "headless" / "hub.db").exists()


def test_headless_refuses_a_directory_it_did_not_make(tmp_path):
    (tmp_path / "mine.txt").write_text("keep me")
    with pytest.raises(SystemExit):
        run_headless(tmp_path, days=1, sizes=SMALL)
    assert (tmp_path / "mine.txt").read_text() == "keep me"


def test_live_demo_starts_and_stops_everything(tmp_path):
    """`fieldsync demo` (what `make demo` runs) as a real process: hub and two nodes come
    up, the logins are printed, and SIGTERM stops every process it started."""
    hub_port, node_port = free_port(), free_port()
    fieldsync = str(Path(sys.executable).parent / "fieldsync")
    log = tmp_path / "demo.out"
    with open(log, "wb") as out:
        proc = subprocess.Popen([fieldsync, "demo", "--dir", str(tmp_path / "d"), "--hub-port", str(hub_port),
                                 "--node-port", str(node_port)], stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        while "Ctrl-C stops" not in log.read_text() and time.monotonic() < deadline:
            assert proc.poll() is None, log.read_text()
            time.sleep(0.3)
        text = log.read_text()
        assert "fieldsync demo is running" in text, text
        assert f"https://127.0.0.1:{hub_port}" in text and "sh01.clerk" in text and DEMO_PASSWORD in text
        assert f"HQ web UI: https://127.0.0.1:{hub_port}/hq/" in text and "hq.approver" in text
        if "--port" in node_serve_options():
            assert f"https://127.0.0.1:{node_port}" in text
        children = [int(p) for p in subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True,
                                                   text=True).stdout.split()]
        assert len(children) == 3
        assert (tmp_path / "d" / "nodes" / "SH01" / "node.json").exists()
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)
    assert proc.returncode == 0
    for pid in children:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_a_reused_demo_points_its_nodes_at_the_new_hub_port(tmp_path, capsys):
    """`make demo HUB_PORT=9443` on a demo first run on 8443: the nodes follow the hub."""
    from fieldsync.demo.served import point_at
    from node.home import NodeHome
    node = NodeHome(tmp_path / "SH01")
    node.save_settings({"url": "https://127.0.0.1:8443", "node_id": "node-1", "outlet_id": "o-1"})
    node.key.write_text("a node key")
    point_at(node, "https://127.0.0.1:9443")
    assert json.loads(node.config.read_text()) == {"url": "https://127.0.0.1:9443", "node_id": "node-1",
                                                   "outlet_id": "o-1"}
    assert "https://127.0.0.1:9443" in capsys.readouterr().out


def test_the_demo_always_stops_on_signals_at_any_moment(tmp_path):
    """`fieldsync demo` as `make demo` starts it, signalled at different moments of its start
    and run — during the demo data, while the hub starts, while nodes enroll, once serving —
    with SIGTERM, SIGINT or two signals in quick succession: it always exits 0 and leaves
    no process behind."""
    import psutil
    fieldsync = str(Path(sys.executable).parent / "fieldsync")
    tries = [(0.0, [signal.SIGTERM]), (2.0, [signal.SIGINT]), (4.0, [signal.SIGTERM, signal.SIGTERM]),
             (8.0, [signal.SIGINT, signal.SIGTERM]), (None, [signal.SIGTERM]), (None, [signal.SIGINT, signal.SIGINT])]
    for delay, signals in tries:
        log = tmp_path / "demo.out"
        with open(log, "wb") as out:
            proc = subprocess.Popen([fieldsync, "demo", "--dir", str(tmp_path / "d"), "--hub-port", str(free_port()),
                                     "--node-port", str(free_port())], stdout=out, stderr=subprocess.STDOUT)
        family = set()
        deadline = time.monotonic() + 180
        # from its first word (its handlers are in place by then), then `delay` s; None: once serving
        while time.monotonic() < deadline and not (
                log.read_text() if delay is not None else "Ctrl-C stops" in log.read_text()):
            assert proc.poll() is None, log.read_text()
            time.sleep(0.05)
        end = time.monotonic() + (delay or 0)
        while time.monotonic() < end:
            family |= {c.pid for c in psutil.Process(proc.pid).children(recursive=True)}
            time.sleep(0.1)
        family |= {c.pid for c in psutil.Process(proc.pid).children(recursive=True)}
        for sig in signals:
            proc.send_signal(sig)
            time.sleep(0.05)
        assert proc.wait(timeout=60) == 0, log.read_text()
        assert "demo stopped in" in log.read_text()
        alive = [pid for pid in family
                 if psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE]
        assert alive == [], log.read_text()
