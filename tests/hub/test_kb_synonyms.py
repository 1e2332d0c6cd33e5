"""HQ's synonym groups (kb_synonyms): the admin keeps them in the knowledge admin, on
SQLite and PostgreSQL; HQ's agents' search uses them at once; they travel in the global
bucket and a real node's offline search then finds 漏水's article when a technician types
滴水, and 不制冷's for 空调制冷差; a group switched off stops doing so. Bad input is refused
in words and writes nothing."""
from fieldsync.demo.data import DEMO_PASSWORD

from tests.hub.enrolled import EnrolledNode
from tests.hub.kb import published
from tests.hub.test_admin_network import outlet_id, refused
from tests.hub.test_kb_admin import ARTICLE


def test_synonyms_reach_the_node_and_widen_its_search(services, admin, agent, reviewer, tmp_path):
    kb = services.admin.kb
    leak = published(services, admin, reviewer, **{**ARTICLE, "title": "室内机漏水的处理",
                                                    "body": "排水管堵塞时清理排水管。",
                                     "tags": "漏水", "fault_codes": "", "models": "",
                                     "audience": ["technician", "hq_agent"]})
    cold = published(services, admin, reviewer, **{**ARTICLE, "title": "空调不制冷排查",
                                                    "body": "先测运行电流，缺氟则检漏补充冷媒。",
                                     "tags": "不制冷", "fault_codes": "", "models": "",
                                     "audience": ["technician", "hq_agent"]})
    node = EnrolledNode(services.ctx.hub, services.admin.nodes.enroll_code(admin, outlet_id(services, "SH01")).code,
                        tmp_path / "n.db")
    try:
        node.sync()
        tech = node.services.login("sh01.tech01", DEMO_PASSWORD)
        assert node.services.kb.search(tech, "滴水") == ()  # no group yet
        assert leak not in [h.id for h in services.intake.search_kb(agent, "滴水")]
        drip = kb.save_synonyms(admin, terms="滴水，漏水、渗水")
        kb.save_synonyms(admin, terms=["制冷差", "不制冷"])
        assert [g.terms for g in kb.synonyms(admin)] == [("制冷差", "不制冷"), ("滴水", "漏水", "渗水")]
        assert leak in [h.id for h in services.intake.search_kb(agent, "滴水")]  # HQ's agents too
        node.sync()
        assert leak in [h.id for h in node.services.kb.search(tech, "室内机滴水")]
        assert cold in [h.id for h in node.services.kb.search(tech, "空调制冷差")]
        kb.save_synonyms(admin, drip, terms="渗水，漏水")  # 滴水 taken out of the group
        node.sync()
        assert leak not in [h.id for h in node.services.kb.search(tech, "滴水")]
        assert leak in [h.id for h in node.services.kb.search(tech, "渗水")]
        kb.remove_synonyms(admin, drip)
        node.sync()
        assert leak not in [h.id for h in node.services.kb.search(tech, "渗水")]
        assert [g.terms for g in kb.synonyms(admin)] == [("制冷差", "不制冷")]
    finally:
        node.close()


def test_bad_groups_are_refused_in_words_and_change_nothing(services, admin, agent):
    kb = services.admin.kb
    e = refused("synonyms_too_few", kb.save_synonyms, admin, terms="漏水", services=services)
    assert e.message("zh") == "同义词组至少要有两个不同的词。"
    refused("synonyms_too_few", kb.save_synonyms, admin, terms="漏水，漏水", services=services)
    e = refused("synonym_unsearchable", kb.save_synonyms, admin, terms="漏水，！！", services=services)
    assert e.message("en") == "“！！” holds nothing a search can find (Chinese, letters or digits)."
    refused("synonym_too_long", kb.save_synonyms, admin, terms="漏水，" + "很" * 30, services=services)
    refused("synonyms_too_many", kb.save_synonyms, admin, terms=[f"词{i}" for i in range(13)], services=services)
    refused("not_found", kb.save_synonyms, admin, "no-such-group", terms="滴水，漏水", services=services)
    refused("not_found", kb.remove_synonyms, admin, "no-such-group", services=services)
    refused("role_forbidden", kb.save_synonyms, agent, terms="滴水，漏水", services=services)
    assert kb.synonyms(admin) == []
