"""HQ's administrator keeps master data in the browser at 1366×768 (issue #15 item 2):
adds a fault code (a code the product category has already is refused in words, nothing
saved) that intake then offers for a caller's product; adds a part whose negative price
is refused; merges two duplicate customers after choosing which one is kept. The hub's
store has each change, with its audit line and (for replicated tables) its change-log row.
Screenshots: screenshots/hub/6x-*.png."""
import sqlite3

import pytest

from tests.hub_ui.conftest import HqUi, demo_hub

DUPLICATES = (("dup-a", "合并测试张三", "13900007001", "上海市静安区南京西路1号", "金卡会员"),
              ("dup-b", "合并测试张三", "13900007002", "上海市静安区南京西路1号", None))


def add_duplicates(store) -> None:
    store.write([{"op": "put", "table": "customers", "id": cid, "fields": {
        "name": name, "phone": phone, "city": "上海", "address": address, "member_level": level,
        "created_at": 1}} for cid, name, phone, address, level in DUPLICATES])


@pytest.fixture(scope="module")
def hq(tmp_path_factory):
    yield from demo_hub(tmp_path_factory.mktemp("hq"), add_duplicates)


@pytest.fixture
def ui(browser, hq):
    u = HqUi(browser, hq.ui_url, viewport=(1366, 768))
    yield u
    u.page.close()


def read(hq, sql, params=()):
    conn = sqlite3.connect(f"file:{hq.home.db}?mode=ro", uri=True)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def test_admin_adds_a_fault_code_that_intake_offers_and_a_part_with_its_price(ui, hq):
    # the new form's fault category is the first one listed: that of the first product category
    [(group_id, category, group)] = read(hq, "SELECT id, category, name FROM fault_categories "
                                             "ORDER BY category, position, code LIMIT 1")
    [(taken,)] = read(hq, "SELECT code FROM fault_codes WHERE category = ? ORDER BY code LIMIT 1", (category,))
    [(name, phone)] = read(hq, "SELECT c.name, c.phone FROM customers c JOIN service_orders o ON o.customer_id = c.id "
                               "JOIN product_models m ON m.id = o.product_model_id WHERE m.category = ? "
                               "AND c.merged_into IS NULL AND NOT EXISTS (SELECT 1 FROM service_orders p "
                               "WHERE p.customer_id = c.id AND p.created_at > o.created_at) "
                               "ORDER BY c.id LIMIT 1", (category,))
    codes_before = read(hq, "SELECT COUNT(*) FROM fault_codes")
    ui.login("admin")
    ui.wait("欢迎")
    ui.click("主数据", exact=False)
    ui.wait("产品型号")
    ui.click("故障代码")
    ui.wait(taken)
    ui.click("新增")
    ui.wait("新增故障代码")
    ui.fill("编码", taken)
    ui.fill("名称", "遥控器无响应")
    ui.click("保存")
    ui.wait(f"故障代码“{taken}”已存在。")  # refused in words, the form stays open
    assert read(hq, "SELECT COUNT(*) FROM fault_codes") == codes_before
    ui.fill("编码", "t-901")
    ui.fill("名称", "")
    ui.click("保存")
    ui.wait("请填写名称。")
    assert read(hq, "SELECT COUNT(*) FROM fault_codes") == codes_before
    ui.fill("名称", "遥控器无响应")
    ui.fill("常见原因", "遥控器电池耗尽或接收头故障")
    ui.shot("hub/60-master-fault-code.png")
    ui.click("保存")
    ui.wait("T-901")
    [(fault_id, stored_group, stored_category)] = read(
        hq, "SELECT id, fault_category_id, category FROM fault_codes WHERE code = 'T-901'")
    assert (stored_group, stored_category) == (group_id, category)
    assert read(hq, "SELECT COUNT(*) FROM hq_audit WHERE action = 'fault_code_created' AND subject = ?",
                (fault_id,)) == [(1,)]
    bodies = [bytes(b).decode() for (b,) in read(hq, "SELECT body FROM bucket_changes WHERE bucket = 'global'")]
    assert sum(fault_id in b for b in bodies) == 1  # on its way to every node

    # a part: a negative price is refused, a price in yuan is kept in fen
    ui.click("配件与价格")
    ui.wait("安全库存")
    ui.click("新增")
    ui.wait("新增配件与价格")
    ui.fill("配件编码", "p-test-01")
    ui.fill("名称", "测试用遥控器")
    ui.fill("单价（元）", "-5")
    ui.click("保存")
    ui.wait("单价（元）不能为负数。")
    assert read(hq, "SELECT COUNT(*) FROM parts WHERE sku = 'P-TEST-01'") == [(0,)]
    ui.fill("单价（元）", "38.50")
    ui.click("保存")
    ui.wait("P-TEST-01")
    ui.wait("¥38.50")
    assert read(hq, "SELECT unit_price FROM parts WHERE sku = 'P-TEST-01'") == [(3850,)]

    # intake offers the new fault for a caller whose product is of that category
    ui.page.mouse.move(50, 300)
    ui.page.mouse.wheel(0, -2000)  # the rail scrolled down to 主数据 at 768 px: back to its top
    ui.click("来电受理", exact=False)
    ui.wait("下一个来电")
    ui.page.keyboard.type(phone)
    ui.page.keyboard.press("Enter")
    ui.wait(name)
    ui.click("维修")
    ui.click(group)
    ui.wait("遥控器无响应 · T-901")
    ui.shot("hub/61-intake-offers-new-fault.png")


