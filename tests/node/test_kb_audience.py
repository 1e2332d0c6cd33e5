"""An article HQ wrote for some roles only reaches the search (and the article view) of
those roles on the node; articles without an audience stay visible to everyone."""
from sync.hlc import now_ms

ARTICLES = {
    "KB-T": ("压缩机更换步骤", ["technician"]),
    "KB-C": ("压缩机结算口径", ["clerk", "outlet_manager"]),
    "KB-A": ("压缩机常见问题", None),  # written before audiences existed
}


def publish(env, **audiences):
    env.w.hub.write([{"op": "put", "table": "kb_articles", "id": aid, "fields": {
        "title": title, "category": "AC", "body": f"{title}：断电后检查压缩机。", "active": True,
        "updated_at": now_ms(), "audience": audiences.get(aid, audience)}}
        for aid, (title, audience) in ARTICLES.items()])
    env.sync()


def ids(hits):
    return {h.id for h in hits}


def test_search_shows_an_article_only_to_the_roles_of_its_audience(env):
    publish(env)
    kb = env.svc.kb
    assert ids(kb.search(env.tech, "压缩机")) == {"KB-T", "KB-A"}
    assert ids(kb.search(env.clerk, "压缩机")) == {"KB-C", "KB-A"}
    assert ids(kb.search(env.manager, "")) == {"KB-C", "KB-A"}  # the newest list too
    assert kb.article(env.tech, "KB-T").title == "压缩机更换步骤"
    env.refused("not_found", kb.article, env.clerk, "KB-T")


def test_a_changed_audience_reaches_the_node_with_the_next_sync(env):
    publish(env)
    assert "KB-T" not in ids(env.svc.kb.search(env.clerk, "压缩机"))
    publish(env, **{"KB-T": ["technician", "clerk"]})
    assert "KB-T" in ids(env.svc.kb.search(env.clerk, "压缩机"))
