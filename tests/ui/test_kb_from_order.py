"""From an order to its articles (issue #16, item 5), in a real browser against real
processes (tests/ui/cluster.py): HQ dispatches HQ-5001 (the KFR-35GW/BpR3 air conditioner,
fault code F1) and publishes an article for the fault code and one that names the model by
its id; after "立即同步" the clerk opens the order, one tap on 相关知识 lists the three
articles — the one for the model and the fault code first — opens one and comes back to the
order. Names only: the model's code, the fault code with its name, the category's name; no
id on any of these screens. In English on a phone the technician does the same, every
button a 48 px touch target."""
import re

import pytest

from sync.hlc import now_ms
from fieldsync.testing.world import uid
from tests.ui.browser import SHOTS, Ui
from tests.ui.test_node_hand import (login as hand_login, no_text_is_clipped, open_order,
                                     touch_targets_are_big_enough)
from tests.ui.test_node_ui import go, login, logout

NUMBER = "HQ-5001"
IDS = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-|PM-AC-35|KB-\d")  # a UUID, a model's or an article's id


def put(table, row_id, **fields):
    return {"op": "put", "table": table, "id": row_id, "fields": fields}


@pytest.fixture(scope="module")
def order(cluster):
    now = now_ms()
    cluster.hub_write([
        put("fault_codes", uid(), category="AC", code="F1", name="室内温度传感器故障",
            name_en="Indoor temperature sensor fault", active=True),
        put("kb_articles", uid(), title="F1故障代码速查", category="AC", body="F1：室内温度传感器开路或短路，测阻值。",
            tags=[], fault_codes=["F1"], models=[], updated_at=now, active=True),
        put("kb_articles", uid(), title="挂机滤网清洗", category="AC", body="每季度清洗一次滤网，保持出风顺畅。",
            tags=["保养"], fault_codes=[], models=["PM-AC-35"], updated_at=now, active=True),  # by its id
        put("service_orders", uid(), number=NUMBER, outlet_id=cluster.outlet_id, customer_id="C-1",
            product_model_id="PM-AC-35", type="repair", priority="normal", status="new", created_at=now,
            technician_id="u-zhang", fault_code="F1", fault_description="空调不制冷，显示F1"),
    ])
    return NUMBER


def back_to(ui: Ui, text: str, back: str = "返回") -> None:
    """Tap the back button until `text` shows: a screen still being drawn may miss a tap
    (as open_order does for a card)."""
    for attempt in range(3):
        ui.click(back)
        try:
            ui.text(text).first.wait_for(timeout=5_000 if attempt < 2 else 30_000)
            return
        except Exception:
            if attempt == 2:
                ui.shot("FAILED-back.png")
                raise


def no_ids_on_screen(ui: Ui) -> None:
    shown = [t["text"] for t in ui.leaves() if IDS.search(t["text"] or "")]
    assert shown == [], shown


def test_the_clerk_opens_an_orders_articles_in_one_tap(cluster, browser, order):
    ui = Ui(browser, cluster.url, shots=SHOTS / "node")
    try:
        login(ui, "liu")
        go(ui, "同步")
        ui.click("立即同步")
        ui.wait("同步完成")
        go(ui, "工单")
        open_order(ui, order)
        ui.click("相关知识（3）")
        ui.wait(f"工单{order}的相关知识")
        ui.wait("型号：KFR-35GW/BpR3　故障代码：F1 室内温度传感器故障")
        ui.wait("型号和故障代码都符合")
        ui.wait("F1故障代码速查")
        ui.wait("挂机滤网清洗")
        names = ("空调不制冷：温度传感器检测", "F1故障代码速查", "挂机滤网清洗")
        titles = [t for t in ui.leaves() if t["text"] and any(x in t["text"] for x in names)]
        assert "空调不制冷：温度传感器检测" in min(titles, key=lambda t: t["y"])["text"]  # model and fault code first
        no_ids_on_screen(ui)
        ui.shot("50-kb-for-order.png")
        ui.text("挂机滤网清洗").first.click()
        ui.wait("每季度清洗一次滤网")
        ui.wait("KFR-35GW/BpR3")  # the model named by its id reads as its code
        no_ids_on_screen(ui)
        back_to(ui, f"工单{order}的相关知识")
        back_to(ui, "空调不制冷，显示F1")  # the order again
        logout(ui)
    finally:
        ui.page.close()


def test_the_technician_does_it_in_english_on_a_phone(cluster, browser, order):
    ui = Ui(browser, cluster.url, shots=SHOTS / "node", viewport=(390, 844))
    try:
        hand_login(ui, "zhang")
        ui.click("English")
        ui.click("All")
        open_order(ui, order, back="Back")
        ui.click("Articles (3)")
        ui.wait(f"Articles for order {order}")
        ui.wait("Model: KFR-35GW/BpR3  Fault code: F1 Indoor temperature sensor fault")
        ui.wait("Model and fault code")
        touch_targets_are_big_enough(ui)
        no_text_is_clipped(ui)
        no_ids_on_screen(ui)
        ui.shot("51-kb-for-order-phone-en.png")
        ui.text("F1故障代码速查").first.click()
        ui.wait("F1：室内温度传感器开路或短路")
        ui.wait("Air conditioner")  # the category's name
        no_ids_on_screen(ui)
        back_to(ui, f"Articles for order {order}", "Back")
    finally:
        ui.page.close()
