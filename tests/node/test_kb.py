"""Offline knowledge-base search finds Chinese by two-character words, model numbers and
fault codes, and follows HQ's edits after each sync."""
from sync.hlc import now_ms

ARTICLES = {
    "KB-1": ("室内机漏水的处理方法", "AC",
             "室内机漏水多为排水管堵塞或安装倾斜。先检查排水管是否弯折，再用水平尺校正室内机。",
             ["漏水", "排水管"], [], ["KFR-35GW/BpR3", "KFR-26GW"]),
    "KB-2": ("空调显示E4故障", "AC", "E4为排气温度保护，检查冷媒是否不足、四通阀是否串气。", ["E4"], ["E4"],
             ["KFR-72LW"]),
    "KB-3": ("空调不制冷排查", "AC", "空调不制冷：先测运行电流，缺氟则检漏后补充R32冷媒；压缩机不启动检查电容。",
             ["不制冷"], [], ["KFR-35GW/BpR3"]),
    "KB-4": ("冰箱不制冷", "RF", "冰箱不制冷多为压缩机或启动器故障，冷藏室结冰则检查温控器。", [], [], ["BCD-470WDPG"]),
    "KB-5": ("洗衣机显示E41", "WM", "E41为门锁异常，检查门锁开关。", [], ["E41"], ["XQG100-B14"]),
    "KB-6": ("热水器漏水", "WH", "热水器漏水：内胆或接头渗漏，更换镁棒并检查内胆。", ["漏水"], [], ["JSQ25-"]),
}


def publish(env, **changes):
    ops = []
    for aid, (title, cat, body, tags, codes, models) in ARTICLES.items():
        fields = {"title": title, "category": cat, "body": body, "tags": tags, "fault_codes": codes,
                  "models": models, "active": True, "updated_at": now_ms()}
        fields.update(changes.get(aid, {}))
        ops.append({"op": "put", "table": "kb_articles", "id": aid, "fields": fields})
    env.w.hub.write(ops)
    env.sync()


def ids(hits):
    return [h.id for h in hits]


def test_search_by_chinese_words_model_numbers_and_fault_codes(env):
    publish(env)
    kb, me = env.svc.kb, env.tech
    assert set(ids(kb.search(me, "漏水"))) == {"KB-1", "KB-6"}
    assert ids(kb.search(me, "室内机漏水"))[0] == "KB-1"
    assert set(ids(kb.search(me, "不制冷"))) == {"KB-3", "KB-4"}
    assert ids(kb.search(me, "不制冷", category="RF")) == ["KB-4"]
    assert ids(kb.search(me, "E4")) == ["KB-2"]  # not E41
    assert ids(kb.search(me, "e41")) == ["KB-5"]
    assert set(ids(kb.search(me, "KFR-35GW"))) == {"KB-1", "KB-3"}
    assert set(ids(kb.search(me, "kfr35gw"))) == {"KB-1", "KB-3"}  # typed without the hyphen
    assert ids(kb.search(me, "BCD-470")) == ["KB-4"]  # the start of a model number
    assert ids(kb.search(me, "镁")) == ["KB-6"]  # one character
    assert ids(kb.search(me, "空调 缺氟")) == ["KB-3"]
    assert set(ids(kb.search(me, "冷媒"))) == {"KB-2", "KB-3"}
    assert kb.search(me, "洗碗机") == () and kb.search(me, "!!") == ()
    hit = kb.search(me, "四通阀")[0]
    assert "四通阀" in hit.snippet and hit.fault_codes == ("E4",)
    assert len(kb.search(me, "")) == 6  # no query: the newest articles
    assert kb.article(me, "KB-2").body.startswith("E4为排气温度保护")


def test_index_follows_hq_edits_after_sync(env):
    publish(env)
    kb, me = env.svc.kb, env.clerk
    assert ids(kb.search(me, "电容")) == ["KB-3"]
    publish(env, **{"KB-3": {"body": "更换启动电容后试机。"}, "KB-6": {"active": False}})
    assert ids(kb.search(me, "电容")) == ["KB-3"]
    assert kb.search(me, "检漏") == () and ids(kb.search(me, "漏水")) == ["KB-1"]
    env.refused("not_found", kb.article, me, "KB-6")


def test_index_survives_a_restart(env):
    publish(env)
    me = env.tech
    assert ids(env.svc.kb.search(me, "E4")) == ["KB-2"]
    env.node.reopen()
    from node.services import NodeServices
    kb = NodeServices(env.node.store).kb
    assert kb.refresh() == 0  # the index is on disk, nothing to rebuild
    assert ids(kb.search(me, "E4")) == ["KB-2"]
