"""Parts used on an order come out of the technician's bag (or, recorded by the clerk, the
outlet's store) in the same change; the defective part's return is recorded once and does
not count as stock. HQ sees both after sync."""
from fieldsync.testing.outlet import days_ago
from shared.stock import on_hand


def test_a_part_used_on_site_leaves_the_bag_and_hq_counts_it(env):
    env.carry("P-2001", 3)
    oid = env.on_site()
    line = env.svc.parts.use_part(env.tech, oid, "P-2001", 1, old_serial="TS-OLD-1187", new_serial="TS-NEW-5521")
    d = env.svc.order.get(env.tech, oid)
    assert [(p.text, p.qty, p.old_serial, p.new_serial, p.in_warranty) for p in d.parts] == [
        ("室内温度传感器（P-2001）×1", 1, "TS-OLD-1187", "TS-NEW-5521", True)]  # in warranty: the model's 72 months
    assert (on_hand(env.node.store, "P-2001", env.tech.user_id), on_hand(env.node.store, "P-2001")) == (2, 0)
    env.svc.actions.complete(env.tech, oid, "更换室内温度传感器，E1故障排除")
    env.sync()
    assert env.hub("service_orders", oid)["status"] == "completed"
    assert env.hub("order_parts", line)["new_serial"] == "TS-NEW-5521"
    assert env.hub_on_hand("P-2001") == 2
    move = env.w.hub.rows("stock_moves", "ref = ?", (oid,))
    assert [(m["kind"], m["qty"], m["part_id"], m["holder"]) for m in move] == [
        ("consume", -1, "P-2001", env.tech.user_id)]


def test_the_parts_carried_are_offered_the_appliances_kind_first_and_none_left_says_so(env):
    for part, qty in (("P-2002", 1), ("P-2003", 2), ("P-2001", 3)):
        env.carry(part, qty)
    env.stock_from_hq("P-1001", 1)  # in the store, not in the bag: not the technician's to pick
    washer = env.on_site(product_model_id="PM-WM-100")
    assert [(c.key, c.text) for c in env.svc.parts.choices(env.tech, washer)] == [
        ("P-2002", "排水泵（P-2002）· 随车1"), ("P-2001", "室内温度传感器（P-2001）· 随车3"),
        ("P-2003", "门封条（P-2003）· 随车2")]
    env.svc.parts.use_part(env.tech, washer, "P-2002")  # the last one: offered as not carried, not hidden
    en = env.svc.parts.choices(env.session(env.tech.user_id, "en"), washer)
    assert [c.text for c in en] == ["排水泵 (P-2002) · not carried", "室内温度传感器 (P-2001) · 3 carried",
                                    "门封条 (P-2003) · 2 carried"]
    err = env.refused("not_carried", env.svc.parts.use_part, env.tech, washer, "P-2002")
    assert err.message("zh") == "您没有携带该配件：排水泵。请先到网点领料。"
    # the clerk picks from the store: the washer's pump first, none there; other kinds only when stocked
    assert [c.text for c in env.svc.parts.choices(env.clerk, washer)] == ["排水泵（P-2002）· 无库存",
                                                                          "压缩机（P-1001）· 库存1"]
    err = env.refused("insufficient_stock", env.svc.parts.use_part, env.clerk, washer, "P-2002")
    assert err.message("zh") == "排水泵库存不足：现有0件，需要1件。"


def test_out_of_warranty_appliance_defaults_to_a_paid_part(env):
    env.carry("P-2002", 1)
    oid = env.on_site(product_model_id="PM-WM-100", purchase_date=days_ago(5 * 365))
    env.svc.parts.use_part(env.tech, oid, "P-2002")
    assert env.svc.order.get(env.tech, oid).parts[0].in_warranty is False
    env.carry("P-2002", 1)
    env.svc.parts.use_part(env.tech, oid, "P-2002", in_warranty=True)  # the technician knows better
    assert [p.in_warranty for p in env.svc.order.get(env.tech, oid).parts] == [False, True]


