"""What a technician types finds the article (issue #16, item 5): a nameplate model code
with its separators anywhere or none and in any case; HQ's synonyms (滴水 ≈ 漏水, 制冷差 ≈
不制冷); a fault code, and its name from master data. An order lists the articles for its
model and fault code, those for both first. Names only on screen: a model HQ's article
names by its id reads as its code, a category as its name, a fault code with its name."""
from sync.hlc import now_ms
from fieldsync.testing.world import uid

UUID_MODEL = "3f2b8c9e-5d1a-4c7b-9e0f-1a2b3c4d5e6f"


def put(table, row_id, **fields):
    return {"op": "put", "table": table, "id": row_id, "fields": fields}


def article(aid, title, category, body, *, tags=(), codes=(), models=()):
    return put("kb_articles", aid, title=title, category=category, body=body, tags=list(tags),
               fault_codes=list(codes), models=list(models), active=True, updated_at=now_ms())


def publish(env):
    env.w.hub.write([
        put("product_models", UUID_MODEL, code="KFR-72LW/NhBa1", name="柜式空调 3匹", category="AC", active=True),
        put("product_categories", "CAT-AC", code="AC", name="空调", name_en="Air conditioner", active=True),
        put("fault_codes", "FC-AC-F1", category="AC", code="F1", name="室内温度传感器故障",
            name_en="Indoor temperature sensor fault", active=True),
        put("fault_codes", "FC-WM-E21", category="WM", code="E21", name="排水超时", active=True),
        article("KB-35", "挂机漏水处理", "AC", "室内机漏水多为排水管堵塞。", tags=["漏水"],
                models=["KFR-35GW/BpR3"]),
        article("KB-35-F1", "F1故障：更换温度传感器", "AC", "显示F1时测量传感器阻值。", codes=["F1"],
                models=["KFR-35GW/BpR3"]),
        article("KB-F1", "传感器阻值表", "AC", "各型号温度传感器的阻值。", codes=["F1"]),
        article("KB-72", "柜机不制冷", "AC", "柜机不制冷时检查冷媒压力。", tags=["不制冷"],
                models=[UUID_MODEL]),  # HQ's admin kept the model's id
        article("KB-WM", "洗衣机排水超时", "WM", "E21表示排水超时，清理排水泵。", codes=["E21"],
                models=["XQG100-B14"]),
    ])
    env.sync()


def ids(hits):
    return [h.id for h in hits]


def test_a_nameplate_code_is_found_however_it_is_typed(env):
    publish(env)
    kb, me = env.svc.kb, env.tech
    for typed in ("KFR-35GW/BpR3", "kfr-35gw/bpr3", "KFR35GW/BpR3", "KFR-35GWBpR3", "kfr35gwbpr3", "KFR 35GW BpR3",
                  "KFR-35GW", "kfr35gw"):
        assert set(ids(kb.search(me, typed))) == {"KB-35", "KB-35-F1"}, typed
    # a model the article names by its id is found by its code, and shown by it
    for typed in ("KFR-72LW/NhBa1", "kfr72lwnhba1", "KFR72LW"):
        assert ids(kb.search(me, typed)) == ["KB-72"], typed
    [hit] = kb.search(me, "柜机不制冷")
    assert hit.models == ("KFR-72LW/NhBa1",) and hit.category == "空调"
    assert kb.article(me, "KB-72").models == ("KFR-72LW/NhBa1",)
    assert kb.search(me, "KFR-35GW/BpR4") == ()


def test_hqs_synonyms_find_the_other_word(env):
    publish(env)
    kb, me = env.svc.kb, env.tech
    assert kb.search(me, "滴水") == ()
    env.w.hub.write([put("kb_synonyms", uid(), terms=["滴水", "漏水"], active=True),
                     put("kb_synonyms", "SYN-COLD", terms=["制冷差", "不制冷"], active=True)])
    env.sync()
    assert ids(kb.search(me, "滴水")) == ["KB-35"]
    assert ids(kb.search(me, "挂机滴水")) == ["KB-35"]
    assert ids(kb.search(me, "柜机制冷差")) == ["KB-72"]
    assert ids(kb.search(me, "制冷差")) == ["KB-72"]
    env.w.hub.write([put("kb_synonyms", "SYN-COLD", active=False)])  # HQ switched it off
    env.sync()
    assert kb.search(me, "制冷差") == ()


def test_a_fault_code_and_its_name_find_the_article_shown_with_its_name(env):
    publish(env)
    kb, me = env.svc.kb, env.tech
    assert set(ids(kb.search(me, "F1"))) == {"KB-35-F1", "KB-F1"}
    assert set(ids(kb.search(me, "f1"))) == {"KB-35-F1", "KB-F1"}
    assert set(ids(kb.search(me, "温度传感器故障"))) >= {"KB-35-F1", "KB-F1"}  # master data's name
    assert ids(kb.search(me, "E21")) == ["KB-WM"]
    hit = next(h for h in kb.search(me, "F1") if h.id == "KB-F1")
    assert hit.faults == ("F1 室内温度传感器故障",)
    en = env.session(me.user_id, "en")
    assert kb.article(en, "KB-F1").faults == ("F1 Indoor temperature sensor fault",)
    assert kb.article(en, "KB-F1").category == "Air conditioner"
    # HQ renames the fault in master data: the index follows
    env.w.hub.write([put("fault_codes", "FC-AC-F1", name="感温包故障")])
    env.sync()
    assert set(ids(kb.search(me, "感温包"))) == {"KB-35-F1", "KB-F1"}


def test_an_orders_articles_for_its_model_and_fault_code_both_first(env):
    publish(env)
    kb, me = env.svc.kb, env.tech
    oid = env.dispatch(product_model_id="PM-AC-35", fault_code="F1")
    got = kb.for_order(me, oid)
    assert (got.model, got.fault, got.both) == ("KFR-35GW/BpR3", "F1 室内温度传感器故障", 1)
    assert ids(got.hits)[0] == "KB-35-F1"  # model and fault code
    assert ids(got.hits)[1] == "KB-F1"  # the fault code
    assert set(ids(got.hits)) == {"KB-35-F1", "KB-F1", "KB-35"}  # never the washing machine's
    big = env.dispatch(product_model_id=UUID_MODEL)  # no fault code: the model's articles
    assert ids(kb.for_order(me, big).hits) == ["KB-72"]
    none = env.dispatch(product_model_id=None)
    assert kb.for_order(me, none).hits == ()
    env.refused("not_found", kb.for_order, me, "no-such-order")