def test_admin_merges_two_duplicate_customers(ui, hq):
    ui.login("admin")
    ui.wait("欢迎")
    ui.click("客户资料", exact=False)
    ui.wait("工单数")
    ui.fill("姓名、电话或地址", "合并测试")
    ui.page.keyboard.press("Enter")
    ui.wait("13900007002")
    ui.wait("共 2 位客户")
    ui.click("选择")
    ui.wait("已选")
    ui.click("选择")  # the other one
    ui.button("已选").nth(1).wait_for()
    ui.click("合并重复客户")
    ui.wait("保留哪一位", exact=False)
    ui.shot("hub/62-customer-merge.png")
    ui.click("确认合并")
    ui.wait("已并入的重复客户")
    merged = dict(read(hq, "SELECT id, merged_into FROM customers WHERE id IN ('dup-a', 'dup-b')"))
    kept = "dup-a" if merged["dup-a"] is None else "dup-b"
    assert sorted(merged.values(), key=str) == sorted([None, kept], key=str)
    assert read(hq, "SELECT COUNT(*) FROM hq_audit WHERE action = 'customers_merged'") == [(1,)]
    assert read(hq, "SELECT member_level FROM customers WHERE id = ?", (kept,)) == [("金卡会员",)]
    ui.click("返回列表")
    ui.wait("共 1 位客户")


def test_admin_changes_a_setting_with_an_audit_line_and_a_bad_one_is_refused(ui, hq):
    """#15 item 8: 规则配置 → 参数设置. A share over 100 % is refused in words and nothing is
    saved; a valid change is stored and audited (old → new)."""
    ui.login("admin")
    ui.wait("欢迎")
    ui.click("规则配置", exact=False)
    ui.wait("收费标准")
    ui.click("参数设置")
    ui.wait("保存设置")
    ui.fill("维修回访抽样比例", "120")
    ui.click("保存设置")
    ui.wait("维修回访抽样比例应为0到100之间的整数。")
    assert read(hq, "SELECT COUNT(*) FROM hq_settings") == [(0,)]
    ui.fill("维修回访抽样比例", "100")
    ui.fill("完工后回访延迟（分钟）", "90")
    ui.shot("hub/63-settings.png")
    ui.click("保存设置")
    ui.wait("设置已保存")
    assert read(hq, "SELECT key, value FROM hq_settings ORDER BY key") == [
        ("callback_delay_min", 90), ("callback_sample_pct.repair", 100)]
    assert [d for (d,) in read(hq, "SELECT detail FROM hq_audit WHERE action = 'setting_changed' "
                                   "ORDER BY subject")] == ["1440 → 90", "80 → 100"]
    ui.wait("由 admin 修改", exact=False)


def test_hq_groups_a_customer_corrects_a_product_they_own_and_reads_master_data_in_english(ui, hq):
    [(cid, name, phone, serial)] = read(
        hq, "SELECT c.id, c.name, c.phone, o.serial_no FROM customers c JOIN service_orders o ON o.customer_id = c.id "
            "WHERE o.product_model_id IS NOT NULL AND c.merged_into IS NULL GROUP BY c.id HAVING COUNT(*) = 1 "
            "ORDER BY c.id LIMIT 1")
    ui.login("admin")
    ui.wait("欢迎")
    ui.click("客户资料", exact=False)
    ui.wait("工单数")
    ui.click("新建分组")
    ui.fill("分组名称", "以旧换新意向客户")
    ui.click("保存")
    ui.gone("分组名称")
    ui.fill("姓名、电话或地址", phone)
    ui.page.keyboard.press("Enter")
    ui.wait("共 1 位客户")
    ui.click("查看")
    ui.page.get_by_role("checkbox", name="以旧换新意向客户").click()
    ui.page.get_by_role("checkbox", name="以旧换新意向客户", checked=True).wait_for()
    ui.click("保存分组")
    ui.wait("已保存")
    assert read(hq, "SELECT g.name FROM hq_customer_group_members m JOIN hq_customer_groups g ON g.id = m.group_id "
                    "WHERE m.customer_id = ?", (cid,)) == [("以旧换新意向客户",)]
    ui.wait("名下产品")
    ui.button("编辑").last.click()  # the product from their order
    ui.wait("编辑名下产品")
    ui.fill("机身序列号", "SN-CORRECTED-1")
    ui.fill("购买日期（年-月-日）", "2024-13-01")
    ui.click("保存")
    ui.wait("购买日期的取值无效。")
    assert read(hq, "SELECT COUNT(*) FROM hq_customer_products WHERE customer_id = ?", (cid,)) == [(0,)]
    ui.fill("购买日期（年-月-日）", "2024-03-15")
    ui.click("保存")
    ui.wait("SN-CORRECTED-1")
    ui.shot("hub/64-customer-products.png")
    assert read(hq, "SELECT serial_no, purchase_date FROM hq_customer_products WHERE customer_id = ?",
                (cid,)) == [("SN-CORRECTED-1", "2024-03-15")]
    assert serial != "SN-CORRECTED-1"
    ui.click("English")
    ui.wait("Products owned")
    ui.click("Master data", exact=False)
    ui.wait("Parts and prices")
    ui.click("Fault codes")
    ui.wait("Usual cause")
