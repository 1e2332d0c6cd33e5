"""Knowledge-base maintenance: an admin writes, edits, publishes and unpublishes articles
and renames categories; every change travels in the global bucket and a real node's
offline search finds it — only for the roles in the article's audience."""
import dataclasses

from fieldsync.demo.data import DEMO_PASSWORD

from tests.hub.enrolled import EnrolledNode
from tests.hub.kb import published
from tests.hub.test_admin_network import outlet_id, refused

ARTICLE = dict(title="KFR-50LW 室外机异响排查", category="AC",
               body="【现象】室外机运行时有金属撞击声\n【步骤】\n1. 断电后检查风扇叶片\n2. 紧固压缩机底脚螺丝",
               tags="异响，室外机", fault_codes="zq7", models="KFR-50LW", audience=["technician"])


def test_an_article_reaches_the_node_and_only_the_roles_it_is_for(services, admin, reviewer, tmp_path):
    kb = services.admin.kb
    sh01 = outlet_id(services, "SH01")
    node = EnrolledNode(services.ctx.hub, services.admin.nodes.enroll_code(admin, sh01).code, tmp_path / "n.db")
    node.sync()
    aid = published(services, admin, reviewer, **ARTICLE)
    a = kb.article(admin, aid)
    assert a.tags == ("异响", "室外机") and a.fault_codes == ("ZQ7",) and a.audience == ("technician",)
    assert a.updated_at == services.ctx.now() and a.active
    assert (a.category_name, a.audience_labels) == ("空调", ("维修师傅",))
    assert any(aid in bytes(r["body"]).decode() for r in services.ctx.hub.rows("bucket_changes", "bucket = 'global'"))
    node.sync()
    tech = node.services.login("sh01.tech01", DEMO_PASSWORD)
    clerk = node.services.login("sh01.clerk", DEMO_PASSWORD)
    hits = node.services.kb.search(tech, "室外机异响")
    assert hits[0].id == aid and hits[0].fault_codes == ("ZQ7",)
    assert aid not in [h.id for h in node.services.kb.search(clerk, "室外机异响")]
    # the admin widens the audience and edits the text: the node follows
    published(services, admin, reviewer, aid,
              **{**ARTICLE, "body": "更换风扇电机后试机", "audience": ["technician", "clerk"]})
    node.sync()
    assert [h.id for h in node.services.kb.search(clerk, "风扇电机")] == [aid]
    # unpublished: gone from the node's search, still listed at HQ
    kb.publish(admin, aid, False)
    node.sync()
    assert node.services.kb.search(tech, "风扇电机") == ()
    assert not kb.article(admin, aid).active
    kb.publish(admin, aid, True)
    node.sync()
    assert [h.id for h in node.services.kb.search(tech, "风扇电机")] == [aid]
    node.close()


def test_hq_lists_and_searches_articles(services, admin, reviewer):
    kb = services.admin.kb
    total = kb.count(admin)
    assert total == 30 and len(kb.articles(admin)) == 30  # the small demo network's articles
    aid = published(services, admin, reviewer, **ARTICLE)
    assert [a.id for a in kb.articles(admin, "室外机 异响")] == [aid]
    assert [a.id for a in kb.articles(admin, "zq7")] == [aid]
    assert all(a.category == "WM" for a in kb.articles(admin, category="WM"))
    demo = next(a for a in kb.articles(admin) if a.models and a.id != aid)
    assert demo.model_codes != demo.models  # model ids read as their codes
    english = kb.articles(dataclasses.replace(admin, lang="en"), "zq7")[0]
    assert (english.category_name, english.audience_labels) == ("Air conditioner (AC)", ("technician",))


def test_categories_come_from_the_articles_and_rename_moves_them_all(services, admin, reviewer, tmp_path):
    kb = services.admin.kb
    cats = {c.code: c for c in kb.categories(admin)}
    assert cats["AC"].name == "空调" and sum(c.articles for c in cats.values()) == 30
    english = kb.categories(dataclasses.replace(admin, lang="en"))
    assert {c.code: c.name for c in english}["AC"] == "Air conditioner (AC)"
    aid = published(services, admin, reviewer, **{**ARTICLE, "category": "安全规范"})
    assert {c.code for c in kb.categories(admin)} >= {"安全规范", "AC"}
    n = cats["WM"].articles
    assert kb.rename_category(admin, "WM", "洗衣机") == n
    cats = {c.code: c for c in kb.categories(admin)}
    assert "WM" not in cats and cats["洗衣机"].articles == n
    assert kb.rename_category(admin, "安全规范", "洗衣机") == 1  # merge into an existing one
    assert kb.article(admin, aid).category == "洗衣机"
    refused("same_category", kb.rename_category, admin, "洗衣机", "洗衣机", services=services)
    refused("not_found", kb.rename_category, admin, "NOPE", "x", services=services)


def test_article_refusals_write_nothing(services, admin, agent):
    kb = services.admin.kb
    refused("role_forbidden", kb.save_article, agent, services=services, **ARTICLE)
    refused("required", kb.save_article, admin, services=services, **{**ARTICLE, "title": " "})
    refused("required", kb.save_article, admin, services=services, **{**ARTICLE, "body": ""})
    e = refused("required", kb.save_article, admin, services=services, **{**ARTICLE, "audience": []})
    assert "可见角色" in e.message("zh")
    refused("role_unknown", kb.save_article, admin, services=services, **{**ARTICLE, "audience": ["customer"]})
    refused("not_found", kb.publish, admin, "nope", services=services)
    refused("role_forbidden", kb.publish, agent, "nope", services=services)
