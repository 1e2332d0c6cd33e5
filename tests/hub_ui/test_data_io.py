"""The admin imports customers in the browser (导入导出, issue #15 item 3): choosing a file
runs the dry run — a bad row is told by its line in words, nothing can be imported and
nothing is written (in Chinese and in English); the corrected file previews as two new rows and one changed, and
确认导入 writes them. Screenshots: screenshots/hub/6x-*.png."""
from tests.hub_ui.test_admin import go, hub_rows


def test_admin_previews_a_bad_file_then_imports_a_good_one(ui, hq, tmp_path):
    [(known_phone, known_name, known_city)] = hub_rows(
        hq, "SELECT phone, name, city FROM customers WHERE merged_into IS NULL ORDER BY id LIMIT 1")
    before = hub_rows(hq, "SELECT COUNT(*) FROM customers")
    bad = tmp_path / "客户-有错.csv"
    bad.write_text("客户姓名,电话,城市,地址\n"
                   "柳如烟,13900001111,苏州,姑苏区人民路8号\n"
                   "沈一白,12345,苏州,吴中区东吴北路1号\n", encoding="utf-8")
    good = tmp_path / "客户.csv"
    good.write_text("客户姓名,电话,城市,地址\n"
                    "柳如烟,13900001111,苏州,姑苏区人民路8号\n"
                    "沈一白,13900002222,苏州,吴中区东吴北路1号\n"
                    f"{known_name},{known_phone},{known_city},新地址路99号\n", encoding="utf-8")

    ui.login("admin")
    ui.wait("欢迎")
    go(ui, "导入导出")
    ui.wait("选择文件并预览…")
    with ui.page.expect_file_chooser() as chooser:
        ui.click("选择文件并预览…")
    chooser.value.set_files(str(bad))
    ui.wait("第3行：电话号码格式不正确。")
    ui.wait("预览：新增 1 行，修改 0 行，不变 0 行，错误 1 行")
    ui.wait("文件中有错误行，不能导入。", exact=False)
    assert ui.button("确认导入").count() == 0
    ui.shot("hub/60-import-bad-row.png")
    assert hub_rows(hq, "SELECT COUNT(*) FROM customers") == before
    ui.click("English")                                   # the same preview, in English
    ui.wait("Line 3: The phone number is not valid.")
    ui.wait("Preview: 1 new, 0 changed, 0 unchanged, 1 with errors")
    ui.click("中文")
    ui.wait("第3行：电话号码格式不正确。")

    with ui.page.expect_file_chooser() as chooser:
        ui.click("选择文件并预览…")
    chooser.value.set_files(str(good))
    ui.wait("预览：新增 2 行，修改 1 行，不变 0 行，错误 0 行")
    ui.wait("新地址路99号", exact=False)
    ui.shot("hub/61-import-preview.png")
    assert hub_rows(hq, "SELECT COUNT(*) FROM customers") == before
    ui.click("确认导入")
    ui.wait("已导入：新增 2 行，修改 1 行，不变 0 行")
    ui.shot("hub/62-imported.png")
    assert hub_rows(hq, "SELECT name, city FROM customers WHERE phone IN ('13900001111', '13900002222') "
                        "ORDER BY phone") == [("柳如烟", "苏州"), ("沈一白", "苏州")]
    assert hub_rows(hq, "SELECT address FROM customers WHERE phone = ?", (known_phone,)) == [("新地址路99号",)]
