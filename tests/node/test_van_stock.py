"""What the technicians carry: the clerk issues parts from the store into a technician's
bag and takes unused ones back, the technician hands back their own; on hand per place is
Σ of that place's moves, the outlet's total never moves, and HQ holds the same after sync.
Bad input is refused in words with nothing written; a bag count is recorded, not posted."""
from shared.stock import on_hand


def places(store, outlet: str) -> dict:
    """(holder, part) → Σ qty: the store (holder None) and each bag."""
    return {(h, p): n for h, p, n in store.conn.execute(
        "SELECT holder, part_id, SUM(qty) FROM stock_moves WHERE outlet_id = ? GROUP BY holder, part_id",
        (outlet,)) if n}


def test_the_clerk_issues_parts_to_a_technician_in_one_change(env):
    env.stock_from_hq("P-2001", 5)
    env.stock_from_hq("P-2002", 2)
    changes = env.node.store.conn.execute("SELECT COUNT(*) FROM _log").fetchone()[0]
    ref = env.svc.van.issue(env.clerk, env.tech.user_id, {"P-2001": 3, "P-2002": 1})
    assert env.node.store.conn.execute("SELECT COUNT(*) FROM _log").fetchone()[0] == changes + 1  # one change
    tech = env.tech.user_id
    assert places(env.node.store, env.outlet) == {
        (None, "P-2001"): 2, (None, "P-2002"): 1, (tech, "P-2001"): 3, (tech, "P-2002"): 1}
    bag = env.svc.van.bag(env.tech)
    assert [(x.sku, x.qty) for x in bag.lines] == [("P-2001", 3), ("P-2002", 1)]
    assert (bag.technician_name, bag.pieces, bag.summary) == ("张师傅", 4, "室内温度传感器×3，排水泵×1")
    levels = {x.part_id: x for x in env.svc.stock.levels(env.clerk)}
    assert (levels["P-2001"].on_hand, levels["P-2001"].in_bags) == (2, 3)
    moves = env.node.store.conn.execute("SELECT kind, ref, qty FROM stock_moves WHERE ref = ?", (ref,)).fetchall()
    assert sorted(m[2] for m in moves) == [-3, -1, 1, 3] and {m[0] for m in moves} == {"issue"}
    env.sync()
    assert places(env.w.hub, env.outlet) == places(env.node.store, env.outlet)
    assert env.w.hub.rows("stock_moves", "ref = ? AND holder = ?", (ref, tech))[0]["kind"] == "issue"


def test_unused_parts_go_back_by_the_technician_or_the_clerk(env):
    env.carry("P-2001", 4)
    env.svc.van.hand_back(env.tech, None, {"P-2001": 1})   # the technician hands in their own
    env.svc.van.hand_back(env.clerk, env.tech.user_id, {"P-2001": 2})   # the clerk takes them back
    assert (on_hand(env.node.store, "P-2001"), on_hand(env.node.store, "P-2001", env.tech.user_id)) == (3, 1)
    ledger = env.svc.stock.ledger(env.clerk, part_id="P-2001")
    assert [(m.kind_label, m.qty, m.ref_label) for m in ledger[:2]] == [("退料", 2, "张师傅"), ("退料", 1, "张师傅")]
    env.sync()
    assert places(env.w.hub, env.outlet) == {(None, "P-2001"): 3, (env.tech.user_id, "P-2001"): 1}


def test_bad_issues_and_hand_backs_are_refused_in_words_with_nothing_written(env):
    env.stock_from_hq("P-2001", 2)
    env.stock_from_hq("P-2002", 1)
    tech = env.tech.user_id
    # the second line cannot be met: not even the first is issued
    err = env.refused("insufficient_stock", env.svc.van.issue, env.clerk, tech, {"P-2001": 1, "P-2002": 2})
    assert err.message("zh") == "排水泵库存不足：现有1件，需要2件。"
    env.refused("bad_qty", env.svc.van.issue, env.clerk, tech, {"P-2001": 0})
    env.refused("bad_qty", env.svc.van.issue, env.clerk, tech, {"P-2001": -1})
    env.refused("nothing_to_issue", env.svc.van.issue, env.clerk, tech, {})
    env.refused("part_unknown", env.svc.van.issue, env.clerk, tech, {"P-9999": 1})
    env.refused("technician_invalid", env.svc.van.issue, env.clerk, env.clerk.user_id, {"P-2001": 1})
    env.refused("role_forbidden", env.svc.van.issue, env.tech, tech, {"P-2001": 1})  # a technician takes none
    env.svc.van.issue(env.clerk, tech, {"P-2001": 1})
    err = env.refused("hand_back_too_many", env.svc.van.hand_back, env.clerk, tech, {"P-2001": 2})
    assert err.message("zh") == "张师傅只携带了1件室内温度传感器，不能退回2件。"
    assert err.message("en") == "张师傅 carries only 1 of 室内温度传感器; 2 cannot be handed back."
    env.refused("not_your_bag", env.svc.van.hand_back, env.tech2, tech, {"P-2001": 1})
    env.refused("not_your_bag", env.svc.van.bag, env.tech2, tech)
    env.refused("not_your_bag", env.svc.stock.ledger, env.tech2, holder=tech)


