"""Stocktakes: variance = counted − what the moves said at the moment the count opened,
so parts used or received while counting (here or on another device) are not variances;
a blind count hides the expected quantities; submitted counts are frozen; HQ decides."""
from node.services import NodeServices
from shared.stock import on_hand
from sync.hlc import now_ms


def test_variance_against_the_moves_before_the_count(env):
    env.stock_from_hq("P-2001", 6)
    env.stock_from_hq("P-2002", 3)
    cid = env.svc.stocktake.open(env.clerk, note="月末盘点")
    oid = env.on_site()  # while the count runs, a sensor is used from the store (recorded at the counter)
    env.svc.parts.use_part(env.clerk, oid, "P-2001")
    assert env.svc.stocktake.enter(env.clerk, cid, "P-2001", 5).uncounted == 1   # one is missing on the shelf
    view = env.svc.stocktake.enter(env.clerk, cid, "P-2002", 3)  # the count as it stands after the entry
    assert view == env.svc.stocktake.get(env.clerk, cid)
    lines = {x.part_id: x for x in view.lines}
    assert (lines["P-2001"].expected, lines["P-2001"].variance) == (6, -1)  # not -1 more for the used one
    assert lines["P-2002"].variance == 0 and view.uncounted == 0 and view.editable
    assert view.variances == "室内温度传感器 -1"
    view = env.svc.stocktake.enter(env.clerk, cid, "P-2001", 6)  # found it: counted again
    assert view.variances == "0"
    env.svc.stocktake.submit(env.clerk, cid)
    env.sync()
    hub = env.hub("stock_counts", cid)
    assert hub["status"] == "submitted" and hub["note"] == "月末盘点"
    hub_lines = {line["part_id"]: line for line in env.w.hub.rows("stock_count_lines", "count_id = ?", (cid,))}
    assert (hub_lines["P-2001"]["counted"], hub_lines["P-2001"]["expected"], hub_lines["P-2001"]["variance"]) \
        == (6, 6, 0)


def test_the_store_is_counted_without_what_the_technicians_carry(env):
    env.stock_from_hq("P-2001", 6)
    env.svc.van.issue(env.clerk, env.tech.user_id, {"P-2001": 2})
    cid = env.svc.stocktake.open(env.clerk)
    view = env.svc.stocktake.enter(env.clerk, cid, "P-2001", 4)
    assert [(x.expected, x.variance) for x in view.lines] == [(4, 0)]
    env.svc.stocktake.submit(env.clerk, cid)
    env.sync()
    assert [(x["expected"], x["variance"]) for x in env.w.hub.rows("stock_count_lines", "count_id = ?", (cid,))] \
        == [(4, 0)]


def test_a_move_from_another_device_made_before_the_count_still_counts(env):
    env.stock_from_hq("P-2002", 4)
    other = env.w.node(env.outlet)
    other.sync()
    other_svc = NodeServices(other.store)
    oid = env.on_site(product_model_id="PM-WM-100")
    env.sync()
    other.sync()
    other_svc.parts.use_part(env.session(env.clerk.user_id), oid, "P-2002")  # the other PC, offline, before the count
    cid = env.svc.stocktake.open(env.clerk)
    env.svc.stocktake.enter(env.clerk, cid, "P-2002", 3)
    assert env.svc.stocktake.get(env.clerk, cid).lines[0].variance == -1  # the tablet has not synced yet
    other.sync()
    env.sync()
    assert env.svc.stocktake.get(env.clerk, cid).lines[0].variance == 0


def test_blind_count_hides_expected_until_submitted(env):
    env.stock_from_hq("P-2001", 6)
    cid = env.svc.stocktake.open(env.manager, blind=True)
    view = env.svc.stocktake.get(env.clerk, cid)
    assert view.blind
    assert [(line.part_id, line.expected, line.variance) for line in view.lines] == [("P-2001", None, None)]
    env.refused("uncounted", env.svc.stocktake.submit, env.clerk, cid)
    env.svc.stocktake.enter(env.clerk, cid, "P-2001", 4)
    assert env.svc.stocktake.get(env.clerk, cid).lines[0].variance is None
    env.svc.stocktake.submit(env.clerk, cid)
    line = env.svc.stocktake.get(env.clerk, cid).lines[0]
    assert (line.expected, line.variance) == (6, -2)


