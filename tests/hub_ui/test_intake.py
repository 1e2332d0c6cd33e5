"""An HQ agent takes a call in the browser: looks a returning member up by phone, sees
their card with membership and service history, records a repair, sees the suggested
outlet with the reasons for it, confirms, and the new order number shows. Then the
dispatch screen. Screenshots: screenshots/hub/1x-*.png."""
import sqlite3
import time
import uuid


def read(hq, sql, params=()):
    conn = sqlite3.connect(f"file:{hq.home.db}?mode=ro", uri=True)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def fault_to_pick(hq, phone: str) -> tuple[str, str, str, str]:
    """The first fault category and fault (master data) of the caller's last product:
    (category, fault as its button reads, fault name, code)."""
    [(category,)] = read(hq, "SELECT m.category FROM service_orders o "
                             "JOIN product_models m ON m.id = o.product_model_id "
                             "JOIN customers c ON c.id = o.customer_id WHERE c.phone = ? "
                             "ORDER BY o.created_at DESC LIMIT 1", (phone,))
    [(group, name, code)] = read(hq, "SELECT g.name, f.name, f.code FROM fault_codes f JOIN fault_categories g "
                                     "ON g.id = f.fault_category_id WHERE f.category = ? "
                                     "ORDER BY g.position, f.code LIMIT 1", (category,))
    return group, (name if code in name else f"{name} · {code}"), name, code


def test_agent_records_a_repair_for_a_returning_member_and_dispatches_it(ui, hq):
    [(name, phone, level)] = read(hq, "SELECT c.name, c.phone, c.member_level FROM customers c "
                                      "JOIN service_orders o ON o.customer_id = c.id WHERE c.city = '上海' "
                                      "AND c.member_level IS NOT NULL GROUP BY c.id HAVING COUNT(*) >= 2 "
                                      "ORDER BY c.id LIMIT 1")
    ui.page.set_viewport_size({"width": 1366, "height": 768})
    ui.login("hq.agent")
    ui.wait("欢迎")
    ui.click("来电受理", exact=False)
    ui.wait("下一个来电")
    ui.page.keyboard.type(phone)  # the number field has the focus when the screen opens
    ui.page.keyboard.press("Enter")
    ui.wait(name)
    ui.wait(f"会员 · {level}")
    ui.wait("服务记录")
    ui.wait("来电类型")
    repair = ui.button("维修").first.bounding_box()
    assert repair is not None and repair["y"] + repair["height"] <= 768  # in view without scrolling
    ui.shot("hub/10-intake-customer.png")
    # the service history opens an order's record
    [(past,)] = read(hq, "SELECT o.number FROM service_orders o JOIN customers c ON c.id = o.customer_id "
                         "WHERE c.phone = ? ORDER BY o.created_at DESC LIMIT 1", (phone,))
    ui.click(past)
    ui.wait(f"工单档案 {past}")  # the full record (hub/ui/views/order_file.py)
    ui.wait("处理过程")
    ui.click("关闭")
    ui.gone("处理过程")
    ui.click("维修")
    ui.wait("派单建议")
    group, fault, fault_name, code = fault_to_pick(hq, phone)
    ui.click(group)
    ui.click(fault)
    ui.fill("补充说明（可选）", "外机有异响")
    ui.wait("服务范围覆盖上海")
    ui.wait("不覆盖上海")
    ui.shot("hub/11-intake-suggestion.png")
    ui.click("确认派单")
    ui.wait("已派至")
    [(number, described, picked)] = read(hq, "SELECT number, fault_description, fault_code FROM service_orders "
                                             "ORDER BY number DESC LIMIT 1")
    assert (described, picked) == (f"{fault_name}：外机有异响", code)
    ui.wait(number)
    ui.shot("hub/12-intake-dispatched.png")
    # the next call: the number field has the focus again, and the last call's banner goes
    ui.page.keyboard.type(phone)
    ui.page.keyboard.press("Enter")
    ui.wait(name)
    ui.gone("已派至")
    ui.page.set_viewport_size({"width": 1366, "height": 900})
    decline(hq, number, "师傅排班已满，无法按时上门")
    ui.click("派单改派", exact=False)
    ui.wait("待改派工单")
    ui.wait("师傅排班已满，无法按时上门")
    ui.shot("hub/13-dispatch-queue.png")
    ui.click("改派")
    ui.button("改派至此网点").first.wait_for()  # the reasons are drawn but not in the semantics tree here
    ui.shot("hub/14-redispatch-suggestion.png")
    ui.click("确认派单")
    ui.wait("没有待改派的工单")
    [(status, outlet)] = read(hq, "SELECT o.status, t.code FROM service_orders o JOIN outlets t ON t.id = o.outlet_id "
                                  "WHERE o.number = ?", (number,))
    assert status == "new" and outlet != "SH01"