def test_a_bag_count_is_recorded_with_its_variance_and_not_sent_for_approval(env):
    env.carry("P-2001", 3)
    env.refused("uncounted", env.svc.van.count_bag, env.clerk, env.tech.user_id, {})
    env.refused("bad_count", env.svc.van.count_bag, env.clerk, env.tech.user_id, {"P-2001": -1})
    env.refused("role_forbidden", env.svc.van.count_bag, env.tech, env.tech.user_id, {"P-2001": 3})
    cid = env.svc.van.count_bag(env.clerk, env.tech.user_id, {"P-2001": 2, "P-2003": 1})
    counts = env.svc.van.counts(env.tech)  # the technician sees their own bag's counts
    assert [(x.sku, x.counted, x.expected, x.variance) for x in counts[0].lines] == [
        ("P-2001", 2, 3, -1), ("P-2003", 1, 0, 1)]
    assert counts[0].variances == "室内温度传感器 -1，门封条 +1"
    assert on_hand(env.node.store, "P-2001", env.tech.user_id) == 3  # recorded, not posted
    assert env.svc.stocktake.current(env.clerk) is None and env.svc.stocktake.all(env.clerk) == ()
    env.sync()
    count = env.hub("stock_counts", cid)
    assert (count["holder"], count["status"]) == (env.tech.user_id, "submitted")
    assert len(env.w.hub.rows("stock_count_lines", "count_id = ?", (cid,))) == 2
    assert env.w.hub.rows("notices", "kind = 'refused'") == []


def test_every_technicians_bag_for_the_clerk_and_only_their_own_for_a_technician(env):
    env.carry("P-2001", 2)
    env.carry("P-2002", 1, tech=env.tech2)
    assert [(b.technician_name, b.summary) for b in env.svc.van.bags(env.clerk)] == [
        ("张师傅", "室内温度传感器×2"), ("李师傅", "排水泵×1")]
    assert [b.technician_name for b in env.svc.van.bags(env.tech)] == ["张师傅"]
    assert [c.text for c in env.svc.van.bag_choices(env.session(env.tech.user_id, "en"))] == [
        "室内温度传感器 (P-2001) · 2 carried"]
    assert [c.key for c in env.svc.van.store_choices(env.clerk)] == []


def test_the_bag_balances_across_the_outlet_pc_and_the_technicians_own_device(env):
    """Issued at the outlet's PC, used offline on the technician's device, handed back at the
    PC: after sync every replica and HQ hold the same on hand per place, and every pair is whole."""
    from node.services import NodeServices
    from fieldsync.testing.world import stock_places, unbalanced_pairs
    env.stock_from_hq("P-2001", 5)
    device = env.w.node(env.outlet)
    device.sync()
    on_device = NodeServices(device.store)
    env.svc.van.issue(env.clerk, env.tech.user_id, {"P-2001": 3})
    oid = env.on_site()
    env.sync()
    device.sync()
    tech = env.session(env.tech.user_id)
    on_device.parts.use_part(tech, oid, "P-2001", 2)  # offline, from the bag
    env.svc.van.hand_back(env.clerk, env.tech.user_id, {"P-2001": 1})  # meanwhile at the PC
    for _ in range(2):
        device.sync()
        env.sync()
    expected = {(None, "P-2001"): 3}  # 5 − 3 issued + 1 back; the bag: 3 − 2 used − 1 back = 0
    assert stock_places(env.w.hub.conn, env.outlet) == stock_places(env.node.store.conn, env.outlet) \
        == stock_places(device.store.conn, env.outlet) == expected
    assert unbalanced_pairs(env.w.hub.conn) == []
    assert on_device.van.bag(tech).lines == ()


def test_the_seeded_outlet_has_technicians_carrying_parts(env):
    from fieldsync.testing.outlet import BAGS
    env.seed_bags()
    bags = {b.technician_id: {x.part_id: x.qty for x in b.lines} for b in env.svc.van.bags(env.clerk)}
    assert bags == BAGS
    assert {x.part_id: (x.on_hand, x.in_bags) for x in env.svc.stock.levels(env.clerk)} == {
        "P-2001": (2, 2), "P-2002": (1, 1), "P-2003": (1, 1), "P-1001": (0, 0)}