def test_stocktake_refusals(env):
    env.refused("role_forbidden", env.svc.stocktake.open, env.tech)
    cid = env.svc.stocktake.open(env.clerk)
    env.refused("count_open", env.svc.stocktake.open, env.manager)
    env.refused("role_forbidden", env.svc.stocktake.enter, env.tech, cid, "P-2001", 1)
    env.refused("bad_count", env.svc.stocktake.enter, env.clerk, cid, "P-2001", -3)
    env.svc.stocktake.enter(env.clerk, cid, "P-2001", 0)
    env.svc.stocktake.submit(env.clerk, cid)
    env.refused("doc_frozen", env.svc.stocktake.enter, env.clerk, cid, "P-2001", 2)
    env.refused("doc_frozen", env.svc.stocktake.submit, env.clerk, cid)
    assert env.svc.stocktake.current(env.clerk) is None
    env.svc.stocktake.open(env.clerk)  # the next one may start


def test_hq_decision_shows(env):
    env.stock_from_hq("P-2001", 2)
    cid = env.svc.stocktake.open(env.clerk)
    env.svc.stocktake.enter(env.clerk, cid, "P-2001", 1)
    env.svc.stocktake.submit(env.clerk, cid)
    env.sync()
    env.w.hub.write([{"op": "put", "table": "stock_counts", "id": cid, "fields": {"status": "approved"}},
                     {"op": "add", "table": "approvals", "id": "ap-count", "fields": {
                         "outlet_id": env.outlet, "subject_table": "stock_counts", "subject_id": cid,
                         "decision": "approved", "comment": "差异1件，已核销", "at": now_ms()}},
                     {"op": "add", "table": "stock_moves", "id": "adj-1", "fields": {
                         "outlet_id": env.outlet, "part_id": "P-2001", "qty": -1, "kind": "adjust",
                         "ref": cid, "at": now_ms()}}])
    env.sync()
    view = env.svc.stocktake.get(env.clerk, cid)
    assert (view.status_label, view.comment) == ("已批准", "差异1件，已核销")
    assert view.lines[0].variance == -1  # against the count's moment, not after HQ's adjustment
    assert on_hand(env.node.store, "P-2001") == 1


def test_a_partial_count_of_one_category_covers_its_parts_only(env):
    env.stock_from_hq("P-2001", 6)   # AC
    env.stock_from_hq("P-2002", 3)   # WM
    assert ("WM", "洗衣机") in env.svc.stocktake.categories(env.clerk)
    cid = env.svc.stocktake.open(env.clerk, scope="category", value="WM")
    view = env.svc.stocktake.get(env.clerk, cid)
    wm = {r["id"] for r in env.w.hub.rows("parts", "category = ?", ("WM",))}
    assert {x.part_id for x in view.lines} == wm and "P-2001" not in wm
    assert (view.scope, view.scope_label) == ("category", "类别：洗衣机")
    view = env.svc.stocktake.fill_book(env.clerk, cid)  # the shelves the clerk trusts
    assert view.uncounted == 0 and view.variances == "0"
    env.svc.stocktake.enter(env.clerk, cid, "P-2002", 2)
    env.svc.stocktake.submit(env.clerk, cid)
    env.sync()
    assert env.hub("stock_counts", cid)["scope"]["kind"] == "category"
    lines = {x["part_id"]: x for x in env.w.hub.rows("stock_count_lines", "count_id = ?", (cid,))}
    assert set(lines) == wm and lines["P-2002"]["variance"] == -1  # no line (no variance) for the sensors


def test_a_cycle_count_of_the_parts_that_moved_most(env):
    env.stock_from_hq("P-2001", 9)
    env.stock_from_hq("P-2002", 2)
    cid = env.svc.stocktake.open(env.clerk, scope="moved")
    view = env.svc.stocktake.get(env.clerk, cid)
    assert [x.part_id for x in view.lines] == ["P-2001", "P-2002"]
    assert view.scope_label == "近30天变动最多的20种配件"
    assert env.svc.stocktake.get(env.session(env.clerk.user_id, "en"), cid).scope_label == \
        "The 20 parts that moved most in 30 days"


def test_a_part_found_on_the_shelf_is_added_by_sku_and_an_unknown_one_is_refused(env):
    env.stock_from_hq("P-2001", 6)
    cid = env.svc.stocktake.open(env.clerk, scope="category", value="AC")
    before = env.svc.stocktake.get(env.clerk, cid)
    view = env.svc.stocktake.add_part(env.clerk, cid, "p-2003")  # a 门封条 on the AC shelf
    assert "P-2003" in {x.part_id for x in view.lines} and view.uncounted == before.uncounted + 1
    err = env.refused("count_part_unknown", env.svc.stocktake.add_part, env.clerk, cid, "X-999")
    assert "X-999" in err.message("zh")
    env.refused("part_unknown", env.svc.stocktake.enter, env.clerk, cid, "X-999", 1)
    env.refused("bad_count", env.svc.stocktake.enter, env.clerk, cid, "P-2001", -1)
    assert env.svc.stocktake.get(env.clerk, cid) == view  # nothing changed