def decline(hq, number: str, reason: str) -> None:
    """The outlet hands the order back (as its node's synced event would)."""
    store = hq.store()
    try:
        [order] = store.rows("service_orders", "number = ?", (number,))
        store.write([{"op": "add", "table": "order_events", "id": str(uuid.uuid4()), "fields": {
            "order_id": order["id"], "to_status": "declined", "reason": reason, "at": int(time.time() * 1000)}},
            {"op": "put", "table": "service_orders", "id": order["id"], "fields": {"status": "declined"}}])
    finally:
        store.close()


def test_a_new_caller_is_created_and_a_consult_is_answered_from_the_knowledge_base(ui, hq):
    ui.login("hq.agent")
    ui.wait("欢迎")
    ui.click("来电受理", exact=False)
    ui.wait("下一个来电")
    phone = f"139{uuid.uuid4().int % 10**8:08d}"  # a number nobody has (also when the test is retried)
    ui.fill("来电号码（完整号码或后4位）", phone)
    ui.click("查询")
    ui.wait("新客户")
    ui.fill("客户姓名", "孙丽")
    ui.fill("城市", "广州")
    ui.fill("地址", "广州市天河区体育西路100号")
    ui.shot("hub/15-intake-new-customer.png")
    ui.click("保存客户")
    ui.wait("来电类型")
    ui.click("咨询")
    ui.fill("来电内容", "室内机漏水怎么办")
    ui.fill("搜索知识库：故障、型号、故障代码", "漏水")
    ui.click("搜索")
    ui.button("用此文章答复").first.wait_for()
    ui.shot("hub/16-intake-consult.png")
    ui.button("用此文章答复").first.click()
    ui.wait("已记录咨询")
    [(article, summary)] = read(hq, "SELECT a.title, r.summary FROM hq_requests r "
                                    "JOIN kb_articles a ON a.id = r.kb_article_id "
                                    "JOIN customers c ON c.id = r.customer_id WHERE c.phone = ?", (phone,))
    assert "漏水" in article and summary == "室内机漏水怎么办"
    ui.wait(article)
    ui.click("English")
    ui.wait("Call intake")
    ui.wait("Consultation recorded")
    ui.shot("hub/17-intake-english.png")


def test_the_fault_is_picked_in_english(ui, hq):
    [(phone,)] = read(hq, "SELECT c.phone FROM customers c JOIN service_orders o ON o.customer_id = c.id "
                          "WHERE c.city = '上海' GROUP BY c.id ORDER BY c.id DESC LIMIT 1")
    [(category,)] = read(hq, "SELECT m.category FROM service_orders o "
                             "JOIN product_models m ON m.id = o.product_model_id "
                             "JOIN customers c ON c.id = o.customer_id WHERE c.phone = ? "
                             "ORDER BY o.created_at DESC LIMIT 1", (phone,))
    [(group, fault, code)] = read(hq, "SELECT g.name_en, f.name_en, f.code FROM fault_codes f JOIN fault_categories g "
                                      "ON g.id = f.fault_category_id WHERE f.category = ? "
                                      "ORDER BY g.position, f.code LIMIT 1", (category,))
    ui.login("hq.agent")
    ui.wait("欢迎")
    ui.click("English")
    ui.click("Calls", exact=False)
    ui.wait("Next call")
    ui.fill("Caller's number (full or last 4 digits)", phone)
    ui.click("Look up")
    ui.click("Repair")
    ui.wait("Fault category")
    ui.click(group)
    ui.click(fault if code in fault else f"{fault} · {code}")
    ui.fill("Details (optional)", "noisy since Monday")
    ui.shot("hub/18-intake-fault-english.png")
    ui.click("Confirm dispatch", exact=False)
    ui.wait("dispatched to")
    [(picked, described)] = read(hq, "SELECT fault_code, fault_description FROM service_orders "
                                     "ORDER BY number DESC LIMIT 1")
    assert picked == code and described.endswith("：noisy since Monday")
