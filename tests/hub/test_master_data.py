"""Master data at HQ: the admin maintains product categories, fault categories and codes,
product models, parts and their prices — each change goes out in the `global` bucket to
every node; an agent may read but not change them; bad input is refused in words and
changes nothing. Intake picks the fault from the codes of the product's category. The
customer database: search, groups, owned products, merging a duplicate."""
import dataclasses

import pytest

from shared.errors import ServiceError
from tests.hub.test_intake import NEW_CALLER, model


def bodies(services, bucket_like: str) -> list[str]:
    """The changes appended to the buckets named like `bucket_like`, as text (the stored
    bytes are a BLOB on SQLite and a BYTEA on PostgreSQL: decoded here, not in SQL)."""
    return [bytes(r["body"]).decode() for r in
            services.ctx.query("SELECT body FROM bucket_changes WHERE bucket LIKE ?", (bucket_like,))]


def global_changes(services, row_id: str) -> int:
    return sum(row_id in body for body in bodies(services, "global"))


def refused(services, expected, fn, *args, **kwargs) -> ServiceError:
    tables = ("product_categories", "fault_categories", "fault_codes", "product_models", "parts", "customers",
              "bucket_changes", "hq_customer_groups", "hq_customer_products")
    before = {t: services.ctx.scalar(f"SELECT COUNT(*) FROM {t}") for t in tables}
    with pytest.raises(ServiceError) as e:
        fn(*args, **kwargs)
    assert e.value.code == expected, e.value
    assert e.value.message("zh") and e.value.message("en") and e.value.message("zh") != e.value.message("en")
    assert {t: services.ctx.scalar(f"SELECT COUNT(*) FROM {t}") for t in tables} == before
    return e.value


def test_the_admin_maintains_categories_faults_models_and_parts_and_each_reaches_the_nodes(services, admin):
    md = services.master_data
    cat = md.save_category(admin, code="dw", name="洗碗机", name_en="Dishwasher", warranty_months=36)
    assert global_changes(services, cat) == 1
    assert "DW" in md.category_codes() and any(c.code == "DW" and c.label("en") == "Dishwasher"
                                               for c in md.categories(admin))
    group = md.save_fault_category(admin, category="DW", code="wash", name="洗涤", name_en="Washing", position=1)
    code = md.save_fault_code(admin, fault_category_id=group, code="e15", name="显示E15漏水保护",
                              name_en="Shows E15 (leak guard)", cause="底盘积水")
    assert global_changes(services, group) >= 1 and global_changes(services, code) == 1
    [fault] = md.fault_codes(admin, category="DW")
    assert (fault.code, fault.category, fault.label("zh"), fault.label("en")) == \
        ("E15", "DW", "显示E15漏水保护", "Shows E15 (leak guard)")
    m = md.save_model(admin, code="WQP12-J7", name="洗碗机 晶钻", category="DW", warranty_months=36)
    part = md.save_part(admin, sku="dw-1001", name="洗碗机主板", category="DW", unit_price="268.50",
                        safety_stock=3, models=["WQP12-J7"])
    assert global_changes(services, m) >= 1 and global_changes(services, part) == 1
    [p] = md.parts(admin, query="洗碗机主板")
    assert (p.sku, p.unit_price, p.models) == ("DW-1001", 26850, (m,))
    md.save_part(admin, part, unit_price="299")  # a new price
    assert md.parts(admin, query="DW-1001")[0].unit_price == 29900 and global_changes(services, part) == 2
    md.save_fault_code(admin, code, active=False)
    assert md.fault_codes(admin, category="DW", active_only=True) == []
    audit = {r["action"] for r in services.ctx.query("SELECT action FROM hq_audit WHERE user_id = ?", (admin.user_id,))}
    assert {"category_created", "fault_category_created", "fault_code_created", "model_created", "part_created",
            "part_changed", "fault_code_changed"} <= audit


def test_only_the_admin_changes_master_data_and_bad_input_changes_nothing(services, admin, agent):
    md = services.master_data
    assert md.fault_codes(agent, category="AC")  # an agent reads them
    refused(services, "role_forbidden", md.save_category, agent, code="DW", name="洗碗机")
    refused(services, "role_forbidden", md.save_part, agent, sku="X-1", name="x", category="AC", unit_price="1")
    e = refused(services, "md_code_taken", md.save_category, admin, code="AC", name="空调")
    assert "AC" in e.message("zh") and "already exists" in e.message("en")
    refused(services, "md_bad_code", md.save_category, admin, code="洗碗机", name="洗碗机")
    refused(services, "md_unknown", md.save_model, admin, code="ZZ-1", name="?", category="ZZ")
    refused(services, "bad_yuan", md.save_part, admin, sku="AC-9999", name="x", category="AC", unit_price="abc")
    refused(services, "md_unknown", md.save_part, admin, sku="AC-9999", name="x", category="AC", unit_price="1",
            models=["NO-SUCH-MODEL"])
    existing = md.fault_codes(admin, category="AC")[0]
    refused(services, "md_code_taken", md.save_fault_code, admin, fault_category_id=existing.fault_category_id,
            code=existing.code, name="重复")
    cat = services.ctx.one("SELECT id FROM product_categories WHERE code = 'AC'")["id"]
    refused(services, "md_code_fixed", md.save_category, admin, cat, code="AX")


