"""Import and export (issue #15 item 3) on a real hub store, once on SQLite and once on
PostgreSQL: a dry run says what would change (new / changed / unchanged, and how) and
writes nothing; a file with one bad row is refused whole, every bad row named by its line
number in Chinese and in English; a good file is written in one go and reaches the nodes'
buckets; what is exported imports back unchanged; passwords and PINs are hashed, weak PINs
refused, and only the admin imports users."""
import io

import pytest
from openpyxl import Workbook, load_workbook

from hub.services.import_report import changes_text
from hub.services.importing import ImportRefused
from shared.errors import ServiceError
from shared.passwords import check_password
from tests.hub.test_master_data import global_changes

TABLES = ("customers", "outlets", "users", "product_models", "parts", "bucket_changes", "hq_audit")


def csv(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def xlsx(rows: list[list]) -> bytes:
    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def state(services) -> dict:
    return {t: services.ctx.scalar(f"SELECT COUNT(*) FROM {t}") for t in TABLES}


def a_customer(services) -> dict:
    return services.ctx.one("SELECT * FROM customers WHERE merged_into IS NULL ORDER BY id LIMIT 1")


def test_a_dry_run_of_customers_shows_new_changed_and_unchanged_and_writes_nothing(services, admin):
    imp = services.importing
    known = a_customer(services)
    same = services.ctx.one("SELECT * FROM customers WHERE merged_into IS NULL AND id != ? ORDER BY id LIMIT 1",
                            (known["id"],))
    data = csv("客户姓名,电话,城市,地址,会员等级",
               "王小明,138 0013 9001,杭州,西湖区文三路1号,金卡会员",
               f"{known['name']},{known['phone']},{known['city']},新地址88号,",
               f"{same['name']},{same['phone']},,,")
    before = state(services)
    plan = imp.plan(admin, "customers", data, "客户.csv")
    assert plan.errors == [] and plan.counts == {"new": 1, "changed": 1, "unchanged": 1}
    new, changed, unchanged = plan.rows
    assert (new.line, new.status, new.key) == (2, "new", "13800139001")
    assert {c.column: c.new for c in new.changes}["member_level"] == "金卡会员"
    assert [(c.column, c.old, c.new) for c in changed.changes] == [("address", known["address"], "新地址88号")]
    assert unchanged.changes == []
    assert state(services) == before

    done = imp.apply(admin, "customers", data, "客户.csv")
    assert done.counts == {"new": 1, "changed": 1, "unchanged": 1}
    made = services.ctx.one("SELECT * FROM customers WHERE phone = '13800139001'")
    assert (made["name"], made["city"], made["member_level"]) == ("王小明", "杭州", "金卡会员")
    assert services.ctx.row("customers", known["id"])["address"] == "新地址88号"
    assert services.ctx.row("customers", same["id"])["address"] == same["address"]  # empty cells keep values
    [audit] = services.ctx.query("SELECT * FROM hq_audit WHERE action = 'import_customers'")
    assert (audit["user_id"], audit["subject"], audit["detail"]) == (admin.user_id, "客户.csv",
                                                                      "new=1 changed=1 unchanged=1")


def test_one_bad_row_refuses_the_whole_file_and_every_bad_row_is_told_by_line(services, admin):
    imp = services.importing
    data = csv("型号,型号名称,产品类别,保修月数",
               "KFR-99X,空调 新品,AC,12",              # good
               "KFR-98X,,AC,12",                      # line 3: no name
               "ZZ-1,神秘机,ZZ,12",                    # line 4: unknown category
               "KFR-97X,空调 二号,空调,abc",           # line 5: warranty not a number (category by name is fine)
               "kfr-99x,重复,AC,12")                  # line 6: the model of line 2 again
    before = state(services)
    plan = imp.plan(admin, "product_models", data, "models.csv")
    assert [e.line for e in plan.errors] == [3, 4, 5, 6]
    zh = [e.message("zh") for e in plan.errors]
    en = [e.message("en") for e in plan.errors]
    assert zh[0].startswith("第3行：") and "名称" in zh[0]
    assert en[1].startswith("Line 4: ") and "ZZ" in en[1]
    assert "保修月数" in zh[2] and "whole number" in en[2]
    assert "第2行" in zh[3] and "twice" in en[3]
    assert plan.counts["new"] == 1                       # the good row is still shown
    with pytest.raises(ImportRefused) as refused:
        imp.apply(admin, "product_models", data, "models.csv")
    assert [e.line for e in refused.value.errors] == [3, 4, 5, 6]
    assert "4" in refused.value.message("zh") and "nothing was imported" in refused.value.message("en")
    assert state(services) == before                     # not even line 2
    assert services.ctx.one("SELECT 1 FROM product_models WHERE code = 'KFR-99X'") is None


def test_parts_from_excel_reach_the_nodes_and_prices_change_by_file(services, admin):
    imp = services.importing
    model = services.ctx.one("SELECT code, category FROM product_models ORDER BY code LIMIT 1")
    data = xlsx([["配件编码", "配件名称", "产品类别", "单价（元）", "安全库存", "适用型号"],
                 ["zz-2001", "测试主板", model["category"], 268.5, 3, model["code"]],
                 [None, None, None, None, None, None],
                 ["ZZ-2002", "测试电容", model["category"], "12", None, None]])
    done = imp.apply(admin, "parts", data, "parts.xlsx")
    assert done.counts["new"] == 2
    [p] = services.master_data.parts(admin, query="ZZ-2001")
    assert (p.unit_price, p.safety_stock, len(p.models)) == (26850, 3, 1)
    assert global_changes(services, p.id) == 1           # reaches every node at its next sync

    prices = csv("配件编码,单价", "ZZ-2001,299", "ZZ-2002,12.00", "NO-SUCH,1")
    plan = imp.plan(admin, "prices", prices, "prices.csv")
    assert [e.line for e in plan.errors] == [4] and "NO-SUCH" in plan.errors[0].message("zh")
    prices = csv("sku,unit price (yuan)", "ZZ-2001,299", "ZZ-2002,12.00")
    plan = imp.plan(admin, "prices", prices, "prices.csv")
    assert plan.counts == {"new": 0, "changed": 1, "unchanged": 1}
    assert [(c.old, c.new) for c in plan.rows[0].changes] == [("268.50", "299.00")]
    imp.apply(admin, "prices", prices, "prices.csv")
    assert services.master_data.parts(admin, query="ZZ-2001")[0].unit_price == 29900
    assert global_changes(services, p.id) == 2


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_what_is_exported_imports_back_unchanged(services, admin, fmt):
    imp = services.importing
    for entity in ("customers", "outlets", "users", "product_models", "parts", "prices"):
        data = imp.export(admin, entity, fmt)
        plan = imp.plan(admin, entity, data, f"{entity}.{fmt}")
        assert plan.errors == [], (entity, plan.errors[:3])
        assert plan.counts["new"] == plan.counts["changed"] == 0, (entity, [r.changes for r in plan.rows
                                                                           if r.status != "unchanged"][:3])
        assert plan.counts["unchanged"] > 0
    head = load_workbook(io.BytesIO(imp.export(admin, "parts", "xlsx", "en"))).active[1]
    assert [c.value for c in head][:4] == ["part number", "part name", "category", "unit price (yuan)"]


def test_users_by_file_hashed_passwords_weak_pins_refused_and_only_the_admin(services, admin, agent):
    imp = services.importing
    outlet = services.ctx.one("SELECT code FROM outlets ORDER BY code LIMIT 1")["code"]
    bad = csv("用户名,姓名,角色,网点编码,密码,PIN码",
              f"t.zhao,赵师傅,维修师傅,{outlet},secret-pass-1,1234",
              "q.qian,钱坐席,坐席,,short,",
              "s.sun,孙某,厨师,,,")
    plan = imp.plan(admin, "users", bad, "users.csv")
    assert [e.line for e in plan.errors] == [2, 3, 4]
    assert "PIN" in plan.errors[0].message("zh") and "8" in plan.errors[1].message("en")
    assert "厨师" in plan.errors[2].message("zh")
    assert all("secret-pass-1" not in repr(r) for r in plan.rows)

    good = csv("username,name,role,outlet code,password,PIN",
               f"t.zhao,赵师傅,technician,{outlet},secret-pass-1,482913",
               "q.qian,钱坐席,HQ agent,,,")
    qian = imp.plan(admin, "users", csv("username,name,role,active", "q.qian,钱坐席,坐席,否"), "u.csv").rows[0]
    assert "role HQ agent" in changes_text(qian, "en") and "active no" in changes_text(qian, "en")
    assert "角色 坐席" in changes_text(qian, "zh") and "启用 否" in changes_text(qian, "zh")
    with pytest.raises(ServiceError) as e:
        imp.plan(agent, "users", good, "users.csv")
    assert e.value.code == "role_forbidden"
    done = imp.apply(admin, "users", good, "users.csv")
    assert done.counts["new"] == 2
    [(username, generated)] = done.passwords            # q.qian had none: one made, shown once
    assert username == "q.qian" and len(generated) >= 8
    zhao = services.ctx.one("SELECT * FROM users WHERE username = 't.zhao'")
    assert check_password("secret-pass-1", zhao["password_hash"]) and zhao["pin_hash"].startswith("scrypt$65536$")
    assert services.login("q.qian", generated).role == "hq_agent"
    audit = " ".join(f"{r['subject']} {r['detail']}" for r in services.ctx.query("SELECT * FROM hq_audit"))
    assert "secret-pass-1" not in audit and generated not in audit and "482913" not in audit
    # the admin cannot import away their own role
    refused = imp.plan(admin, "users", csv("用户名,角色", "admin,坐席"), "me.csv")
    assert refused.errors and "管理员" in refused.errors[0].message("zh")


def test_a_file_that_cannot_be_read_is_refused_in_words(services, admin):
    imp = services.importing
    with pytest.raises(ServiceError) as e:
        imp.plan(admin, "outlets", csv("网点编码,名称,颜色", "X1,某店,红"), "o.csv")
    assert e.value.code == "import_unknown_column" and "颜色" in e.value.message("zh")
    with pytest.raises(ServiceError) as e:
        imp.plan(admin, "outlets", csv("名称", "某店"), "o.csv")
    assert e.value.code == "import_missing_column" and "outlet code" in e.value.message("en")
    with pytest.raises(ServiceError) as e:
        imp.plan(admin, "outlets", b"PK\x03\x04 not really", "o.xlsx")
    assert e.value.code == "import_xlsx_broken"
    with pytest.raises(ServiceError) as e:
        imp.plan(admin, "outlets", b"", "o.xls")
    assert e.value.code == "import_format"
    # a CSV saved by Excel on a Chinese Windows (GB18030) reads as well as UTF-8
    gbk = "网点编码,网点名称,城市,服务品类\nHZ9,杭州九店,杭州,空调、洗衣机\n".encode("gb18030")
    plan = imp.plan(admin, "outlets", gbk, "o.csv")
    assert plan.errors == [] and plan.rows[0].values["qualifications"] == ["AC", "WM"]