def test_a_part_the_technician_does_not_carry_is_refused_in_words(env):
    env.carry("P-2001", 1)
    env.stock_from_hq("P-2002", 5)  # in the store: the technician on site does not have it
    oid = env.on_site()
    err = env.refused("not_carried", env.svc.parts.use_part, env.tech, oid, "P-2002")
    assert err.message("zh") == "您没有携带该配件：排水泵。请先到网点领料。"
    assert err.message("en") == "You do not carry this part: 排水泵. Collect it at the outlet first."
    err = env.refused("bag_short", env.svc.parts.use_part, env.tech, oid, "P-2001", 2)
    assert err.message("zh") == "您只携带了1件室内温度传感器，需要2件。"
    assert err.message("en") == "You carry only 1 of 室内温度传感器; 2 needed."


def test_parts_are_refused_without_stock_before_arrival_or_for_bad_input(env):
    env.carry("P-2001", 1)
    oid = env.on_site()
    err = env.refused("insufficient_stock", env.svc.parts.use_part, env.clerk, oid, "P-2001", 1)  # the store's empty
    assert err.message("zh") == "室内温度传感器库存不足：现有0件，需要1件。"
    env.refused("bad_qty", env.svc.parts.use_part, env.tech, oid, "P-2001", 0)
    env.refused("part_unknown", env.svc.parts.use_part, env.tech, oid, "P-9999")
    env.refused("not_your_order", env.svc.parts.use_part, env.tech2, oid, "P-2001")
    scheduled = env.dispatch(technician_id=env.tech.user_id)
    env.svc.actions.accept(env.tech, scheduled)
    err = env.refused("need_status", env.svc.parts.use_part, env.tech, scheduled, "P-2001")
    assert "已上门" in err.message("zh")


def test_a_clerk_records_a_part_used_at_the_counter_from_the_store(env):
    env.stock_from_hq("P-2001", 2)
    oid = env.on_site()
    env.svc.parts.use_part(env.clerk, oid, "P-2001")
    assert (on_hand(env.node.store, "P-2001"), on_hand(env.node.store, "P-2001", env.tech.user_id)) == (1, 0)


def test_the_defective_part_is_returned_once_and_is_not_stock(env):
    env.carry("P-1001", 2)
    oid = env.on_site()
    line = env.svc.parts.use_part(env.tech, oid, "P-1001", old_serial="CMP-OLD-0099")
    move = env.svc.parts.return_defective(env.tech, line)
    assert on_hand(env.node.store, "P-1001", env.tech.user_id) == 1
    assert on_hand(env.node.store, "P-1001") == 0  # the old compressor is not sellable stock
    assert env.svc.order.get(env.tech, oid).parts[0].returned
    env.refused("already_returned", env.svc.parts.return_defective, env.tech, line)
    number = env.svc.order.get(env.tech, oid).number
    ledger = env.svc.stock.ledger(env.clerk, part_id="P-1001")  # the store's: the old part handed in
    assert [(m.kind_label, m.qty, m.ref_label) for m in ledger[:2]] == [("旧件返还", 0, number), ("领料", -2, "张师傅")]
    bag = env.svc.stock.ledger(env.clerk, part_id="P-1001", holder=env.tech.user_id)
    assert [(m.kind_label, m.qty, m.ref_label) for m in bag] == [("工单用料", -1, number), ("领料", 2, "张师傅")]
    env.sync()
    hub_move = env.hub("stock_moves", move)
    assert (hub_move["kind"], hub_move["qty"], hub_move["ref"], hub_move["note"]) == ("return", 0, line, "CMP-OLD-0099")
    assert env.hub_on_hand("P-1001") == 1


def test_a_part_on_another_outlets_order_is_refused(env):
    other = env.w.dispatch(env.w.outlets[1])
    env.refused("not_found", env.svc.parts.use_part, env.tech, other, "P-2001")  # never reached this node