def test_a_scope_that_names_nothing_is_refused(env):
    env.refused("bad_choice", env.svc.stocktake.open, env.manager, scope="shelf-9")
    env.refused("count_scope_empty", env.svc.stocktake.open, env.manager, scope="category", value="nope")
    env.refused("count_scope_empty", env.svc.stocktake.open, env.manager, scope="moved")  # nothing moved yet
    assert env.svc.stocktake.current(env.clerk) is None


def test_a_line_whose_part_moved_after_the_count_opened_is_marked(env):
    env.stock_from_hq("P-2001", 6)
    env.stock_from_hq("P-2002", 3)
    cid = env.svc.stocktake.open(env.clerk)
    assert not any(x.moved for x in env.svc.stocktake.get(env.clerk, cid).lines)
    oid = env.on_site()
    env.svc.parts.use_part(env.clerk, oid, "P-2001")
    lines = {x.part_id: x for x in env.svc.stocktake.get(env.clerk, cid).lines}
    assert lines["P-2001"].moved and not lines["P-2002"].moved
    assert lines["P-2001"].expected == 6  # the book stays the count's


def test_a_blind_count_is_not_filled_with_the_book(env):
    env.stock_from_hq("P-2001", 6)
    cid = env.svc.stocktake.open(env.clerk, blind=True)
    env.refused("blind_no_book", env.svc.stocktake.fill_book, env.clerk, cid)
    assert env.svc.stocktake.get(env.clerk, cid).uncounted == 1


def test_a_count_of_one_shelf_covers_the_parts_the_outlet_put_on_it(env):
    """The clerk puts parts on shelves (typed loosely: a-03 is A-03), HQ receives them and
    another node of the outlet would too; a count of shelf A-03 covers its parts only, each
    line showing its shelf; bad shelves are refused in words and change nothing."""
    for part, qty in (("P-2001", 6), ("P-2002", 3), ("P-2003", 2)):
        env.stock_from_hq(part, qty)
    shelves = env.svc.shelves
    assert shelves.set(env.clerk, "P-2002", " a-03 ") == "A-03"
    assert shelves.set(env.manager, "P-2003", "A-03") == "A-03"
    assert shelves.set_by_sku(env.clerk, "p2001", "B-01") == ("P-2001", "B-01")  # scanned, without its dash
    err = env.refused("shelf_part_unknown", shelves.set_by_sku, env.clerk, "X-999", "B-01")
    assert "X-999" in err.message("zh") and "X-999" in err.message("en")
    assert shelves.names(env.clerk) == ("A-03", "B-01")
    assert {s.part_id: s.shelf for s in env.svc.stock.levels(env.clerk)} == {
        "P-2001": "B-01", "P-2002": "A-03", "P-2003": "A-03", "P-1001": ""}  # 压缩机: on no shelf
    err = env.refused("bad_shelf", shelves.set, env.clerk, "P-2001", "A-03;DROP")
    assert err.message("zh") == "货位“A-03;DROP”无效：最多20个字符，只能用字母、数字、“-”“.”“/”和空格。"
    env.refused("bad_shelf", shelves.set, env.clerk, "P-2001", "X" * 21)
    env.refused("part_unknown", shelves.set, env.clerk, "X-999", "A-01")
    env.refused("role_forbidden", shelves.set, env.tech, "P-2001", "A-01")
    env.refused("count_scope_empty", env.svc.stocktake.open, env.clerk, scope="shelf", value="Z-99")

    cid = env.svc.stocktake.open(env.clerk, scope="shelf", value="a-03")
    view = env.svc.stocktake.get(env.clerk, cid)
    assert [(x.part_id, x.shelf) for x in view.lines] == [("P-2002", "A-03"), ("P-2003", "A-03")]
    assert view.scope_label == "货位：A-03"
    assert env.svc.stocktake.get(env.session(env.clerk.user_id, "en"), cid).scope_label == "Shelf: A-03"
    env.svc.stocktake.enter(env.clerk, cid, "P-2002", 3)
    env.svc.stocktake.enter(env.clerk, cid, "P-2003", 1)
    env.svc.stocktake.submit(env.clerk, cid)
    shelves.set(env.clerk, "P-2001", "")  # emptied: on no shelf
    assert shelves.names(env.clerk) == ("A-03",)
    env.sync()
    assert env.hub("stock_counts", cid)["scope"] == {"kind": "shelf", "value": "A-03", "parts": ["P-2002", "P-2003"]}
    assert sorted((r["part_id"], r["shelf"]) for r in env.w.hub.rows("part_shelves", "outlet_id = ?", (env.outlet,))
                  ) == [("P-2001", None), ("P-2002", "A-03"), ("P-2003", "A-03")]
    assert env.svc.sync.view(env.clerk).refused == ()