def test_intake_picks_the_fault_from_the_codes_of_the_products_category(services, agent, admin, hub):
    ac, wm = model(services, "AC"), model(services, "WM")
    groups = services.intake.faults(agent, ac["id"])
    assert groups and all(c.category == "AC" for g in groups for c in g.faults)
    names = [g.label for g in groups]
    assert "显示故障代码" in names
    english = services.intake.faults(dataclasses.replace(agent, lang="en"), ac["id"])
    assert "Error code shown" in [g.label for g in english]
    e1 = next(c for g in groups for c in g.faults if c.code == "E1")
    # a fault HQ adds today is offered at the next call
    md = services.master_data
    new = md.save_fault_code(admin, fault_category_id=e1.fault_category_id, code="E9", name="显示E9通讯故障")
    assert "E9" in [c.code for g in services.intake.faults(agent, ac["id"]) for c in g.faults]
    rec = services.intake.record_request(agent, type="repair", customer=NEW_CALLER,
                                         order={"product_model_id": ac["id"], "fault_code_id": new,
                                                "fault_detail": "开机十分钟后报码"})
    order = hub.rows("service_orders", "id = ?", (rec.order_id,))[0]
    assert (order["fault_code"], order["fault_description"]) == ("E9", "显示E9通讯故障：开机十分钟后报码")
    cust = rec.customer_id
    wm_fault = services.intake.faults(agent, wm["id"])[0].faults[0]
    from tests.hub.test_intake import refused as intake_refused
    intake_refused(services, "fault_other_category", services.intake.record_request, agent, type="repair",
                   customer_id=cust, order={"product_model_id": ac["id"], "fault_code_id": wm_fault.id})
    intake_refused(services, "fault_required", services.intake.record_request, agent, type="repair",
                   customer_id=cust, order={"product_model_id": ac["id"], "fault_detail": "不知道什么毛病"})
    # an installation needs no fault
    services.intake.record_request(agent, type="install", customer_id=cust, order={"product_model_id": ac["id"]})


def test_customers_are_searched_grouped_own_products_and_duplicates_merge(services, agent, admin, hub):
    cs = services.customers
    some = services.ctx.one("SELECT * FROM customers WHERE member_level IS NOT NULL ORDER BY id LIMIT 1")
    by_name, _ = cs.search(agent, some["name"])
    assert some["id"] in [c.id for c in by_name]
    by_phone, _ = cs.search(agent, some["phone"][-6:])
    assert some["id"] in [c.id for c in by_phone]
    by_level, total = cs.search(agent, member_level=some["member_level"])
    assert total >= 1 and all(c.member_level == some["member_level"] for c in by_level)
    street = some["address"][3:9]
    assert some["id"] in [c.id for c in cs.search(agent, street)[0]]
    vip = cs.save_group(agent, name="重点客户", note="投诉过两次以上")
    cs.set_groups(agent, some["id"], [vip])
    assert [c.id for c in cs.search(agent, group_id=vip)[0]] == [some["id"]]
    refused(services, "md_code_taken", cs.save_group, agent, name="重点客户")
    # owned products: from the orders, then as HQ edits them
    record = cs.record(agent, some["id"])
    from_orders = [p for p in record.products if p.id is None]
    assert from_orders and all(p.order_number.startswith("HQ-") for p in from_orders)
    first = from_orders[0]
    cs.save_product(agent, some["id"], product_model_id=first.product_model_id, serial_no="SN-FIXED-1",
                    purchase_date="2024-05-01", order_id=first.order_id)
    products = cs.products(agent, some["id"])
    fixed = [p for p in products if p.order_id == first.order_id]
    assert len(fixed) == 1 and (fixed[0].serial_no, fixed[0].purchase_date) == ("SN-FIXED-1", "2024-05-01")
    refused(services, "bad_choice", cs.save_product, agent, some["id"], product_model_id=first.product_model_id,
            purchase_date="五月")
    # a duplicate: same person, second number; merged, it stands for the customer kept
    dup = services.intake.save_customer(agent, name=some["name"], phone="13900001111", city=some["city"],
                                        address=some["address"])
    services.intake.record_request(agent, type="install", customer_id=dup,
                                   order={"product_model_id": model(services, "WH")["id"]})
    refused(services, "role_forbidden", cs.merge, agent, some["id"], dup)
    refused(services, "merge_self", cs.merge, admin, dup, dup)
    orders_before = len(services.intake.card(agent, some["id"]).orders)
    cs.merge(admin, some["id"], dup)
    # the outlet holding the duplicate's order learns it was merged
    assert any(dup in body and "merged_into" in body for body in bodies(services, "outlet:%"))
    found = services.intake.lookup(agent, "13900001111")
    assert [c.id for c in found.customers] == [some["id"]]
    assert len(found.customers[0].orders) == orders_before + 1
    assert dup not in [c.id for c in cs.search(agent, some["name"])[0]]
    assert [m.id for m in cs.record(agent, some["id"]).merged] == [dup]
    refused(services, "merged_customer", cs.merge, admin, some["id"], dup)
